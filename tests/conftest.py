"""Shared fixtures: each warehouse is built once per test run and shared by every test and
process (shared_builds.py)."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from shared_builds import path_made_once, shared_folder, warehouse_built_once
from support import (
    REAL_RETAIL_FILE,
    Warehouse,
    build_summary,
    build_warehouse,
    generate_retail_file,
    generate_students_dir,
)

SHARED_NODE_IDS = pytest.StashKey[set]()
# The longest modules (minutes of builds each), started first so that they run side by side on
# different workers instead of ending the run alone (make test schedules in collection order).
LONGEST_MODULES = [
    "test_spark_parity.py",
    "test_api.py",
    "test_incremental_load.py",
    "test_olist_store.py",
    "test_reliability.py",
    "test_superset_dashboard.py",
    "test_project_layout.py",
    "test_build_and_publish.py",
    "test_generic_orders.py",
]


def module_rank(item) -> int:
    name = item.path.name
    return LONGEST_MODULES.index(name) if name in LONGEST_MODULES else len(LONGEST_MODULES)


def own_node_ids(items) -> None:
    """Give items that share a node id ids of their own, from their names (schemathesis gives each
    API operation's item its test function's id, and pytest-xdist, which schedules by id, would
    run one of them and drop the others without a word). Sets pytest's private Node._id (pytest
    is pinned): there is no public way to change an id after collection."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1:
            item._id = item.getparent(pytest.Module).id.child(item.name)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The longest modules first (a stable sort: the others keep their order); items that share
    a node id get their own. Under pytest-xdist, any id still shared fails its items
    (pytest_runtest_setup) rather than having xdist drop all of them but one."""
    items.sort(key=module_rank)
    own_node_ids(items)
    if hasattr(config, "workerinput"):
        counts = Counter(item.nodeid for item in items)
        config.stash[SHARED_NODE_IDS] = {nodeid for nodeid, n in counts.items() if n > 1}


def pytest_runtest_setup(item):
    if item.nodeid in item.config.stash.get(SHARED_NODE_IDS, set()):
        pytest.fail(
            "several items share this node id and pytest-xdist runs only one of them: give them"
            " names of their own (tests/conftest.py own_node_ids)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def shared_builds(tmp_path_factory, worker_id) -> Path:
    """The folder of what this run makes once for all its processes (shared_builds.py)."""
    return shared_folder(tmp_path_factory, worker_id)


@pytest.fixture(scope="session", autouse=True)
def generated_students_dir(shared_builds) -> Path:
    """Small generated student exports, used by every build of the session (via STUDENTS_DIR),
    so that no build generates the larger default set into the project folder."""
    path = path_made_once(shared_builds, "generated_students", generate_students_dir)
    previous = os.environ.get("STUDENTS_DIR")
    os.environ["STUDENTS_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("STUDENTS_DIR", None)
    else:
        os.environ["STUDENTS_DIR"] = previous


@pytest.fixture(scope="session")
def generated_retail_file(shared_builds) -> Path:
    return path_made_once(
        shared_builds, "generated", lambda place: generate_retail_file(place / "online_retail.csv")
    )


def built(retail_path: Path, path: Path, *extra: str, students_dir: Path | None = None):
    result = build_warehouse(retail_path, path, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return Warehouse(path, retail_path, result.stdout, students_dir, build_summary(path))


@pytest.fixture(scope="session")
def generated_warehouse(shared_builds, generated_retail_file, generated_students_dir) -> Warehouse:
    """The warehouse built once on small generated retail and student data sets."""

    def build(place: Path) -> Warehouse:
        path = place / "warehouse.duckdb"
        students = generated_students_dir
        return built(
            generated_retail_file, path, "--students-dir", str(students), students_dir=students
        )

    return warehouse_built_once(shared_builds, "generated_warehouse", build)


@pytest.fixture(scope="session")
def real_warehouse(shared_builds) -> Warehouse:
    """The warehouse built once on the real Online Retail file from ../shared/data."""
    if not REAL_RETAIL_FILE.exists():
        pytest.skip(f"real data not found at {REAL_RETAIL_FILE}")
    return warehouse_built_once(
        shared_builds,
        "real_warehouse",
        lambda place: built(REAL_RETAIL_FILE, place / "warehouse.duckdb"),
    )


@pytest.fixture(scope="session")
def rebuilt_generated_warehouse(shared_builds, generated_warehouse) -> Warehouse:
    """A copy of the generated warehouse rebuilt once more on the same data (second run of history)."""

    def build(place: Path) -> Warehouse:
        path = place / "warehouse.duckdb"
        shutil.copy2(generated_warehouse.path, path)
        students_dir = generated_warehouse.students_dir
        return built(
            generated_warehouse.retail_path,
            path,
            "--students-dir",
            str(students_dir),
            students_dir=students_dir,
        )

    return warehouse_built_once(shared_builds, "rebuilt_generated_warehouse", build)


@pytest.fixture(scope="session")
def refitted_generated_warehouse(shared_builds, generated_warehouse) -> Warehouse:
    """A copy of the generated warehouse whose commerce side is rebuilt with --refit on the same
    data (the segment model refitted on purpose)."""

    def build(place: Path) -> Warehouse:
        path = place / "warehouse.duckdb"
        shutil.copy2(generated_warehouse.path, path)
        return built(generated_warehouse.retail_path, path, "--only", "commerce", "--refit")

    return warehouse_built_once(shared_builds, "refitted_generated_warehouse", build)
