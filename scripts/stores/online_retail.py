"""Store online_retail: a file of invoice lines in the UCI Online Retail layout I or II.

The dbt models read the file themselves; the check before the build only makes sure they can:
the file exists, is not empty, is CSV, gzipped CSV or Parquet, and has every column of layout I
(InvoiceNo, ..., UnitPrice, CustomerID, ...) or layout II (Invoice, ..., Price, Customer ID, ...).
Without a file, the project's own synthetic data is generated once into data/generated/.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import ClassVar

from scripts.generate_retail import LINES_PER_CUSTOMER, GeneratorConfig, generate_file
from scripts.input_files import InputFileError, checked_table_file, utf8_file
from scripts.project_paths import GENERATED_DIR
from scripts.stores.adapter import StoreAdapter

DEFAULT_RETAIL_PATH = GENERATED_DIR / "online_retail.csv"
DEFAULT_GENERATED_LINES = 200_000

# Logical column -> names accepted for it (layout I first, then layout II). The dbt macro
# retail_columns() (dbt_project/macros/retail_layout.sql) maps the same names for analysts who run
# dbt directly; keep the two lists the same.
RETAIL_COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice_no": ("InvoiceNo", "Invoice"),
    "stock_code": ("StockCode",),
    "description": ("Description",),
    "quantity": ("Quantity",),
    "invoice_date": ("InvoiceDate",),
    "unit_price": ("UnitPrice", "Price"),
    "customer_id": ("CustomerID", "Customer ID"),
    "country": ("Country",),
}


def check_retail_file(path: str | Path) -> Path:
    """Return the absolute path of a usable retail file, or raise InputFileError."""
    path, columns = checked_table_file(path, "invoice lines")
    for candidates in RETAIL_COLUMNS.values():
        if not any(name in columns for name in candidates):
            raise InputFileError(
                f"{path}: missing column {' or '.join(candidates)} "
                f"(Online Retail layout I or II expected; found: {', '.join(columns)})"
            )
    return path


def default_retail_file() -> Path:
    """The project's own synthetic data set, generated once (deterministic, seed 42)."""
    if not DEFAULT_RETAIL_PATH.exists():
        lines = DEFAULT_GENERATED_LINES
        config = GeneratorConfig(lines=lines, customers=lines // LINES_PER_CUSTOMER)
        generate_file(config, str(DEFAULT_RETAIL_PATH))
        print(f"Generated synthetic retail data: {DEFAULT_RETAIL_PATH}")
    return DEFAULT_RETAIL_PATH


class OnlineRetailStore(StoreAdapter):
    name = "online_retail"
    input_variable = "RETAIL_PATH"
    input_var = "retail_path"
    generated_input = DEFAULT_RETAIL_PATH
    # the file's lines as DuckDB's reader parsed them (line_hash left out: each engine
    # fingerprints lines with its own hash), its rejects and its line count
    spark_ingested: ClassVar[dict[str, tuple[str, str]]] = {
        "raw_lines": ("stg_online_retail__raw_lines", "* exclude (line_hash)"),
        "parser_rejects": ("stg_online_retail__parser_rejects", "*"),
        "file_line_count": ("stg_online_retail__file_line_count", "*"),
    }

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--retail-path",
            default=os.environ.get("RETAIL_PATH") or None,
            help="raw retail file, store online_retail (default: generated synthetic data when no"
            " store input is given)",
        )

    def given_input(self, args: argparse.Namespace) -> Path | None:
        return check_retail_file(args.retail_path) if args.retail_path else None

    def default_input(self) -> Path:
        return default_retail_file()

    def dbt_environment(self, checked: Path, encoding: str, build_dir: Path) -> tuple[dict, list]:
        path, note = utf8_file(checked, encoding, build_dir / "input" / "retail_utf8.csv")
        return {self.input_variable: str(path)}, [note] if note else []

    def given_path(self, checked) -> Path:
        return checked

    def raw_line_files(self, checked: Path) -> list[Path]:
        return [checked]
