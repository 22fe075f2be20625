"""models_py.segmentation: the customer tables end to end on crafted RFM frames, per store."""

import numpy as np
import pandas as pd
import pytest
from segments_fixtures import (
    EMPTY_REFERENCE,
    EMPTY_VERSIONS,
    PLANTED,
    planted_rfm,
)
from segments_fixtures import store_runs as runs

from models_py import segmentation
from models_py.errors import SegmentationError
from models_py.segment_model import ROW_COLUMNS, SegmentModel

RULE_ORDER = ["Champions", "Loyal", "Potential Loyalist", "New", "Hibernating"]


def one_store(rfm: pd.DataFrame, store: str = "shop") -> pd.DataFrame:
    return rfm.assign(store=store)


def first_fit(rfm: pd.DataFrame, store_runs: pd.DataFrame) -> pd.DataFrame:
    """int_segment_fits of a first build (nothing stored): every store refits."""
    decisions = segmentation.refit_decisions(rfm, store_runs, EMPTY_VERSIONS, EMPTY_REFERENCE)
    assert decisions["is_refit"].all() and (decisions["refit_reason"] == "no_stored_model").all()
    return segmentation.segment_fits(
        rfm, store_runs, decisions, EMPTY_VERSIONS, EMPTY_REFERENCE, RULE_ORDER
    )


def kind(fits: pd.DataFrame, row_kind: str, columns: list[str]) -> pd.DataFrame:
    return fits.loc[fits["row_kind"] == row_kind, ["store", *columns]].reset_index(drop=True)


def build(rfm: pd.DataFrame, store_runs: pd.DataFrame):
    fits = first_fit(rfm, store_runs)
    selection = kind(fits, "k_selection", ["k", "is_chosen", "inertia", "silhouette"])
    model = kind(fits, "model", list(ROW_COLUMNS))
    segments = segmentation.customer_segments(rfm, model, store_runs)
    return selection, model, segments


@pytest.fixture(scope="module")
def planted():
    rfm = one_store(planted_rfm())
    return (rfm, *build(rfm, runs("shop")))


def test_planted_groups_give_planted_k_and_labels(planted):
    rfm, selection, model, segments = planted
    assert segmentation.chosen_k(selection) == len(PLANTED)
    merged = segments.merge(
        rfm[["customer_id", "rfm_segment"]], on="customer_id", suffixes=("", "_planted")
    )
    assert (merged["segment_label"] == merged["rfm_segment_planted"]).all()
    # segment 1 is the most valuable
    assert model.loc[model["segment_id"] == 1, "segment_label"].iloc[0] == "Champions"
    position = model.loc[model["segment_id"] == 1, "segment_position"].iloc[0]
    assert position == "recent, frequent, high value"


def test_model_table_has_segment_by_feature_rows(planted):
    _, _, model, _ = planted
    assert len(model) == 4 * 3
    assert list(model.columns[:2]) == ["store", *ROW_COLUMNS[:1]]
    assert not model.duplicated(["store", "segment_id", "feature"]).any()
    assert model.groupby("segment_id")["segment_label"].nunique().eq(1).all()
    assert model.drop_duplicates("segment_id")["segment_label"].is_unique


def test_scoring_with_the_stored_model_matches_a_manual_nearest_centroid(planted):
    _, _, model, segments = planted
    rows = model.sort_values(["segment_id", "feature_order"])
    per_feature = rows.drop_duplicates("feature_order")
    mean, scale = per_feature["scaler_mean"].to_numpy(), per_feature["scaler_scale"].to_numpy()
    centroids = rows["centroid_scaled"].to_numpy().reshape(-1, 3)
    manual = (
        np.log1p(segments[["recency_days", "frequency", "monetary"]].to_numpy(float)) - mean
    ) / scale
    distances = ((manual[:, None, :] - centroids[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(distances.argmin(axis=1) + 1, segments["segment_id"].to_numpy())


def test_input_order_does_not_change_the_result(planted):
    rfm, selection, model, segments = planted
    shuffled = rfm.sample(frac=1.0, random_state=5)
    again = build(shuffled, runs("shop"))
    for got, want in zip(again, (selection, model, segments), strict=True):
        pd.testing.assert_frame_equal(got, want)


def test_each_store_is_segmented_on_its_own():
    """Two stores with the same customer ids: each gets its own scaler, k and labels, and the
    result of a store does not depend on the other store being there."""
    shop = one_store(planted_rfm(), "shop")
    small = one_store(planted_rfm(per_group=30, seed=7), "big_spenders")
    small = small.assign(monetary=small["monetary"] * 50)  # same shapes, other money scale
    both = pd.concat([shop, small], ignore_index=True)
    _selection, model, segments = build(both, runs("big_spenders", "shop"))
    assert sorted(segments["store"].unique()) == ["big_spenders", "shop"]
    assert segments.duplicated(["store", "customer_id"]).sum() == 0
    means = model.drop_duplicates(["store", "feature"]).set_index(["store", "feature"])
    assert (
        means.loc[("big_spenders", "monetary"), "scaler_mean"]
        > means.loc[("shop", "monetary"), "scaler_mean"]
    )
    alone = build(shop, runs("shop"))
    pd.testing.assert_frame_equal(
        segments.loc[segments["store"] == "shop"].reset_index(drop=True), alone[2]
    )


def test_segment_rules_read_the_planted_groups(planted):
    _, _, _, segments = planted
    rules = segmentation.segment_rules(segments, runs("shop"))
    assert rules["customers"].sum() == len(segments)
    assert rules["tree_agreement"].iloc[0] == 1.0
    assert set(rules["segment_label"]) == set(PLANTED)
    assert rules["rule"].str.contains("→").all()
    assert (rules["store"] == "shop").all()


def test_forced_k_and_run_settings():
    run = pd.DataFrame({"model_run_id": ["abc"], "forced_k": [pd.NA]})
    assert segmentation.run_settings(run) == ("abc", None)
    assert segmentation.run_settings(run.assign(forced_k=[3])) == ("abc", 3)
    selection, model, _ = build(one_store(planted_rfm()), runs("shop", forced_k=3))
    assert segmentation.chosen_k(selection) == 3
    assert model["segment_id"].nunique() == 3


def test_single_customer_and_identical_customers_are_clear_errors():
    with pytest.raises(SegmentationError, match="store shop: too few customers"):
        build(one_store(planted_rfm().head(1)), runs("shop"))
    same = one_store(planted_rfm().assign(recency_days=10, frequency=2, monetary=100.0))
    with pytest.raises(SegmentationError, match="identical"):
        build(same, runs("shop"))


def test_segment_model_round_trips_through_its_rows(planted):
    _, _, model, segments = planted
    rows = model.drop(columns="store")
    restored = SegmentModel.from_rows(rows)
    pd.testing.assert_frame_equal(
        restored.to_rows(), rows.reset_index(drop=True), check_dtype=False
    )
    segment, distance = restored.assign(
        segments[["recency_days", "frequency", "monetary"]].to_numpy()
    )
    np.testing.assert_array_equal(segment, segments["segment_id"].to_numpy())
    assert (distance >= 0).all()


def test_segment_model_ties_go_to_the_lower_segment(planted):
    _, _, model, _ = planted
    restored = SegmentModel.from_rows(model.drop(columns="store"))
    twin = SegmentModel(
        restored.run_id,
        restored.scaler,
        np.vstack([restored.centroids[0], restored.centroids[0]]),
        ("A", "B"),
        (None, None),
        ("x", "y"),
    )
    segment, _ = twin.assign(np.array([[10.0, 3.0, 500.0]]))
    assert segment.tolist() == [1]


def test_segment_model_rows_are_checked(planted):
    _, _, model, _ = planted
    rows = model.drop(columns="store")
    with pytest.raises(SegmentationError, match="lack column"):
        SegmentModel.from_rows(rows.drop(columns="scaler_mean"))
    with pytest.raises(SegmentationError, match="one run"):
        SegmentModel.from_rows(rows.assign(model_run_id=[f"r{i}" for i in range(len(rows))]))
    with pytest.raises(SegmentationError, match="positive"):
        SegmentModel.from_rows(rows.assign(segment_id=rows["segment_id"] - 1))
    # ids need not be 1..k (a refit keeps the ids of the segments it continues)
    shifted = SegmentModel.from_rows(rows.assign(segment_id=rows["segment_id"] * 10))
    assert shifted.segment_ids == (10, 20, 30, 40)
    assert shifted.label(20) == SegmentModel.from_rows(rows).label(2)
