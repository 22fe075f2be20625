"""Parquet export: every public mart round-trips with its row count and schema; swaps are atomic."""

from __future__ import annotations

import json

import duckdb
import pytest
from conftest import run_script
from export_parquet import MANIFEST, PARQUET_CASTS, ExportError, export


@pytest.fixture(scope="module")
def exported(generated_warehouse, tmp_path_factory):
    target = tmp_path_factory.mktemp("export") / "parquet"
    result = run_script(
        "export_parquet.py", "--duckdb-path", str(generated_warehouse.path), "--out", str(target)
    )
    assert result.returncode == 0, result.stderr
    return target


def mart_schemas(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall()
    schemas: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        schemas.setdefault(table, []).append((column, data_type))
    return schemas


def test_every_mart_round_trips_rows_and_schema(exported, generated_warehouse):
    manifest = json.loads((exported / MANIFEST).read_text())
    with generated_warehouse.connect() as con:
        schemas = mart_schemas(con)
        counts = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in schemas}
    assert {e["table"] for e in manifest["tables"]} == {f"marts.{t}" for t in schemas}
    assert sorted(p.name for p in exported.iterdir()) == sorted(
        [MANIFEST, *(f"{t}.parquet" for t in schemas)]
    )
    reader = duckdb.connect()
    for entry in manifest["tables"]:
        table = entry["table"].removeprefix("marts.")
        parquet = str(exported / entry["file"])
        assert entry["rows"] == counts[table]
        assert (
            reader.execute("select count(*) from read_parquet(?)", [parquet]).fetchone()[0]
            == counts[table]
        )
        described = reader.execute("describe select * from read_parquet(?)", [parquet]).fetchall()
        expected = [(name, PARQUET_CASTS.get(t, t)) for name, t in schemas[table]]
        assert [(name, data_type) for name, data_type, *_ in described] == expected
        assert [(c["name"], c["type"]) for c in entry["columns"]] == schemas[table]
        assert [(c["name"], c["parquet_type"]) for c in entry["columns"]] == expected


def test_parquet_content_equals_the_mart(exported, generated_warehouse):
    with generated_warehouse.connect() as con:
        difference = con.execute(
            "select count(*) from ("
            " (select * from marts.fct_customer_rfm except all select * from read_parquet(?))"
            " union all"
            " (select * from read_parquet(?) except all select * from marts.fct_customer_rfm))",
            [str(exported / "fct_customer_rfm.parquet")] * 2,
        ).fetchone()[0]
    assert difference == 0


def test_export_replaces_the_previous_one_and_leaves_no_temporary_folder(
    generated_warehouse, tmp_path
):
    target = tmp_path / "exports"
    export(generated_warehouse.path, target)
    (target / "stale.parquet").write_bytes(b"old")
    export(generated_warehouse.path, target)
    assert not (target / "stale.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]


def test_failed_export_leaves_the_previous_one_untouched(tmp_path):
    target = tmp_path / "exports"
    target.mkdir()
    (target / "keep.parquet").write_bytes(b"previous export")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ExportError):
        export(empty, target)
    assert (target / "keep.parquet").read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.duckdb", "exports"]
    result = run_script(
        "export_parquet.py", "--duckdb-path", str(tmp_path / "missing.duckdb"), "--out", str(target)
    )
    assert result.returncode == 1
    assert "warehouse not found" in result.stderr and "unchanged" in result.stderr
