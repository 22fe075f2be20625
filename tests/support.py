"""What the tests share besides fixtures: where things are, running the project's scripts, and a
built warehouse with the summary its build wrote (read from JSON, never parsed from text)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx

from scripts.project_paths import PROJECT_ROOT, SHARED_DATA_DIR

SCRIPTS = PROJECT_ROOT / "scripts"
REAL_RETAIL_FILE = SHARED_DATA_DIR / "online_retail.csv.gz"
GENERATED_LINES = 30_000
GENERATED_SEED = 7
# Every build in the session reads this small generated student data set (STUDENTS_DIR).
GENERATED_STUDENTS = 3_000


@dataclass(frozen=True)
class Warehouse:
    path: Path
    retail_path: Path
    build_output: str
    students_dir: Path | None = None
    summary: dict | None = None  # what the build wrote with --summary-json

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), read_only=True)

    def query_df(self, sql: str):
        with self.connect() as con:
            return con.execute(sql).df()


def run_script(name: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run one of scripts/*.py with this interpreter, capturing its output."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )


def summary_path(duckdb_path: Path) -> Path:
    """Where build_warehouse() asks the build to write its JSON summary."""
    return duckdb_path.with_name(duckdb_path.name + ".summary.json")


def build_warehouse(
    retail_path: Path, duckdb_path: Path, *extra: str
) -> subprocess.CompletedProcess:
    """Run the build quietly; on success its summary is at summary_path(duckdb_path)."""
    return run_script(
        "build_warehouse.py",
        "--retail-path",
        str(retail_path),
        "--duckdb-path",
        str(duckdb_path),
        "--quiet",
        "--summary-json",
        str(summary_path(duckdb_path)),
        *extra,
    )


def build_summary(duckdb_path: Path) -> dict:
    """The JSON summary the last successful build_warehouse() of this warehouse wrote."""
    return json.loads(summary_path(duckdb_path).read_text())


def generate_retail_file(
    path: Path, lines: int = GENERATED_LINES, seed: int = GENERATED_SEED
) -> Path:
    result = run_script(
        "generate_retail.py", "--lines", str(lines), "--seed", str(seed), "--out", str(path)
    )
    assert result.returncode == 0, result.stderr
    return path


def generate_students_dir(
    path: Path, students: int = GENERATED_STUDENTS, seed: int = GENERATED_SEED
) -> Path:
    result = run_script(
        "generate_students.py", "--students", str(students), "--seed", str(seed), "--out", str(path)
    )
    assert result.returncode == 0, result.stderr
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_api(warehouse: Path, **env: str) -> tuple[subprocess.Popen, str]:
    """The real server (`python -m apps.api`: uvicorn, httptools) on a free port, serving
    `warehouse` with `env` added; returns it and its base URL once /healthz answers 200."""
    port = free_port()
    # not a pipe: a long-lived server must never block on it; open as long as the server runs
    log = tempfile.TemporaryFile()  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "apps.api", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, DUCKDB_PATH=str(warehouse), **env),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            server.wait()
            log.seek(0)
            raise AssertionError(f"the server did not start: {log.read().decode(errors='replace')}")
        time.sleep(0.1)
