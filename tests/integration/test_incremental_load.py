"""Incremental loading of the retail file: appending lines and rebuilding gives the same facts as
a full build of the longer file, and reloads only the dates the new lines fall on; a file that is
not an append, or was loaded by other rules, is reloaded whole. The customer segments of such a
build are the full build's facts scored with the stored segment model (no refit is due a day
later), and each customer's segment history follows. The line-level views agree with the
grouped load."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from support import PROJECT_ROOT, build_summary, build_warehouse

# Every retail table, without the columns that name the build.
COMPARED = {
    "marts.fct_customer_rfm": "select * from marts.fct_customer_rfm order by store, customer_id",
    "marts.dim_customers": "select * from marts.dim_customers order by store, customer_id",
    "marts.fct_orders": "select * from marts.fct_orders order by store, order_id, order_type",
    "marts.commerce_line_reconciliation": "select * from marts.commerce_line_reconciliation order by store, reason_order",
    "staging.stg_online_retail__line_groups": "select * exclude (load_id) from staging.stg_online_retail__line_groups order by all",
}


def snapshot(path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {name: con.execute(query).df() for name, query in COMPARED.items()}


def assert_same_tables(actual: dict, expected: dict) -> None:
    for name in COMPARED:
        pd.testing.assert_frame_equal(actual[name], expected[name], check_exact=True, obj=name)


def query(path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).df()


def nearest_segments(model: pd.DataFrame, rfm: pd.DataFrame) -> np.ndarray:
    """Segment ids of rfm's rows by the stored model's definition, computed here: z = (ln(1 + x)
    - scaler_mean) / scaler_scale per feature, nearest centroid, ties to the lower id."""
    model = model.sort_values(["segment_id", "feature_order"])
    features = model.drop_duplicates("feature_order")
    z = (
        np.log1p(rfm[features["feature"].tolist()].to_numpy(float))
        - features["scaler_mean"].to_numpy()
    ) / features["scaler_scale"].to_numpy()
    centroids = model["centroid_scaled"].to_numpy().reshape(-1, len(features))
    ids = model["segment_id"].drop_duplicates().to_numpy()
    return ids[((z[:, None, :] - centroids[None]) ** 2).sum(axis=2).argmin(axis=1)]


def assert_segments_score_the_facts(published, facts: dict) -> None:
    """The build's customer segments are `facts` (a full build's RFM) scored with its own
    stored segment model."""
    rfm = facts["marts.fct_customer_rfm"]
    rfm = rfm[rfm["has_purchases"] & (rfm["monetary"] > 0)].reset_index(drop=True)
    model = query(published, "select * from marts.segment_model")
    segments = query(published, "select * from marts.customer_segments order by customer_id")
    assert segments["customer_id"].tolist() == rfm["customer_id"].tolist()
    np.testing.assert_array_equal(segments["segment_id"].to_numpy(), nearest_segments(model, rfm))


def loaded_counts(summary: dict) -> tuple[int, int]:
    """Lines this build loaded and lines parsed in all, from the build's JSON summary."""
    store = summary["stores"]["online_retail"]
    return store["loaded_lines"], store["parsed_lines"]


def build_ok(retail_file, published, *extra) -> dict:
    result = build_warehouse(retail_file, published, "--only", "commerce", *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return build_summary(published)


@pytest.fixture(scope="module")
def split_files(tmp_path_factory, generated_retail_file):
    """`before`: the generated file without the second half of its last day's lines.
    `after`: `before` with those lines appended, plus a second copy of a line already loaded
    (an exact duplicate across two builds) and a line dated the next day."""
    folder = tmp_path_factory.mktemp("incremental")
    header, *rows = generated_retail_file.read_text(encoding="utf-8").splitlines(keepends=True)
    dates = pd.to_datetime([row.split(",")[-4] for row in rows], errors="coerce")
    last_day = dates.max().normalize()
    on_last_day = [i for i, d in enumerate(dates) if d.normalize() == last_day]
    held_back = set(on_last_day[len(on_last_day) // 2 :])
    before = [row for i, row in enumerate(rows) if i not in held_back]
    next_day = (last_day + pd.Timedelta(days=1)).strftime("%Y-%m-%d 09:30:00")
    appended = [
        *(rows[i] for i in sorted(held_back)),
        rows[on_last_day[0]],
        f"999001,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,{next_day},2.55,17850,United Kingdom\n",
    ]
    paths = {"before": folder / "before.csv", "after": folder / "after.csv"}
    paths["before"].write_text(header + "".join(before), encoding="utf-8")
    paths["after"].write_text(header + "".join(before + appended), encoding="utf-8")
    return paths, len(before), len(appended)


@pytest.fixture(scope="module")
def full_build_of_after(tmp_path_factory, split_files):
    paths, _, _ = split_files
    published = tmp_path_factory.mktemp("full") / "warehouse.duckdb"
    build_ok(paths["after"], published, "--fresh")
    return snapshot(published)


@pytest.fixture(scope="module")
def before_build(tmp_path_factory, split_files):
    """A warehouse built fresh on `before` and its summary; tests append to copies of it."""
    paths, _, _ = split_files
    published = tmp_path_factory.mktemp("before") / "warehouse.duckdb"
    return published, build_ok(paths["before"], published, "--fresh")


def copy_of(warehouse, folder):
    copied = folder / "warehouse.duckdb"
    shutil.copy2(warehouse, copied)
    return copied


def test_appended_lines_load_incrementally_and_match_a_full_build(
    tmp_path, split_files, full_build_of_after, before_build
):
    paths, n_before, n_appended = split_files
    first_copy, first = before_build
    assert loaded_counts(first) == (n_before, n_before)
    published = copy_of(first_copy, tmp_path)

    second = build_ok(paths["after"], published)
    loaded, total = loaded_counts(second)
    assert total == n_before + n_appended
    # only the last two dates were reloaded: the appended lines and the lines of their dates
    assert n_appended <= loaded < total / 10
    assert_same_tables(snapshot(published), full_build_of_after)
    # a day later no refit is due: the first build's model scores the grown facts, and the
    # product side stays as the first build published it
    model = second["stores"]["online_retail"]["segment_model"]
    assert not model["refitted"] and model["age_days"] == 1
    assert (
        model["model_run_id"] == first["stores"]["online_retail"]["segment_model"]["model_run_id"]
    )
    assert second["product_side"].startswith("kept as published")
    assert_segments_score_the_facts(published, full_build_of_after)
    assert_status_follows_history(first_copy, published)
    assert_next_best_refreshed(first_copy, published, paths["after"], tmp_path)

    third = build_ok(paths["after"], published)  # nothing appended: nothing loaded
    assert loaded_counts(third) == (0, total)
    assert_same_tables(snapshot(published), full_build_of_after)
    assert_segments_score_the_facts(published, full_build_of_after)
    # two scoring builds on the same facts: every customer keeps its segment and its date
    migrations = query(published, "select * from marts.segment_migrations")
    last_pair = migrations[migrations["to_run_id"] == migrations["to_run_id"].iloc[-1]]
    assert not last_pair["is_move"].any() and last_pair["customers"].sum() > 0


def recommendations(path) -> pd.DataFrame:
    return query(
        path, "select * from intermediate.int_customer_recommendations order by all"
    ).set_index(["store", "customer_id", "method", "recommendation_rank"])


def customer_inputs(path) -> pd.DataFrame:
    """What a customer's next-best products are drawn from, per customer: their lines, orders,
    last date and segment."""
    return query(
        path,
        """
        select store, customer_id, customers.n_lines, customers.last_seen_date, rfm.frequency,
            segments.segment_id
        from marts.dim_customers as customers
        left join marts.fct_customer_rfm as rfm using (store, customer_id)
        left join marts.customer_segments as segments using (store, customer_id)
        """,
    ).set_index(["store", "customer_id"])


def assert_next_best_refreshed(first, second, retail_file, tmp_path) -> None:
    """The daily build recomputed the next-best products of the customers who bought since (or
    changed segment) from the stored rules, and kept every other list as the first build stored
    it; the result equals every list recomputed (dbt --full-refresh, the product lines and
    baskets from the current file) with the same stored rules."""
    before, after = recommendations(first), recommendations(second)
    first_build = before["load_id"].unique()
    assert len(first_build) == 1
    customers = after.index.droplevel(["method", "recommendation_rank"])
    refreshed = set(customers[after["load_id"] != first_build[0]])
    kept = after.loc[[key not in refreshed for key in customers]]
    pd.testing.assert_frame_equal(kept, before.loc[kept.index], check_exact=True)
    old, new = customer_inputs(first), customer_inputs(second)
    old = old.reindex(new.index)
    changed = {
        key
        for key, same in (old.eq(new) | (old.isna() & new.isna())).all(axis=1).items()
        if not same
    }
    bought_since = set(new.index[(new["frequency"] != old["frequency"]).to_numpy()])
    assert refreshed and refreshed <= changed
    assert bought_since & set(customers) <= refreshed
    (tmp_path / "recomputed").mkdir()
    recomputed = copy_of(second, tmp_path / "recomputed")
    environment = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(recomputed),
        "RETAIL_PATH": str(retail_file),
        "COMMERCE_STORES": "online_retail",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "run", "--quiet", "--profiles-dir", "..",
         "--target-path", str(tmp_path / "target"), "--full-refresh", "--select",
         "stg_online_retail__product_lines", "int_product_lines_classified",
         "int_recommendation_baskets", "int_customer_recommendations"],
        cwd=PROJECT_ROOT / "dbt_project", env=environment, check=True,
    )  # fmt: skip
    every_list = recommendations(recomputed).drop(columns="load_id")
    pd.testing.assert_frame_equal(after.drop(columns="load_id"), every_list, check_exact=True)


def assert_status_follows_history(first, second) -> None:
    """customer_segment_status after the second build, against the two builds' assignments:
    a customer who moved has the first build's segment as previous and the second build's
    as-of date as segment_since; one who stayed keeps the first build's date."""
    as_of_sql = "select max(as_of_date) as as_of from marts.fct_customer_rfm"
    first_as_of, second_as_of = (
        query(path, as_of_sql)["as_of"].iloc[0] for path in (first, second)
    )
    before = query(first, "select customer_id, segment_id from marts.customer_segments")
    after = query(
        second,
        "select customer_id, segment_id, previous_segment_id, segment_since, segment_changes,"
        " days_in_segment from marts.customer_segments",
    )
    both = after.merge(before, on="customer_id", how="left", suffixes=("", "_before"))
    known = both["segment_id_before"].notna()
    moved = known & (both["segment_id_before"] != both["segment_id"])
    stayed = known & ~moved
    assert stayed.sum() > 0
    assert (both.loc[moved, "previous_segment_id"] == both.loc[moved, "segment_id_before"]).all()
    assert (both.loc[moved | ~known, "segment_since"] == second_as_of).all()
    assert (both.loc[moved, "segment_changes"] == 1).all()
    assert (both.loc[stayed, "segment_since"] == first_as_of).all()
    assert both.loc[stayed, "previous_segment_id"].isna().all()
    assert (both["days_in_segment"] == (second_as_of - both["segment_since"]).dt.days).all()


def test_a_build_recomputes_only_the_customers_and_orders_its_lines_touch(
    tmp_path, split_files, full_build_of_after, before_build
):
    """White box: stored totals of every customer and order are marked before the append; after
    it, exactly those with a line the build loaded are recomputed (and equal the full build's),
    the others keep their stored (marked) rows."""
    paths, _, _ = split_files
    published = copy_of(before_build[0], tmp_path)
    with duckdb.connect(str(published)) as con:
        con.execute("update intermediate.int_customer_order_totals set n_lines = n_lines + 1000")
        con.execute("update intermediate.int_orders_summarised set n_lines = n_lines + 1000")
    build_ok(paths["after"], published)
    loaded = query(
        published,
        "select distinct customer_id, invoice_no as order_id from staging.stg_online_retail__line_groups"
        " where load_id = (select max(model_run_id) from intermediate.int_commerce_segmentation_runs)",
    )
    full = full_build_of_after
    for table, key, name in (
        ("dim_customers", "customer_id", "marts.dim_customers"),
        ("fct_orders", "order_id", "marts.fct_orders"),
    ):
        got = query(published, f"select {key}, n_lines from marts.{table}").set_index(key)
        want = full[name].drop_duplicates(key).set_index(key)["n_lines"]
        touched = got.index.isin(loaded[key].dropna())
        assert 0 < touched.sum() < len(got)
        assert (got.loc[touched, "n_lines"] == want[got.index[touched]]).all()
        assert (got.loc[~touched, "n_lines"] == want[got.index[~touched]] + 1000).all()


def test_a_moved_as_of_date_recomputes_the_lines_that_change_fate(
    tmp_path, split_files, full_build_of_after
):
    """A build as of three days before the end leaves the last lines `after_as_of_date`; the
    next build, as of the default date, gives them their own fate again: the stored totals of
    their customers and orders are recomputed although no line was loaded, and the facts equal
    a full build's."""
    paths, _, _ = split_files
    published = tmp_path / "warehouse.duckdb"
    as_of = pd.Timestamp(full_build_of_after["marts.fct_customer_rfm"]["as_of_date"].max())
    early = build_ok(
        paths["after"],
        published,
        "--fresh",
        "--as-of-date",
        str((as_of - pd.Timedelta(days=3)).date()),
    )
    assert early["stores"]["online_retail"]["lines_by_reason"]["after_as_of_date"] > 0
    moved = build_ok(paths["after"], published)
    assert moved["stores"]["online_retail"]["loaded_lines"] == 0
    assert not moved["stores"]["online_retail"]["segment_model"]["refitted"]
    assert_same_tables(snapshot(published), full_build_of_after)


def test_a_file_that_is_not_an_append_is_reloaded_whole(tmp_path, split_files, full_build_of_after):
    paths, _, _ = split_files
    published = tmp_path / "warehouse.duckdb"
    header, first_row, *rest = paths["after"].read_text(encoding="utf-8").splitlines(keepends=True)
    changed = tmp_path / "changed.csv"  # the first line moved to the end: same lines, new order
    changed.write_text(header + "".join(rest) + first_row, encoding="utf-8")
    build_ok(changed, published, "--fresh")

    output = build_ok(paths["after"], published)
    loaded, total = loaded_counts(output)
    assert loaded == total
    assert_same_tables(snapshot(published), full_build_of_after)
    assert_segments_score_the_facts(published, full_build_of_after)


def test_groups_loaded_by_other_rules_are_reloaded_whole(
    tmp_path, split_files, full_build_of_after, before_build
):
    """Groups stored with another load fingerprint (as after an edit of the load model, one of
    its macros or the service-code seed) are not kept: the next build reloads every line."""
    paths, n_before, _ = split_files
    published = copy_of(before_build[0], tmp_path)
    with duckdb.connect(str(published)) as con:
        updated = con.execute(
            "update staging.stg_online_retail__line_groups set load_fingerprint = 'other rules'"
            " where last_line_number = (select min(last_line_number)"
            " from staging.stg_online_retail__line_groups)"
        ).fetchone()[0]
    assert updated >= 1

    output = build_ok(paths["after"], published)
    loaded, total = loaded_counts(output)
    assert loaded == total > n_before
    assert_same_tables(snapshot(published), full_build_of_after)
    assert_segments_score_the_facts(published, full_build_of_after)


def test_line_view_agrees_with_the_grouped_load(generated_warehouse):
    """The drill-down views classify line by line; the marts come from the grouped load."""
    by_line = generated_warehouse.query_df(
        "select reason, count(*) as n_lines, count(distinct customer_id) as customers,"
        " sum(line_value) filter (where counts_in_monetary) as monetary"
        " from intermediate.int_invoice_lines_classified group by reason order by reason"
    )
    by_group = generated_warehouse.query_df(
        "select reason, sum(n_lines) as n_lines, count(distinct customer_id) as customers,"
        " sum(line_value) filter (where counts_in_monetary) as monetary"
        " from intermediate.int_order_lines_classified group by reason order by reason"
    )
    pd.testing.assert_frame_equal(by_line, by_group, check_dtype=False)
    assert by_line["n_lines"].sum() > 0
