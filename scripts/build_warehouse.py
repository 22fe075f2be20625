"""Build the warehouse and publish it atomically.

    python scripts/build_warehouse.py [--retail-path FILE] [--students-dir DIR] [--duckdb-path FILE]
                                      [--as-of-date DATE]

1. Check the raw input (one clear line and exit 2 on bad input). With no RETAIL_PATH, the
   project's own synthetic data is generated once into data/generated/; likewise the student
   exports (STUDENTS_DIR) into data/generated/students/.
2. Run `dbt build` (models and tests) against a private copy of the warehouse, in a build folder
   beside the published file (`.build-<name>/`). The folder stays between builds: it holds
   dbt's parsed project (target/), so the next build parses only what changed, and a lock that
   keeps two builds of the same warehouse from running at once. The copy keeps the loaded line
   groups, so lines appended to the retail file are loaded incrementally.
3. Only if dbt succeeded, move the new file over DUCKDB_PATH with an atomic rename. Readers
   holding the old file open keep reading it; a failed or interrupted build leaves it untouched.
4. Print a short summary: lines read, kept and excluded by reason, customers, RFM segments,
   students per cohort and their high-LTV share.

Environment: RETAIL_PATH, STUDENTS_DIR, DUCKDB_PATH (default warehouse.duckdb in the project root),
DBT_THREADS, DUCKDB_THREADS, DUCKDB_MEMORY_LIMIT.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import duckdb
import generate_students
from generate_retail import LINES_PER_CUSTOMER, GeneratorConfig, generate_file
from retail_input import InputFileError, check_retail_file
from student_input import check_students_dir

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_RETAIL_PATH = PROJECT_ROOT / "data" / "generated" / "online_retail.csv"
DEFAULT_GENERATED_LINES = 200_000
DEFAULT_STUDENTS_DIR = PROJECT_ROOT / "data" / "generated" / "students"
DEFAULT_GENERATED_STUDENTS = 20_000


class BuildError(RuntimeError):
    """dbt build failed; the published warehouse was not touched."""


def default_retail_file() -> Path:
    """The project's own synthetic data set, generated once (deterministic, seed 42)."""
    if not DEFAULT_RETAIL_PATH.exists():
        lines = DEFAULT_GENERATED_LINES
        config = GeneratorConfig(lines=lines, customers=lines // LINES_PER_CUSTOMER)
        generate_file(config, str(DEFAULT_RETAIL_PATH))
        print(f"Generated synthetic retail data: {DEFAULT_RETAIL_PATH}")
    return DEFAULT_RETAIL_PATH


def default_students_dir() -> Path:
    """The project's own synthetic student exports, generated once (deterministic, seed 42)."""
    if not all((DEFAULT_STUDENTS_DIR / name).exists() for name in generate_students.OUTPUT_FILES):
        config = generate_students.StudentConfig(students=DEFAULT_GENERATED_STUDENTS)
        generate_students.write(generate_students.generate(config), str(DEFAULT_STUDENTS_DIR))
        print(f"Generated synthetic student data: {DEFAULT_STUDENTS_DIR}")
    return DEFAULT_STUDENTS_DIR


def dbt_executable() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else "dbt"


def run_dbt_build(
    build_file: Path, inputs: dict, dbt_vars: dict, quiet: bool, selector: str | None = None
) -> None:
    """Run `dbt build` against build_file; raise BuildError when it fails.

    The input paths go in as environment variables, not vars: dbt re-parses the whole project
    when a var changes, but only the files that read an environment variable when it changes.
    """
    env = dict(os.environ, DBT_DUCKDB_PATH=str(build_file), **inputs)
    command = [
        dbt_executable(),
        "build",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(build_file.parent / "target"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    if selector:
        command += ["--selector", selector]
    if quiet:
        result = subprocess.run(
            command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True
        )
        if result.returncode != 0:
            failures = [
                line for line in result.stdout.splitlines() if "ERROR" in line or "FAIL" in line
            ]
            sys.stderr.write("\n".join(failures[-20:]) + "\n")
    else:
        result = subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR)
    if result.returncode != 0:
        raise BuildError(f"dbt build failed (exit {result.returncode})")


def loaded_line(loaded: int, parsed: int) -> str:
    if loaded == parsed:
        return f"  loaded by this build: all {parsed:,} parsed lines"
    if loaded == 0:
        return f"  loaded by this build: 0 of {parsed:,} parsed lines (nothing appended since the last build)"
    return (
        f"  loaded by this build: {loaded:,} of {parsed:,} parsed lines"
        " (the dates of lines appended since the last build)"
    )


def summarise(build_file: Path) -> str:
    """A few lines for the person who ran the build, read from the finished warehouse."""
    with duckdb.connect(str(build_file)) as con:
        con.execute("checkpoint")
        reasons = con.execute(
            "select line_status, reason, n_lines from marts.retail_line_reconciliation"
            " order by reason_order"
        ).fetchall()
        loaded, in_groups = con.execute(
            "select sum(n_lines) filter (where load_id = (select model_run_id"
            " from intermediate.int_segmentation_run)), sum(n_lines)"
            " from intermediate.int_invoice_line_groups"
        ).fetchone()
        as_of, n_customers, n_buyers = con.execute(
            "select max(as_of_date), count(*), count(*) filter (where has_purchases)"
            " from marts.fct_customer_rfm"
        ).fetchone()
        segments = con.execute(
            "select coalesce(rfm_segment, '(no purchase)'), count(*) from marts.fct_customer_rfm"
            " group by 1 order by 2 desc, 1"
        ).fetchall()
        has_students = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name = 'fct_students'"
        ).fetchone()[0]
        cohorts, student_rows = [], []
        if has_students:  # absent after a first build with --only retail
            cohorts = con.execute(
                "select cohort_year, count(*), avg(case when ltv_class = 'high' then 1.0 else 0 end)"
                " from marts.fct_students group by 1 order by 1"
            ).fetchall()
            student_rows = con.execute(
                "select source_table, sum(n_rows), sum(case when row_status = 'kept' then n_rows end)"
                " from marts.student_source_reconciliation group by 1 order by 1"
            ).fetchall()
    total = sum(n for _, _, n in reasons)
    kept = sum(n for status, _, n in reasons if status == "kept")
    lines = [
        f"Raw lines read: {total:,} (kept {kept:,}, excluded {total - kept:,})",
        loaded_line(loaded or 0, in_groups or 0),
        *(f"  {reason:<32}{n:>12,}" for status, reason, n in reasons if status != "kept"),
        f"Customers: {n_customers:,} ({n_buyers:,} with purchases), as of {as_of}",
        "Customers per RFM segment:",
        *(f"  {segment:<32}{n:>12,}" for segment, n in segments),
    ]
    if not has_students:
        return "\n".join(lines)
    lines += [
        "Student source rows (read, kept):",
        *(f"  {table:<32}{n:>12,}{kept:>12,}" for table, n, kept in student_rows),
        f"Students: {sum(n for _, n, _ in cohorts):,}; per cohort (students, high-LTV share):",
        *(f"  {year!s:<32}{n:>12,}{share:>12.1%}" for year, n, share in cohorts),
    ]
    return "\n".join(lines)


def publish(build_file: Path, published: Path) -> None:
    """Atomically replace the published warehouse with the finished build."""
    stale_wal = published.with_name(published.name + ".wal")
    if stale_wal.exists():
        # A WAL belongs to the file it was written for; replayed into the new file it would corrupt it.
        stale_wal.unlink()
    os.replace(build_file, published)


def build_dir_for(published: Path) -> Path:
    # Same folder (same filesystem, so the rename is atomic); the build file keeps the published
    # name because DuckDB names the catalog after the file stem and stored views refer to it.
    return published.parent / f".build-{published.name}"


@contextmanager
def build_lock(build_dir: Path):
    """Hold the build folder's lock; fail at once when another build of the warehouse holds it."""
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / "lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(
                f"another build of this warehouse is running (lock: {lock.name})"
            ) from None
        yield


def remove_build_file(build_file: Path) -> None:
    for leftover in (build_file, build_file.with_name(build_file.name + ".wal")):
        leftover.unlink(missing_ok=True)


def build(
    retail_path: Path,
    published: Path,
    extra_vars: dict,
    fresh: bool,
    quiet: bool,
    students_dir: Path | None = None,
    selector: str | None = None,
) -> str:
    published.parent.mkdir(parents=True, exist_ok=True)
    build_dir = build_dir_for(published)
    build_file = build_dir / published.name
    with build_lock(build_dir):
        remove_build_file(build_file)  # left by a build that was killed outright
        try:
            if published.exists() and not fresh:
                shutil.copy2(published, build_file)  # keeps history and the loaded line groups
            inputs = {"RETAIL_PATH": str(retail_path)}
            if students_dir is not None:
                inputs["STUDENTS_DIR"] = str(students_dir)
            run_dbt_build(build_file, inputs, extra_vars, quiet, selector)
            summary = summarise(build_file)
            publish(build_file, published)
        finally:
            remove_build_file(build_file)
    return summary


def _stop_on_sigterm(signum, frame) -> None:
    # Turn `kill` into an exception so the build folder is removed and nothing is published.
    raise SystemExit(
        f"error: build interrupted by signal {signum}; the published warehouse is unchanged"
    )


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(description="Build the warehouse and publish it atomically.")
    parser.add_argument(
        "--retail-path",
        default=os.environ.get("RETAIL_PATH") or None,
        help="raw retail file (default: generated synthetic data)",
    )
    parser.add_argument(
        "--students-dir",
        default=os.environ.get("STUDENTS_DIR") or None,
        help="folder of the student CRM/LMS exports (default: generated data)",
    )
    parser.add_argument(
        "--duckdb-path",
        default=os.environ.get("DUCKDB_PATH") or None,
        help="published warehouse file (default: warehouse.duckdb)",
    )
    parser.add_argument("--as-of-date", help="RFM reference date (default: day after last invoice)")
    parser.add_argument("--vars", default="{}", help="extra dbt vars as JSON")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start from an empty warehouse instead of a copy of the published one",
    )
    parser.add_argument(
        "--only",
        choices=["retail"],
        help="build only one side (dbt selector in dbt_project/selectors.yml); the other side's"
        " tables stay as published",
    )
    parser.add_argument("--quiet", action="store_true", help="print only dbt's failures")
    args = parser.parse_args(argv)

    published = Path(args.duckdb_path or PROJECT_ROOT / "warehouse.duckdb").expanduser().resolve()
    try:
        retail_path = (
            check_retail_file(args.retail_path) if args.retail_path else default_retail_file()
        )
        students_dir = None
        if args.only != "retail":
            students_dir = (
                check_students_dir(args.students_dir)
                if args.students_dir
                else default_students_dir()
            )
        extra_vars = json.loads(args.vars)
        if args.as_of_date:
            extra_vars["as_of_date"] = args.as_of_date
        summary = build(
            retail_path, published, extra_vars, args.fresh, args.quiet, students_dir, args.only
        )
    except InputFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"error: {exc}; the published warehouse {published} is unchanged", file=sys.stderr)
        return 1
    print(summary)
    print(f"Warehouse published: {published}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
