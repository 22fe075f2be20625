"""Score recency, frequency and monetary values against a stored segment model, without refitting.

The model is what the warehouse stores in `marts.segment_model`: the feature transform (log1p),
the scaler's mean and scale per feature, and each segment's centroid in the standardised space.
A customer belongs to the segment whose centroid is nearest (Euclidean); ties go to the lower
segment id, the same rule the SQL scoring macro uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models_py.clustering import squared_distances

FEATURES = ("recency", "frequency", "monetary")


@dataclass(frozen=True)
class SegmentModel:
    """A fitted segmentation, as loaded from the warehouse."""

    run_id: str
    segment_ids: tuple[int, ...]
    labels: tuple[str, ...]
    suggestions: tuple[str, ...]
    means: np.ndarray  # per feature, in FEATURES order, after log1p
    scales: np.ndarray  # per feature
    centroids: np.ndarray  # segments x features, standardised space, rows in segment_ids order

    def __post_init__(self) -> None:
        k = len(self.segment_ids)
        if k == 0:
            raise ValueError("segment model has no segments")
        if self.centroids.shape != (k, len(FEATURES)):
            raise ValueError(f"centroids must be {k} x {len(FEATURES)}, got {self.centroids.shape}")
        if not (len(self.labels) == len(self.suggestions) == k):
            raise ValueError("one label and one suggestion per segment are required")
        if np.any(self.scales <= 0):
            raise ValueError("scaler scales must be positive")


@dataclass(frozen=True)
class Assignment:
    segment_id: int
    label: str
    suggestion: str
    distance: float


def standardise(model: SegmentModel, rfm: np.ndarray) -> np.ndarray:
    """rows of (recency, frequency, monetary) -> the model's standardised feature space."""
    return (np.log1p(rfm) - model.means) / model.scales


def nearest_segments(model: SegmentModel, rfm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest centroid and its distance, for each row of (r, f, m)."""
    features = standardise(model, np.asarray(rfm, dtype=float).reshape(-1, len(FEATURES)))
    distances = squared_distances(features, model.centroids)
    nearest = distances.argmin(axis=1)  # first minimum: the lowest segment id wins ties
    return nearest, np.sqrt(distances[np.arange(len(nearest)), nearest])


def assign(model: SegmentModel, recency: float, frequency: float, monetary: float) -> Assignment:
    """The segment of one customer."""
    index, distance = nearest_segments(model, np.array([[recency, frequency, monetary]]))
    i = int(index[0])
    return Assignment(
        model.segment_ids[i], model.labels[i], model.suggestions[i], float(distance[0])
    )
