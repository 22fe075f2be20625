"""What a commerce store is to the build: its command-line options, the check of its input, the
project's generated input when none is given, and the environment dbt reads the input from.

The dbt side of a store is its staging folder (dbt_project/models/staging/<store>/, whose
stg_<store>__order_lines maps its raw files onto the canonical order lines) and its row in seed
`stores`; docs/stores.md says how to add one.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import ClassVar


class StoreAdapter:
    """One store; subclasses fill in each step for their inputs."""

    name: str  # the store's id: in the warehouse, its staging folder, its seed row
    input_variable: str  # the environment variable dbt reads its input's location from
    # customers keyed by text in the input: their ids are stable hashes of the keys
    # (macros/commerce_rules.sql stable_customer_id), renumbered in warehouses older than that
    text_customer_keys = False
    # the dbt var of its input (dbt_project.yml) and where the project generates its own input
    # (None: the store has none)
    input_var: str
    generated_input: Path | None = None
    # the store's own reconciliation mart of its files (one row per file, reason and field):
    # the shrink guard compares its rows per file, the summary lists its rows with bad values
    file_reconciliation: str | None = None
    # Spark (scripts/spark_build.py): the Parquet files its ingestion writes, each as
    # name -> (the DuckDB ingestion model it holds, the columns kept); none: DuckDB only
    spark_ingested: ClassVar[dict[str, tuple[str, str]]] = {}
    # whether those ingestion models are run with their parents (dbt's `+model`)
    spark_ingest_with_parents = False
    # a dbt operation (args: folder) writing further ingested files of the store
    spark_export_operation: str | None = None

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

    def sample_environment(self) -> dict:
        """The environment dbt reads the store's shipped sample from (paths relative to
        dbt_project/), so that the linter compiles its models; empty when dbt reads the sample
        by default."""
        return {}

    def spark_settings(self, ingest_dir: Path) -> dict:
        """Environment variables the store's Spark ingestion models read, from what was ingested."""
        return {}

    def raw_line_files(self, checked) -> list[Path]:
        """The files whose lines are the store's raw lines (what the build sizes memory by)."""
        raise NotImplementedError
