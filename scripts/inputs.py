"""What a build reads: each commerce store's input (scripts/stores/) and the school's exports,
chosen from the options, checked, and handed to dbt as environment variables."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from scripts.dbt_runner import GIVEN_SUFFIX
from scripts.input_files import CheckedFolder, estimated_lines, utf8_folder
from scripts.stores import STORES, store_named
from scripts.student_input import (
    DEFAULT_STUDENTS_DIR,
    check_students_dir,
    default_students_dir,
)


@dataclass(frozen=True)
class Inputs:
    """Each store's checked input by store name (a store absent is not built) and the school's
    exports (None: not built)."""

    store_inputs: dict = field(default_factory=dict)
    students: CheckedFolder | None = None

    @property
    def stores(self) -> list[str]:
        return sorted(self.store_inputs)


def add_store_options(parser: argparse.ArgumentParser) -> None:
    for store in STORES:
        store.add_options(parser)


def choose_inputs(args: argparse.Namespace, only: str | None) -> Inputs:
    """The inputs to build from: those given, checked; with no store input given, every store
    that has generated data, on it."""
    store_inputs, students = {}, None
    if only != "students":
        for store in STORES:
            given = store.given_input(args)
            if given is not None:
                store_inputs[store.name] = given
        if not store_inputs:
            for store in STORES:
                default = store.default_input()
                if default is not None:
                    store_inputs[store.name] = default
    if only != "commerce":
        students = check_students_dir(args.students_dir or default_students_dir())
    return Inputs(store_inputs, students)


def commerce_environment(inputs: Inputs, encoding: str, build_dir: Path) -> tuple[dict, str]:
    """The environment dbt reads the commerce stores' inputs from, each file read whole first
    (a cut-short gzip stops the build) and converted to UTF-8 when it is not, and the notes
    saying what was converted, absent or ignored (one per line)."""
    environment, notes = {"COMMERCE_STORES": ",".join(inputs.stores)}, []
    for name, checked in sorted(inputs.store_inputs.items()):
        store = store_named(name)
        store_environment, store_notes = store.dbt_environment(checked, encoding, build_dir)
        environment.update(store_environment)
        environment[store.input_variable + GIVEN_SUFFIX] = str(store.given_path(checked))
        notes += store_notes
    return environment, "\n".join(notes)


def students_environment(inputs: Inputs, encoding: str, build_dir: Path) -> tuple[dict, list]:
    """The environment dbt reads the student exports from (read whole, converted to UTF-8 when
    they are not), and the notes saying what was converted."""
    if inputs.students is None:
        return {}, []
    students_dir, converted = utf8_folder(
        inputs.students.folder,
        list(inputs.students.files),
        encoding,
        build_dir / "input" / "students",
    )
    given = {"STUDENTS_DIR" + GIVEN_SUFFIX: str(inputs.students.folder)}
    # marts.student_data_source says whether readers look at the generated sample
    synthetic = inputs.students.folder == DEFAULT_STUDENTS_DIR.resolve()
    return {
        "STUDENTS_DIR": str(students_dir),
        "STUDENTS_SYNTHETIC": str(synthetic).lower(),
        **given,
    }, converted


def input_lines(inputs: Inputs) -> int:
    """About how many raw lines the build reads (what DuckDB's memory is sized by)."""
    return sum(
        estimated_lines(path)
        for name, checked in inputs.store_inputs.items()
        for path in store_named(name).raw_line_files(checked)
    )
