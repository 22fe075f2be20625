"""Running dbt on the project: one command in its own process group, its failure as one line.

Used by scripts/build_warehouse.py (DuckDB) and scripts/spark_build.py (Spark).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from scripts import dbt_parse_cache
from scripts.project_paths import DBT_PROJECT_DIR, PROJECT_ROOT
from scripts.stores import STORES

# dbt's parsed project kept between build folders (scripts/dbt_parse_cache.py); written by builds only
PARSE_CACHE_DIR = PROJECT_ROOT / ".dbt-parse"
PARSE_STATE_FILES = [PROJECT_ROOT / "profiles.yml", DBT_PROJECT_DIR / "dbt_project.yml"]
# dbt and its plugins send anonymous usage events unless told not to; a build sends none.
NO_TRACKING = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
PR_SET_PDEATHSIG = 1


# DuckDB's memory per ten million input lines before it spills (see duckdb_memory_limit)
GB_PER_TEN_MILLION_LINES = 2.0


def duckdb_memory_limit(input_lines: int = 0) -> str:
    """DuckDB's memory limit for a build of `input_lines` raw lines on this machine: a twelfth of
    its memory (1 to 8 GB; 2 GB on 24 GB), or 2 GB per ten million lines when that is more, up
    to a quarter of its memory. The build process also holds the Python models' customer-level
    frames, and DuckDB spills what does not fit to a temp folder beside the build file: a small
    limit costs a little time on a small input, a large input spilling most of its work costs
    much more (docs/architecture.md)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    floor = min(8.0, max(1.0, total / 12))
    needed = GB_PER_TEN_MILLION_LINES * input_lines / 10_000_000
    gigabytes = min(max(floor, total / 4), max(floor, needed))
    return f"{round(gigabytes * 2) / 2:g}GB"


def machine_defaults(input_lines: int = 0) -> dict:
    """The settings the profile reads that a build sets from the machine (and the size of its
    input) when the user did not."""
    return (
        {}
        if os.environ.get("DUCKDB_MEMORY_LIMIT")
        else {"DUCKDB_MEMORY_LIMIT": duckdb_memory_limit(input_lines)}
    )


class BuildError(RuntimeError):
    """dbt build failed; the published warehouse was not touched."""


class RefusedBuild(RuntimeError):
    """The build cannot or should not go ahead (bad data, shrink, no space); one line for the user."""


def dbt_executable() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else "dbt"


def _die_with_parent() -> None:
    """In the dbt child: its own process group, and killed when the build process dies (even by
    SIGKILL), so dbt never runs on as an orphan writing the build file."""
    os.setpgrp()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def dbt_failure(target_dir: Path) -> tuple[str, str] | None:
    """(node, first line of its error) of the first failed node in dbt's run_results.json."""
    try:
        results = json.loads((target_dir / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return None
    for result in results:
        if result.get("status") in ("error", "fail", "runtime error"):
            message = result.get("message") or ""
            return result.get("unique_id", "?"), message
    return None


# Errors raised on purpose by the models when the data cannot be built from, and the line the
# user sees for each: the SegmentationError of models_py and the data_error() macro in SQL.
DATA_ERROR_MARKERS = ("SegmentationError: ", "data error: ")


# Below this much free space where the build writes, a failed dbt run is taken for a full disk:
# dbt then reports each node it could not write (or nothing at all when its own files fail),
# never the cause.
LOW_SPACE_BYTES = 64 << 20
DISK_FULL_MARKERS = ("No space left on device", "File too large", "Disk quota exceeded")


def no_space(folder: Path, output: str = "") -> RefusedBuild | None:
    """RefusedBuild saying the disk is full when dbt's output says so or the folder's file system
    has next to no space left; None otherwise."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = 0
    if free >= LOW_SPACE_BYTES and not any(marker in output for marker in DISK_FULL_MARKERS):
        return None
    return RefusedBuild(
        f"{folder}: no space left to build the warehouse ({free / 2**20:,.1f} MiB free); free"
        " some space on that disk, or publish to another one (DUCKDB_PATH), and run again"
    )


def data_error_line(message: str) -> str | None:
    for line in message.splitlines():
        for marker in DATA_ERROR_MARKERS:
            if marker in line:
                return line.split(marker, 1)[1].strip()
    return None


def run_dbt(
    arguments: list[str], settings: dict, inputs: dict, target_dir: Path, quiet: bool
) -> None:
    """Run one dbt command on the project; raise BuildError (or RefusedBuild for bad data).

    The input paths go in as environment variables, not vars: dbt re-parses the whole project
    when a var changes, but only the files that read an environment variable when it changes.
    `settings` are the other environment variables the profile reads (the warehouse file, Spark).
    """
    settings, cwd = in_build_folder(settings)
    env = {**os.environ, **NO_TRACKING, **machine_defaults(), **settings, **inputs}
    command = [dbt_executable(), *arguments, *project_options(target_dir)]
    (target_dir / "run_results.json").unlink(missing_ok=True)
    parse_key = dbt_parse_cache.state_key(arguments, env, PARSE_STATE_FILES)
    dbt_parse_cache.restore(target_dir, PARSE_CACHE_DIR, parse_key)
    result = subprocess.run(
        command,
        env=env,
        cwd=cwd,
        capture_output=quiet,
        text=True,
        preexec_fn=_die_with_parent,
    )
    if result.returncode == 0:
        dbt_parse_cache.save(target_dir, PARSE_CACHE_DIR, parse_key)
        return
    failure = dbt_failure(target_dir)
    refusal = data_refusal(target_dir, inputs) or no_space(
        target_dir.parent, (result.stdout or "") + (failure[1] if failure else "")
    )
    if refusal is not None:
        raise refusal  # one line: the data or the disk, not dbt's own output
    if quiet:
        failures = [
            line for line in result.stdout.splitlines() if "ERROR" in line or "FAIL" in line
        ]
        sys.stderr.write("\n".join(failures[-20:]) + "\n")
    raise_failure(arguments[0], f"exit {result.returncode}", target_dir, inputs)


def in_build_folder(settings: dict) -> tuple[dict, Path]:
    """The settings and working folder of a dbt run: in the folder of the DuckDB file it builds,
    naming the file relatively. The profile's values enter dbt's check of a saved parse, so the
    same name in every build folder lets a new folder reuse the parse (dbt_parse_cache)."""
    build_file = settings.get("DBT_DUCKDB_PATH")
    if not build_file:
        return settings, DBT_PROJECT_DIR
    build_file = Path(build_file)
    return {**settings, "DBT_DUCKDB_PATH": build_file.name}, build_file.parent


def project_options(target_dir: Path) -> list[str]:
    """The options every dbt command of a build takes: the project, the profile, its target/."""
    return [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(target_dir),
    ]


def run_dbt_in_process(
    arguments: list[str],
    settings: dict,
    inputs: dict,
    target_dir: Path,
    quiet: bool,
    silent: bool = False,
):
    """run_dbt in this process (dbt's programmatic runner), returning dbt's result: the
    adapter's engine stays up between commands (a local Spark's JVM starts once per build).
    `silent` prints nothing at all (for `dbt ls`, whose listing is the result, not output)."""
    from dbt.cli.main import dbtRunner  # imported here: dbt is slow to import

    settings, cwd = in_build_folder(settings)
    os.environ.update({**NO_TRACKING, **machine_defaults(), **settings, **inputs})
    (target_dir / "run_results.json").unlink(missing_ok=True)
    options = project_options(target_dir)
    printing = ["--log-level", "none"] if silent else ["--quiet"] if quiet else []
    parse_key = dbt_parse_cache.state_key(arguments, dict(os.environ), PARSE_STATE_FILES)
    dbt_parse_cache.restore(target_dir, PARSE_CACHE_DIR, parse_key)
    where_we_were = Path.cwd()
    os.chdir(cwd)
    try:
        outcome = dbtRunner().invoke([*printing, *arguments, *options])
    finally:
        os.chdir(where_we_were)
    if outcome.success:
        dbt_parse_cache.save(target_dir, PARSE_CACHE_DIR, parse_key)
    else:
        detail = "failed"
        if outcome.exception:
            detail = f"{type(outcome.exception).__name__}: {first_line(str(outcome.exception))}"
        raise_failure(arguments[0], detail, target_dir, inputs)
    return outcome.result


# An input's environment variable with this suffix holds the path the user gave, when dbt reads
# a converted copy of it (scripts/inputs.py)
GIVEN_SUFFIX = "_GIVEN"


def data_refusal(target_dir: Path, inputs: dict) -> RefusedBuild | None:
    """RefusedBuild, naming the input, when the failed node refused the data on purpose."""
    failure = dbt_failure(target_dir)
    reason = data_error_line(failure[1]) if failure else None
    if not reason:
        return None
    # the input the refusal names by its store ("store <name>: ..."), else the first one given
    # named as the user gave it, not as the UTF-8 copy dbt read (GIVEN_SUFFIX)
    named = [store.input_variable for store in STORES if f"store {store.name}" in reason]
    candidates = [*named, *(store.input_variable for store in STORES), "STUDENTS_DIR"]
    source = next(
        (
            inputs.get(name + GIVEN_SUFFIX) or inputs[name]
            for name in candidates
            if inputs.get(name)
        ),
        None,
    )
    return RefusedBuild(f"{source or 'input'}: {reason}")


def raise_failure(command: str, detail: str, target_dir: Path, inputs: dict) -> None:
    """RefusedBuild when a model refused the data or the disk is full, else BuildError naming
    the failed node."""
    failure = dbt_failure(target_dir)
    refusal = data_refusal(target_dir, inputs) or no_space(
        target_dir.parent, failure[1] if failure else ""
    )
    if refusal is not None:
        raise refusal
    where = f" at {failure[0]}: {first_line(failure[1])}" if failure else ""
    raise BuildError(f"dbt {command} failed ({detail}){where}")


def first_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    detail = [line for line in lines if "Error" in line and not line.startswith("Runtime Error in")]
    return (detail or lines or ["?"])[0][:300]
