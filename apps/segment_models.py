"""Each store's segment model of a published warehouse, as both the API and the dashboard score with.

A store's model is `SegmentModel.from_rows` on its `marts.segment_model` rows, with each segment's
suggestion from `marts.segment_profiles` and the model's lifecycle (when it was fitted, its age,
why it was last refitted) from `marts.segmentation_runs`; `score` is the one scoring call of
apps/ (the model's own `assign`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

import duckdb
import numpy as np
import pandas as pd

from apps.stores import stores
from apps.warehouse import Snapshot, WarehouseContentError
from models_py.errors import SegmentationError
from models_py.segment_model import SegmentModel

MODEL_QUERY = "select * from marts.segment_model order by store, segment_id, feature_order"
SUGGESTIONS_QUERY = """
select store, segment_id, suggestion
from marts.segment_profiles
order by store, segment_id
"""
# Per store: the latest run (its as-of date and the model's age then) and the run that fitted
# the model it scored with (why that refit happened).
LIFECYCLE_QUERY = """
with latest as (
    select *
    from marts.segmentation_runs
    qualify row_number() over (
        partition by store order by run_started_at desc, model_run_id desc
    ) = 1
)
select
    latest.store,
    latest.segment_model_run_id,
    latest.as_of_date,
    latest.model_fit_as_of_date,
    latest.model_age_days,
    latest.is_refit,
    fitting.run_started_at as fitted_at,
    fitting.refit_reason,
    fitting.refit_decision
from latest
left join marts.segmentation_runs as fitting
    on fitting.store = latest.store and fitting.model_run_id = latest.segment_model_run_id
"""


class InvalidSegmentModel(WarehouseContentError):
    """A store's stored segment model cannot be used; the message names no server file."""


@dataclass(frozen=True)
class ModelLifecycle:
    """How old a store's model is and why it was fitted (marts.segmentation_runs)."""

    fitted_at: datetime | None  # when the build that fitted it started (UTC)
    fit_as_of_date: date | None  # the as-of date of the data it was fitted on
    age_days: int | None  # days of data between that and the latest build's as-of date
    refit_reason: str | None  # why that build refitted (code, segmentation_runs.refit_reason)
    refit_decision: str | None  # the same in words
    latest_build_refitted: bool | None


@dataclass(frozen=True)
class StoreModel:
    """One store's segment model, what to suggest for each of its segments, and its lifecycle
    (None on a warehouse built before the model lifecycle)."""

    store: str
    model: SegmentModel
    suggestions: tuple[str, ...]  # in the order of model.segment_ids
    lifecycle: ModelLifecycle | None = None

    def suggestion(self, segment_id: int) -> str:
        return self.suggestions[self.model.position_of(segment_id)]


@dataclass(frozen=True)
class Score:
    """Where one customer's recency, frequency and monetary value fall in a store's model."""

    segment_id: int
    label: str
    suggestion: str
    distance: float


def score(store_model: StoreModel, recency_days: int, frequency: int, monetary: float) -> Score:
    """The segment of one customer: nearest centroid by the model's own `assign`."""
    # from_rows guarantees the model's features are RFM_FEATURES: recency_days, frequency, monetary
    values = np.array([[recency_days, frequency, monetary]], dtype=float)
    segments, distances = store_model.model.assign(values)
    segment_id = int(segments[0])
    return Score(
        segment_id=segment_id,
        label=store_model.model.label(segment_id),
        suggestion=store_model.suggestion(segment_id),
        distance=float(distances[0]),
    )


def store_models(snapshot: Snapshot) -> Mapping[str, StoreModel]:
    """Every store's model (the stores of seed `stores`), read once per snapshot."""
    return snapshot.memo("store_models", lambda: load_store_models(snapshot))


def load_store_models(snapshot: Snapshot) -> Mapping[str, StoreModel]:
    """Read every store's model; InvalidSegmentModel when a store has none or an unusable one."""
    names = stores(snapshot)
    if not names:
        raise InvalidSegmentModel("no usable segment model: the warehouse lists no store")
    if not snapshot.has_table("segment_model") or not snapshot.has_table("segment_profiles"):
        raise InvalidSegmentModel(
            "no usable segment model: marts.segment_model or segment_profiles is missing (build the warehouse first)"
        )
    rows = snapshot.query(MODEL_QUERY)
    if rows.empty:
        raise InvalidSegmentModel(
            "no usable segment model: marts.segment_model is empty (build the warehouse first)"
        )
    suggestions = snapshot.query(SUGGESTIONS_QUERY)
    lifecycles = model_lifecycles(snapshot)
    return MappingProxyType(
        {store: _store_model(store, rows, suggestions, lifecycles.get(store)) for store in names}
    )


def _optional(value):
    return None if pd.isna(value) else value


def model_lifecycles(snapshot: Snapshot) -> dict[str, ModelLifecycle]:
    """Each store's model lifecycle; empty on a warehouse whose runs predate it."""
    if not snapshot.has_table("segmentation_runs"):
        return {}
    try:
        frame = snapshot.query(LIFECYCLE_QUERY)
    except duckdb.BinderException:  # segmentation_runs without the lifecycle's columns
        return {}
    lifecycles = {}
    for row in frame.itertuples(index=False):
        fitted_at, fit_as_of = _optional(row.fitted_at), _optional(row.model_fit_as_of_date)
        age, refitted = _optional(row.model_age_days), _optional(row.is_refit)
        lifecycles[row.store] = ModelLifecycle(
            fitted_at=None if fitted_at is None else pd.Timestamp(fitted_at).to_pydatetime(),
            fit_as_of_date=None if fit_as_of is None else pd.Timestamp(fit_as_of).date(),
            age_days=None if age is None else int(age),
            refit_reason=_optional(row.refit_reason),
            refit_decision=_optional(row.refit_decision),
            latest_build_refitted=None if refitted is None else bool(refitted),
        )
    return lifecycles


def _store_model(
    store: str,
    rows: pd.DataFrame,
    suggestions: pd.DataFrame,
    lifecycle: ModelLifecycle | None = None,
) -> StoreModel:
    problem = f"no usable segment model for store {store!r}"
    own = rows[rows["store"] == store].drop(columns="store")
    if own.empty:
        raise InvalidSegmentModel(f"{problem}: marts.segment_model has no rows for it")
    try:
        model = SegmentModel.from_rows(own)
    except SegmentationError as exc:
        raise InvalidSegmentModel(f"{problem}: {exc}") from exc
    by_segment = suggestions[suggestions["store"] == store].set_index("segment_id")["suggestion"]
    missing = [s for s in model.segment_ids if s not in by_segment.index]
    if missing:
        raise InvalidSegmentModel(
            f"{problem}: marts.segment_profiles has no suggestion for segment(s) {missing}"
        )
    suggestions = tuple(str(by_segment[s]) for s in model.segment_ids)
    return StoreModel(store, model, suggestions, lifecycle)
