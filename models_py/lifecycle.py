"""The segment model's lifecycle: a build scores with the stored model unless a refit is due
(asked for, the k setting changed, the model too old in days of data, or the customers drifted
away from what it was fitted on); after a refit, each new segment takes over the id of the stored
segment it continues, so an id keeps its meaning across refits.

Drift is measured two ways against the fit: the population stability index (PSI) of each
feature over bins fixed at fit time (deciles of the training customers), and the share of
customers farther from every centroid than FAR_QUANTILE of the training customers were.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from models_py import features
from models_py.errors import SegmentationError
from models_py.segment_model import SegmentModel

log = logging.getLogger(__name__)

REFERENCE_BINS = 10
# a training customer is "near" when within this quantile of the training distances
FAR_QUANTILE = 0.99
# empty bins would make the PSI infinite; a share below this counts as this
PSI_FLOOR = 1e-4

# refit reasons, in the order they are checked; the first that applies is the run's reason
REASONS = {
    "requested": "a refit was asked for",
    "no_stored_model": "no stored model for this store",
    "k_setting_changed": "the segment_k setting differs from the stored model's",
    "as_of_before_fit": "the as-of date is before the stored model's",
    "model_age": "the stored model is too old",
    "feature_drift": "a feature's distribution drifted",
    "far_from_centroids": "too many customers are far from every segment",
}


@dataclass(frozen=True)
class LifecycleSettings:
    """A store's run settings (dbt vars, via int_commerce_segmentation_runs)."""

    refit_requested: bool = False
    forced_k: int | None = None
    max_age_days: int = 30
    max_feature_psi: float = 0.25
    max_far_share: float = 0.05
    match_max_distance: float = 1.0


@dataclass(frozen=True)
class StoredModel:
    """The model a store scores with until its next refit, and what drift is measured against."""

    model: SegmentModel
    fit_as_of_date: date
    forced_k: int | None
    far_distance: float
    reference: pd.DataFrame  # feature, bin, upper_bound (null on the last bin), share
    max_segment_id: int  # the largest id any of the store's models ever used


@dataclass(frozen=True)
class Drift:
    """Today's customers against the stored model's fit."""

    psi: dict[str, float]
    far_share: float


@dataclass(frozen=True)
class RefitDecision:
    refit: bool
    reason: str | None  # code of the first reason that applies (REASONS); None: scored
    detail: str  # every reason that applies, or why the stored model was kept, in words
    age_days: int | None
    drift: Drift | None


def reference_distribution(
    customers: pd.DataFrame, bins: int = REFERENCE_BINS, feature_names=features.RFM_FEATURES
) -> pd.DataFrame:
    """Per feature, bins at the training customers' deciles (observed values, so discrete
    features with many ties get fewer bins) and the share of training customers in each. Bin b
    holds values <= upper_bound and above the previous bin's bound; the last bin is unbounded."""
    rows = []
    for feature in feature_names:
        values = customers[feature].to_numpy(float)
        quantiles = np.quantile(values, np.arange(1, bins) / bins, method="lower")
        bounds = np.unique(quantiles)
        shares = bin_shares(values, bounds)
        for b, share in enumerate(shares, start=1):
            rows.append(
                {
                    "feature": feature,
                    "bin": b,
                    "upper_bound": float(bounds[b - 1]) if b <= len(bounds) else None,
                    "share": float(share),
                }
            )
    return pd.DataFrame(rows, columns=["feature", "bin", "upper_bound", "share"])


def bin_shares(values: np.ndarray, upper_bounds: np.ndarray) -> np.ndarray:
    """Share of values in each bin (len(upper_bounds) + 1 bins, right-closed)."""
    index = np.searchsorted(np.asarray(upper_bounds, float), values, side="left")
    counts = np.bincount(index, minlength=len(upper_bounds) + 1)
    return counts / max(len(values), 1)


def population_stability(expected: np.ndarray, actual: np.ndarray) -> float:
    """PSI = sum over bins of (actual - expected) * ln(actual / expected), shares floored."""
    e = np.maximum(np.asarray(expected, float), PSI_FLOOR)
    a = np.maximum(np.asarray(actual, float), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def far_distance(model: SegmentModel, customers: pd.DataFrame) -> float:
    """Distance to the nearest centroid within which FAR_QUANTILE of these customers fall."""
    _, distances = model.assign(customers[list(model.features)].to_numpy(float))
    return float(np.quantile(distances, FAR_QUANTILE))


def measure_drift(stored: StoredModel, customers: pd.DataFrame) -> Drift:
    """PSI of each feature against the fit's bins, and the share of customers farther from every
    centroid than the fit's far distance."""
    psi = {}
    for feature, bins in stored.reference.groupby("feature", sort=False):
        bins = bins.sort_values("bin")
        bounds = bins["upper_bound"].dropna().to_numpy(float)
        actual = bin_shares(customers[feature].to_numpy(float), bounds)
        psi[str(feature)] = population_stability(bins["share"].to_numpy(float), actual)
    _, distances = stored.model.assign(customers[list(stored.model.features)].to_numpy(float))
    far_share = float((distances > stored.far_distance).mean()) if len(distances) else 0.0
    return Drift(psi, far_share)


def decide(
    settings: LifecycleSettings,
    stored: StoredModel | None,
    customers: pd.DataFrame,
    as_of_date: date,
) -> RefitDecision:
    """Whether a store refits this run and why (every reason that applies is in the detail)."""
    if stored is None:
        reasons = [("requested", REASONS["requested"])] if settings.refit_requested else []
        reasons.append(("no_stored_model", REASONS["no_stored_model"]))
        return RefitDecision(True, reasons[0][0], "; ".join(t for _, t in reasons), None, None)

    age = (as_of_date - stored.fit_as_of_date).days
    drift = measure_drift(stored, customers) if len(customers) else None
    reasons: list[tuple[str, str]] = []
    if settings.refit_requested:
        reasons.append(("requested", REASONS["requested"]))
    if settings.forced_k != stored.forced_k:
        reasons.append(
            (
                "k_setting_changed",
                f"segment_k is {settings.forced_k or 'unset'}, the stored model's"
                f" {stored.forced_k or 'unset'}",
            )
        )
    if age < 0:
        reasons.append(
            (
                "as_of_before_fit",
                f"as-of date {as_of_date} is before the fit's {stored.fit_as_of_date}",
            )
        )
    if age > settings.max_age_days:
        reasons.append(
            ("model_age", f"fitted {age} days of data ago (limit {settings.max_age_days})")
        )
    if drift is not None:
        worst = max(drift.psi, key=drift.psi.get)
        if drift.psi[worst] > settings.max_feature_psi:
            reasons.append(
                (
                    "feature_drift",
                    f"PSI of {worst} {drift.psi[worst]:.3f} (limit {settings.max_feature_psi})",
                )
            )
        if drift.far_share > settings.max_far_share:
            reasons.append(
                (
                    "far_from_centroids",
                    f"{drift.far_share:.1%} of customers beyond the fit's {FAR_QUANTILE:.0%}"
                    f" distance (limit {settings.max_far_share:.1%})",
                )
            )
    if reasons:  # appended in the order of REASONS: the first is the run's reason
        return RefitDecision(True, reasons[0][0], "; ".join(t for _, t in reasons), age, drift)
    kept = f"fitted {age} day{'' if age == 1 else 's'} of data ago"
    if drift is not None:
        kept += (
            f"; largest PSI {max(drift.psi.values()):.3f}, {drift.far_share:.1%} of customers"
            " far from every segment"
        )
    return RefitDecision(False, None, kept, age, drift)


def centroid_distances(new: SegmentModel, previous: SegmentModel) -> np.ndarray:
    """Distance from each new centroid (rows) to each previous one (columns), in the new model's
    standardised space: the previous centroids are taken back to their units and standardised
    with the new scaler, so two fits with different scalers are compared on the same scale."""
    previous_values = features.unscale(previous.centroids, previous.scaler)
    previous_in_new = new.standardise(previous_values)
    return np.sqrt(((new.centroids[:, None, :] - previous_in_new[None, :, :]) ** 2).sum(axis=2))


def _same_label_pairs(
    new: SegmentModel, previous: SegmentModel, continued: dict[int, int]
) -> dict[int, int]:
    """Rows of the new model (keys) and of the previous one (values) left unmatched by distance
    that carry the same label (labels are unique within a model). A label told apart by its id
    ("... #2") names no meaning of its own and is left out."""
    open_previous = {
        previous.labels[row]: row
        for row in range(previous.k)
        if row not in continued.values() and " #" not in previous.labels[row]
    }
    return {
        row: open_previous[new.labels[row]]
        for row in range(new.k)
        if row not in continued and new.labels[row] in open_previous
    }


def match_segments(
    new: SegmentModel,
    previous: SegmentModel | None,
    max_distance: float,
    next_id: int,
) -> tuple[SegmentModel, pd.DataFrame]:
    """The new model with each segment under the id of the previous segment it continues, and
    the match, one row per new segment (previous_segment_id null: a new segment) and per
    previous segment no new one continues (segment_id null: retired).

    New and previous segments are paired one to one at the least total centroid distance
    (Hungarian algorithm); a pair farther apart than max_distance is no match. A new segment left
    unmatched continues an unmatched previous segment of the same label (the same meaning to the
    people who act on it, so its customers did not move). Unmatched new
    segments get ids from next_id up (in the new model's value order), so a retired id is never
    given to another segment."""
    if previous is None:
        rows = [
            {
                "segment_id": sid,
                "previous_segment_id": None,
                "centroid_distance": None,
                "segment_label": new.label(sid),
                "previous_segment_label": None,
            }
            for sid in new.segment_ids
        ]
        return new, pd.DataFrame(rows)
    distances = centroid_distances(new, previous)
    new_rows, previous_rows = linear_sum_assignment(distances)
    continued = {
        int(n): int(p)
        for n, p in zip(new_rows, previous_rows, strict=True)
        if distances[n, p] <= max_distance
    }
    continued.update(_same_label_pairs(new, previous, continued))
    ids, fresh = [], next_id
    for row in range(new.k):
        if row in continued:
            ids.append(previous.segment_ids[continued[row]])
        else:
            ids.append(fresh)
            fresh += 1
    matched = new.renumbered(ids)
    rows = []
    for row in range(new.k):
        previous_row = continued.get(row)
        nearest = previous_row if previous_row is not None else int(np.argmin(distances[row]))
        rows.append(
            {
                "segment_id": ids[row],
                "previous_segment_id": previous.segment_ids[previous_row]
                if previous_row is not None
                else None,
                "centroid_distance": float(distances[row, nearest]),
                "segment_label": matched.label(ids[row]),
                "previous_segment_label": previous.labels[previous_row]
                if previous_row is not None
                else None,
            }
        )
    for previous_row in sorted(set(range(previous.k)) - set(continued.values())):
        rows.append(
            {
                "segment_id": None,
                "previous_segment_id": previous.segment_ids[previous_row],
                "centroid_distance": float(distances[:, previous_row].min()),
                "segment_label": None,
                "previous_segment_label": previous.labels[previous_row],
            }
        )
    log.info("segment ids after refit: %s (%d continued)", ids, len(continued))
    return matched, pd.DataFrame(rows)


def stored_model(versions: pd.DataFrame, reference: pd.DataFrame) -> StoredModel | None:
    """A store's latest stored model (rows of marts.segment_model_versions, newest fit by
    fitted_at then run id) with its drift reference; None when the store has none."""
    if versions.empty:
        return None
    latest_run = (
        versions[["model_run_id", "fitted_at"]]
        .drop_duplicates()
        .sort_values(["fitted_at", "model_run_id"], kind="mergesort")["model_run_id"]
        .iloc[-1]
    )
    rows = versions[versions["model_run_id"] == latest_run]
    own_reference = reference[reference["model_run_id"] == latest_run]
    if own_reference.empty:
        raise SegmentationError(f"stored model {latest_run} has no drift reference")
    forced = rows["forced_k"].iloc[0]
    return StoredModel(
        model=SegmentModel.from_rows(rows),
        fit_as_of_date=pd.Timestamp(rows["fit_as_of_date"].iloc[0]).date(),
        forced_k=None if pd.isna(forced) else int(forced),
        far_distance=float(rows["far_distance"].iloc[0]),
        reference=own_reference[["feature", "bin", "upper_bound", "share"]],
        max_segment_id=int(versions["segment_id"].max()),
    )
