"""KMeans with a stable segment numbering, nearest-centroid assignment and PCA coordinates."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

RANDOM_STATE = 42
N_INIT = 10
MAX_ITER = 300


@dataclass(frozen=True)
class Clustering:
    """Centroids (row i = segment i + 1), labels 1..k, and inertia of one KMeans fit."""

    centroids: np.ndarray
    labels: np.ndarray
    inertia: float


def n_distinct_rows(x: np.ndarray) -> int:
    """Number of distinct rows (KMeans cannot make more clusters than this)."""
    return int(np.unique(x, axis=0).shape[0]) if len(x) else 0


def kmeans(x: np.ndarray, k: int, random_state: int = RANDOM_STATE, n_init: int = N_INIT) -> KMeans:
    """A KMeans fit with every source of randomness pinned."""
    distinct = n_distinct_rows(x)
    if k < 2:
        raise SegmentationError(f"k must be at least 2, got {k}")
    if distinct < k:
        raise SegmentationError(f"cannot make {k} segments from {distinct} distinct customers")
    model = KMeans(
        n_clusters=k, n_init=n_init, random_state=random_state, max_iter=MAX_ITER, algorithm="lloyd"
    )
    # One native thread: OpenMP workers fight DuckDB's inside a dbt Python model (about 8x
    # slower on 2 cores), and a fixed thread count keeps floating-point sums identical.
    with threadpool_limits(limits=1):
        return model.fit(x)


def stable_order(centroids: np.ndarray, key_columns: tuple[int, ...]) -> np.ndarray:
    """Old cluster index for each new position: descending by the key columns (first = most valuable)."""
    keys = [-np.round(centroids[:, c], 12) for c in reversed(key_columns)]
    return np.lexsort(keys)


def nearest_centroids(x: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment 1..k of the nearest centroid for each row, and the squared Euclidean distance to
    it; ties go to the lower segment. The one nearest-centroid rule of the Python side (fitting
    here, scoring in SegmentModel.assign)."""
    distances = ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    nearest = distances.argmin(axis=1)  # first minimum: the lowest segment wins ties
    return nearest + 1, distances[np.arange(len(nearest)), nearest]


def fit_segments(
    x: np.ndarray,
    k: int,
    key_columns: tuple[int, ...] = (0,),
    random_state: int = RANDOM_STATE,
    n_init: int = N_INIT,
    score: np.ndarray | None = None,
) -> Clustering:
    """Fit KMeans and renumber segments 1..k: by descending mean score when given, else by centroid."""
    model = kmeans(x, k, random_state, n_init)
    centers = model.cluster_centers_
    if score is None:
        order = stable_order(centers, key_columns)
    else:
        first = nearest_centroids(x, centers)[0] - 1
        means = [
            float(score[first == c].mean()) if (first == c).any() else -np.inf for c in range(k)
        ]
        order = np.array(
            sorted(range(k), key=lambda c: (-round(means[c], 9), tuple(np.round(centers[c], 12))))
        )
    centroids = centers[order]
    labels, _ = nearest_centroids(x, centroids)
    log.info("kmeans k=%d inertia=%.3f sizes=%s", k, model.inertia_, np.bincount(labels)[1:])
    return Clustering(centroids, labels, float(model.inertia_))


def pca_coordinates(x: np.ndarray, n_components: int = 2) -> np.ndarray:
    """First principal components for plotting (full SVD: deterministic, signs fixed by sklearn)."""
    n = min(n_components, x.shape[1], x.shape[0])
    coords = PCA(n_components=n, svd_solver="full").fit_transform(x)
    if n < n_components:
        coords = np.hstack([coords, np.zeros((x.shape[0], n_components - n))])
    return coords
