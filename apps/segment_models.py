"""Each store's segment model of a published warehouse, as both the API and the dashboard score with.

A store's model is `SegmentModel.from_rows` on its `marts.segment_model` rows, with each segment's
suggestion from `marts.segment_profiles`; `score` is the one scoring call of apps/ (the model's
own `assign`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

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


class InvalidSegmentModel(WarehouseContentError):
    """A store's stored segment model cannot be used; the message names no server file."""


@dataclass(frozen=True)
class StoreModel:
    """One store's segment model and what to suggest for each of its segments."""

    store: str
    model: SegmentModel
    suggestions: tuple[str, ...]  # of segment 1..k

    def suggestion(self, segment_id: int) -> str:
        return self.suggestions[segment_id - 1]


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
    return MappingProxyType({store: _store_model(store, rows, suggestions) for store in names})


def _store_model(store: str, rows: pd.DataFrame, suggestions: pd.DataFrame) -> StoreModel:
    problem = f"no usable segment model for store {store!r}"
    own = rows[rows["store"] == store].drop(columns="store")
    if own.empty:
        raise InvalidSegmentModel(f"{problem}: marts.segment_model has no rows for it")
    try:
        model = SegmentModel.from_rows(own)
    except SegmentationError as exc:
        raise InvalidSegmentModel(f"{problem}: {exc}") from exc
    by_segment = suggestions[suggestions["store"] == store].set_index("segment_id")["suggestion"]
    segment_ids = range(1, model.k + 1)
    missing = [s for s in segment_ids if s not in by_segment.index]
    if missing:
        raise InvalidSegmentModel(
            f"{problem}: marts.segment_profiles has no suggestion for segment(s) {missing}"
        )
    return StoreModel(store, model, tuple(str(by_segment[s]) for s in segment_ids))
