"""The customer segment model: fitted once, stored as rows of `marts.segment_model`, read back by
the build (scoring every customer), the API and the dashboard. The one nearest-centroid scoring
in Python; the SQL twin is dbt macro `score_segments`, and a dbt test checks that the two agree.

A customer's features (`features.RFM_FEATURES`) are log1p-transformed, standardised with the
stored mean and scale, and assigned to the nearest centroid (squared Euclidean); ties go to the
lower segment id. A first fit numbers its segments 1..k, 1 the most valuable (centroid monetary,
then frequency, descending); a refit keeps the ids of the segments it continues
(models_py/lifecycle.py), so ids are unique positive integers, not always 1..k.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models_py import clustering, features, labelling
from models_py.errors import SegmentationError

# segment 1 is the most valuable: order by centroid monetary, then frequency, descending
ORDER_KEY = (features.RFM_FEATURES.index("monetary"), features.RFM_FEATURES.index("frequency"))

# columns of marts.segment_model, one row per segment and feature
ROW_COLUMNS = (
    "model_run_id",
    "segment_id",
    "segment_label",
    "dominant_rfm_segment",
    "segment_position",
    "feature",
    "feature_order",
    "transform",
    "scaler_mean",
    "scaler_scale",
    "centroid_scaled",
    "centroid_value",
)


@dataclass(frozen=True)
class SegmentModel:
    """A fitted segmentation: scaler, centroids (row i = segment segment_ids[i], ids ascending)
    and what each segment is. No segment_ids means 1..k."""

    run_id: str
    scaler: features.FeatureScaler
    centroids: np.ndarray
    labels: tuple[str, ...]
    dominant_rfm_segments: tuple[str | None, ...]
    positions: tuple[str, ...]
    segment_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        k = len(self.labels)
        if k == 0:
            raise SegmentationError("segment model has no segments")
        if not self.segment_ids:
            object.__setattr__(self, "segment_ids", tuple(range(1, k + 1)))
        ids = self.segment_ids
        if len(ids) != k or any(i < 1 for i in ids) or list(ids) != sorted(set(ids)):
            raise SegmentationError(
                f"segment ids must be {k} distinct positive integers in ascending order, got {ids}"
            )
        if self.centroids.shape != (k, len(self.scaler.features)):
            raise SegmentationError(
                f"centroids must be {k} x {len(self.scaler.features)}, got {self.centroids.shape}"
            )
        if not (len(self.dominant_rfm_segments) == len(self.positions) == k):
            raise SegmentationError("one dominant RFM segment and one position per segment")
        if self.scaler.transform != features.TRANSFORM:
            raise SegmentationError(f"unknown transform {self.scaler.transform!r}")
        if np.any(self.scaler.scale <= 0):
            raise SegmentationError("scaler scales must be positive")

    @property
    def k(self) -> int:
        return len(self.labels)

    @property
    def features(self) -> tuple[str, ...]:
        return self.scaler.features

    @classmethod
    def fit(
        cls,
        customers: pd.DataFrame,
        k: int,
        run_id: str,
        rfm_segment_order: list[str] | None = None,
        random_state: int = clustering.RANDOM_STATE,
        n_init: int = clustering.N_INIT,
        segment_names: Mapping[str, str] | None = None,
    ) -> SegmentModel:
        """KMeans with k segments on segmentable customers (features.segmentable_customers),
        each labelled by the segment_names entry of its most common RFM segment (seed
        rfm_segment_rules: a cluster's name differs from the RFM segment's own)."""
        scaler = features.fit_scaler(customers)
        x = features.scale_features(customers, scaler)
        fit = clustering.fit_segments(x, k, ORDER_KEY, random_state, n_init)
        rfm_segments = customers.get("rfm_segment", pd.Series([None] * len(customers))).tolist()
        dominant = labelling.dominant_category(fit.labels, rfm_segments, rfm_segment_order or [])
        names = segment_names or {}
        labels = labelling.label_segments(
            {s: names.get(rfm_segment, rfm_segment) for s, rfm_segment in dominant.items()},
            fit.centroids,
            scaler.features,
        )
        return cls(
            run_id=run_id,
            scaler=scaler,
            centroids=fit.centroids,
            labels=tuple(labels[s] for s in range(1, k + 1)),
            dominant_rfm_segments=tuple(dominant.get(s) for s in range(1, k + 1)),
            positions=tuple(
                labelling.describe_position(fit.centroids[s], scaler.features) for s in range(k)
            ),
        )

    def standardise(self, values: np.ndarray) -> np.ndarray:
        """Rows of raw feature values (in `features` order) -> the model's standardised space."""
        values = np.asarray(values, dtype=float).reshape(-1, len(self.features))
        return (np.log1p(values) - self.scaler.mean) / self.scaler.scale

    def assign(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Segment id of the nearest centroid and the distance to it, for each row."""
        position, squared = clustering.nearest_centroids(self.standardise(values), self.centroids)
        return np.asarray(self.segment_ids, dtype="int64")[position - 1], np.sqrt(squared)

    def position_of(self, segment_id: int) -> int:
        """Row of the segment in centroids, labels and the other per-segment tuples."""
        try:
            return self.segment_ids.index(int(segment_id))
        except ValueError:
            raise SegmentationError(f"segment model has no segment {segment_id}") from None

    def label(self, segment_id: int) -> str:
        return self.labels[self.position_of(segment_id)]

    def renumbered(self, new_ids: list[int]) -> SegmentModel:
        """The same segments under new ids (new_ids[i] for row i), rows re-sorted by id. A label
        told apart by its id ("... #2") follows the id."""
        if sorted(set(new_ids)) != sorted(new_ids) or len(new_ids) != self.k:
            raise SegmentationError(f"need {self.k} distinct new segment ids, got {new_ids}")
        order = np.argsort(new_ids, kind="stable")

        def relabel(row: int) -> str:
            label, old = self.labels[row], self.segment_ids[row]
            suffix = f" #{old}"
            return label[: -len(suffix)] + f" #{new_ids[row]}" if label.endswith(suffix) else label

        return SegmentModel(
            run_id=self.run_id,
            scaler=self.scaler,
            centroids=self.centroids[order],
            labels=tuple(relabel(i) for i in order),
            dominant_rfm_segments=tuple(self.dominant_rfm_segments[i] for i in order),
            positions=tuple(self.positions[i] for i in order),
            segment_ids=tuple(int(new_ids[i]) for i in order),
        )

    def to_rows(self) -> pd.DataFrame:
        """The model as `marts.segment_model` rows: one per segment and feature."""
        raw_centroids = features.unscale(self.centroids, self.scaler)
        rows = [
            {
                "model_run_id": self.run_id,
                "segment_id": self.segment_ids[s],
                "segment_label": self.labels[s],
                "dominant_rfm_segment": self.dominant_rfm_segments[s],
                "segment_position": self.positions[s],
                "feature": feature,
                "feature_order": j + 1,
                "transform": self.scaler.transform,
                "scaler_mean": float(self.scaler.mean[j]),
                "scaler_scale": float(self.scaler.scale[j]),
                "centroid_scaled": float(self.centroids[s, j]),
                "centroid_value": float(raw_centroids[s, j]),
            }
            for s in range(self.k)
            for j, feature in enumerate(self.features)
        ]
        return pd.DataFrame(rows, columns=list(ROW_COLUMNS))

    @classmethod
    def from_rows(cls, rows: pd.DataFrame) -> SegmentModel:
        """Read a model back from its `marts.segment_model` rows (one store, one run)."""
        missing = [c for c in ROW_COLUMNS if c not in rows.columns]
        if missing:
            raise SegmentationError(f"segment model rows lack column(s): {', '.join(missing)}")
        if rows.empty:
            raise SegmentationError("segment model has no rows")
        if rows["model_run_id"].nunique() != 1:
            raise SegmentationError("segment model rows must come from one run")
        ordered = rows.sort_values(["segment_id", "feature_order"], kind="mergesort")
        per_feature = ordered.drop_duplicates("feature_order")
        feats = tuple(per_feature["feature"])
        if feats != features.RFM_FEATURES:
            raise SegmentationError(
                f"segment model features {feats} are not {features.RFM_FEATURES}"
            )
        k = ordered["segment_id"].nunique()
        if (ordered["segment_id"].astype(int) < 1).any():
            raise SegmentationError("segment ids in the model must be positive")
        if len(ordered) != k * len(feats):
            raise SegmentationError("segment model needs one row per segment and feature")
        per_segment = ordered.drop_duplicates("segment_id")
        return cls(
            run_id=str(ordered["model_run_id"].iloc[0]),
            scaler=features.FeatureScaler(
                feats,
                per_feature["scaler_mean"].to_numpy(float),
                per_feature["scaler_scale"].to_numpy(float),
                str(per_feature["transform"].iloc[0]),
            ),
            centroids=ordered["centroid_scaled"].to_numpy(float).reshape(k, len(feats)),
            labels=tuple(str(v) for v in per_segment["segment_label"]),
            dominant_rfm_segments=tuple(
                None if pd.isna(v) else str(v) for v in per_segment["dominant_rfm_segment"]
            ),
            positions=tuple(str(v) for v in per_segment["segment_position"]),
            segment_ids=tuple(int(v) for v in per_segment["segment_id"]),
        )
