"""Choosing k: inertia, silhouette, Calinski-Harabasz and Davies-Bouldin for a range of k.

Rule (stored with the choice): a forced k wins. Otherwise find the elbow of the inertia curve
with kneed (convex, decreasing) and take, among elbow-1, elbow and elbow+1, the k with the best
silhouette (ties: smaller k). Without an elbow, take the k with the best silhouette.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from kneed import KneeLocator
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from threadpoolctl import threadpool_limits

from models_py.clustering import N_INIT, RANDOM_STATE, kmeans, n_distinct_rows
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

K_MIN = 2
K_MAX = 10
SILHOUETTE_SAMPLE = 2000
# k is chosen on at most this many customers (fixed-seed sample): nine KMeans fits with ten
# initialisations each grow with the customers, the shape of the inertia curve hardly does.
# The segments themselves are then fitted on every customer.
FIT_SAMPLE = 10_000


@dataclass(frozen=True)
class KChoice:
    """The chosen k, the elbow found (if any) and the reason in words."""

    k: int
    elbow_k: int | None
    reason: str


def k_range(x: np.ndarray, k_min: int = K_MIN, k_max: int = K_MAX) -> list[int]:
    """The k values to try, capped so that every k leaves at least one customer to spare."""
    distinct = n_distinct_rows(x)
    if len(x) < 3 or distinct < 3:
        raise SegmentationError(
            f"need at least 3 distinct customers to choose k, got {distinct} distinct of {len(x)}"
        )
    upper = min(k_max, distinct - 1)
    return list(range(k_min, upper + 1))


def k_metrics(
    x: np.ndarray,
    ks: list[int],
    random_state: int = RANDOM_STATE,
    n_init: int = N_INIT,
    silhouette_sample: int = SILHOUETTE_SAMPLE,
) -> pd.DataFrame:
    """One row per k: inertia, silhouette (fixed-seed sample), Calinski-Harabasz, Davies-Bouldin."""
    rows = []
    for k in ks:
        model = kmeans(x, k, random_state, n_init)
        labels = model.labels_
        sample = min(silhouette_sample, len(x))
        with threadpool_limits(limits=1):
            rows.append(
                {
                    "k": k,
                    "inertia": float(model.inertia_),
                    "silhouette": float(
                        silhouette_score(x, labels, sample_size=sample, random_state=random_state)
                    ),
                    "calinski_harabasz": float(calinski_harabasz_score(x, labels)),
                    "davies_bouldin": float(davies_bouldin_score(x, labels)),
                    "silhouette_sample_size": sample,
                }
            )
        log.info("k=%d %s", k, rows[-1])
    return pd.DataFrame(rows)


def elbow(metrics: pd.DataFrame) -> int | None:
    """Elbow of the inertia curve (kneed, convex and decreasing), or None when there is none."""
    if len(metrics) < 3:
        return None
    knee = KneeLocator(
        metrics["k"].tolist(),
        metrics["inertia"].tolist(),
        curve="convex",
        direction="decreasing",
    ).knee
    return int(knee) if knee is not None else None


def _best_silhouette(metrics: pd.DataFrame) -> int:
    ranked = metrics.sort_values(["silhouette", "k"], ascending=[False, True], kind="mergesort")
    return int(ranked["k"].iloc[0])


def choose_k(metrics: pd.DataFrame, forced_k: int | None = None) -> KChoice:
    """Apply the documented rule to the metrics table."""
    elbow_k = elbow(metrics)
    if forced_k is not None:
        return KChoice(int(forced_k), elbow_k, f"k={int(forced_k)} forced by the segment_k var")
    best_k = _best_silhouette(metrics)
    best = metrics.set_index("k")["silhouette"]
    if elbow_k is None:
        return KChoice(
            best_k,
            None,
            f"no elbow in inertia; k={best_k} has the best silhouette ({best[best_k]:.3f})",
        )
    window = metrics[metrics["k"].between(elbow_k - 1, elbow_k + 1)]
    chosen = _best_silhouette(window)
    return KChoice(
        chosen,
        elbow_k,
        f"inertia elbow (kneed) at k={elbow_k}; k={chosen} has the best silhouette "
        f"({best[chosen]:.3f}) among k={int(window['k'].min())}..{int(window['k'].max())} "
        f"(best overall: k={best_k}, {best[best_k]:.3f})",
    )


def fit_sample(x: np.ndarray, size: int, random_state: int = RANDOM_STATE) -> np.ndarray:
    """At most `size` rows of x, drawn with a fixed seed and kept in their original order."""
    if len(x) <= size:
        return x
    rows = np.random.default_rng(random_state).choice(len(x), size=size, replace=False)
    return x[np.sort(rows)]


def k_selection_table(
    x: np.ndarray,
    forced_k: int | None = None,
    random_state: int = RANDOM_STATE,
    n_init: int = N_INIT,
    k_min: int = K_MIN,
    k_max: int = K_MAX,
    fit_sample_size: int = FIT_SAMPLE,
) -> tuple[pd.DataFrame, KChoice]:
    """Metrics for every k in range plus the choice: is_chosen, is_elbow and the reason on each row."""
    x = fit_sample(x, fit_sample_size, random_state)
    ks = k_range(x, k_min, k_max)
    if forced_k is not None and forced_k not in ks:
        raise SegmentationError(
            f"segment_k={forced_k} is outside the possible range {ks[0]}..{ks[-1]}"
        )
    metrics = k_metrics(x, ks, random_state, n_init)
    choice = choose_k(metrics, forced_k)
    table = metrics.assign(
        fit_sample_size=len(x),
        is_chosen=metrics["k"].eq(choice.k),
        is_elbow=metrics["k"].eq(choice.elbow_k if choice.elbow_k is not None else -1),
        choice_reason=choice.reason,
    )
    return table, choice
