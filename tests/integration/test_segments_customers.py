"""Customer segment tables in built warehouses: contents, SQL scoring, determinism and history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import Warehouse

SEGMENT_TABLES = [
    "segment_k_selection",
    "segment_model",
    "customer_segments",
    "segment_profiles",
    "segment_rules",
    "segmentation_runs",
    "customer_segment_history",
    "segment_migrations",
]
# columns that name or time the run: everything else must be identical between two builds
RUN_COLUMNS = {"model_run_id", "run_started_at"}
ORDER_BY = {
    "segment_k_selection": "k",
    "segment_model": "segment_id, feature_order",
    "customer_segments": "customer_id",
    "segment_profiles": "segment_id",
    "segment_rules": "rule_id",
}

# Scoring in plain SQL from marts.segment_model alone (the same arithmetic as macro score_segments).
SQL_SCORING = """
with input as (
    select customer_id, 'recency_days' as feature, cast(recency_days as double) as x from marts.fct_customer_rfm
    where has_purchases and monetary > 0
    union all
    select customer_id, 'frequency', cast(frequency as double) from marts.fct_customer_rfm
    where has_purchases and monetary > 0
    union all
    select customer_id, 'monetary', monetary from marts.fct_customer_rfm
    where has_purchases and monetary > 0
),
distances as (
    select input.customer_id, m.segment_id,
        sum(power((ln(1 + input.x) - m.scaler_mean) / m.scaler_scale - m.centroid_scaled, 2)) as d
    from input join marts.segment_model as m on input.feature = m.feature
    group by 1, 2
)
select customer_id, segment_id as sql_segment_id
from (
    select *, row_number() over (partition by customer_id order by d, segment_id) as rank_
    from distances
)
where rank_ = 1
"""


def table(warehouse: Warehouse, name: str) -> pd.DataFrame:
    order = ORDER_BY.get(name)
    sql = f"select * from marts.{name}" + (f" order by {order}" if order else "")
    return warehouse.query_df(sql)


@pytest.mark.parametrize("name", SEGMENT_TABLES)
def test_every_segment_table_is_built(generated_warehouse, name):
    frame = table(generated_warehouse, name)
    assert name == "segment_migrations" or len(frame) > 0


def test_every_purchasing_customer_with_positive_monetary_is_segmented(generated_warehouse):
    missing = generated_warehouse.query_df(
        """
        select rfm.customer_id
        from marts.fct_customer_rfm as rfm
        full outer join marts.customer_segments as seg on rfm.customer_id = seg.customer_id
        where (rfm.has_purchases and rfm.monetary > 0) is distinct from (seg.customer_id is not null)
        """
    )
    assert missing.empty


@pytest.mark.parametrize("fixture", ["generated_warehouse", "real_warehouse"])
def test_sql_scoring_with_segment_model_reproduces_customer_segments(fixture, request):
    warehouse = request.getfixturevalue(fixture)
    scored = warehouse.query_df(SQL_SCORING)
    segments = table(warehouse, "customer_segments")
    merged = segments.merge(scored, on="customer_id", how="outer", indicator=True)
    assert merged["_merge"].eq("both").all()
    assert (merged["segment_id"] == merged["sql_segment_id"]).all()


def test_profiles_shares_labels_and_suggestions(generated_warehouse):
    profiles = table(generated_warehouse, "segment_profiles")
    assert profiles["share_of_customers"].sum() == pytest.approx(1.0)
    assert profiles["share_of_revenue"].sum() == pytest.approx(1.0)
    assert profiles["segment_label"].is_unique
    assert profiles["suggestion"].notna().all()
    assert profiles["segment_id"].tolist() == list(range(1, len(profiles) + 1))
    # segment 1 has the highest centroid monetary, hence (here) the highest mean monetary
    assert profiles["mean_monetary"].iloc[0] == profiles["mean_monetary"].max()
    runs = table(generated_warehouse, "segmentation_runs")
    assert runs["k"].tolist() == [len(profiles)]


def test_chosen_k_and_reason_are_stored(generated_warehouse):
    selection = table(generated_warehouse, "segment_k_selection")
    assert selection["k"].tolist() == list(range(2, 11))
    chosen = selection[selection["is_chosen"]]
    assert len(chosen) == 1
    assert chosen["choice_reason"].str.contains("elbow|silhouette").all()


# tables of the segment model itself: a rebuild that scores with the stored model keeps them
MODEL_TABLES = {"segment_k_selection", "segment_model"}


def test_rebuild_on_the_same_data_gives_identical_tables(
    generated_warehouse, rebuilt_generated_warehouse
):
    """The second build scores with the model the first one fitted (no refit is due): the model
    tables are the same rows, run id included, and the customer tables the same but for the run."""
    runs = table(rebuilt_generated_warehouse, "segmentation_runs").sort_values("run_started_at")
    assert runs["is_refit"].tolist() == [True, False]
    assert runs["refit_reason"].iloc[0] == "no_stored_model" and pd.isna(
        runs["refit_reason"].iloc[1]
    )
    assert runs["segment_model_run_id"].nunique() == 1
    assert runs["model_age_days"].tolist() == [0, 0]
    for name in ORDER_BY:
        first = table(generated_warehouse, name)
        second = table(rebuilt_generated_warehouse, name)
        keep = [c for c in first.columns if c not in RUN_COLUMNS]
        pd.testing.assert_frame_equal(first[keep], second[keep], check_exact=True, obj=name)
        same_run = set(first["model_run_id"]) == set(second["model_run_id"])
        assert same_run == (name in MODEL_TABLES), name


def test_a_forced_refit_on_the_same_data_keeps_every_id(
    generated_warehouse, refitted_generated_warehouse
):
    """--refit on the data the model was fitted on finds the same structure: a new model with the
    same centroids, every segment matched to its stored one at distance 0, every customer in the
    same segment, and the product side rebuilt with it."""
    refitted = refitted_generated_warehouse
    runs = table(refitted, "segmentation_runs").sort_values("run_started_at")
    assert runs["is_refit"].tolist() == [True, True]
    assert runs["refit_reason"].tolist() == ["no_stored_model", "requested"]
    first_model, new_model = (
        table(generated_warehouse, "segment_model"),
        table(refitted, "segment_model"),
    )
    assert first_model["model_run_id"].iloc[0] != new_model["model_run_id"].iloc[0]
    assert first_model["segment_id"].tolist() == new_model["segment_id"].tolist()
    assert first_model["segment_label"].tolist() == new_model["segment_label"].tolist()
    np.testing.assert_allclose(
        new_model["centroid_value"], first_model["centroid_value"], rtol=1e-9
    )
    matches = refitted.query_df(
        "select * from marts.segment_id_matches where previous_model_run_id is not null"
    )
    assert len(matches) == first_model["segment_id"].nunique()
    assert matches["is_continued"].all() and matches["centroid_distance"].max() < 1e-9
    versions = refitted.query_df("select distinct model_run_id from marts.segment_model_versions")
    assert len(versions) == 2
    before, after = (
        table(generated_warehouse, "customer_segments"),
        table(refitted, "customer_segments"),
    )
    assert before["segment_id"].tolist() == after["segment_id"].tolist()
    assert (after["segment_changes"] == 0).all() and after["previous_segment_id"].isna().all()
    assert refitted.summary["product_side"] == "rebuilt (full build)"


def test_rebuild_adds_a_run_and_history_and_only_stayers(
    generated_warehouse, rebuilt_generated_warehouse
):
    runs = table(rebuilt_generated_warehouse, "segmentation_runs")
    assert len(runs) == 2 and runs["model_run_id"].is_unique
    history = rebuilt_generated_warehouse.query_df(
        "select model_run_id, count(*) as n from marts.customer_segment_history group by 1"
    )
    n_customers = len(table(generated_warehouse, "customer_segments"))
    assert history["n"].tolist() == [n_customers, n_customers]
    migrations = table(rebuilt_generated_warehouse, "segment_migrations")
    assert not migrations["is_move"].any()  # the same data: every customer stays
    assert (migrations["from_segment_id"] == migrations["to_segment_id"]).all()
    assert migrations["customers"].sum() == n_customers
    ordered = runs.sort_values("run_started_at")["model_run_id"].tolist()
    assert set(zip(migrations["from_run_id"], migrations["to_run_id"], strict=True)) == {
        (ordered[0], ordered[1])
    }
    assert table(generated_warehouse, "segment_migrations").empty  # a single run: no pair


@pytest.mark.real_data
def test_real_data_segments(real_warehouse):
    runs = table(real_warehouse, "segmentation_runs")
    assert runs["n_customers"].tolist() == [4320]  # 4,334 with purchases, 14 of them monetary <= 0
    assert runs["input_row_count"].tolist() == [4372]
    assert 3 <= runs["k"].iloc[0] <= 6
    profiles = table(real_warehouse, "segment_profiles")
    # the most valuable segment is mostly Champions and named apart from the RFM cell
    assert profiles["dominant_rfm_segment"].iloc[0] == "Champions"
    assert profiles["segment_label"].iloc[0] == "Top customers"
    assert profiles["segment_label"].is_unique
    assert profiles["share_of_revenue"].sum() == pytest.approx(1.0)
    rules = table(real_warehouse, "segment_rules")
    assert rules["tree_agreement"].iloc[0] > 0.8


def test_profiles_match_an_independent_pandas_computation(generated_warehouse):
    segments = table(generated_warehouse, "customer_segments")
    profiles = table(generated_warehouse, "segment_profiles").set_index("segment_id")
    grouped = segments.groupby("segment_id")
    expected = pd.DataFrame(
        {
            "customers": grouped.size(),
            "share_of_customers": grouped.size() / len(segments),
            "revenue": grouped["monetary"].sum(),
            "share_of_revenue": grouped["monetary"].sum() / segments["monetary"].sum(),
            "mean_recency_days": grouped["recency_days"].mean(),
            "median_recency_days": grouped["recency_days"].median(),
            "mean_frequency": grouped["frequency"].mean(),
            "median_frequency": grouped["frequency"].median(),
            "mean_monetary": grouped["monetary"].mean(),
            "median_monetary": grouped["monetary"].median(),
        }
    )
    for column in expected:
        assert profiles[column].to_numpy() == pytest.approx(
            expected[column].to_numpy(), rel=1e-9
        ), column
    labels = segments.drop_duplicates("segment_id").set_index("segment_id")["segment_label"]
    assert (profiles["segment_label"] == labels.sort_index()).all()


def test_segment_model_centroid_values_are_the_unscaled_centroids(generated_warehouse):
    model = table(generated_warehouse, "segment_model")
    unscaled = np.expm1(model["centroid_scaled"] * model["scaler_scale"] + model["scaler_mean"])
    assert model["centroid_value"].to_numpy() == pytest.approx(unscaled.to_numpy(), rel=1e-12)
    assert model.groupby("feature")[["scaler_mean", "scaler_scale"]].nunique().eq(1).all().all()
