"""Check a raw retail file before the build, so that bad input fails fast with one clear line.

The dbt models read the file themselves; this check only makes sure they can: the file exists,
is not empty, is CSV, gzipped CSV or Parquet, and has every column of Online Retail layout I
(InvoiceNo, ..., UnitPrice, CustomerID, ...) or layout II (Invoice, ..., Price, Customer ID, ...).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
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


# Encodings a CSV file may be read in; anything not UTF-8 is converted to UTF-8 before the build.
ENCODINGS = ("auto", "utf-8", "cp1252", "latin-1")
CHUNK_BYTES = 1 << 22


class InputFileError(ValueError):
    """A raw input file that cannot be built from; the message is one line for the user."""


def _undefined_cp1252_as_latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; they keep their latin-1 meaning instead of failing
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("cp1252_latin1", _undefined_cp1252_as_latin1)


def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def scan_csv_bytes(path: Path, encoding: str = "auto") -> str:
    """Read every byte of a CSV file once and return the encoding to read it in.

    A gzip stream that is cut short or corrupt is an error: DuckDB's reader stops quietly at
    the break and would build from the part before it. With `auto`, a file that is valid UTF-8
    throughout is UTF-8 and any other file is cp1252 (the usual encoding of spreadsheet exports
    of this data; every byte decodes in it). A file forced to UTF-8 must be valid UTF-8.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    try:
        with _open_bytes(path) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                if encoding in ("auto", "utf-8"):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        if encoding == "utf-8":
                            bad_line = line + chunk.count(b"\n", 0, exc.start)
                            raise InputFileError(
                                f"{path}: not valid UTF-8 at line {bad_line} (byte {offset + exc.start:,});"
                                " give its encoding with --encoding cp1252 (or latin-1)"
                            ) from None
                        encoding = "cp1252"
                line += chunk.count(b"\n")
                offset += len(chunk)
            if encoding == "auto":
                decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"  # the file ends inside a multi-byte sequence
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputFileError(
            f"{path}: the gzip stream is cut short or corrupt ({exc}); the file is incomplete"
        ) from exc
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc})") from exc
    return "utf-8" if encoding == "auto" else encoding


def convert_to_utf8(path: Path, encoding: str, out: Path) -> Path:
    """Write `path` (in `encoding`) as plain UTF-8 CSV to `out`, streaming; returns `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    errors = "cp1252_latin1" if encoding == "cp1252" else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    partial = out.with_name(out.name + ".partial")
    with _open_bytes(path) as source, open(partial, "wb") as target:
        while chunk := source.read(CHUNK_BYTES):
            target.write(decoder.decode(chunk).encode("utf-8"))
        target.write(decoder.decode(b"", final=True).encode("utf-8"))
    partial.replace(out)
    return out


def csv_header(path: Path, rows: str = "invoice lines") -> list[str]:
    """The column names of a CSV or CSV.gz file's header row; an error when the file cannot be
    read, is empty, or has no data row (`rows` names them in the message)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as handle:
            first_line = handle.readline()
            has_data_row = bool(handle.readline().strip())
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot be read as CSV ({exc})") from exc
    if not first_line.strip():
        raise InputFileError(f"{path}: file is empty (expected a header row and {rows})")
    header = next(csv.reader(io.StringIO(first_line)))
    if not has_data_row:
        raise InputFileError(f"{path}: file has a header row but no {rows}")
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
