"""The KMeans fit both baselines share: log1p, standardise, KMeans with a fixed seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from models_py.clustering import N_INIT, RANDOM_STATE  # the project's own KMeans settings


def fit_segments(rfm: pd.DataFrame, k: int) -> np.ndarray:
    """Segment labels for customers with purchases and positive monetary."""
    features = np.log1p(rfm[["recency", "frequency", "monetary"]].to_numpy(dtype=float))
    scaled = StandardScaler().fit_transform(features)
    return KMeans(n_clusters=k, n_init=N_INIT, random_state=RANDOM_STATE).fit_predict(scaled)
