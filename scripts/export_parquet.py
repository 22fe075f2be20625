"""Export every public mart of the published warehouse as Parquet, atomically, with a manifest.

    python scripts/export_parquet.py [--duckdb-path FILE] [--out DIR]

Writes one `<table>.parquet` per table or view of the `marts` schema and `manifest.json` (row
counts, column names with their warehouse and Parquet types, the warehouse and model run
exported) into a temporary folder
beside DIR, then swaps it in with renames, so BI tools reading DIR see the previous export or the
new one, never a half-written one. A failed export leaves DIR as it was.

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

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "marts"
MANIFEST = "manifest.json"
# Parquet has no 128-bit integers (DuckDB would write them as lossy doubles): exact decimals instead.
PARQUET_CASTS = {"HUGEINT": "DECIMAL(38,0)", "UHUGEINT": "DECIMAL(38,0)"}

log = logging.getLogger(__name__)


class ExportError(RuntimeError):
    """The export could not be made; the target folder was not touched."""


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
        quoted_target = str(target).replace("'", "''")
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
            f"copy (select {select_list} from {relation}) to '{quoted_target}'"
            " (format parquet, compression zstd)"
        )
        rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
        parquet_types = [
            row[1]
            for row in con.execute(
                f"describe select * from read_parquet('{quoted_target}')"
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
        "warehouse": str(warehouse),
        "warehouse_modified_at": datetime.fromtimestamp(
            warehouse.stat().st_mtime, tz=UTC
        ).isoformat(),
        "exported_at": datetime.now(tz=UTC).isoformat(),
        "model_run_id": _model_run_id(con, tables),
        "duckdb_version": duckdb.__version__,
        "tables": entries,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
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


def export(warehouse: Path, target: Path) -> dict:
    """Export the warehouse's marts into target; return the manifest."""
    if not warehouse.exists():
        raise ExportError(f"{warehouse}: warehouse not found; build it first (make run)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; BI tools may run as other users
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            manifest = write_export(con, staging, warehouse)
        swap_in(staging, target)
    finally:  # the staging folder now holds the previous export, or a failed attempt
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duckdb-path",
        default=os.environ.get("DUCKDB_PATH") or str(PROJECT_ROOT / "warehouse.duckdb"),
    )
    parser.add_argument(
        "--out", default=os.environ.get("EXPORT_DIR") or str(PROJECT_ROOT / "exports")
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    warehouse = Path(args.duckdb_path).expanduser().resolve()
    target = Path(args.out).expanduser().resolve()
    try:
        manifest = export(warehouse, target)
    except (ExportError, duckdb.Error, OSError) as exc:
        print(f"error: {exc}; {target} is unchanged", file=sys.stderr)
        return 1
    total = sum(entry["rows"] for entry in manifest["tables"])
    print(f"Exported {len(manifest['tables'])} marts ({total:,} rows) to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
