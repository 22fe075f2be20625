"""The KMeans fit both baselines share: log1p, standardise, KMeans with a fixed seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

N_INIT = 10
RANDOM_STATE = 42


def fit_segments(rfm: pd.DataFrame, k: int) -> np.ndarray:
    """Segment labels for customers with purchases and positive monetary."""
    features = np.log1p(rfm[["recency", "frequency", "monetary"]].to_numpy(dtype=float))
    scaled = StandardScaler().fit_transform(features)
    return KMeans(n_clusters=k, n_init=N_INIT, random_state=RANDOM_STATE).fit_predict(scaled)
