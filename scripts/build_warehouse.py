"""Build the warehouse and publish it atomically.

    python scripts/build_warehouse.py [--retail-path FILE] [--students-dir DIR] [--duckdb-path FILE]
                                      [--as-of-date DATE]

1. Check the raw input (one clear line and exit 2 on bad input): every file of every store
   and of the school is there and readable, or absent where that is allowed; each is read whole
   once (a cut-short gzip stops the build) and converted to UTF-8 in the build folder when it is
   not (scripts/input_files.py). With no store input, the project's own synthetic data is
   generated once into data/generated/; likewise the student exports (STUDENTS_DIR) into
   data/generated/students/.
2. Run `dbt build` (models and tests) against a private copy of the warehouse, in a build folder
   beside the published file (`.build-<name>/`). The folder stays between builds: it holds
   dbt's parsed project (target/), so the next build parses only what changed, and a lock that
   keeps two builds of the same warehouse from running at once. The copy keeps the loaded line
   groups, so lines appended to the retail file are loaded incrementally.
   A build on a copy scores customers with the stored segment models; the product side
   (products, interests, recommendations: tag `products`) is rebuilt only when a store refitted
   its model (or the product tables are missing), in a second dbt invocation, so that appending
   a day costs the day. A first build, --fresh or --refit builds everything at once.
3. Only if dbt succeeded, and no store or file lost more than --max-row-loss of its raw rows
   against the published warehouse (scripts/shrink_guard.py), move the new file over
   DUCKDB_PATH with an atomic rename. Readers holding the old file open keep reading it; a
   failed or interrupted build leaves it untouched.
4. Print a short summary: lines read, kept and excluded by reason, customers, RFM segments,
   students per cohort and their high-LTV share.

Environment: RETAIL_PATH, STUDENTS_DIR, DUCKDB_PATH (default warehouse.duckdb in the project root),
DBT_THREADS, DUCKDB_THREADS, DUCKDB_MEMORY_LIMIT.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
from datetime import date
from pathlib import Path

import duckdb

from scripts.build_folder import BUILD_FILE_NAME, build_dir_for, build_lock, remove_build_file
from scripts.build_summary import read_summary, render_summary
from scripts.dbt_runner import (
    BuildError,
    RefusedBuild,
    machine_defaults,
    run_dbt,
)
from scripts.input_files import ENCODINGS, InputFileError
from scripts.inputs import (
    Inputs,
    add_store_options,
    choose_inputs,
    commerce_environment,
    input_lines,
    students_environment,
)
from scripts.project_paths import WAREHOUSE_OPTION_HELP, published_warehouse
from scripts.shrink_guard import DEFAULT_MAX_ROW_LOSS, check_shrink
from scripts.warehouse_upgrade import upgrade_copied_warehouse


def run_dbt_build(
    build_file: Path,
    inputs: dict,
    dbt_vars: dict,
    quiet: bool,
    selector: str | None = None,
    command: str = "build",
) -> None:
    """Run `dbt build` (or another `command`) against build_file; raise BuildError (or
    RefusedBuild for bad data)."""
    arguments = [command]
    if dbt_vars:
        arguments += ["--vars", json.dumps(dbt_vars)]
    if selector:
        arguments += ["--selector", selector]
    run_dbt(
        arguments, {"DBT_DUCKDB_PATH": str(build_file)}, inputs, build_file.parent / "target", quiet
    )


# The selectors (dbt_project/selectors.yml) of a build that scores with the stored segment models,
# by domain (--only): with the next-best refresh when the copy has its product side (daily), and
# of the product side that follows it when a store refitted.
SCORING_SELECTORS = {None: "scoring", "commerce": "commerce_scoring"}
DAILY_SELECTORS = {None: "daily", "commerce": "commerce_daily"}
PRODUCT_SIDE_SELECTOR = "product_side"
PRODUCT_TAG = "products"


def product_relations(target_dir: Path) -> list[tuple[str, str]]:
    """(schema, name) of every relation of the product side, from dbt's manifest of the build."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and PRODUCT_TAG in node.get("tags", [])
        and node["config"].get("materialized") != "ephemeral"
        and node["config"].get("enabled", True)
    )


def missing_product_relations(build_file: Path) -> list[str]:
    """The relations of the product side (by dbt's manifest of the last build in this folder)
    that build_file lacks."""
    relations = product_relations(build_file.parent / "target")
    with duckdb.connect(str(build_file), read_only=True) as con:
        present = set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )
    return [f"{schema}.{name}" for schema, name in relations if (schema, name) not in present]


def has_product_side(build_file: Path, inputs: dict, dbt_vars: dict, quiet: bool) -> bool:
    """Whether the copy of the published warehouse has every product relation, so that a daily
    build can refresh next-best products from its stored rules. The relations come from dbt's
    manifest, parsed first in a new build folder (the build then reuses the parse)."""
    if not (build_file.parent / "target" / "manifest.json").exists():
        run_dbt_build(build_file, inputs, dbt_vars, quiet, command="parse")
    return not missing_product_relations(build_file)


def refreshed_customers(build_file: Path) -> int:
    """How many customers' next-best products the last dbt invocation computed."""
    run_results = json.loads((build_file.parent / "target" / "run_results.json").read_text())
    with duckdb.connect(str(build_file), read_only=True) as con:
        return con.execute(
            "select count(distinct store || '|' || cast(customer_id as varchar))"
            " from intermediate.int_customer_recommendations where load_id = ?",
            [run_results["metadata"]["invocation_id"]],
        ).fetchone()[0]


def product_side_due(build_file: Path, stores: list[str]) -> str | None:
    """Why the product side must be rebuilt after a scoring build (None: it stays as published):
    a store refitted its segment model, a product relation is missing, or the product tables
    hold a store this build does not include."""
    missing = missing_product_relations(build_file)
    with duckdb.connect(str(build_file), read_only=True) as con:
        refitted = [
            store
            for (store,) in con.execute(
                "select store from intermediate.int_segment_refit_decisions"
                " where is_refit order by store"
            ).fetchall()
        ]
        if refitted:
            return f"the segment model of {', '.join(refitted)} was refitted"
        if missing:
            return f"{missing[0]} is not in the warehouse yet"
        product_stores = {
            store
            for (store,) in con.execute("select distinct store from marts.dim_products").fetchall()
        }
    gone = sorted(product_stores - set(stores))
    if gone:
        return f"the product tables still hold store {', '.join(gone)}, which this build leaves out"
    return None


def publish(build_file: Path, published: Path) -> None:
    """Atomically replace the published warehouse with the finished build."""
    stale_wal = published.with_name(published.name + ".wal")
    if stale_wal.exists():
        # A WAL belongs to the file it was written for; replayed into the new file it would corrupt it.
        stale_wal.unlink()
    os.replace(build_file, published)


def copy_published(published: Path, build_file: Path) -> None:
    try:
        shutil.copy2(published, build_file)  # keeps history and the loaded line groups
    except OSError as exc:
        raise RefusedBuild(
            f"cannot copy {published} into the build folder ({exc.strerror or exc})"
        ) from exc


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


def run_builds(
    build_file: Path,
    environment: dict,
    extra_vars: dict,
    quiet: bool,
    selector: str | None,
    copied: bool,
    stores: list[str],
) -> str | None:
    """Run dbt: everything at once on a first build, --fresh or --refit; otherwise the scoring
    build (with the next-best refresh of the customers who bought since, when the copy has its
    product side), then the product side only when it is due. Returns what happened to the
    product side (None when the build has no commerce side)."""
    if selector == "students":
        run_dbt_build(build_file, environment, extra_vars, quiet, selector)
        return None
    if not copied or is_true(extra_vars.get("segment_refit")):
        run_dbt_build(build_file, environment, extra_vars, quiet, selector)
        return "rebuilt (full build)"
    daily = has_product_side(build_file, environment, extra_vars, quiet)
    selectors = DAILY_SELECTORS if daily else SCORING_SELECTORS
    run_dbt_build(build_file, environment, extra_vars, quiet, selectors[selector])
    due = product_side_due(build_file, stores)
    if due is None:
        refreshed = ""
        if daily:
            customers = refreshed_customers(build_file)
            refreshed = (
                f"; next-best products refreshed for {customers:,} customers who bought since"
                " (or changed segment)"
                if customers
                else "; next-best products kept (no customer bought since)"
            )
        return f"kept as published (no segment model was refitted){refreshed}"
    run_dbt_build(build_file, environment, extra_vars, quiet, PRODUCT_SIDE_SELECTOR)
    return f"rebuilt ({due})"


def is_true(value) -> bool:
    """A dbt var given as JSON or text (true, "true", 1, "yes")."""
    return str(value).strip().lower() in ("true", "1", "yes")


def _stop_on_sigterm(signum, frame) -> None:
    # Turn `kill` into an exception so the build folder is removed and nothing is published.
    raise SystemExit(
        f"error: build interrupted by signal {signum}; the published warehouse is unchanged"
    )


def parse_vars(text: str, as_of_date: str | None) -> dict:
    """The dbt vars of the build: --vars (a JSON object) and --as-of-date (an ISO date)."""
    try:
        extra_vars = json.loads(text)
    except ValueError as exc:
        raise InputFileError(f"--vars: not valid JSON ({exc})") from None
    if not isinstance(extra_vars, dict):
        raise InputFileError('--vars: expected a JSON object such as {"segment_k": 4}')
    if as_of_date is not None:
        extra_vars["as_of_date"] = as_of_date
    if extra_vars.get("as_of_date") is not None:
        try:
            date.fromisoformat(str(extra_vars["as_of_date"]))
        except ValueError:
            raise InputFileError(
                f"as_of_date: {extra_vars['as_of_date']!r} is not a date (expected YYYY-MM-DD)"
            ) from None
    return extra_vars


def share(text: str) -> float:
    """A share from 0 to 1 given on the command line."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share from 0 to 1 (e.g. 0.2)")
    return value


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(description="Build the warehouse and publish it atomically.")
    add_store_options(parser)
    parser.add_argument(
        "--encoding",
        choices=ENCODINGS,
        default=os.environ.get("RETAIL_ENCODING") or "auto",
        help="text encoding of the CSV inputs (the retail file, the Olist and student exports;"
        " default: auto, each file UTF-8 if valid, else cp1252)",
    )
    parser.add_argument(
        "--students-dir",
        default=os.environ.get("STUDENTS_DIR") or None,
        help="folder of the student CRM/LMS exports (default: generated data)",
    )
    parser.add_argument(
        "--duckdb-path",
        default=os.environ.get("DUCKDB_PATH") or None,
        help=WAREHOUSE_OPTION_HELP,
    )
    parser.add_argument("--as-of-date", help="RFM reference date (default: day after last invoice)")
    parser.add_argument("--vars", default="{}", help="extra dbt vars as JSON")
    parser.add_argument(
        "--refit",
        action="store_true",
        default=os.environ.get("REFIT", "") not in ("", "0"),
        help="refit every store's segment model (and rebuild the product side) even when no"
        " refit is due; the stored ids carry over to the segments that persist",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start from an empty warehouse instead of a copy of the published one (with"
        " --engine spark: rebuild the tables carried from earlier Spark builds)",
    )
    parser.add_argument(
        "--allow-shrink",
        action="store_true",
        default=os.environ.get("ALLOW_SHRINK", "") not in ("", "0"),
        help="publish even when the build lost more than --max-row-loss of the raw rows of a"
        " store or file of the published warehouse",
    )
    parser.add_argument(
        "--max-row-loss",
        type=share,
        default=os.environ.get("MAX_ROW_LOSS") or DEFAULT_MAX_ROW_LOSS,
        help="the largest share of a store's or a file's raw rows a build may lose against the"
        f" published warehouse before it is refused (default {DEFAULT_MAX_ROW_LOSS})",
    )
    parser.add_argument(
        "--only",
        choices=["commerce", "students", "retail"],
        help="build only one domain (dbt selector in dbt_project/selectors.yml; `retail` is the"
        " former name of `commerce`); the other domain's tables stay as published",
    )
    parser.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default=os.environ.get("ENGINE") or "duckdb",
        help="duckdb (default): build and publish the DuckDB warehouse; spark: build the commerce"
        " stores on Spark (docs/spark.md)",
    )
    parser.add_argument(
        "--spark-method",
        choices=["session", "thrift"],
        default=os.environ.get("SPARK_METHOD") or "session",
        help="with --engine spark: a local Spark in the build's process (session, default) or an"
        " existing Spark Thrift server at SPARK_HOST:SPARK_PORT (thrift)",
    )
    parser.add_argument(
        "--spark-warehouse-dir",
        default=os.environ.get("SPARK_WAREHOUSE_DIR") or None,
        help="with --engine spark: the folder of the ingested input, the local Spark tables and"
        " metastore (default: spark-warehouse/)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only dbt's failures")
    parser.add_argument(
        "--summary-json",
        help="also write the build's summary (lines by reason, customers, segments, students) as"
        " JSON to this file, for programs",
    )
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
