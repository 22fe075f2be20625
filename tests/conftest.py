"""Shared fixtures: each warehouse is built once per test session and shared by every test."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from support import (
    REAL_RETAIL_FILE,
    Warehouse,
    build_summary,
    build_warehouse,
    generate_retail_file,
    generate_students_dir,
)

SHARED_NODE_IDS = pytest.StashKey[set]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, note the selected items that share a node id: xdist runs one of them
    and drops the others without a word, so that one fails instead (pytest_runtest_setup).
    Such modules are marked one_process, which make test runs apart."""
    if hasattr(config, "workerinput"):
        counts = Counter(item.nodeid for item in items)
        config.stash[SHARED_NODE_IDS] = {nodeid for nodeid, n in counts.items() if n > 1}


def pytest_runtest_setup(item):
    if item.nodeid in item.config.stash.get(SHARED_NODE_IDS, set()):
        pytest.fail(
            "several items share this node id and pytest-xdist runs only one of them: mark the"
            " module one_process (make test runs those in one process)",
            pytrace=False,
        )


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
    return Warehouse(
        path, generated_retail_file, result.stdout, generated_students_dir, build_summary(path)
    )


@pytest.fixture(scope="session")
def real_warehouse(tmp_path_factory) -> Warehouse:
    """The warehouse built once on the real Online Retail file from ../shared/data."""
    if not REAL_RETAIL_FILE.exists():
        pytest.skip(f"real data not found at {REAL_RETAIL_FILE}")
    path = tmp_path_factory.mktemp("real_warehouse") / "warehouse.duckdb"
    result = build_warehouse(REAL_RETAIL_FILE, path)
    assert result.returncode == 0, result.stdout + result.stderr
    return Warehouse(path, REAL_RETAIL_FILE, result.stdout, summary=build_summary(path))


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
    return Warehouse(
        path, generated_warehouse.retail_path, result.stdout, students_dir, build_summary(path)
    )


@pytest.fixture(scope="session")
def refitted_generated_warehouse(tmp_path_factory, generated_warehouse) -> Warehouse:
    """A copy of the generated warehouse whose commerce side is rebuilt with --refit on the same
    data (the segment model refitted on purpose)."""
    path = tmp_path_factory.mktemp("refitted_generated_warehouse") / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    result = build_warehouse(generated_warehouse.retail_path, path, "--only", "commerce", "--refit")
    assert result.returncode == 0, result.stdout + result.stderr
    return Warehouse(
        path, generated_warehouse.retail_path, result.stdout, summary=build_summary(path)
    )
