"""Read the segment model the warehouse stores into a SegmentModel (the only place that knows the table layout)."""

from __future__ import annotations

import duckdb

from models_py.rfm_scoring import SegmentModel

# feature names in marts.segment_model, in the order SegmentModel expects (recency, frequency, monetary)
STORED_FEATURES = ("recency_days", "frequency", "monetary")

MODEL_QUERY = """
select m.segment_id, m.feature, m.centroid_scaled as centroid, m.scaler_mean, m.scaler_scale,
       m.transform, m.model_run_id as run_id, m.segment_label, p.suggestion
from marts.segment_model as m
join marts.segment_profiles as p using (segment_id)
order by m.segment_id, m.feature
"""


class InvalidSegmentModel(ValueError):
    """The warehouse's stored model cannot be used; the message names no server file."""


def load_segment_model(connection: duckdb.DuckDBPyConnection) -> SegmentModel:
    frame = connection.execute(MODEL_QUERY).df()
    if frame.empty:
        raise InvalidSegmentModel("marts.segment_model is empty: build the warehouse first")
    transforms = set(frame["transform"])
    if transforms != {"log1p"}:
        raise InvalidSegmentModel(
            f"unsupported feature transform(s) {sorted(transforms)}: expected log1p"
        )
    centroids = frame.pivot(index="segment_id", columns="feature", values="centroid")
    per_feature = frame.drop_duplicates("feature").set_index("feature")
    segments = frame.drop_duplicates("segment_id").set_index("segment_id").sort_index()
    return SegmentModel(
        run_id=str(frame["run_id"].iloc[0]),
        segment_ids=tuple(int(s) for s in segments.index),
        labels=tuple(segments["segment_label"]),
        suggestions=tuple(segments["suggestion"]),
        means=per_feature.loc[list(STORED_FEATURES), "scaler_mean"].to_numpy(dtype=float),
        scales=per_feature.loc[list(STORED_FEATURES), "scaler_scale"].to_numpy(dtype=float),
        centroids=centroids.loc[segments.index, list(STORED_FEATURES)].to_numpy(dtype=float),
    )
