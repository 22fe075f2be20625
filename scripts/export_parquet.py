"""Export every public mart of the published warehouse as Parquet, atomically, with a manifest.

    python scripts/export_parquet.py [--duckdb-path FILE] [--out DIR]

Writes one `<table>.parquet` per table or view of the `marts` schema and `manifest.json` (row
counts, column names with their warehouse and Parquet types, the warehouse and model run
exported) into a temporary folder
beside DIR, then swaps it in with renames, so BI tools reading DIR see the previous export or the
new one, never a half-written one. A failed export leaves DIR as it was.

DIR is replaced only if it does not exist, is empty, or is an earlier export: its manifest.json
names this export's format and it holds nothing but that manifest and the Parquet files it lists.
Anything else (the warehouse's own folder, a home folder, `/`) is refused with exit code 2, and
nothing is deleted. Paths reach DuckDB only as parameters, never spliced into SQL.

Environment: DUCKDB_PATH (default warehouse.duckdb), EXPORT_DIR (default exports/).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from scripts.project_paths import PROJECT_ROOT, WAREHOUSE_OPTION_HELP, published_warehouse

SCHEMA = "marts"
MANIFEST = "manifest.json"
# Written into every manifest; a folder whose manifest lacks it is not ours to replace.
EXPORT_FORMAT = "customer-segmentation-warehouse/marts-parquet-export"
# Parquet has no 128-bit integers (DuckDB would write them as lossy doubles): exact decimals instead.
PARQUET_CASTS = {"HUGEINT": "DECIMAL(38,0)", "UHUGEINT": "DECIMAL(38,0)"}

log = logging.getLogger(__name__)


class ExportError(RuntimeError):
    """The export could not be made; the target folder was not touched."""


class TargetRefused(ExportError):
    """The target exists and is not an earlier export: replacing it could delete someone's files."""


def _is_plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _listed_files(manifest_path: Path) -> set[str] | None:
    """The Parquet file names an earlier export's manifest lists; None if it is not one of ours."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    # exports made before the format key existed carry the warehouse and table list only
    legacy = "format" not in manifest and "warehouse" in manifest and "model_run_id" in manifest
    if manifest.get("format") != EXPORT_FORMAT and not legacy:
        return None
    tables = manifest.get("tables")
    if not isinstance(tables, list):
        return None
    files = (entry.get("file") for entry in tables if isinstance(entry, dict))
    return {
        name
        for name in files
        if isinstance(name, str) and name.endswith(".parquet") and Path(name).name == name
    }


def _names(paths: list[str], shown: int = 5) -> str:
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more


def refusal_reason(target: Path, warehouse: Path) -> str | None:
    """Why target may not be replaced; None if it is missing, empty or exactly an earlier export."""
    if target.is_symlink():
        return "a symbolic link"
    if not target.exists():
        return None
    if not target.is_dir():
        return "not a folder"
    if warehouse.resolve().is_relative_to(target.resolve()):
        return f"holds the warehouse {warehouse}"
    entries = list(target.iterdir())
    if not entries:
        return None
    manifest = target / MANIFEST
    if not (manifest.exists() or manifest.is_symlink()):
        return f"no {MANIFEST}"
    listed = _listed_files(manifest) if _is_plain_file(manifest) else None
    if listed is None:
        return f"{MANIFEST} was not written by export_parquet.py"
    others = sorted(
        entry.name
        for entry in entries
        if entry.name != MANIFEST and not (entry.name in listed and _is_plain_file(entry))
    )
    if others:
        return f"holds {_names(others)} besides the files its {MANIFEST} lists"
    return None


def check_target(target: Path, warehouse: Path) -> None:
    """Raise TargetRefused unless the export may replace target."""
    reason = refusal_reason(target, warehouse)
    if reason is not None:
        raise TargetRefused(f"{target}: not an earlier export ({reason}); refusing to replace it")


def public_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of the marts schema, by name."""
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_schema = ? and table_catalog = current_database() order by table_name",
        [SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _model_run_id(con: duckdb.DuckDBPyConnection, tables: list[str]) -> str | None:
    if "segment_profiles" not in tables:
        return None
    row = con.execute(f"select max(model_run_id) from {SCHEMA}.segment_profiles").fetchone()
    return row[0] if row else None


def write_export(con: duckdb.DuckDBPyConnection, folder: Path, warehouse: Path) -> dict:
    """Write each mart and the manifest into folder (which must exist and be empty)."""
    tables = public_marts(con)
    if not tables:
        raise ExportError(f"{warehouse}: no table in schema {SCHEMA}; build it first (make run)")
    entries = []
    for table in tables:
        relation = f"{SCHEMA}.{_quote(table)}"
        target = folder / f"{table}.parquet"
        columns = con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = ? and table_name = ? and table_catalog = current_database()"
            " order by ordinal_position",
            [SCHEMA, table],
        ).fetchall()
        select_list = ", ".join(
            f"cast({_quote(name)} as {PARQUET_CASTS[data_type]}) as {_quote(name)}"
            if data_type in PARQUET_CASTS
            else _quote(name)
            for name, data_type in columns
        )
        con.execute(
            f"copy (select {select_list} from {relation}) to ? (format parquet, compression zstd)",
            [str(target)],
        )
        rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
        parquet_types = [
            row[1]
            for row in con.execute(
                "describe select * from read_parquet(?)", [str(target)]
            ).fetchall()
        ]
        entries.append(
            {
                "table": f"{SCHEMA}.{table}",
                "file": target.name,
                "rows": int(rows),
                "columns": [
                    {"name": name, "type": data_type, "parquet_type": parquet_type}
                    for (name, data_type), parquet_type in zip(columns, parquet_types, strict=True)
                ],
            }
        )
        log.info("exported %s.%s: %d rows", SCHEMA, table, rows)
    manifest = {
        "format": EXPORT_FORMAT,
        "warehouse": str(warehouse),
        "warehouse_modified_at": datetime.fromtimestamp(
            warehouse.stat().st_mtime, tz=UTC
        ).isoformat(),
        "exported_at": datetime.now(tz=UTC).isoformat(),
        "model_run_id": _model_run_id(con, tables),
        "duckdb_version": duckdb.__version__,
        "tables": entries,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_in(new: Path, target: Path) -> None:
    """Put the folder `new` in place of `target`; afterwards `new` holds the previous export.

    Where the system can exchange two paths atomically, readers never see `target` missing;
    elsewhere two renames leave it missing for an instant.
    """
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        return
    old = new.with_name(new.name + "-old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)  # put the previous export back
        raise
    os.rename(old, new)


def open_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only as the connection's default catalog.

    DuckDB names that catalog after the file (`system.duckdb` becomes `system_db`); the export
    never names it (only `current_database()` and unqualified `marts.<table>`), so a copied or
    renamed warehouse exports the same. The path is passed as a value, never as SQL.
    """
    return duckdb.connect(str(warehouse.resolve()), read_only=True)


def export(warehouse: Path, target: Path) -> dict:
    """Export the warehouse's marts into target; return the manifest."""
    if not warehouse.exists():
        raise ExportError(f"{warehouse}: warehouse not found; build it first (make run)")
    check_target(target, warehouse)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; BI tools may run as other users
    try:
        with open_warehouse(warehouse) as con:
            manifest = write_export(con, staging, warehouse)
        check_target(target, warehouse)  # again: it may have changed during the export
        swap_in(staging, target)
    finally:  # the staging folder now holds the previous export, or a failed attempt
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duckdb-path",
        default=None,
        help=WAREHOUSE_OPTION_HELP,
    )
    parser.add_argument(
        "--out", default=os.environ.get("EXPORT_DIR") or str(PROJECT_ROOT / "exports")
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    warehouse = published_warehouse(args.duckdb_path)
    target = Path(args.out).expanduser().resolve()
    try:
        manifest = export(warehouse, target)
    except TargetRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ExportError, duckdb.Error, OSError) as exc:
        print(f"error: {exc}; {target} is unchanged", file=sys.stderr)
        return 1
    total = sum(entry["rows"] for entry in manifest["tables"])
    print(f"Exported {len(manifest['tables'])} marts ({total:,} rows) to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
