"""What one test run makes once for all its processes: the session's generated inputs and
warehouses. pytest-xdist gives every worker its own session, so a session fixture alone would
build each warehouse once per worker.

The first process to need a thing makes it under a file lock (pytest-xdist's documented recipe),
in the folder every worker of the run shares (the parent of a worker's base temp folder; without
xdist, the run's own); the others wait, then read what it recorded. A making that failed is
recorded too: the others fail at once with its message instead of trying again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest
from filelock import FileLock
from support import Warehouse


def shared_folder(tmp_path_factory, worker_id: str) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def made_once(folder: Path, name: str, make: Callable[[Path], dict]) -> dict:
    """make(folder/name) once per run, by whichever process comes first; what it returns (JSON)
    is recorded for the others, and so is its failure."""
    record, failure = folder / f"{name}.json", folder / f"{name}.failed"
    with FileLock(str(folder / f"{name}.lock")):
        if record.exists():
            return json.loads(record.read_text())
        if failure.exists():
            pytest.fail(f"{name}, shared by this run, failed earlier:\n{failure.read_text()}")
        place = folder / name
        shutil.rmtree(place, ignore_errors=True)  # left by a process killed while making it
        place.mkdir(parents=True)
        try:
            made = make(place)
        except BaseException as error:
            failure.write_text(str(error))
            raise
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
