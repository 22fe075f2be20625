"""Store olist: a folder of the Olist marketplace's exports.

The folder is checked before the build, so that bad input fails fast with one line naming the
file and the problem. Without a folder, the four real tables of ../shared/data/olist are
completed by the generator into data/generated/olist/ (no Olist store when they are not there).

What the folder must hold is declared once, in the dbt sources of the olist adapter
(dbt_project/models/staging/olist/_olist__sources.yml): each source table's file, whether the
file is required, and the columns the project reads, each required or optional; the known
variants of column names are seed column_aliases. The dbt models read the files themselves; this
check makes sure they can: every required file is there once (as .csv or .csv.gz, not both), is
a readable file with a header row naming every required column (by its name or a known
variant) and at least one data row; an optional file may be absent, but one that is present must
be readable the same way. What is absent but optional is said in the build's summary.
"""

from __future__ import annotations

import argparse
import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import ClassVar

import duckdb
import yaml

from scripts.input_files import CheckedFolder, InputFileError, csv_header, find_export, utf8_folder
from scripts.project_paths import DBT_PROJECT_DIR, GENERATED_DIR, SEEDS_DIR, SHARED_DATA_DIR
from scripts.stores import olist_sample
from scripts.stores.adapter import StoreAdapter

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "olist" / "_olist__sources.yml"
ALIASES_FILE = SEEDS_DIR / "column_aliases.csv"
DEFAULT_OLIST_DIR = GENERATED_DIR / "olist"
# The four real Olist tables the generator completes (the shared data folder beside the project)
OLIST_SOURCE = SHARED_DATA_DIR / "olist"


@dataclass(frozen=True)
class ExportColumn:
    name: str
    required: bool
    names: tuple[str, ...]  # the header names accepted: its own, then its known variants


@dataclass(frozen=True)
class ExportFile:
    table: str  # the dbt source table
    file: str  # the file's name without .csv / .csv.gz
    required: bool
    columns: tuple[ExportColumn, ...]


@cache
def olist_files() -> tuple[ExportFile, ...]:
    """The Olist exports as the dbt sources declare them, with seed column_aliases' variants."""
    aliases: dict[tuple[str, str], list[str]] = {}
    with open(ALIASES_FILE, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["source"] == "olist":
                aliases.setdefault((row["source_table"], row["column_name"]), []).append(
                    row["alias"]
                )
    (source,) = yaml.safe_load(SOURCES_FILE.read_text())["sources"]
    return tuple(
        ExportFile(
            table=table["name"],
            file=table["config"]["meta"]["file"],
            required=table["config"]["meta"].get("required", True),
            columns=tuple(
                ExportColumn(
                    column["name"],
                    column.get("config", {}).get("meta", {}).get("required", True),
                    (column["name"], *aliases.get((table["name"], column["name"]), [])),
                )
                for column in table["columns"]
            ),
        )
        for table in source["tables"]
    )


def check_olist_dir(path: str | Path) -> CheckedFolder:
    """The folder of a usable set of Olist exports with the files found, or InputFileError."""
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        raise InputFileError(f"{folder}: Olist data folder does not exist")
    files, notes = [], []
    for export in olist_files():
        file_path, ignored = find_export(folder, export.file)
        notes += ignored
        if file_path is None:
            if export.required:
                raise InputFileError(
                    f"{folder / (export.file + '.csv')}: file does not exist (expected"
                    f" {export.file}.csv or {export.file}.csv.gz in the Olist data folder)"
                )
            notes.append(f"Olist: no {export.file} file (optional): its rows count as none")
            continue
        files.append(file_path)
        present = csv_header(file_path, "data rows")
        for column in export.columns:
            if any(name in present for name in column.names):
                continue
            if column.required:
                raise InputFileError(
                    f"{file_path}: missing column {' or '.join(column.names)} (required:"
                    f" {', '.join(c.name for c in export.columns if c.required)};"
                    f" found: {', '.join(present)}); rename the header, or add its name as a"
                    " variant in seeds/column_aliases.csv"
                )
            notes.append(f"Olist: {file_path.name} has no {column.name} column (optional): null")
    return CheckedFolder(folder, tuple(files), tuple(notes))


def default_olist_dir() -> Path | None:
    """The Olist store's default inputs: the four real tables of ../shared/data/olist completed
    by the generator (deterministic, seed 42), generated once; None when they are not there."""
    if all((DEFAULT_OLIST_DIR / f"{f.file}.csv").exists() for f in olist_files() if f.required):
        return DEFAULT_OLIST_DIR
    if not OLIST_SOURCE.is_dir():
        print(
            f"No Olist store: {OLIST_SOURCE} is not there to generate its data from (set OLIST_DIR)"
        )
        return None
    olist_sample.run(olist_sample.OlistConfig(source=OLIST_SOURCE, out=DEFAULT_OLIST_DIR))
    print(f"Generated the Olist store's data: {DEFAULT_OLIST_DIR}")
    return DEFAULT_OLIST_DIR


class OlistStore(StoreAdapter):
    name = "olist"
    input_variable = "OLIST_DIR"
    input_var = "olist_dir"
    generated_input = DEFAULT_OLIST_DIR
    text_customer_keys = True
    file_reconciliation = "olist_file_reconciliation"
    # of the file counts only the raw rows, since Spark counts the rows it parsed itself; the
    # counts read every Olist staging model, which checks each file's columns; and each file's
    # rows as the reader returned them (macro export_olist_raw_rows)
    spark_ingested: ClassVar[dict[str, tuple[str, str]]] = {
        "olist_parser_rejects": ("stg_olist__parser_rejects", "*"),
        "olist_file_line_counts": ("stg_olist__file_line_counts", "source_table, n_raw_rows"),
    }
    spark_ingest_with_parents = True
    spark_export_operation = "export_olist_raw_rows"

    def sample_environment(self) -> dict:
        return {self.input_variable: "sample_data/olist"}

    def spark_settings(self, ingest_dir: Path) -> dict:
        """The Olist tables ingested (their files' counts list them)."""
        tables = []
        counts = ingest_dir / "olist_file_line_counts.parquet"
        if counts.exists():
            with duckdb.connect() as con:
                tables = [
                    row[0]
                    for row in con.execute(
                        "select source_table from read_parquet(?) order by all", [str(counts)]
                    ).fetchall()
                ]
        return {"SPARK_OLIST_TABLES": ",".join(tables)}

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--olist-dir",
            default=os.environ.get("OLIST_DIR") or None,
            help="folder of the Olist marketplace exports, store olist (default: generated data"
            " when no store input is given)",
        )

    def given_input(self, args: argparse.Namespace) -> CheckedFolder | None:
        return check_olist_dir(args.olist_dir) if args.olist_dir else None

    def default_input(self) -> CheckedFolder | None:
        folder = default_olist_dir()
        return check_olist_dir(folder) if folder else None

    def dbt_environment(
        self, checked: CheckedFolder, encoding: str, build_dir: Path
    ) -> tuple[dict, list]:
        folder, converted = utf8_folder(
            checked.folder, list(checked.files), encoding, build_dir / "input" / "olist"
        )
        return {self.input_variable: str(folder)}, [*checked.notes, *converted]

    def given_path(self, checked) -> Path:
        return checked.folder

    def raw_line_files(self, checked: CheckedFolder) -> list[Path]:
        return [path for path in checked.files if "orders_dataset" in path.name]
