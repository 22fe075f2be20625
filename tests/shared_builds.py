"""What one test run makes once for all its processes: the session's generated inputs and
warehouses. pytest-xdist gives every worker its own session, so a session fixture alone would
build each warehouse once per worker (and again in `make test`'s second, one-process run).

The first process to need a thing makes it under a file lock (pytest-xdist's documented recipe);
the others wait, then read what it recorded. The folder is TEST_SHARED_BUILDS when set (`make
test` sets one folder for both of its pytest runs and removes it after), else the folder every
worker of this run shares (the parent of a worker's base temp folder), else the run's own.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from filelock import FileLock
from support import Warehouse

SHARED_FOLDER_VARIABLE = "TEST_SHARED_BUILDS"


def shared_folder(tmp_path_factory, worker_id: str) -> Path:
    given = os.environ.get(SHARED_FOLDER_VARIABLE)
    if given:
        return Path(given)
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def made_once(folder: Path, name: str, make: Callable[[Path], dict]) -> dict:
    """make(folder/name) once per run, by whichever process comes first; what it returns (JSON)
    is recorded for the others. A thing whose making failed is made afresh by the next caller."""
    record = folder / f"{name}.json"
    with FileLock(str(folder / f"{name}.lock")):
        if record.exists():
            return json.loads(record.read_text())
        place = folder / name
        shutil.rmtree(place, ignore_errors=True)
        place.mkdir(parents=True)
        made = make(place)
        record.write_text(json.dumps(made))
        return made


def path_made_once(folder: Path, name: str, make: Callable[[Path], Path]) -> Path:
    return Path(made_once(folder, name, lambda place: {"path": str(make(place))})["path"])


def warehouse_built_once(folder: Path, name: str, build: Callable[[Path], Warehouse]) -> Warehouse:
    def recorded(place: Path) -> dict:
        return {
            key: str(value) if isinstance(value, Path) else value
            for key, value in asdict(build(place)).items()
        }

    fields = made_once(folder, name, recorded)
    return Warehouse(
        path=Path(fields["path"]),
        retail_path=Path(fields["retail_path"]),
        build_output=fields["build_output"],
        students_dir=Path(fields["students_dir"]) if fields["students_dir"] else None,
        summary=fields["summary"],
    )
