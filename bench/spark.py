"""The same work on DuckDB and on a local Spark session: selector `spark` for store online_retail
(ingestion, canonical order lines, the commerce marts, the segmentation and the product side,
with their tests).

    python -m bench.spark [--sizes 1000000,10000000]          (make bench-spark)

DuckDB: `dbt build --selector spark` on a fresh DuckDB file, reading the Parquet data set
directly. Spark: `build_warehouse.py --engine spark` (ingestion through DuckDB's reader to
Parquet, then the dbt build on a local session). One run per size and engine, each its own
process; where the Spark time goes comes from dbt's run_results.json (ingestion, Spark session
start, the slowest models). The data sets are those of `make bench` (data/bench/).
Results are written to BENCHMARKS.md between the spark markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from bench.measure import measure
from bench.pipeline import dataset, write_report
from scripts.dbt_runner import NO_TRACKING, dbt_executable, project_options
from scripts.project_paths import DBT_PROJECT_DIR, PROJECT_ROOT

START, END = "<!-- spark-bench:start -->", "<!-- spark-bench:end -->"


def duckdb_build(retail_file: Path, workdir: Path) -> tuple[list[str], dict]:
    env = dict(
        os.environ,
        **NO_TRACKING,
        RETAIL_PATH=str(retail_file),
        COMMERCE_STORES="online_retail",
        DBT_DUCKDB_PATH=str(workdir / "duckdb.duckdb"),
    )
    command = [
        dbt_executable(),
        "build",
        "--selector",
        "spark",
        *project_options(workdir / "duckdb-target"),
    ]
    return command, env


def spark_build(retail_file: Path, workdir: Path) -> list[str]:
    """The build, which writes its timings (ingestion, dbt build) to spark-summary.json."""
    return [
        sys.executable,
        str(PROJECT_ROOT / "scripts" / "build_warehouse.py"),
        "--engine",
        "spark",
        "--retail-path",
        str(retail_file),
        "--spark-warehouse-dir",
        str(workdir / "spark"),
        "--quiet",
        "--summary-json",
        str(workdir / "spark-summary.json"),
    ]


def slowest(run_results: Path, n: int = 3) -> tuple[float, list[tuple[str, float]]]:
    """dbt's own elapsed time and its n slowest nodes (on Spark: of the last command, the
    tests)."""
    results = json.loads(run_results.read_text())
    nodes = sorted(
        ((r["unique_id"].split(".")[-1], r["execution_time"]) for r in results["results"]),
        key=lambda item: -item[1],
    )
    return results["elapsed_time"], nodes[:n]


def run_size(lines: int, workdir: Path) -> dict:
    retail_file = dataset(lines)
    command, env = duckdb_build(retail_file, workdir)
    print(f"{lines:,} lines: DuckDB", flush=True)
    duck = measure(command, env=env, cwd=str(DBT_PROJECT_DIR), sample_tree=True)
    print(f"{lines:,} lines: Spark", flush=True)
    spark = measure(spark_build(retail_file, workdir), sample_tree=True)
    row = {"lines": lines, "duckdb": duck, "spark": spark}
    if spark.ok:
        row["spark_dbt"] = slowest(workdir / "spark" / "target" / "run_results.json")
        row["spark_seconds"] = json.loads((workdir / "spark-summary.json").read_text())["seconds"]
    if duck.ok:
        row["duckdb_dbt"] = slowest(workdir / "duckdb-target" / "run_results.json")
    return row


def render(rows: list[dict]) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python"
        f" {platform.python_version()}; duckdb {version('duckdb')}, dbt-duckdb"
        f" {version('dbt-duckdb')}, pyspark {version('pyspark')}, dbt-spark {version('dbt-spark')}"
        " (local session, driver memory 4g, 8 shuffle partitions).",
        "Command: `make bench-spark` (`python -m bench.spark`); one run per size and engine.",
        "",
        "| lines | DuckDB | DuckDB peak memory | Spark (ingestion + build) | Spark peak memory"
        " | Spark / DuckDB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        duck, spark = row["duckdb"], row["spark"]
        ratio = f"{spark.seconds / duck.seconds:.1f}x" if duck.ok and spark.ok else "-"
        lines.append(
            f"| {row['lines']:,} | {_time(duck)} | {_memory(duck)} |"
            f" {_time(spark)} | {_memory(spark)} | {ratio} |"
        )
    lines += [
        "",
        "Peak memory: the summed resident memory of the build's processes (dbt or the build"
        " script, and on Spark the JVM that pyspark starts, whose heap is capped at the 4 GB"
        " driver memory), sampled every 0.2 s.",
        "",
        "Where the Spark time goes (the build's own timings, its JSON summary):",
        "",
    ]
    for row in rows:
        if "spark_dbt" not in row:
            continue
        _, slowest_tests = row["spark_dbt"]
        steps = row["spark_seconds"]
        duck_elapsed = row["duckdb_dbt"][0] if "duckdb_dbt" in row else float("nan")
        slow = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest_tests)
        lines.append(
            f"- {row['lines']:,} lines: ingestion (DuckDB's reader to Parquet)"
            f" {steps['ingest']:.1f} s; starting dbt and Spark, seeds"
            f" {steps.get('start_and_seeds', 0):.1f} s; SQL models"
            f" {steps.get('sql_models', 0):.1f} s; the Python models (segmentation, product"
            f" categories, interests, in the build's process) {steps.get('python_models', 0):.1f}"
            f" s; tests"
            f" {steps.get('tests', 0):.1f} s (slowest: {slow}). DuckDB's dbt build of the same"
            f" selection: {duck_elapsed:.1f} s."
        )
    return "\n".join(lines)


def _memory(measurement) -> str:
    return f"{measurement.tree_peak_mb / 1024:.1f} GB" if measurement.tree_peak_mb else "-"


def _time(measurement) -> str:
    return f"{measurement.seconds:.1f} s" if measurement.ok else f"failed ({measurement.error})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    args = parser.parse_args(argv)
    rows = []
    for lines in (int(size) for size in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(
            prefix="bench_spark_", dir=PROJECT_ROOT / "data"
        ) as workdir:
            rows.append(run_size(lines, Path(workdir)))
        print(render(rows), flush=True)
    section = f"{START}\n## Spark: the commerce side on a local session vs DuckDB\n\n{render(rows)}\n{END}"
    write_report(section, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
