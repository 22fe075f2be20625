"""Build the warehouse and publish it atomically: the arguments, and a call to each step's module.

    python scripts/build_warehouse.py [store inputs: --help] [--students-dir DIR]
                                      [--duckdb-path FILE] [...]

1. Choose and check the inputs (scripts/inputs.py; each store's adapter in scripts/stores/): one
   clear line and exit 2 on bad input. Every file is read whole once (a cut-short gzip stops the
   build) and converted to UTF-8 in the build folder when it is not (scripts/input_files.py).
   With no store input, the project's own synthetic data is generated once into data/generated/;
   likewise the student exports.
2. Under the build folder's lock (scripts/build_folder.py: `.build-<name>/` beside the published
   file, which keeps dbt's parsed project between builds), copy the published warehouse
   (scripts/publish.py), bring a copy of an older layout up to date (scripts/warehouse_upgrade.py)
   and run dbt on it as scripts/build_plan.py decides: everything at once on a first build,
   --fresh or --refit; else the scoring build, then the product side only when it is due.
3. Only if dbt succeeded, and no store or file lost more than --max-row-loss of its raw rows
   against the published warehouse (scripts/shrink_guard.py), move the new file over
   DUCKDB_PATH with an atomic rename (scripts/publish.py). Readers holding the old file open
   keep reading it; a failed or interrupted build leaves it untouched.
4. Print the summary (scripts/build_summary.py): lines read, kept and excluded by reason,
   customers, RFM segments, students per cohort and their high-LTV share.

Options and their environment variables: scripts/build_options.py (and the README).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from scripts.build_folder import BUILD_FILE_NAME, build_dir_for, build_lock, remove_build_file
from scripts.build_options import build_parser, parse_vars
from scripts.build_plan import run_builds
from scripts.build_summary import read_summary, render_summary
from scripts.dbt_runner import (
    BuildError,
    RefusedBuild,
    machine_defaults,
)
from scripts.input_files import InputFileError
from scripts.inputs import (
    Inputs,
    choose_inputs,
    commerce_environment,
    input_lines,
    students_environment,
)
from scripts.project_paths import published_warehouse
from scripts.publish import copy_published, publish
from scripts.shrink_guard import DEFAULT_MAX_ROW_LOSS, check_shrink
from scripts.warehouse_upgrade import upgrade_copied_warehouse


def build(
    inputs: Inputs,
    published: Path,
    extra_vars: dict,
    fresh: bool,
    quiet: bool,
    selector: str | None = None,
    encoding: str = "auto",
    max_row_loss: float | None = DEFAULT_MAX_ROW_LOSS,
) -> dict:
    """Build on a private copy and publish it; max_row_loss None publishes whatever the build
    read (--allow-shrink)."""
    published.parent.mkdir(parents=True, exist_ok=True)
    build_dir = build_dir_for(published)
    build_file = build_dir / BUILD_FILE_NAME
    with build_lock(build_dir):
        remove_build_file(build_file)  # left by a build that was killed outright
        try:
            environment, note = commerce_environment(inputs, encoding, build_dir)
            students, converted = students_environment(inputs, encoding, build_dir)
            environment.update(students)
            environment.update(machine_defaults(input_lines(inputs)))
            notes = [*note.splitlines(), *converted]
            copied = published.exists() and not fresh
            if copied:
                copy_published(published, build_file)
                upgrade_copied_warehouse(build_file)
            product_side = run_builds(
                build_file, environment, extra_vars, quiet, selector, copied, inputs.stores
            )
            if published.exists() and max_row_loss is not None:
                check_shrink(build_file, published, max_row_loss)
            summary = read_summary(build_file)
            if product_side:
                summary["product_side"] = product_side
            publish(build_file, published)
        finally:
            remove_build_file(build_file)
    if notes:
        summary["notes"] = notes
    return summary


def _stop_on_sigterm(signum, frame) -> None:
    # Turn `kill` into an exception so the build folder is removed and nothing is published.
    raise SystemExit(
        f"error: build interrupted by signal {signum}; the published warehouse is unchanged"
    )


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = build_parser()
    args = parser.parse_args(argv)

    published = published_warehouse(args.duckdb_path)
    spark = args.engine == "spark"
    # a Spark build replaces its tables in place: there is no published file it leaves as it was
    unchanged = "" if spark else f"; the published warehouse {published} is unchanged"
    try:
        extra_vars = parse_vars(args.vars, args.as_of_date)
        if args.refit:
            extra_vars["segment_refit"] = True
        only = "commerce" if args.only == "retail" else args.only
        if spark:
            summary = build_spark(args, extra_vars)
        else:
            summary = build(
                choose_inputs(args, only),
                published,
                extra_vars,
                args.fresh,
                args.quiet,
                only,
                args.encoding,
                None if args.allow_shrink else args.max_row_loss,
            )
            summary["warehouse"] = str(published)
    except InputFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RefusedBuild as exc:
        print(f"error: {exc}{unchanged}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"error: {exc}{unchanged}", file=sys.stderr)
        return 1
    except OSError as exc:  # no space, no permission: one line, not a traceback
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}{unchanged}", file=sys.stderr)
        return 2
    if args.summary_json:
        Path(args.summary_json).write_text(json.dumps(summary, indent=2) + "\n")
    print("\n".join([*summary.get("notes", []), render_summary(summary)]))
    if spark:
        print(f"Spark warehouse ({summary['engine']}): {summary['warehouse']}")
    else:
        print(f"Warehouse published: {published}")
    return 0


def build_spark(args: argparse.Namespace, extra_vars: dict) -> dict:
    """--engine spark: the commerce stores on Spark (scripts/spark_build.py), from the inputs
    given or, with none, from the project's generated data as a DuckDB build."""
    from scripts.spark_build import DEFAULT_WAREHOUSE_DIR, build_on_spark  # needs the Spark extra

    return build_on_spark(
        choose_inputs(args, "commerce"),
        Path(args.spark_warehouse_dir or DEFAULT_WAREHOUSE_DIR),
        extra_vars,
        args.quiet,
        args.spark_method,
        args.encoding,
        args.fresh,
    )


if __name__ == "__main__":
    sys.exit(main())
