"""What every raw input file goes through before a build, whatever the store or domain: it is
there as a readable file or not at all, a compressed file is whole, and its encoding is known.

The dbt sources read the files themselves; these checks make sure they can, and turn what would
otherwise fail deep inside dbt (or worse, build from part of a file) into one line naming the
file and what to do.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import io
import os
import shutil
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Encodings a CSV file may be read in; anything not UTF-8 is converted to UTF-8 before the build.
ENCODINGS = ("auto", "utf-8", "cp1252", "latin-1")
CHUNK_BYTES = 1 << 22
# The names a folder's export may have: <name>.csv or <name>.csv.gz.
EXPORT_SUFFIXES = (".csv", ".csv.gz")


class InputFileError(ValueError):
    """A raw input file that cannot be built from; the message is one line for the user."""


@dataclass(frozen=True)
class CheckedFolder:
    """A folder of exports that passed the checks: the files found and what to tell the user."""

    folder: Path
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()


def _undefined_cp1252_as_latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; they keep their latin-1 meaning instead of failing
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("cp1252_latin1", _undefined_cp1252_as_latin1)


def present_file(path: Path) -> bool:
    """False when nothing is at `path`; True when a readable regular file is (a link the user
    made to one is fine). Anything else there is an error, never "absent": a folder, a link to
    nothing or to itself, a device, a file this user may not read."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputFileError(
                f"{path}: a symbolic link that loops; replace it with the file"
            ) from None
        if exc.errno == errno.ENOENT:
            raise InputFileError(
                f"{path}: a symbolic link to {os.readlink(path)}, which does not exist; replace"
                " it with the file"
            ) from None
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(f"{path}: is a folder, not a file; replace it with the file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(f"{path}: not a regular file; replace it with the file")
    if not os.access(path, os.R_OK):
        raise InputFileError(f"{path}: cannot be read (permission denied); make it readable")
    return True


def find_export(folder: Path, name: str) -> tuple[Path | None, list[str]]:
    """The export `name` in folder (<name>.csv or <name>.csv.gz, never both), and a note for
    each file there whose name only starts like it (<name>.csv.bak, <name>.csv.orig), which the
    build does not read."""
    found = [folder / (name + suffix) for suffix in EXPORT_SUFFIXES]
    found = [path for path in found if present_file(path)]
    if len(found) > 1:
        raise InputFileError(
            f"{folder}: both {name}.csv and {name}.csv.gz are there; keep one (both would be read)"
        )
    exact = {name + suffix for suffix in EXPORT_SUFFIXES}
    ignored = sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name.startswith(name + ".csv") and entry.name not in exact
    )
    notes = [
        f"Ignored {folder / entry}: not an input name ({name}.csv or {name}.csv.gz)"
        for entry in ignored
    ]
    return (found[0] if found else None), notes


def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def scan_csv_bytes(path: Path, encoding: str = "auto") -> str:
    """Read every byte of a CSV file once and return the encoding to read it in.

    A gzip stream that is cut short or corrupt is an error: DuckDB's reader stops quietly at
    the break and would build from the part before it. With `auto`, a file that is valid UTF-8
    throughout is UTF-8 and any other file is cp1252 (the usual encoding of spreadsheet exports;
    every byte decodes in it). A file forced to UTF-8 must be valid UTF-8.
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
            f"{path}: the gzip stream is cut short or corrupt ({exc}); the file is incomplete:"
            " copy or download it again"
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
    partial.unlink(missing_ok=True)  # never write through what was left there
    with _open_bytes(path) as source, open(partial, "xb") as target:
        while chunk := source.read(CHUNK_BYTES):
            target.write(decoder.decode(chunk).encode("utf-8"))
        target.write(decoder.decode(b"", final=True).encode("utf-8"))
    partial.replace(out)
    return out


def utf8_file(path: Path, encoding: str, out: Path) -> tuple[Path, str]:
    """The file dbt reads for `path`, and a note for the summary: Parquet as it is; a CSV read
    whole once (scan_csv_bytes) and, when not UTF-8, converted (streaming) to `out`, since the
    reader's own latin-1 decoder refuses cp1252's extra characters."""
    if path.name.lower().endswith(".parquet"):
        return path, ""
    encoding = scan_csv_bytes(path, encoding)
    if encoding == "utf-8":
        return path, ""
    return convert_to_utf8(
        path, encoding, out
    ), f"Read {path.name} as {encoding} (not UTF-8), converted to UTF-8"


def utf8_folder(
    folder: Path, files: list[Path], encoding: str, out_dir: Path
) -> tuple[Path, list[str]]:
    """The folder dbt reads a folder of exports from, and a note per file converted: every file
    is read whole once (scan_csv_bytes); when one is not UTF-8, the exports are written to
    `out_dir` (that file converted to UTF-8 as <name>.csv, the others copied) and `out_dir` is
    the folder, else the folder itself."""
    encodings = {path: scan_csv_bytes(path, encoding) for path in files}
    shutil.rmtree(out_dir, ignore_errors=True)  # a former build's conversion
    if all(found == "utf-8" for found in encodings.values()):
        return folder, []
    out_dir.mkdir(parents=True)
    notes = []
    for path, found in encodings.items():
        if found == "utf-8":
            shutil.copyfile(path, out_dir / path.name)
            continue
        name = path.name[: -len(".gz")] if path.name.lower().endswith(".gz") else path.name
        convert_to_utf8(path, found, out_dir / name)
        notes.append(f"Read {path} as {found} (not UTF-8), converted to UTF-8")
    return out_dir, notes


# Bytes per line of a retail export, plain and gzipped (the real Online Retail file: 75 and 14)
BYTES_PER_LINE = {"csv": 75, "gz": 14}


def estimated_lines(path: Path) -> int:
    """About how many lines a raw file holds, without reading it: a Parquet file's row count from
    its metadata, a CSV file's size over a typical line's. What the build sizes DuckDB's memory
    by, before it reads anything."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        with duckdb.connect() as con:
            return int(
                con.execute(
                    "select coalesce(sum(num_rows), 0) from parquet_file_metadata(?)", [str(path)]
                ).fetchone()[0]
            )
    return path.stat().st_size // BYTES_PER_LINE["gz" if name.endswith(".gz") else "csv"]


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


def _parquet_columns(path: Path, rows: str) -> list[str]:
    try:
        with duckdb.connect() as con:
            described = con.execute(
                "describe select * from read_parquet(?)", [str(path)]
            ).fetchall()
            n_rows = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
    except duckdb.Error as exc:
        raise InputFileError(f"{path}: cannot be read as Parquet ({exc})") from exc
    if n_rows == 0:
        raise InputFileError(f"{path}: file has no {rows}")
    return [row[0] for row in described]


def checked_table_file(path: str | Path, rows: str) -> tuple[Path, list[str]]:
    """The absolute path of a file of `rows` (CSV, gzipped CSV or Parquet) that is there, not
    empty and has a header row and a data row, and its column names; or InputFileError."""
    path = Path(path).expanduser().absolute()
    if not present_file(path):
        raise InputFileError(f"{path}: file does not exist")
    path = path.resolve()
    if path.stat().st_size == 0:
        raise InputFileError(f"{path}: file is empty (expected a header row and {rows})")
    name = path.name.lower()
    if name.endswith(".parquet"):
        return path, _parquet_columns(path, rows)
    if name.endswith((".csv", ".csv.gz", ".txt", ".txt.gz")):
        return path, csv_header(path, rows)
    raise InputFileError(f"{path}: unsupported file type (use .csv, .csv.gz or .parquet)")
