"""A second store for the tests of readers (API, dashboard): a copy of the generated warehouse
with every marts row of its one store added again under another store, with other numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

STORE = "online_retail"  # the one store of the generated warehouse

SECOND_STORE = "second_shop"
MONETARY_SCALE = 3
SECOND_RUN_PREFIX = "second-shop-"
# table -> column -> the second store's value, computed from the online_retail row
SECOND_STORE_CHANGES = {
    "fct_customer_rfm": {
        column: f"{column} * {MONETARY_SCALE}"
        for column in ("monetary", "purchase_value", "returned_value", "avg_order_value")
    },
    "fct_orders": {"order_value": f"order_value * {MONETARY_SCALE}"},
    "customer_segments": {
        "monetary": f"monetary * {MONETARY_SCALE}",
        "segment_label": "segment_label || ' (2nd)'",
    },
    "segment_profiles": {
        **{
            column: f"{column} * {MONETARY_SCALE}"
            for column in ("revenue", "mean_monetary", "median_monetary")
        },
        "segment_label": "segment_label || ' (2nd)'",
        "suggestion": "'Second shop: ' || suggestion",
    },
    "segment_model": {
        "scaler_mean": f"scaler_mean + if(feature = 'monetary', ln({MONETARY_SCALE}), 0)",
        "centroid_scaled": "centroid_scaled"
        " + if(feature = 'recency_days', 0.4 * segment_id - 1.2, 0)",
        "segment_label": "segment_label || ' (2nd)'",
    },
}
RUN_COLUMNS = ("model_run_id", "from_run_id", "to_run_id")


def copy_as_two_stores(source: Path, target: Path) -> Path:
    """A copy of a one-store warehouse with a second store: every commerce mart's online_retail rows
    again under SECOND_STORE, without every fourth customer, with monetary values scaled, centroids
    shifted, labels, suggestions and run ids of its own, and one earlier run to migrate from."""
    shutil.copy2(source, target)
    with duckdb.connect(str(target)) as con:
        tables = con.execute(
            "select table_name from information_schema.tables as t"
            " join information_schema.columns as c using (table_catalog, table_schema, table_name)"
            " where t.table_schema = 'marts' and t.table_type = 'BASE TABLE'"
            " and c.column_name = 'store' and c.ordinal_position = 1"
        ).fetchall()
        assert len(tables) >= 12
        for (table,) in tables:
            columns = {
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'marts' and table_name = ?",
                    [table],
                ).fetchall()
            }
            changes = {
                "store": f"'{SECOND_STORE}'",
                **{c: f"'{SECOND_RUN_PREFIX}' || {c}" for c in RUN_COLUMNS if c in columns},
                **SECOND_STORE_CHANGES.get(table, {}),
            }
            replaced = ", ".join(f"{value} as {column}" for column, value in changes.items())
            kept = "coalesce(customer_id % 4, 1) <> 0" if "customer_id" in columns else "true"
            con.execute(
                f"insert into marts.{table} select * replace ({replaced}) from marts.{table}"
                f" where store = '{STORE}' and {kept}"
            )
        con.execute(
            "insert into seeds.stores (store, display_name, adapter_folder, description)"
            " values (?, 'Second shop', 'staging/second_shop', 'test copy')",
            [SECOND_STORE],
        )
        add_earlier_run(con, SECOND_STORE)
    return target


def add_earlier_run(con: duckdb.DuckDBPyConnection, store: str) -> str:
    """Give `store` a run 30 days before its latest one, and migrations from it: every third
    customer new to segmentation, the others staying."""
    earlier = f"{store}-earlier-run"
    con.execute(
        """
        insert into marts.segmentation_runs
        select * replace (? as model_run_id, run_started_at - interval 30 day as run_started_at,
                          as_of_date - 30 as as_of_date)
        from marts.segmentation_runs
        where store = ?
        order by run_started_at desc
        limit 1
        """,
        [earlier, store],
    )
    con.execute(
        """
        insert into marts.segment_migrations
        select store, ?, model_run_id,
               if(customer_id % 3 = 0, null, segment_id),
               if(customer_id % 3 = 0, null, segment_label),
               segment_id, segment_label, customer_id % 3 = 0, count(*)
        from marts.customer_segments
        where store = ?
        group by all
        """,
        [earlier, store],
    )
    return earlier
