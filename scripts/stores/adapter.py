"""What a commerce store is to the build: its command-line options, the check of its input, the
project's generated input when none is given, and the environment dbt reads the input from.

The dbt side of a store is its staging folder (dbt_project/models/staging/<store>/, whose
stg_<store>__order_lines maps its raw files onto the canonical order lines) and its row in seed
`stores`; docs/stores.md says how to add one.
"""

from __future__ import annotations

import argparse
from pathlib import Path


class StoreAdapter:
    """One store; subclasses fill in each step for their inputs."""

    name: str  # the store's id: in the warehouse, its staging folder, its seed row
    input_variable: str  # the environment variable dbt reads its input's location from

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        """The build's command-line options for the store's input."""
        raise NotImplementedError

    def given_input(self, args: argparse.Namespace):
        """The store's input from the options, checked (InputFileError when unusable); None
        when none was given."""
        raise NotImplementedError

    def default_input(self):
        """The project's own input for the store, generated once, checked; None when the store
        has none (it is then built only from a given input)."""

    def dbt_environment(self, checked, encoding: str, build_dir: Path) -> tuple[dict, list[str]]:
        """The environment variables dbt reads the checked input from (each file read whole and
        converted to UTF-8 in `build_dir` when it is not), and notes for the summary."""
        raise NotImplementedError

    def given_path(self, checked) -> Path:
        """The file or folder the user gave (what a refusal names)."""
        raise NotImplementedError

    def raw_line_files(self, checked) -> list[Path]:
        """The files whose lines are the store's raw lines (what the build sizes memory by)."""
        raise NotImplementedError
