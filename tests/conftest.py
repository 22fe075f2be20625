"""Shared fixtures: each warehouse is built once per test session and shared by every test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = PROJECT_ROOT / "scripts"
REAL_RETAIL_FILE = PROJECT_ROOT.parent / "shared" / "data" / "online_retail.csv.gz"
GENERATED_LINES = 30_000
GENERATED_SEED = 7
# Every build in the session reads this small generated student data set (STUDENTS_DIR).
GENERATED_STUDENTS = 3_000

sys.path.insert(0, str(SCRIPTS))


@dataclass(frozen=True)
class Warehouse:
    path: Path
    retail_path: Path
    build_output: str
    students_dir: Path | None = None

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


def build_warehouse(
    retail_path: Path, duckdb_path: Path, *extra: str
) -> subprocess.CompletedProcess:
    return run_script(
        "build_warehouse.py",
        "--retail-path",
        str(retail_path),
        "--duckdb-path",
        str(duckdb_path),
        "--quiet",
        *extra,
    )


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


@pytest.fixture(scope="session", autouse=True)
def generated_students_dir(tmp_path_factory) -> Path:
    """Small generated student exports, used by every build of the session (via STUDENTS_DIR),
    so that no build generates the larger default set into the project folder."""
    path = generate_students_dir(tmp_path_factory.mktemp("generated_students"))
    previous = os.environ.get("STUDENTS_DIR")
    os.environ["STUDENTS_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("STUDENTS_DIR", None)
    else:
        os.environ["STUDENTS_DIR"] = previous


@pytest.fixture(scope="session")
def generated_retail_file(tmp_path_factory) -> Path:
    return generate_retail_file(tmp_path_factory.mktemp("generated") / "online_retail.csv")


@pytest.fixture(scope="session")
def generated_warehouse(
    tmp_path_factory, generated_retail_file, generated_students_dir
) -> Warehouse:
    """The warehouse built once on small generated retail and student data sets."""
    path = tmp_path_factory.mktemp("generated_warehouse") / "warehouse.duckdb"
    result = build_warehouse(
        generated_retail_file, path, "--students-dir", str(generated_students_dir)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Warehouse(path, generated_retail_file, result.stdout, generated_students_dir)


@pytest.fixture(scope="session")
def real_warehouse(tmp_path_factory) -> Warehouse:
    """The warehouse built once on the real Online Retail file from ../shared/data."""
    if not REAL_RETAIL_FILE.exists():
        pytest.skip(f"real data not found at {REAL_RETAIL_FILE}")
    path = tmp_path_factory.mktemp("real_warehouse") / "warehouse.duckdb"
    result = build_warehouse(REAL_RETAIL_FILE, path)
    assert result.returncode == 0, result.stdout + result.stderr
    return Warehouse(path, REAL_RETAIL_FILE, result.stdout)


@pytest.fixture(scope="session")
def rebuilt_generated_warehouse(tmp_path_factory, generated_warehouse) -> Warehouse:
    """A copy of the generated warehouse rebuilt once more on the same data (second run of history)."""
    path = tmp_path_factory.mktemp("rebuilt_generated_warehouse") / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    students_dir = generated_warehouse.students_dir
    result = build_warehouse(
        generated_warehouse.retail_path, path, "--students-dir", str(students_dir)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Warehouse(path, generated_warehouse.retail_path, result.stdout, students_dir)
