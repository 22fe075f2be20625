"""models_py.segmentation: the customer tables end to end on crafted RFM frames."""

import numpy as np
import pandas as pd
import pytest
from segments_fixtures import PLANTED, planted_rfm

from models_py import segmentation
from models_py.errors import SegmentationError

RULE_ORDER = ["Champions", "Loyal", "Potential Loyalist", "New", "Hibernating"]


@pytest.fixture(scope="module")
def planted():
    rfm = planted_rfm()
    selection = segmentation.customer_k_selection(rfm, "run-1")
    k = segmentation.chosen_k(selection)
    model = segmentation.customer_segment_model(rfm, k, "run-1", RULE_ORDER)
    segments = segmentation.customer_segments(rfm, model, "run-1")
    return rfm, selection, model, segments


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
    assert not model.duplicated(["segment_id", "feature"]).any()
    assert model.groupby("segment_id")["segment_label"].nunique().eq(1).all()
    assert model.drop_duplicates("segment_id")["segment_label"].is_unique


def test_scoring_with_the_stored_model_matches_the_fit(planted):
    rfm, _, model, segments = planted
    scaler, centroids, labels = segmentation.model_parameters(model)
    manual = (
        np.log1p(segments[["recency_days", "frequency", "monetary"]].to_numpy(float)) - scaler.mean
    ) / scaler.scale
    distances = ((manual[:, None, :] - centroids[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(distances.argmin(axis=1) + 1, segments["segment_id"].to_numpy())
    assert set(labels.values()) == set(PLANTED)


def test_input_order_does_not_change_the_result(planted):
    rfm, selection, model, segments = planted
    shuffled = rfm.sample(frac=1.0, random_state=5)
    pd.testing.assert_frame_equal(segmentation.customer_k_selection(shuffled, "run-1"), selection)
    model2 = segmentation.customer_segment_model(shuffled, 4, "run-1", RULE_ORDER)
    pd.testing.assert_frame_equal(model2, model)
    pd.testing.assert_frame_equal(
        segmentation.customer_segments(shuffled, model2, "run-1"), segments
    )


def test_segment_rules_read_the_planted_groups(planted):
    _, _, _, segments = planted
    rules = segmentation.segment_rules(segments, "run-1")
    assert rules["customers"].sum() == len(segments)
    assert rules["tree_agreement"].iloc[0] == 1.0
    assert set(rules["segment_label"]) == set(PLANTED)
    assert rules["rule"].str.contains("→").all()


def test_forced_k_and_run_settings():
    run = pd.DataFrame({"model_run_id": ["abc"], "forced_k": [pd.NA]})
    assert segmentation.run_settings(run) == ("abc", None)
    assert segmentation.run_settings(run.assign(forced_k=[3])) == ("abc", 3)
    selection = segmentation.customer_k_selection(planted_rfm(), "abc", forced_k=3)
    assert segmentation.chosen_k(selection) == 3


def test_single_customer_and_identical_customers_are_clear_errors():
    with pytest.raises(SegmentationError):
        segmentation.customer_k_selection(planted_rfm().head(1), "r")
    same = planted_rfm().assign(recency_days=10, frequency=2, monetary=100.0)
    with pytest.raises(SegmentationError, match="identical"):
        segmentation.customer_k_selection(same, "r")
