"""The project's shape: dbt folders by domain, only staging reads raw files, each domain builds
alone (the student side with no retail input at all)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from support import PROJECT_ROOT, build_warehouse, run_script


def manifest(warehouse) -> dict:
    target = warehouse.path.parent / f".build-{warehouse.path.name}" / "target"
    return json.loads((target / "manifest.json").read_text())


def project_models(warehouse) -> list[dict]:
    return [
        node
        for node in manifest(warehouse)["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "segmentation"
    ]


def test_only_staging_models_read_sources(generated_warehouse):
    readers = {
        node["name"]: node["original_file_path"]
        for node in project_models(generated_warehouse)
        if any(dep.startswith("source.") for dep in node["depends_on"]["nodes"])
    }
    assert readers, "some staging model must read the raw files"
    outside = {
        name: path for name, path in readers.items() if not path.startswith("models/staging/")
    }
    assert not outside, f"models outside staging/ call source(): {outside}"


def test_staging_reads_no_later_layer(generated_warehouse):
    """No staging model depends on intermediate or marts (dbt-project-evaluator's rule): staging
    reads sources, seeds and the staging models of its own source. (The segmentation models of
    intermediate read the marts' facts on purpose: they are published back as marts.)"""
    nodes = manifest(generated_warehouse)["nodes"]
    layer = {
        unique_id: node["fqn"][1]
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model" and node["package_name"] == "segmentation"
    }
    allowed = {"staging": {"staging"}}
    wrong = [
        f"{unique_id} reads {dependency}"
        for unique_id, own_layer in layer.items()
        if own_layer in allowed
        for dependency in nodes[unique_id]["depends_on"]["nodes"]
        if dependency in layer and layer[dependency] not in allowed[own_layer]
    ]
    assert not wrong, wrong


def test_the_product_side_is_closed_under_its_tag(generated_warehouse):
    """A build that only scores the segment models leaves the models tagged `products` as
    published: every model reading the adapters' product lines (or another product model) must
    carry the tag, and no other model may read one, or it would be built on stale tables."""
    nodes = manifest(generated_warehouse)["nodes"]
    models = {
        unique_id: node
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model" and node["package_name"] == "segmentation"
    }
    product = {uid for uid, node in models.items() if "products" in node["tags"]}
    assert any(models[uid]["name"].endswith("__product_lines") for uid in product)
    assert any(models[uid]["name"] == "customer_recommendations" for uid in product)
    untagged = sorted(
        node["name"]
        for uid, node in models.items()
        if uid not in product and any(dep in product for dep in node["depends_on"]["nodes"])
    )
    assert not untagged, f"models reading the product side without its tag: {untagged}"


def test_models_are_in_domain_folders(generated_warehouse):
    folders = {tuple(node["fqn"][1:-1]) for node in project_models(generated_warehouse)}
    for expected in [
        ("staging", "online_retail"),
        ("staging", "crm"),
        ("staging", "lms"),
        ("intermediate", "commerce"),
        ("intermediate", "commerce", "segmentation"),
        ("intermediate", "students"),
        ("intermediate", "students", "segmentation"),
        ("marts", "commerce"),
        ("marts", "commerce", "segmentation"),
        ("marts", "students"),
        ("marts", "students", "segmentation"),
    ]:
        assert expected in folders, expected
    layers = {fqn[0] for fqn in folders}
    assert layers == {"staging", "intermediate", "marts"}


def test_every_commerce_mart_is_keyed_by_store(generated_warehouse):
    with generated_warehouse.connect() as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
            " and table_name not like 'student%' and table_name not like 'fct_students%'"
        ).fetchall()
        assert len(tables) >= 12
        for (table,) in tables:
            first = con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts'"
                " and table_name = ? order by ordinal_position limit 1",
                [table],
            ).fetchone()[0]
            assert first == "store", table


def test_start_here_names_published_tables_that_carry_their_description(generated_warehouse):
    """The reader's first table lists, in reading order, tables the warehouse publishes, each
    with a comment (its yml description) a SQL client shows."""
    with generated_warehouse.connect() as con:
        listed = con.execute(
            "select reading_order, table_name, summary from start_here order by reading_order"
        ).fetchall()
        comments = dict(
            con.execute(
                "select schema_name || '.' || table_name, comment from duckdb_tables()"
            ).fetchall()
        )
    assert [order for order, _, _ in listed] == list(range(1, len(listed) + 1))
    assert len(listed) >= 5
    for _, table, summary in listed:
        assert table in comments, f"start_here names {table}, which is not published"
        assert comments[table].startswith(summary.rstrip(".")), table


def test_students_build_alone_without_any_retail_input(tmp_path, generated_students_dir):
    warehouse = tmp_path / "students_only.duckdb"
    # a retail file that does not exist: reading it at all would fail the build
    env = dict(os.environ, RETAIL_PATH=str(tmp_path / "no_such_retail_file.csv"))
    result = run_script(
        "build_warehouse.py",
        "--duckdb-path",
        str(warehouse),
        "--only",
        "students",
        "--quiet",
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Students:" in result.stdout and "Store " not in result.stdout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        runs = con.execute("select count(*) from marts.student_segmentation_runs").fetchone()[0]
    assert {"fct_students", "fct_students_cohort", "student_segments"} <= marts
    assert not marts & {"fct_customer_rfm", "customer_segments", "segment_model"}
    assert runs == 1


def test_a_warehouse_of_the_layout_before_stores_is_upgraded(tmp_path, generated_warehouse):
    """A warehouse published before the commerce core: history without `store`, the older
    migrations table, relations the project no longer builds. The next build keeps the history
    (under the one store there was), rebuilds migrations from it and drops the rest."""
    published = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, published)
    with duckdb.connect(str(published)) as con:
        runs_before = con.execute("select count(*) from marts.segmentation_runs").fetchone()[0]
        for table in ("customer_segment_history", "segmentation_runs"):
            con.execute(f"alter table marts.{table} drop column store")
        con.execute("drop table marts.segment_migrations")
        con.execute(
            "create table marts.segment_migrations as select 'a' as from_run_id, 'b' as to_run_id,"
            " 1 as from_segment_id, 2 as to_segment_id, 3 as customers"
        )
        con.execute("create table intermediate.int_invoice_line_groups as select 1 as legacy")
    result = build_warehouse(generated_warehouse.retail_path, published, "--only", "commerce")
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(published), read_only=True) as con:
        runs = con.execute(
            "select store, count(*) from marts.segmentation_runs group by 1"
        ).fetchall()
        pairs = con.execute(
            "select count(distinct to_run_id), sum(customers) filter (where not is_move),"
            " count(*) filter (where is_move) from marts.segment_migrations"
        ).fetchone()
        legacy = con.execute(
            "select count(*) from duckdb_tables() where table_name = 'int_invoice_line_groups'"
        ).fetchone()[0]
    assert runs == [("online_retail", runs_before + 1)]
    assert pairs[0] == 1 and pairs[1] > 0 and pairs[2] == 0  # same data: everyone stayed
    assert legacy == 0


def test_plain_dbt_build_works_on_a_fresh_copy(tmp_path):
    """What a dbt user does on a fresh clone: `cd dbt_project && dbt build --profiles-dir ..`,
    no input set; it builds on the sample shipped in dbt_project/sample_data into its own
    development file, dev.duckdb, and never touches the published warehouse beside it."""
    copy = tmp_path / "clone"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in files:
        source = PROJECT_ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"RETAIL_PATH", "STUDENTS_DIR", "DUCKDB_PATH", "DBT_DUCKDB_PATH"}
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    published = copy / "warehouse.duckdb"
    published.write_bytes(b"the warehouse make run published")
    env["DUCKDB_PATH"] = str(published)  # as `make run` users have it set
    result = subprocess.run(
        ["dbt", "build", "--profiles-dir", ".."],
        cwd=copy / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert published.read_bytes() == b"the warehouse make run published"
    assert not list(copy.glob(".build-*"))
    with duckdb.connect(str(copy / "dev.duckdb"), read_only=True) as con:
        stores = con.execute("select distinct store from marts.fct_customer_rfm").fetchall()
        students = con.execute("select count(*) from marts.fct_students").fetchone()[0]
    assert stores == [("online_retail",)]
    assert students > 0

    # the Olist store too, on its synthetic sample
    with_olist = subprocess.run(
        ["dbt", "build", "--profiles-dir", "..", "--selector", "commerce"],
        cwd=copy / "dbt_project",
        env={**env, "OLIST_DIR": "sample_data/olist"},
        capture_output=True,
        text=True,
    )
    assert with_olist.returncode == 0, with_olist.stdout[-3000:]
    with duckdb.connect(str(copy / "dev.duckdb"), read_only=True) as con:
        stores = con.execute("select distinct store from marts.segment_model order by 1").fetchall()
    assert stores == [("olist",), ("online_retail",)]

    missing = subprocess.run(
        ["dbt", "build", "--profiles-dir", "..", "--selector", "commerce"],
        cwd=copy / "dbt_project",
        env={**env, "RETAIL_PATH": "no/such/file.csv"},
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0
    assert "no/such/file.csv': file does not exist (set RETAIL_PATH" in missing.stdout
