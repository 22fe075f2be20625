"""Time the project's commerce build against the same work done without dbt, and against the
former RFM-and-KMeans-only contenders.

    python -m bench.pipeline [--sizes 1000000,10000000] [--runs 3]     (make bench)

1. the project: scripts/build_warehouse.py --fresh --only commerce (dbt build of the commerce side
   of one store: load, RFM marts, customer segmentation, product categories, interests,
   association rules, next-best products and their evaluation, every data and unit test on them);
2. the same-work floor: the same tables from one script of DuckDB SQL plus scikit-learn, no dbt,
   no tests (bench/same_work_floor.py);
3. the same-work notebook: the same tables in pandas plus scikit-learn
   (bench/same_work_notebook.py);
4. RFM and KMeans only, as before: a pandas notebook (bench/notebook_way.py) and one DuckDB
   statement (bench/duckdb_floor.py), kept so that earlier tables still compare.

Each run is its own process; the figures are the median of --runs runs: wall seconds, CPU seconds
(user and system of the process and the children it waited for), the peak resident memory of the
largest process and of the whole process tree. A contender killed for memory is shown as "killed
(out of memory)", and not run again at that size or a larger one. Data comes from the project's
generator at the Online Retail ratio of lines to customers, cached as Parquet in data/bench/. At
the smallest size the contenders' outputs are checked against the project's warehouse (RFM per
customer, the number of association rules, of next-best rows and of evaluation list rows per
method), so the race is fair. Where the project's time goes comes from dbt's run_results.json of
each build. Also measured: the daily build after appending the last invoice day to a warehouse
built without it (--incremental-sizes, default 10M; its facts compared with the full build's), and
the fixed cost of a build on a tiny file.
Results are written to BENCHMARKS.md between the pipeline markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path

import duckdb
import pandas as pd

from bench.measure import Measurement, measure
from bench.same_work_check import rfm_differences
from scripts.build_folder import build_dir_for
from scripts.dbt_runner import duckdb_memory_limit
from scripts.project_paths import PROJECT_ROOT

DATA = PROJECT_ROOT / "data" / "bench"
BENCHMARKS = PROJECT_ROOT / "BENCHMARKS.md"
START, END = "<!-- pipeline-bench:start -->", "<!-- pipeline-bench:end -->"
DEFAULT_K = 4
DEFAULT_INCREMENTAL_SIZES = "10000000"
# The contenders timed against the project at each size: name -> (module, short name). The
# same-work ones write their tables to a folder; the RFM-only ones fit the project's k.
SAME_WORK = {
    "floor": ("bench.same_work_floor", "same-work floor"),
    "notebook": ("bench.same_work_notebook", "same-work notebook"),
}
RFM_ONLY = {
    "rfm_floor": ("bench.duckdb_floor", "RFM-only floor"),
    "rfm_notebook": ("bench.notebook_way", "RFM-only notebook"),
}
WAYS = ("project", *SAME_WORK, *RFM_ONLY)
SHORT = {
    "project": "project",
    **{name: short for name, (_, short) in (SAME_WORK | RFM_ONLY).items()},
}
# what a failed run's last line says when it ran out of memory (Python, NumPy, DuckDB, C++)
MEMORY_ERRORS = ("MemoryError", "Unable to allocate", "Out of Memory", "std::bad_alloc")
# where a build's time goes: dbt's node timings by stage, then the rest of the wall time
STAGES = {
    "seeds": "seeds",
    "staging": "staging models",
    "sql": "intermediate and mart SQL models",
    "python": "Python models",
    "tests": "data and unit tests",
    "between": "dbt between nodes",
    "outside": "outside dbt's run",
}


def dataset(lines: int) -> Path:
    path = DATA / f"online_retail_{lines}.parquet"
    if not path.exists():
        result = measure(
            [
                sys.executable,
                str(PROJECT_ROOT / "scripts" / "generate_retail.py"),
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
        str(PROJECT_ROOT / "scripts" / "build_warehouse.py"),
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
            cwd=str(PROJECT_ROOT),
        )
        if not result.ok:
            raise SystemExit(f"error: splitting {path} by day failed: {result.error}")
    return before, after


# The facts a daily build must leave equal to a full build's (the segments differ by design: the
# daily build scores with the stored model, the full build fits a new one).
DAILY_FACTS = ("fct_customer_rfm", "dim_customers", "fct_orders", "commerce_line_reconciliation")


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
        refreshed = con.execute(
            "select count(distinct customer_id) from intermediate.int_customer_recommendations"
            " where load_id = (select max(model_run_id)"
            " from intermediate.int_commerce_segmentation_runs)"
        ).fetchone()[0]
    return {
        "lines": lines,
        "full": full,
        "step": step,
        "reloaded": int(reloaded or 0),
        "refitted": bool(refitted),
        "refreshed": int(refreshed or 0),
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


@dataclass(frozen=True)
class Timing(Measurement):
    """A Measurement (tree peak sampled) with the run's CPU seconds and whether it was killed for
    memory."""

    cpu_seconds: float = 0.0
    out_of_memory: bool = False


def oom_kills() -> int:
    """How many processes the kernel's out-of-memory killer has killed since boot (0 unknown)."""
    try:
        for line in Path("/proc/vmstat").read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == "oom_kill":
                return int(value)
    except OSError:
        pass
    return 0


def timed(command: list[str], cwd: str | None = None) -> Timing:
    """measure() with the peak of the process tree sampled, plus CPU seconds: user and system
    time of the child and of the descendants it waited for. measure() reaps the child with
    os.wait4, which adds the child's rusage to this process's RUSAGE_CHILDREN, so the difference
    across the call is the rusage wait4 returned (runs are one at a time). A failed run was killed
    for memory when the kernel's OOM killer struck meanwhile or its last line says so."""
    before, kills = resource.getrusage(resource.RUSAGE_CHILDREN), oom_kills()
    run = measure(command, cwd=cwd, sample_tree=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out_of_memory = not run.ok and (
        oom_kills() > kills
        or run.error in ("exit -9", "exit 137")
        or any(text in run.error for text in MEMORY_ERRORS)
    )
    return Timing(**asdict(run), cpu_seconds=cpu, out_of_memory=out_of_memory)


def median_timing(runs: list[Timing]) -> Timing | None:
    """Each figure's median over the runs; None when a run failed."""
    if not runs or not all(r.ok for r in runs):
        return None
    middle = statistics.median
    return Timing(
        middle(r.seconds for r in runs),
        middle(r.peak_mb for r in runs),
        True,
        tree_peak_mb=middle(r.tree_peak_mb or 0.0 for r in runs),
        cpu_seconds=middle(r.cpu_seconds for r in runs),
    )


def time_breakdown(warehouse: Path, wall: float) -> dict[str, float] | None:
    """Where a fresh build's wall time went (STAGES), in seconds: dbt's own node timings from
    run_results.json in the build folder, grouped by what the node is (manifest.json), dbt's time
    between nodes (its run's elapsed time less the nodes'), and the rest of the wall time (Python
    and dbt start-up, parsing, the input checks, the summary, the publish). None without them."""
    target = build_dir_for(warehouse) / "target"
    try:
        results = json.loads((target / "run_results.json").read_text())
        nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    except (OSError, ValueError, KeyError):
        return None
    stages = dict.fromkeys(STAGES, 0.0)
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        node = nodes.get(result["unique_id"], {})
        if kind == "seed":
            stage = "seeds"
        elif kind in ("test", "unit_test"):
            stage = "tests"
        elif kind != "model":
            continue  # hooks and operations: counted between nodes
        elif node.get("language") == "python":
            stage = "python"
        elif node.get("original_file_path", "").startswith("models/staging/"):
            stage = "staging"
        else:
            stage = "sql"
        stages[stage] += result["execution_time"]
    elapsed = float(results["elapsed_time"])
    stages["between"] = elapsed - sum(stages.values())
    stages["outside"] = wall - elapsed
    return stages


def compare_rfm(warehouse: Path, notebook: Path, floor: Path) -> str:
    """Check that the RFM-only ways computed the project's R, F and M for the same customers."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        project = con.execute(
            "select customer_id, recency_days as recency, frequency, monetary"
            " from marts.fct_customer_rfm where has_purchases and monetary > 0 order by customer_id"
        ).df()
    frames = {"notebook": pd.read_parquet(notebook), "floor": pd.read_parquet(floor)}
    problems = [
        f"{name}: {problem}"
        for name, frame in frames.items()
        for problem in rfm_differences(frame, project)
    ]
    n = len(project)
    return (
        f"all three agree on R, F and M for {n:,} customers"
        if not problems
        else "DISAGREE: " + "; ".join(problems)
    )


def check_same_work(warehouse: Path, outputs: dict[str, Path]) -> str:
    """The same-work check (bench/same_work_check.py) in a child process, so that this process
    stays small: the kernel counts a parent's peak memory in the peak of every process it starts
    afterwards."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.same_work_check",
            str(warehouse),
            *(f"{name}={folder}" for name, folder in outputs.items()),
        ],
        cwd=str(PROJECT_ROOT),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return f"DISAGREE: the check itself failed ({last[0][:200]})"
    return done.stdout.strip()


def run_size(
    lines: int, runs: int, workdir: Path, check: bool = True, skipped: dict[str, str] | None = None
) -> dict:
    """Time every way at one size; with check, compare the contenders' outputs with the project's.
    The contenders of `skipped` (name: why) are not run."""
    skipped = skipped or {}
    path = dataset(lines)
    ways: dict[str, list[Timing]] = {name: [] for name in WAYS}
    breakdowns: list[dict[str, float]] = []
    warehouse = workdir / f"warehouse_{lines}.duckdb"
    outputs = {name: workdir / f"{name}_{lines}" for name in SAME_WORK}
    rfm_outputs = {name: workdir / f"{name}_{lines}.parquet" for name in RFM_ONLY}
    for i in range(runs):
        print(f"{lines:,} lines, run {i + 1}/{runs}: project", flush=True)
        project = timed(project_build(path, warehouse, "--fresh", "--only", "commerce"))
        ways["project"].append(project)
        breakdown = time_breakdown(warehouse, project.seconds) if project.ok else None
        if breakdown:
            breakdowns.append(breakdown)
        k = chosen_k(warehouse)
        commands = {
            **{
                name: [sys.executable, "-m", module, str(path), str(outputs[name])]
                for name, (module, _) in SAME_WORK.items()
            },
            **{
                name: [sys.executable, "-m", module, str(path), str(k), str(rfm_outputs[name])]
                for name, (module, _) in RFM_ONLY.items()
            },
        }
        for name, command in commands.items():
            if name in skipped or any(not r.ok for r in ways[name]):
                continue  # failed once at this size (e.g. out of memory): recorded, not repeated
            print(f"{lines:,} lines, run {i + 1}/{runs}: {name}", flush=True)
            ways[name].append(timed(command, cwd=str(PROJECT_ROOT)))
    same_work = rfm_only = ""
    if check and all(r.ok for r in ways["project"]):
        passed = {
            name: outputs[name]
            for name in SAME_WORK
            if ways[name] and all(r.ok for r in ways[name])
        }
        unchecked = [
            f"{name} ({failure_text(ways[name]) if ways[name] else skipped.get(name, 'not run')})"
            for name in SAME_WORK
            if name not in passed
        ]
        same_work = check_same_work(warehouse, passed) if passed else ""
        if unchecked:
            same_work = "; ".join(filter(None, [same_work, "not checked: " + ", ".join(unchecked)]))
        if all(ways[name] and all(r.ok for r in ways[name]) for name in RFM_ONLY):
            rfm_only = compare_rfm(warehouse, rfm_outputs["rfm_notebook"], rfm_outputs["rfm_floor"])
    return {
        "lines": lines,
        "k": chosen_k(warehouse),
        "ways": ways,
        "breakdowns": breakdowns,
        "same_work": same_work,
        "rfm_only": rfm_only,
        "skipped": skipped,
    }


def fixed_cost(runs: int, workdir: Path) -> dict[str, Measurement | None]:
    """Builds on a tiny file: what every build pays whatever the data (dbt start-up, parsing,
    one node per model and test), for the commerce side alone and for the whole project."""
    tiny = DATA / "online_retail_tiny.csv"
    if not tiny.exists():
        measure(
            [
                sys.executable,
                str(PROJECT_ROOT / "scripts" / "generate_retail.py"),
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


def failure_text(runs: list[Timing]) -> str:
    """Why a contender has no figures: killed for memory, or its error's last line."""
    failed = next(r for r in runs if not r.ok)
    if failed.out_of_memory:
        return "killed (out of memory)"
    return "failed: " + failed.error.replace("|", "\\|")


def timing_cells(runs: list[Timing]) -> list[str]:
    """Wall s, CPU s, peak MB of the largest process and of the tree: the median of the runs, or
    why there is none (with the failed run's figures)."""
    m = median_timing(runs)
    if m is None:
        failed = next(r for r in runs if not r.ok)
        return [
            failure_text(runs),
            f"{failed.cpu_seconds:,.1f}",
            f"{failed.peak_mb:,.0f}",
            f"{failed.tree_peak_mb or 0:,.0f}",
        ]
    return [
        f"{m.seconds:,.1f}",
        f"{m.cpu_seconds:,.1f}",
        f"{m.peak_mb:,.0f}",
        f"{m.tree_peak_mb:,.0f}",
    ]


def growth_lines(results: list[dict]) -> list[str]:
    """How each way's time grows from one size to the next (x10 lines: 10.0 would be linear)."""
    out = []
    for small, large in pairwise(results):
        factors = []
        for name in WAYS:
            a, b = median_timing(small["ways"][name]), median_timing(large["ways"][name])
            factors.append(
                f"{SHORT[name]} x{b.seconds / a.seconds:.1f}" if a and b else f"{SHORT[name]} –"
            )
        out.append(
            f"- From {small['lines']:,} to {large['lines']:,} lines"
            f" (x{large['lines'] / small['lines']:.0f}): time " + ", ".join(factors) + "."
        )
    return out


def breakdown_lines(results: list[dict]) -> list[str]:
    """The project's time by stage per size (the median of each stage over the runs)."""
    rows = [r for r in results if r["breakdowns"]]
    if not rows:
        return []
    out = [
        "",
        "Where the project's time goes, in seconds (median over the runs): dbt's own timing of"
        " each node (`run_results.json` in the build folder) added up by stage, dbt's time between"
        " nodes (its run's elapsed time less its nodes'), and the rest of the wall time outside"
        " dbt's run (Python and dbt start-up, parsing the project, the input checks, the build"
        " summary, the publish).",
        "",
        "| lines | wall s | " + " | ".join(STAGES.values()) + " |",
        "| ---: | ---: | " + " | ".join("---:" for _ in STAGES) + " |",
    ]
    for result in rows:
        wall = median_timing(result["ways"]["project"])
        stages = [statistics.median(b[stage] for b in result["breakdowns"]) for stage in STAGES]
        out.append(
            f"| {result['lines']:,} | {wall.seconds if wall else float('nan'):,.1f} | "
            + " | ".join(f"{s:,.1f}" for s in stages)
            + " |"
        )
    return out


def incremental_lines(steps: list[dict]) -> list[str]:
    out = [
        "",
        "Daily build: the warehouse is built from the file without its last invoice day, then"
        " that day's lines are appended to the file and the build runs again: only the dates of"
        " the appended lines are reloaded, only the customers and orders they touch are"
        " re-aggregated, the stored segment model scores every customer (no refit is due a day"
        " later), the product side stays as published and the next-best products of the"
        " customers who bought that day are recomputed from the stored rules. Compared with a"
        " fresh full build of the grown file (which fits the segment model and builds the"
        " product side).",
        "",
        "| lines | lines reloaded | refitted | next-best lists refreshed"
        " | facts equal to the full build's | full build s | full MB | daily s | daily MB"
        " | daily / full |",
        "| ---: | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in steps:
        full, inc = median(step["full"]), median(step["step"])
        f_cells, i_cells = cell(full, step["full"]), cell(inc, step["step"])
        ratio = f"{inc.seconds / full.seconds:.0%}" if full and inc else "–"
        equal = "yes" if not step["equal"] else "NO: " + ", ".join(step["equal"])
        out.append(
            f"| {step['lines']:,} | {step['reloaded']:,} | {'yes' if step['refitted'] else 'no'}"
            f" | {step.get('refreshed', 0):,} | {equal} | {f_cells[0]} | {f_cells[1]} | {i_cells[0]} | {i_cells[1]} | {ratio} |"
        )
    return out


def memory_limits(results: list[dict]) -> str:
    """DuckDB's memory limit in the builds: the one given, or the build's from the machine and the
    input's lines at each size."""
    if os.environ.get("DUCKDB_MEMORY_LIMIT"):
        return os.environ["DUCKDB_MEMORY_LIMIT"]
    limits = [f"{duckdb_memory_limit(r['lines'])} at {r['lines']:,} lines" for r in results]
    return ", ".join(limits) or duckdb_memory_limit()


def report(results: list[dict], steps: list[dict], fixed: dict, runs: int, command: str) -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        START,
        "## Pipeline: the project vs the same work without dbt",
        "",
        f"Machine: {os.cpu_count()} cores, {mem_gb:.0f} GiB, {platform.processor() or platform.machine()},"
        f" Python {platform.python_version()}; duckdb {version('duckdb')}, dbt-core {version('dbt-core')},"
        f" pandas {version('pandas')}, scikit-learn {version('scikit-learn')}.",
        f"Command: `{command}`. Median of {runs} run{'s' if runs != 1 else ''}, each in its own"
        " process: wall seconds, CPU seconds (user and system, the process and the children it"
        " waited for), peak resident memory in MB of the largest process (the kernel's figure)"
        " and of the whole process tree (summed, sampled every 0.2 s: it can miss a short peak)."
        " DuckDB threads and memory limit (the project's and the same-work floor's):"
        f" DUCKDB_THREADS={os.environ.get('DUCKDB_THREADS', '2')},"
        f" DUCKDB_MEMORY_LIMIT={memory_limits(results)}.",
        "",
        "- The project: `scripts/build_warehouse.py --fresh --only commerce` on one store: a fresh"
        " warehouse with RFM, customer segments (k chosen by silhouette), product categories"
        " clustered from descriptions, interest segments and the interest prediction with its"
        " evaluation, association rules, next-best products and their offline evaluation against"
        " popularity, every data and unit test on them, and the publish.",
        "- The same work without dbt, from the same file to the same tables (written as Parquet),"
        " the scikit-learn steps through the project's own functions in `models_py`, no tests: the"
        " floor, one script of DuckDB SQL (`bench/same_work_floor.py`), and the notebook, pandas"
        " (`bench/same_work_notebook.py`).",
        "- RFM and KMeans only, as in the earlier tables: a pandas notebook"
        " (`bench/notebook_way.py`) and one DuckDB statement (`bench/duckdb_floor.py`), fitting the"
        " project's k.",
        "",
        "| lines | way | wall s | CPU s | peak MB | tree peak MB | wall / project |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        project = median_timing(result["ways"]["project"])
        labels = {
            "project": "project (dbt build, tests, publish)",
            "floor": "same work: floor (DuckDB SQL, scikit-learn)",
            "notebook": "same work: notebook (pandas, scikit-learn)",
            "rfm_floor": f"RFM and KMeans only (k = {result['k']}): floor",
            "rfm_notebook": f"RFM and KMeans only (k = {result['k']}): notebook",
        }
        for name in WAYS:
            runs_of = result["ways"][name]
            if not runs_of:
                if name in result["skipped"]:
                    lines.append(
                        f"| {result['lines']:,} | {labels[name]} | {result['skipped'][name]}"
                        " | – | – | – | – |"
                    )
                continue
            m = median_timing(runs_of)
            ratio = f"{m.seconds / project.seconds:.2f}" if m and project else "–"
            lines.append(
                f"| {result['lines']:,} | {labels[name]} | "
                + " | ".join(timing_cells(runs_of))
                + f" | {ratio} |"
            )
    lines.append("")
    lines += growth_lines(results)
    for result in results:
        if result["same_work"]:
            lines.append(f"- Same-work check at {result['lines']:,} lines: {result['same_work']}.")
        if result["rfm_only"]:
            lines.append(f"- RFM-only check at {result['lines']:,} lines: {result['rfm_only']}.")
    for scope, measured in fixed.items():
        if measured:
            lines.append(
                f"- Fixed cost of a build on a 1,000-line file, {scope}: {measured.seconds:.1f} s"
                f" (peak {measured.peak_mb:,.0f} MB)."
            )
    lines += breakdown_lines(results)
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
        results, skipped = [], {}
        for i, lines in enumerate(sizes):
            # checked at the smallest size only; a contender killed for memory is not run again
            # at a larger size
            result = run_size(lines, args.runs, workdir, check=i == 0, skipped=dict(skipped))
            for name, runs_of in result["ways"].items():
                if name != "project" and any(r.out_of_memory for r in runs_of):
                    skipped[name] = f"not run: killed (out of memory) at {lines:,} lines"
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
