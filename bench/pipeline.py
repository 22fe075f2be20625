"""Time three ways from the same retail file to RFM scores plus KMeans segment labels.

    python -m bench.pipeline [--sizes 1000000,10000000] [--runs 3]     (make bench)

1. the project: scripts/build_warehouse.py --fresh --only commerce (dbt build of the commerce side:
   load, RFM marts, customer segmentation, scoring view, every data and unit test on them);
2. the notebook way: pandas + scikit-learn (bench/notebook_way.py);
3. the floor: one DuckDB statement + the same KMeans fit (bench/duckdb_floor.py).

Each run is its own process; the figures are the median of --runs runs. Data comes from the
project's generator at the Online Retail ratio of lines to customers, cached as Parquet in
data/bench/. At the smallest size the three RFM tables are compared, so the race is fair.
Also measured: the daily build after appending the last invoice day to a warehouse built
without it (--incremental-sizes, default 10M; its facts compared with the full build's), and the
fixed cost of a build on a tiny file.
Results are written to BENCHMARKS.md between the pipeline markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench.measure import Measurement, measure
from scripts.dbt_runner import duckdb_memory_limit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "bench"
BENCHMARKS = ROOT / "BENCHMARKS.md"
START, END = "<!-- pipeline-bench:start -->", "<!-- pipeline-bench:end -->"
DEFAULT_K = 4
DEFAULT_INCREMENTAL_SIZES = "10000000"


def dataset(lines: int) -> Path:
    path = DATA / f"online_retail_{lines}.parquet"
    if not path.exists():
        result = measure(
            [
                sys.executable,
                str(ROOT / "scripts" / "generate_retail.py"),
                "--lines",
                str(lines),
                "--out",
                str(path),
            ]
        )
        if not result.ok:
            raise SystemExit(f"error: generating {lines:,} lines failed: {result.error}")
        print(f"generated {path} in {result.seconds:.0f}s", flush=True)
    return path


def project_build(retail_file: Path, warehouse: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "scripts" / "build_warehouse.py"),
        "--retail-path",
        str(retail_file),
        "--duckdb-path",
        str(warehouse),
        "--quiet",
        *extra,
    ]


def day_split(path: Path) -> tuple[Path, Path]:
    """`before`: the file without its last invoice day; `after`: the same lines with that day's
    lines appended at the end (a file that grew by one day). Cached beside the data set."""
    before = path.with_name(path.stem + "_before_last_day.parquet")
    after = path.with_name(path.stem + "_last_day_appended.parquet")
    if not (before.exists() and after.exists()):
        # In a child process: the kernel counts the parent's peak memory in the peak of every
        # process it starts afterwards, so the driver itself must stay small.
        result = measure(
            [sys.executable, "-m", "bench.day_split", str(path), str(before), str(after)],
            cwd=str(ROOT),
        )
        if not result.ok:
            raise SystemExit(f"error: splitting {path} by day failed: {result.error}")
    return before, after


# The facts a daily build must leave equal to a full build's (the segments differ by design: the
# daily build scores with the stored model, the full build fits a new one).
DAILY_FACTS = ("fct_customer_rfm", "dim_customers", "fct_orders", "retail_line_reconciliation")


def incremental(lines: int, runs: int, workdir: Path) -> dict:
    """Full build of the grown file vs a daily build of it on the warehouse built without its
    last day (the stored segment model scores, the product side stays as published)."""
    before, after = day_split(dataset(lines))
    full_warehouse = workdir / f"full_{lines}.duckdb"
    warehouse = workdir / f"incremental_{lines}.duckdb"
    full, step = [], []
    for i in range(runs):
        print(f"{lines:,} lines, incremental run {i + 1}/{runs}", flush=True)
        full.append(measure(project_build(after, full_warehouse, "--fresh", "--only", "commerce")))
        setup = measure(project_build(before, warehouse, "--fresh", "--only", "commerce"))
        if not setup.ok:
            step.append(setup)
            continue
        step.append(measure(project_build(after, warehouse, "--only", "commerce")))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reloaded = con.execute(
            "select sum(n_lines) from staging.stg_online_retail__line_groups"
            " where load_id = (select max(model_run_id)"
            " from intermediate.int_commerce_segmentation_runs)"
        ).fetchone()[0]
        refitted = con.execute(
            "select bool_or(is_refit) from intermediate.int_segment_refit_decisions"
        ).fetchone()[0]
    return {
        "lines": lines,
        "full": full,
        "step": step,
        "reloaded": int(reloaded or 0),
        "refitted": bool(refitted),
        "equal": differing_facts(warehouse, full_warehouse),
    }


def differing_facts(daily: Path, full: Path) -> list[str]:
    """The facts tables whose rows differ between the two warehouses (empty: all equal)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{daily}' as daily (read_only)")
        con.execute(f"attach '{full}' as full_build (read_only)")
        return [
            table
            for table in DAILY_FACTS
            if con.execute(
                f"select count(*) from ((select * from daily.marts.{table}"
                f" except all select * from full_build.marts.{table})"
                f" union all (select * from full_build.marts.{table}"
                f" except all select * from daily.marts.{table}))"
            ).fetchone()[0]
        ]


def chosen_k(warehouse: Path) -> int:
    """The k the project's segmentation chose, so that the baselines fit the same model."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return int(
                con.execute(
                    "select k from marts.segmentation_runs order by run_started_at desc limit 1"
                ).fetchone()[0]
            )
    except (duckdb.Error, TypeError):
        return DEFAULT_K


def median(runs: list[Measurement]) -> Measurement | None:
    good = [r for r in runs if r.ok]
    if len(good) < len(runs):
        return None
    return Measurement(
        statistics.median(r.seconds for r in good), statistics.median(r.peak_mb for r in good), True
    )


def compare_rfm(warehouse: Path, notebook: Path, floor: Path) -> str:
    """Check that the three ways computed the same R, F and M for the same customers."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        project = con.execute(
            "select customer_id, recency_days as recency, frequency, monetary"
            " from marts.fct_customer_rfm where has_purchases and monetary > 0 order by customer_id"
        ).df()
    frames = {"notebook": pd.read_parquet(notebook), "floor": pd.read_parquet(floor)}
    problems = []
    for name, frame in frames.items():
        frame = frame.sort_values("customer_id").reset_index(drop=True)
        if frame["customer_id"].astype("int64").tolist() != project["customer_id"].tolist():
            problems.append(f"{name}: different customers ({len(frame)} vs {len(project)})")
            continue
        for column in ("recency", "frequency"):
            if not (frame[column].astype("int64") == project[column].astype("int64")).all():
                problems.append(f"{name}: {column} differs")
        if not np.allclose(frame["monetary"], project["monetary"], rtol=1e-9, atol=1e-6):
            problems.append(f"{name}: monetary differs")
    n = len(project)
    return (
        f"all three agree on R, F and M for {n:,} customers"
        if not problems
        else "DISAGREE: " + "; ".join(problems)
    )


def run_size(lines: int, runs: int, workdir: Path) -> dict:
    path = dataset(lines)
    ways: dict[str, list[Measurement]] = {"project": [], "notebook": [], "floor": []}
    warehouse = workdir / f"warehouse_{lines}.duckdb"
    outputs = {
        "notebook": workdir / f"notebook_{lines}.parquet",
        "floor": workdir / f"floor_{lines}.parquet",
    }
    for i in range(runs):
        print(f"{lines:,} lines, run {i + 1}/{runs}: project", flush=True)
        ways["project"].append(
            measure(project_build(path, warehouse, "--fresh", "--only", "commerce"))
        )
        k = chosen_k(warehouse)
        for name, module in (("notebook", "bench.notebook_way"), ("floor", "bench.duckdb_floor")):
            if any(not r.ok for r in ways[name]):
                continue  # failed once at this size (e.g. out of memory): recorded, not repeated
            print(f"{lines:,} lines, run {i + 1}/{runs}: {name}", flush=True)
            ways[name].append(
                measure(
                    [sys.executable, "-m", module, str(path), str(k), str(outputs[name])],
                    cwd=str(ROOT),
                )
            )
    agreement = ""
    if all(r.ok for r in ways["project"] + ways["notebook"] + ways["floor"]):
        agreement = compare_rfm(warehouse, outputs["notebook"], outputs["floor"])
    return {"lines": lines, "k": chosen_k(warehouse), "ways": ways, "agreement": agreement}


def fixed_cost(runs: int, workdir: Path) -> dict[str, Measurement | None]:
    """Builds on a tiny file: what every build pays whatever the data (dbt start-up, parsing,
    one node per model and test), for the commerce side alone and for the whole project."""
    tiny = DATA / "online_retail_tiny.csv"
    if not tiny.exists():
        measure(
            [
                sys.executable,
                str(ROOT / "scripts" / "generate_retail.py"),
                "--lines",
                "1000",
                "--out",
                str(tiny),
            ]
        )
    scopes = {"commerce side (--only commerce)": ["--only", "commerce"], "whole project": []}
    return {
        scope: median(
            [
                measure(project_build(tiny, workdir / "tiny.duckdb", "--fresh", *extra))
                for _ in range(runs)
            ]
        )
        for scope, extra in scopes.items()
    }


def cell(m: Measurement | None, runs: list[Measurement]) -> tuple[str, str]:
    if m is None:
        failed = next(r for r in runs if not r.ok)
        return f"failed: {failed.error}", f"{failed.peak_mb:,.0f}"
    return f"{m.seconds:,.1f}", f"{m.peak_mb:,.0f}"


def growth_lines(results: list[dict]) -> list[str]:
    """How each way's time grows from one size to the next (x10 lines: 10.0 would be linear)."""
    out = []
    for small, large in pairwise(results):
        factors = []
        for name in ("project", "notebook", "floor"):
            a, b = median(small["ways"][name]), median(large["ways"][name])
            factors.append(f"{name} x{b.seconds / a.seconds:.1f}" if a and b else f"{name} –")
        out.append(
            f"- From {small['lines']:,} to {large['lines']:,} lines"
            f" (x{large['lines'] / small['lines']:.0f}): time " + ", ".join(factors) + "."
        )
    return out


def incremental_lines(steps: list[dict]) -> list[str]:
    out = [
        "",
        "Daily build: the warehouse is built from the file without its last invoice day, then"
        " that day's lines are appended to the file and the build runs again: only the dates of"
        " the appended lines are reloaded, only the customers and orders they touch are"
        " re-aggregated, the stored segment model scores every customer (no refit is due a day"
        " later) and the product side stays as published. Compared with a fresh full build of"
        " the grown file (which fits the segment model and builds the product side).",
        "",
        "| lines | lines reloaded | refitted | facts equal to the full build's | full build s"
        " | full MB | daily s | daily MB | daily / full |",
        "| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in steps:
        full, inc = median(step["full"]), median(step["step"])
        f_cells, i_cells = cell(full, step["full"]), cell(inc, step["step"])
        ratio = f"{inc.seconds / full.seconds:.0%}" if full and inc else "–"
        equal = "yes" if not step["equal"] else "NO: " + ", ".join(step["equal"])
        out.append(
            f"| {step['lines']:,} | {step['reloaded']:,} | {'yes' if step['refitted'] else 'no'}"
            f" | {equal} | {f_cells[0]} | {f_cells[1]} | {i_cells[0]} | {i_cells[1]} | {ratio} |"
        )
    return out


def report(results: list[dict], steps: list[dict], fixed: dict, runs: int, command: str) -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        START,
        "## Pipeline: project vs notebook vs DuckDB floor",
        "",
        f"Machine: {os.cpu_count()} cores, {mem_gb:.0f} GiB, {platform.processor() or platform.machine()},"
        f" Python {platform.python_version()}; duckdb {version('duckdb')}, dbt-core {version('dbt-core')},"
        f" pandas {version('pandas')}, scikit-learn {version('scikit-learn')}.",
        f"Command: `{command}`. Median of {runs} runs, each in its own process; wall seconds and"
        " peak resident memory (MB, largest process of the run). DuckDB threads and memory limit:"
        f" DUCKDB_THREADS={os.environ.get('DUCKDB_THREADS', '2')},"
        f" DUCKDB_MEMORY_LIMIT={os.environ.get('DUCKDB_MEMORY_LIMIT') or duckdb_memory_limit()}."
        " The project is `scripts/build_warehouse.py --fresh --only commerce`: a fresh warehouse,"
        " the whole commerce side (load, marts, segmentation, scoring view) and its tests.",
        "",
        "| lines | k | project s | project MB | notebook s | notebook MB | floor s | floor MB"
        " | project / floor | notebook / project |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        med = {name: median(r) for name, r in result["ways"].items()}
        cells = {name: cell(med[name], result["ways"][name]) for name in med}
        p, n, f = med["project"], med["notebook"], med["floor"]
        pf = f"{p.seconds / f.seconds:.2f}" if p and f else "–"
        np_ = f"{n.seconds / p.seconds:.2f}" if p and n else "–"
        lines.append(
            f"| {result['lines']:,} | {result['k']} | {cells['project'][0]} | {cells['project'][1]}"
            f" | {cells['notebook'][0]} | {cells['notebook'][1]} | {cells['floor'][0]}"
            f" | {cells['floor'][1]} | {pf} | {np_} |"
        )
    lines.append("")
    lines += growth_lines(results)
    for result in results:
        if result["agreement"]:
            lines.append(f"- RFM check at {result['lines']:,} lines: {result['agreement']}.")
    for scope, measured in fixed.items():
        if measured:
            lines.append(
                f"- Fixed cost of a build on a 1,000-line file, {scope}: {measured.seconds:.1f} s"
                f" (peak {measured.peak_mb:,.0f} MB)."
            )
    if steps:
        lines += incremental_lines(steps)
    lines.append(END)
    return "\n".join(lines)


def write_report(section: str, start: str = START, end: str = END) -> None:
    """Replace this benchmark's section of BENCHMARKS.md (between its markers), or append it."""
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000000,10000000"))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument(
        "--incremental-sizes",
        default=os.environ.get("BENCH_INCREMENTAL_SIZES", DEFAULT_INCREMENTAL_SIZES),
        help="sizes at which to time an incremental build (empty: none)",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        workdir = Path(tmp)
        fixed = fixed_cost(args.runs, workdir)
        results = []
        for i, lines in enumerate(sizes):
            result = run_size(lines, args.runs, workdir)
            if i > 0:
                result["agreement"] = ""  # checked at the smallest size only
            results.append(result)
        steps = [
            incremental(int(size), args.runs, workdir)
            for size in args.incremental_sizes.split(",")
            if size.strip()
        ]
    command = f"make bench BENCH_SIZES={args.sizes} BENCH_RUNS={args.runs}"
    if args.incremental_sizes != DEFAULT_INCREMENTAL_SIZES:
        command = f"BENCH_INCREMENTAL_SIZES={args.incremental_sizes} {command}"
    section = report(results, steps, fixed, args.runs, command)
    write_report(section)
    print(section)


if __name__ == "__main__":
    main()
