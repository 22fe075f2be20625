"""A copy of a published warehouse brought up to the current layout before a build runs on it:
relations the project no longer builds dropped, tables whose shape changed rebuilt, customer ids
of a former rule renumbered."""

from __future__ import annotations

from pathlib import Path

import duckdb

from scripts.project_paths import SEEDS_DIR
from scripts.stores import STORES

# Relations a warehouse published before the commerce core holds and the project no longer
# builds (renamed or replaced): dropped from the build's copy so they do not linger.
LEGACY_RELATIONS = (
    "intermediate.int_invoice_line_groups",
    "intermediate.int_invoice_line_groups_classified",
    "intermediate.int_retail_as_of_date",
    "intermediate.int_segmentation_run",
    "intermediate.int_segment_k_selection",
    "intermediate.int_segment_model",
    "intermediate.retail_parser_rejects_load",
    "staging.stg_retail__invoice_lines",
    "staging.stg_retail__parser_rejects",
    "staging.crm_contacts_parser_rejects_load",
    "staging.crm_opportunities_parser_rejects_load",
    "staging.lms_enrollments_parser_rejects_load",
)
# Columns added to tables a build carries on from the published warehouse (incremental models,
# which refuse a changed shape): added to an older copy with the value its rows had then.
ADDED_COLUMNS = (
    ("marts.customer_segment_status", "changed_in_latest_run", "boolean default false"),
)
# Customer segments were once labelled with their most common RFM segment's own name
# ("Champions", the RFM cell's name too); they now take its segment_name in seed
# rfm_segment_rules ("Top customers"). The labels a build carries on are renamed alike, so that
# the renaming moves no customer and a refit continues the renamed segments.
SEGMENT_NAMES = SEEDS_DIR / "rfm_segment_rules.csv"
CARRIED_SEGMENT_LABELS = (
    ("marts.segment_model_versions", "segment_label"),
    ("marts.segment_id_matches", "segment_label"),
    ("marts.segment_id_matches", "previous_segment_label"),
    ("marts.customer_segment_history", "segment_label"),
    ("marts.customer_segment_status", "segment_label"),
    ("marts.customer_segment_status", "previous_segment_label"),
    ("marts.segment_migrations", "from_segment_label"),
    ("marts.segment_migrations", "to_segment_label"),
    ("marts.customer_segment_changes", "from_segment_label"),
    ("marts.customer_segment_changes", "to_segment_label"),
)
# What a move is (segment_migrations.sql, is_move): a change of segment label, not of id. Pairs
# appended before that rule were marked by id, so a renumbered segment counted as a move; the
# rule is applied to them too, so that old and new pairs count moves alike.
MIGRATION_MOVE_RULE = "coalesce(from_segment_label <> to_segment_label, true)"


def upgrade_copied_warehouse(build_file: Path) -> None:
    """Bring a copy of a warehouse published by an older layout up to this one: drop the relations
    the project no longer builds, and marts.segment_migrations when it has the older shape (a
    table of the latest moves, now an appended table of run pairs, rebuilt from the history);
    add the columns ADDED_COLUMNS lists; rename segment labels of the former naming; mark the
    moves of older migration pairs by label; renumber the hashed customer ids of the former hash."""
    with duckdb.connect(str(build_file)) as con:
        relations = {
            f"{schema}.{name}": kind
            for schema, name, kind in con.execute(
                "select schema_name, table_name, 'table' from duckdb_tables()"
                " union all select schema_name, view_name, 'view' from duckdb_views()"
                " where not internal"
            ).fetchall()
        }
        stale = [name for name in LEGACY_RELATIONS if name in relations]
        if (
            "marts.segment_migrations" in relations
            and not con.execute(
                "select count(*) from information_schema.columns where table_schema = 'marts'"
                " and table_name = 'segment_migrations' and column_name = 'is_move'"
            ).fetchone()[0]
        ):
            stale.append("marts.segment_migrations")
        for name in stale:
            con.execute(f"drop {relations[name]} if exists {name} cascade")
        for table, column, definition in ADDED_COLUMNS:
            if table in relations and not _has_column(con, table, column):
                con.execute(f"alter table {table} add column {column} {definition}")
        rename_segment_labels(con, relations)
        if "marts.segment_migrations" in relations and "marts.segment_migrations" not in stale:
            con.execute(
                f"update marts.segment_migrations set is_move = {MIGRATION_MOVE_RULE}"
                f" where is_move is distinct from {MIGRATION_MOVE_RULE}"
            )
        renumber_hashed_customer_ids(con, relations)


# The customer id of a text customer key (macros/commerce_rules.sql, stable_customer_id): the
# same on DuckDB and Spark. Warehouses published before it used DuckDB's own hash.
STABLE_CUSTOMER_ID = "cast('0x' || substr(md5(customer_key), 1, 15) as bigint)"
# The tables a build keeps from the published warehouse that name customers by id; the others
# are rebuilt from the customer keys at every build.
KEPT_CUSTOMER_TABLES = (
    "marts.customer_segment_history",
    "marts.customer_segment_status",
    "marts.customer_segment_changes",
)


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.columns where table_schema = ?"
            " and table_name = ? and column_name = ?",
            [schema, name, column],
        ).fetchone()[0]
    )


def rename_segment_labels(con: duckdb.DuckDBPyConnection, relations: dict) -> None:
    """Labels named after an RFM segment ("Champions", "Champions (more frequent)", "Champions
    #3") renamed to its segment_name ("Top customers", ...), in CARRIED_SEGMENT_LABELS."""
    con.execute(
        "create or replace temp table segment_names as select rfm_segment, segment_name"
        " from read_csv(?, header = true, all_varchar = true)",
        [str(SEGMENT_NAMES)],
    )
    for table, column in CARRIED_SEGMENT_LABELS:
        if table not in relations or not _has_column(con, table, column):
            continue
        con.execute(
            f"update {table} set {column} = names.segment_name"
            f" || substr({column}, length(names.rfm_segment) + 1)"
            " from segment_names as names"
            f" where {column} = names.rfm_segment"
            f" or starts_with({column}, names.rfm_segment || ' (')"
            f" or starts_with({column}, names.rfm_segment || ' #')"
        )


def renumber_hashed_customer_ids(con: duckdb.DuckDBPyConnection, relations: dict) -> int:
    """Give the customers of stores keyed by text their stable id in the kept tables,
    by the published dim_customers' key of each id, so a store's history and status carry on
    under the new ids. Returns the number of customers renumbered (0 once done)."""
    if "marts.dim_customers" not in relations:
        return 0
    con.execute(
        "create or replace temp table renumbered_customers as"
        f" select store, customer_id as old_id, {STABLE_CUSTOMER_ID} as new_id"
        " from marts.dim_customers"
        f" where store in (select unnest(?)) and customer_id <> {STABLE_CUSTOMER_ID}",
        [[store.name for store in STORES if store.text_customer_keys]],
    )
    renumbered = con.execute("select count(*) from renumbered_customers").fetchone()[0]
    if renumbered:
        for table in KEPT_CUSTOMER_TABLES:
            if table in relations:
                con.execute(
                    f"update {table} as kept set customer_id = renumbered.new_id"
                    " from renumbered_customers as renumbered"
                    " where kept.store = renumbered.store and kept.customer_id = renumbered.old_id"
                )
    return renumbered
