"""Check a raw retail file before the build, so that bad input fails fast with one clear line.

The dbt models read the file themselves; this check only makes sure they can: the file exists,
is not empty, is CSV, gzipped CSV or Parquet, and has every column of Online Retail layout I
(InvoiceNo, ..., UnitPrice, CustomerID, ...) or layout II (Invoice, ..., Price, Customer ID, ...).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from scripts.input_files import InputFileError, csv_header, present_file

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
    path = Path(path).expanduser().absolute()
    if not present_file(path):
        raise InputFileError(f"{path}: file does not exist")
    path = path.resolve()
    if path.stat().st_size == 0:
        raise InputFileError(f"{path}: file is empty (expected a header row and invoice lines)")
    name = path.name.lower()
    if name.endswith(".parquet"):
        columns = _parquet_columns(path)
    elif name.endswith((".csv", ".csv.gz", ".txt", ".txt.gz")):
        columns = csv_header(path)
    else:
        raise InputFileError(f"{path}: unsupported file type (use .csv, .csv.gz or .parquet)")
    for candidates in RETAIL_COLUMNS.values():
        if not any(name in columns for name in candidates):
            raise InputFileError(
                f"{path}: missing column {' or '.join(candidates)} "
                f"(Online Retail layout I or II expected; found: {', '.join(columns)})"
            )
    return path
