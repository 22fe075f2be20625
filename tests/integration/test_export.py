"""Parquet export: every public mart round-trips with its row count and schema; swaps are atomic;
only a missing or empty folder or an earlier export is ever replaced; any path works."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from support import Warehouse, run_script

from scripts.export_parquet import (
    EXPORT_FORMAT,
    MANIFEST,
    PARQUET_CASTS,
    ExportError,
    TargetRefused,
    export,
)


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
    manifest = json.loads((target / MANIFEST).read_text())
    manifest["tables"].append({"table": "marts.dropped_mart", "file": "dropped_mart.parquet"})
    (target / MANIFEST).write_text(json.dumps(manifest))
    (target / "dropped_mart.parquet").write_bytes(b"old")
    export(generated_warehouse.path, target)
    assert not (target / "dropped_mart.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]


def test_failed_export_leaves_the_previous_one_untouched(tmp_path):
    target = earlier_export(tmp_path / "exports", {"keep.parquet": b"previous export"})
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


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under folder (recursively) with its bytes; None for folders."""
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


def earlier_export(folder: Path, files: dict[str, bytes]) -> Path:
    """A folder that looks like an earlier export holding files (name -> bytes)."""
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    tables = [{"table": f"marts.{Path(n).stem}", "file": n, "rows": 0} for n in files]
    manifest = {"format": EXPORT_FORMAT, "tables": tables}
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return folder


def copy_warehouse(warehouse: Warehouse, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(warehouse.path, path)
    return path


def refusal(target: Path, why: str) -> str:
    return f"error: {target}: not an earlier export ({why}); refusing to replace it\n"


def test_refuses_the_warehouse_folder_and_deletes_nothing(generated_warehouse, tmp_path):
    folder = tmp_path / "d"
    # Named as built, so that dbt's views bind and an unguarded export would reach the swap.
    warehouse = copy_warehouse(generated_warehouse, folder / "warehouse.duckdb")
    (folder / "notes.txt").write_text("keep me")
    before = snapshot(folder)
    env = {**os.environ, "DUCKDB_PATH": str(warehouse), "EXPORT_DIR": str(folder)}
    result = run_script("export_parquet.py", env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr == refusal(folder, f"holds the warehouse {warehouse}")
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_refuses_the_warehouse_file_itself(generated_warehouse, tmp_path):
    warehouse = copy_warehouse(generated_warehouse, tmp_path / "warehouse.duckdb")
    before = warehouse.read_bytes()
    result = run_script(
        "export_parquet.py", "--duckdb-path", str(warehouse), "--out", str(warehouse)
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr == refusal(warehouse, "not a folder")
    assert warehouse.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb"]


def test_refuses_the_home_folder(generated_warehouse, tmp_path):
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / ".bashrc").write_text("export PS1='$ '\n")
    (home / "docs" / "report.parquet").write_bytes(b"not ours")
    before = snapshot(home)
    env = {**os.environ, "HOME": str(home)}
    result = run_script(
        "export_parquet.py", "--duckdb-path", str(generated_warehouse.path), "--out", "~", env=env
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr == refusal(home, "no manifest.json")
    assert snapshot(home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_refuses_the_root_folder(generated_warehouse):
    before = sorted(os.listdir("/"))
    result = run_script(
        "export_parquet.py", "--duckdb-path", str(generated_warehouse.path), "--out", "/"
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr == refusal(Path("/"), f"holds the warehouse {generated_warehouse.path}")
    assert sorted(os.listdir("/")) == before


def foreign_manifest(folder: Path) -> None:
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps({"tables": [{"file": "a.parquet"}]}))
    (folder / "a.parquet").write_bytes(b"someone else's")


def broken_manifest(folder: Path) -> None:
    folder.mkdir()
    (folder / MANIFEST).write_text("{not json")


def export_with_notes(folder: Path) -> None:
    (earlier_export(folder, {"a.parquet": b"a"}) / "notes.txt").write_text("mine")


def export_with_subfolder(folder: Path) -> None:
    (earlier_export(folder, {"a.parquet": b"a"}) / "sub").mkdir()


def export_listing_other_files(folder: Path) -> None:
    earlier_export(folder, {"keep.txt": b"mine", "b.parquet": b"b"})
    (folder / "b.parquet").unlink()
    (folder / "b.parquet").symlink_to(folder / MANIFEST)


NOT_FROM_EXPORT = f"{MANIFEST} was not written by export_parquet.py"


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (foreign_manifest, NOT_FROM_EXPORT),
        (broken_manifest, NOT_FROM_EXPORT),
        (export_with_notes, f"holds notes.txt besides the files its {MANIFEST} lists"),
        (export_with_subfolder, f"holds sub besides the files its {MANIFEST} lists"),
        (
            export_listing_other_files,
            f"holds b.parquet, keep.txt besides the files its {MANIFEST} lists",
        ),
    ],
    ids=["foreign-manifest", "broken-manifest", "extra-file", "extra-folder", "listed-non-parquet"],
)
def test_refuses_a_folder_that_is_not_exactly_an_earlier_export(
    generated_warehouse, tmp_path, make, why
):
    target = tmp_path / "exports"
    make(target)
    before = snapshot(target)
    with pytest.raises(TargetRefused) as error:
        export(generated_warehouse.path, target)
    assert str(error.value) == refusal(target, why).removeprefix("error: ").rstrip("\n")
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]


def test_replaces_an_export_made_before_manifests_named_their_format(generated_warehouse, tmp_path):
    older = earlier_export(tmp_path / "older", {"dropped_mart.parquet": b"old"})
    manifest = json.loads((older / MANIFEST).read_text())
    del manifest["format"]
    manifest.update({"warehouse": "/srv/warehouse.duckdb", "model_run_id": "run-1"})
    (older / MANIFEST).write_text(json.dumps(manifest))
    export(generated_warehouse.path, older)
    assert not (older / "dropped_mart.parquet").exists()
    assert json.loads((older / MANIFEST).read_text())["format"] == EXPORT_FORMAT


def test_replaces_an_empty_folder_and_an_earlier_export(generated_warehouse, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert export(generated_warehouse.path, empty)["tables"]
    assert (empty / MANIFEST).exists()
    earlier = earlier_export(tmp_path / "earlier", {"dropped_mart.parquet": b"old"})
    manifest = export(generated_warehouse.path, earlier)
    assert json.loads((earlier / MANIFEST).read_text())["format"] == EXPORT_FORMAT
    assert sorted(p.name for p in earlier.iterdir()) == sorted(
        [MANIFEST, *(e["file"] for e in manifest["tables"])]
    )


def test_paths_with_quotes_semicolons_spaces_and_unicode_simply_work(generated_warehouse, tmp_path):
    folder = tmp_path / "d'o; é x"
    warehouse = copy_warehouse(generated_warehouse, folder / "warehouse.duckdb")
    target = folder / "out d'o; é x"
    result = run_script(
        "export_parquet.py", "--duckdb-path", str(warehouse), "--out", str(target), "--quiet"
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    manifest = json.loads((target / MANIFEST).read_text())
    assert manifest["warehouse"] == str(warehouse)
    reader = duckdb.connect()
    for entry in manifest["tables"]:
        parquet = str(target / entry["file"])
        count = reader.execute("select count(*) from read_parquet(?)", [parquet]).fetchone()[0]
        assert count == entry["rows"]


def test_an_injection_in_the_export_path_is_just_a_folder_name(generated_warehouse, tmp_path):
    pwned = tmp_path / "pwned.csv"  # where the inner COPY would write, were the path spliced in
    target = tmp_path / f"x'); copy (select 42) to '{pwned}"
    result = run_script(
        "export_parquet.py",
        "--duckdb-path",
        str(generated_warehouse.path),
        "--out",
        str(target),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert not pwned.exists()
    manifest = json.loads((target / MANIFEST).read_text())
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [MANIFEST, *(e["file"] for e in manifest["tables"])]
    )


@pytest.mark.parametrize("name", ["memory.duckdb", "system.duckdb", "d'o; é x.duckdb"])
def test_the_export_does_not_depend_on_the_warehouse_file_name(tmp_path, name):
    warehouse = tmp_path / name
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t as select range as id from range(3)")
        con.execute("create view marts.v as select id * 2 as twice from marts.t")
    manifest = export(warehouse, tmp_path / "exports")
    assert [(e["table"], e["rows"]) for e in manifest["tables"]] == [("marts.t", 3), ("marts.v", 3)]


@pytest.mark.parametrize("name", ["other.duckdb", "d'o; é x.duckdb"])
def test_exports_a_renamed_copy_of_the_warehouse(generated_warehouse, tmp_path, name):
    warehouse = copy_warehouse(generated_warehouse, tmp_path / name)
    manifest = export(warehouse, tmp_path / "exports")
    with generated_warehouse.connect() as con:
        marts = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    assert {e["table"] for e in manifest["tables"]} == {f"marts.{t}" for (t,) in marts}
