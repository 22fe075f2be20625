"""A published warehouse whose text-keyed customers carry the former DuckDB-only hash gets the
stable ids in the tables a build keeps, and nothing else changes."""

from __future__ import annotations

import csv
import hashlib

import duckdb

from scripts.warehouse_upgrade import SEGMENT_NAMES, upgrade_copied_warehouse

KEYS = ["861eff4711a542e4b93843c6dd7febb0", "caf\u00e9 client", "O'Brien"]


def _stable_id(key: str) -> int:
    return int(hashlib.md5(key.encode()).hexdigest()[:15], 16)


def _published_with_former_ids(path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_customers as"
            " select 'olist' as store, cast(hash(key) >> 1 as bigint) as customer_id,"
            " key as customer_key from unnest(?) as t(key)"
            " union all select 'online_retail', 17850, '17850'",
            [KEYS],
        )
        for table in ("customer_segment_history", "customer_segment_status"):
            con.execute(
                f"create table marts.{table} as"
                " select store, customer_id, 2 as segment_id from marts.dim_customers"
            )
        # a customer who left the store keeps their former id (no key to derive the new one)
        con.execute("insert into marts.customer_segment_status values ('olist', 42, 1)")


def test_former_olist_ids_become_the_stable_ids_in_the_kept_tables(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    _published_with_former_ids(path)
    upgrade_copied_warehouse(path)
    with duckdb.connect(str(path)) as con:
        for table in ("customer_segment_history", "customer_segment_status"):
            rows = con.execute(
                f"select store, customer_id from marts.{table} order by store, customer_id"
            ).fetchall()
            olist = sorted(_stable_id(key) for key in KEYS)
            expected = [("olist", cid) for cid in olist] + [("online_retail", 17850)]
            if table == "customer_segment_status":
                expected = sorted([*expected, ("olist", 42)])
            assert rows == expected, table


def test_renumbering_twice_changes_nothing(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    _published_with_former_ids(path)
    upgrade_copied_warehouse(path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "update marts.dim_customers set customer_id = cast('0x' || substr(md5(customer_key),"
            " 1, 15) as bigint) where store = 'olist'"
        )
        before = con.execute("select * from marts.customer_segment_status order by all").fetchall()
    upgrade_copied_warehouse(path)
    with duckdb.connect(str(path)) as con:
        after = con.execute("select * from marts.customer_segment_status order by all").fetchall()
    assert after == before


def test_an_older_customer_status_gets_the_changed_flag_as_false(tmp_path):
    """customer_segment_status is carried on by an incremental model that refuses a changed
    shape: a warehouse published before changed_in_latest_run gets the column, false."""
    path = tmp_path / "warehouse.duckdb"
    _published_with_former_ids(path)
    upgrade_copied_warehouse(path)
    upgrade_copied_warehouse(path)  # a second upgrade finds the column and adds nothing
    with duckdb.connect(str(path)) as con:
        flags = con.execute(
            "select distinct changed_in_latest_run from marts.customer_segment_status"
        ).fetchall()
        history = con.execute("describe marts.customer_segment_history").fetchall()
    assert flags == [(False,)]
    assert "changed_in_latest_run" not in {row[0] for row in history}


def test_older_migration_pairs_count_moves_by_label(tmp_path):
    """Pairs appended when a move meant a change of segment id: a renumbered segment with the
    same label becomes a stay; a change of label, and a customer new to segmentation, stay moves."""
    path = tmp_path / "warehouse.duckdb"
    _published_with_former_ids(path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table marts.segment_migrations as select * from (values"
            " ('s', 'a', 'b', 1, 'Champions', 5, 'Champions', true, 700),"
            " ('s', 'a', 'b', 2, 'Loyal', 2, 'Loyal', false, 40),"
            " ('s', 'a', 'b', 2, 'Loyal', 5, 'Champions', true, 9),"
            " ('s', 'a', 'b', null, null, 2, 'Loyal', true, 3))"
            " as t(store, from_run_id, to_run_id, from_segment_id, from_segment_label,"
            " to_segment_id, to_segment_label, is_move, customers)"
        )
    upgrade_copied_warehouse(path)
    with duckdb.connect(str(path)) as con:
        moves = con.execute(
            "select customers, is_move from marts.segment_migrations order by customers"
        ).fetchall()
    assert moves == [(3, True), (9, True), (40, False), (700, False)]


def test_segments_named_after_an_rfm_segment_take_its_segment_name(tmp_path):
    """Labels of the former naming (an RFM segment's own name, qualified or numbered) become the
    seed's segment_name with the same qualifier, in the tables a build carries on; a second
    upgrade changes nothing."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.segment_model_versions as select * from (values"
            " (1, 'Champions (more frequent)'), (2, 'Champions (less frequent)'),"
            " (3, 'Potential Loyalist'), (4, 'Loyal #4'), (5, 'Top customers'))"
            " as t(segment_id, segment_label)"
        )
        con.execute(
            "create table marts.customer_segment_changes as select 'Loyal' as from_segment_label,"
            " 'Potential Loyalist (more recent)' as to_segment_label"
        )
    rules = list(csv.DictReader(SEGMENT_NAMES.open()))
    name = {rule["rfm_segment"]: rule["segment_name"] for rule in rules}
    upgrade_copied_warehouse(path)
    upgrade_copied_warehouse(path)
    with duckdb.connect(str(path)) as con:
        labels = [
            r[0]
            for r in con.execute(
                "select segment_label from marts.segment_model_versions order by segment_id"
            ).fetchall()
        ]
        change = con.execute("select * from marts.customer_segment_changes").fetchone()
    assert labels == [
        f"{name['Champions']} (more frequent)",
        f"{name['Champions']} (less frequent)",
        name["Potential Loyalist"],
        f"{name['Loyal']} #4",
        "Top customers",
    ]
    assert change == (name["Loyal"], f"{name['Potential Loyalist']} (more recent)")
