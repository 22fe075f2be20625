"""models_py.lifecycle through models_py.segmentation: a first build fits, the next ones score
with the stored model until a refit is due, and a refit keeps the ids of the segments it
continues. The model store between builds is simulated as its marts keep it (stored_from_fits)."""

import numpy as np
import pandas as pd
import pytest
from segments_fixtures import (
    EMPTY_REFERENCE,
    EMPTY_VERSIONS,
    planted_rfm,
    store_runs,
    stored_from_fits,
)

from models_py import lifecycle, segmentation
from models_py.segment_model import ROW_COLUMNS, SegmentModel

RULE_ORDER = ["Champions", "Loyal", "Potential Loyalist", "New", "Hibernating"]


def rfm_of(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(store="shop")


class Store:
    """One store's model store across builds: each `build` decides, fits when due and keeps what
    the marts would keep."""

    def __init__(self) -> None:
        self.versions, self.reference, self.builds = EMPTY_VERSIONS, EMPTY_REFERENCE, 0

    def build(self, rfm: pd.DataFrame, as_of: str = "2011-12-10", **settings):
        self.builds += 1
        runs = store_runs("shop", run_id=f"run-{self.builds}", as_of=as_of, **settings)
        decisions = segmentation.refit_decisions(rfm, runs, self.versions, self.reference)
        fits = segmentation.segment_fits(
            rfm, runs, decisions, self.versions, self.reference, RULE_ORDER
        )
        versions, reference = stored_from_fits(fits, runs)
        if not versions.empty:
            self.versions = pd.concat([self.versions, versions], ignore_index=True)
            self.reference = pd.concat([self.reference, reference], ignore_index=True)
        current = self.versions[
            self.versions["model_run_id"] == decisions["segment_model_run_id"].iloc[0]
        ]
        segments = segmentation.customer_segments(rfm, current, runs)
        return decisions.iloc[0], fits, segments

    def model(self, run_id: str) -> SegmentModel:
        rows = self.versions[self.versions["model_run_id"] == run_id]
        return SegmentModel.from_rows(rows[list(ROW_COLUMNS)])


@pytest.fixture
def fitted():
    store, rfm = Store(), rfm_of(planted_rfm())
    decision, _, segments = store.build(rfm)
    assert decision["is_refit"] and decision["refit_reason"] == "no_stored_model"
    return store, rfm, segments


def test_a_build_without_a_due_refit_scores_with_the_stored_model(fitted):
    store, rfm, first = fitted
    decision, fits, segments = store.build(rfm, as_of="2011-12-11")
    assert not decision["is_refit"] and pd.isna(decision["refit_reason"])
    assert decision["segment_model_run_id"] == "run-1"
    assert decision["stored_model_age_days"] == 1
    assert fits.empty and list(fits.columns) == list(segmentation.FIT_COLUMNS)
    # every customer whose features did not change keeps its segment id
    pd.testing.assert_series_equal(first["segment_id"], segments["segment_id"])
    assert decision["psi_monetary"] == pytest.approx(0.0)
    assert decision["far_share"] <= 0.0125  # the fit's 99th percentile, on the same customers


def test_a_requested_refit_on_the_same_data_keeps_every_id(fitted):
    store, rfm, first = fitted
    decision, fits, segments = store.build(rfm, refit_requested=True)
    assert decision["is_refit"] and decision["refit_reason"] == "requested"
    matches = fits[fits["row_kind"] == "match"]
    assert (matches["segment_id"] == matches["previous_segment_id"]).all()
    assert matches["centroid_distance"].max() == pytest.approx(0.0, abs=1e-9)
    pd.testing.assert_series_equal(first["segment_id"], segments["segment_id"])


def test_a_refit_takes_the_ids_by_centroid_not_by_value_order(fitted):
    """The stored ids are not in value order (as after earlier refits): a refit that finds the
    same structure gives every segment back its stored id, whatever number the fit gave it."""
    store, rfm, first = fitted
    renumbered = {1: 7, 2: 3, 3: 9, 4: 5}
    store.versions = store.versions.assign(segment_id=store.versions["segment_id"].map(renumbered))
    decision, _, segments = store.build(rfm, refit_requested=True)
    assert decision["next_segment_id"] == 10
    np.testing.assert_array_equal(
        segments["segment_id"].to_numpy(), first["segment_id"].map(renumbered).to_numpy()
    )
    model = store.model("run-2")
    assert model.segment_ids == (3, 5, 7, 9)
    assert model.label(7) == "Champions"


def test_a_new_segment_gets_an_id_never_used_and_a_lost_one_is_retired():
    store = Store()
    three = planted_rfm()
    without_new = rfm_of(three[three["rfm_segment"] != "New"])
    store.build(without_new)
    first_model = store.model("run-1")
    assert first_model.k == 3
    # a later refit on every group: the three known groups keep their ids, "New" is new
    decision, fits, _ = store.build(rfm_of(three), refit_requested=True)
    matches = fits[fits["row_kind"] == "match"].set_index("segment_label")
    assert matches["previous_segment_id"].notna().sum() == 3
    assert matches.loc["New", "segment_id"] == 4 and pd.isna(
        matches.loc["New", "previous_segment_id"]
    )
    for label in ("Champions", "Loyal", "Hibernating"):
        assert first_model.label(int(matches.loc[label, "segment_id"])) == label
    # then a refit without Loyal: its id is retired, never reused
    without_loyal = rfm_of(three[three["rfm_segment"] != "Loyal"])
    decision, fits, _ = store.build(without_loyal, refit_requested=True)
    matches = fits[fits["row_kind"] == "match"]
    retired = matches[matches["segment_id"].isna()]
    assert retired["previous_segment_label"].tolist() == ["Loyal"]
    assert sorted(matches["segment_id"].dropna().astype(int)) == [1, 3, 4]
    assert decision["next_segment_id"] == 5  # the largest id ever used, plus one


def test_a_model_older_than_the_limit_is_refitted(fitted):
    store, rfm, _ = fitted
    kept, _, _ = store.build(rfm, as_of="2012-01-09")  # 30 days of data: still kept
    assert not kept["is_refit"]
    # customers' recency grows with the as-of date; keep the features fixed to see age alone
    decision, _, _ = store.build(rfm, as_of="2012-01-10", max_feature_psi=100, max_far_share=1)
    assert decision["is_refit"] and decision["refit_reason"] == "model_age"
    assert "31 days" in decision["decision_detail"]


def test_drift_in_a_feature_triggers_a_refit(fitted):
    store, rfm, _ = fitted
    richer = rfm.assign(monetary=rfm["monetary"] * 5)
    decision, _, _ = store.build(richer)
    assert decision["is_refit"] and decision["refit_reason"] == "feature_drift"
    assert decision["psi_monetary"] > 0.25
    assert decision["psi_recency_days"] == pytest.approx(0.0)
    assert "PSI of monetary" in decision["decision_detail"]


def test_customers_far_from_every_segment_trigger_a_refit(fitted):
    store, rfm, _ = fitted
    odd = rfm.sample(n=20, random_state=1).assign(
        customer_id=lambda f: f["customer_id"] + 10_000, recency_days=2, frequency=60, monetary=30.0
    )
    decision, _, _ = store.build(pd.concat([rfm, odd], ignore_index=True), max_feature_psi=100)
    assert decision["far_share"] > 0.05
    assert decision["is_refit"] and decision["refit_reason"] == "far_from_centroids"


def test_other_reasons_to_refit(fitted):
    store, rfm, _ = fitted
    changed_k, fits, _ = store.build(rfm, forced_k=3)
    assert changed_k["refit_reason"] == "k_setting_changed"
    assert fits.loc[fits["row_kind"] == "model", "segment_id"].nunique() == 3
    same_k, _, _ = store.build(rfm, forced_k=3)
    assert not same_k["is_refit"]
    earlier, _, _ = store.build(rfm, as_of="2011-11-01", forced_k=3)
    assert earlier["refit_reason"] == "as_of_before_fit"


def test_reference_bins_and_population_stability():
    customers = pd.DataFrame(
        {
            "recency_days": np.arange(100),
            "frequency": [1] * 60 + [2] * 30 + [5] * 10,
            "monetary": np.linspace(1, 1000, 100),
        }
    )
    reference = lifecycle.reference_distribution(customers)
    assert reference.groupby("feature")["share"].sum().round(12).eq(1).all()
    frequency = reference[reference["feature"] == "frequency"]
    # ties: the deciles of 60 ones, 30 twos and 10 fives are three distinct bounds
    assert frequency["upper_bound"].tolist()[:2] == [1.0, 2.0]
    assert frequency["share"].tolist() == pytest.approx([0.6, 0.3, 0.1])
    assert lifecycle.population_stability([0.5, 0.5], [0.5, 0.5]) == 0.0
    manual = (0.7 - 0.5) * np.log(0.7 / 0.5) + (0.3 - 0.5) * np.log(0.3 / 0.5)
    assert lifecycle.population_stability([0.5, 0.5], [0.7, 0.3]) == pytest.approx(manual)


def test_a_refit_continues_an_unmatched_segment_of_the_same_label(fitted):
    """A refit whose centroids all moved beyond the match distance, on the same groups: no pair
    matches by distance, so each new segment continues the stored one of its label (its customers
    did not move) instead of taking a new id."""
    store, rfm, first = fitted
    decision, fits, segments = store.build(rfm, refit_requested=True, match_max_distance=-1.0)
    matches = fits[fits["row_kind"] == "match"]
    assert (matches["segment_id"] == matches["previous_segment_id"]).all()
    assert (matches["segment_label"] == matches["previous_segment_label"]).all()
    assert decision["next_segment_id"] == first["segment_id"].max() + 1
    pd.testing.assert_series_equal(first["segment_id"], segments["segment_id"])


def test_a_refit_that_changes_k_moves_no_customer_of_a_continued_segment():
    """k 4 -> 3 (one group gone) with no pair close enough by distance: the three groups left
    continue their stored ids by label, the fourth is retired, and no customer of the three is
    counted as moved (the same id in both builds)."""
    store, four = Store(), rfm_of(planted_rfm())
    _, _, first = store.build(four)
    assert store.model("run-1").k == 4
    three = four[four["rfm_segment"] != "New"]
    decision, fits, segments = store.build(three, refit_requested=True, match_max_distance=-1.0)
    matches = fits[fits["row_kind"] == "match"]
    assert store.model("run-2").k == 3
    assert matches["segment_id"].notna().sum() == 3
    kept = matches[matches["segment_id"].notna()]
    assert (kept["segment_id"] == kept["previous_segment_id"]).all()
    assert matches.loc[matches["segment_id"].isna(), "previous_segment_label"].tolist() == ["New"]
    both = first.merge(segments, on="customer_id", suffixes=("_before", "_after"))
    assert len(both) == len(three)
    assert (both["segment_id_before"] == both["segment_id_after"]).all()
    assert decision["next_segment_id"] == 5
