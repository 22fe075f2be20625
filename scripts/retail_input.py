"""Check a raw retail file before the build, so that bad input fails fast with one clear line.

The dbt models read the file themselves; this check only makes sure they can: the file exists,
is not empty, is CSV, gzipped CSV or Parquet, and has every column of Online Retail layout I
(InvoiceNo, ..., UnitPrice, CustomerID, ...) or layout II (Invoice, ..., Price, Customer ID, ...).
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import duckdb

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


class InputFileError(ValueError):
    """A raw input file that cannot be built from; the message is one line for the user."""


def _csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            first_line = handle.readline()
            has_data_row = bool(handle.readline().strip())
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot be read as UTF-8 CSV ({exc})") from exc
    if not first_line.strip():
        raise InputFileError(f"{path}: file is empty (expected a header row and invoice lines)")
    header = next(csv.reader(io.StringIO(first_line)))
    if not has_data_row:
        raise InputFileError(f"{path}: file has a header row but no invoice lines")
    return [name.strip() for name in header]


def _parquet_columns(path: Path) -> list[str]:
    try:
        with duckdb.connect() as con:
            rows = con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
            n_rows = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
    except duckdb.Error as exc:
        raise InputFileError(f"{path}: cannot be read as Parquet ({exc})") from exc
    if n_rows == 0:
        raise InputFileError(f"{path}: file has no invoice lines")
    return [row[0] for row in rows]


def check_retail_file(path: str | Path) -> Path:
    """Return the absolute path of a usable retail file, or raise InputFileError."""
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise InputFileError(f"{path}: file does not exist")
    if not path.is_file():
        raise InputFileError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path}: file is empty (expected a header row and invoice lines)")
    name = path.name.lower()
    if name.endswith(".parquet"):
        columns = _parquet_columns(path)
    elif name.endswith((".csv", ".csv.gz", ".txt", ".txt.gz")):
        columns = _csv_header(path)
    else:
        raise InputFileError(f"{path}: unsupported file type (use .csv, .csv.gz or .parquet)")
    for candidates in RETAIL_COLUMNS.values():
        if not any(name in columns for name in candidates):
            raise InputFileError(
                f"{path}: missing column {' or '.join(candidates)} "
                f"(Online Retail layout I or II expected; found: {', '.join(columns)})"
            )
    return path
