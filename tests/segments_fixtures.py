"""Crafted RFM frames for the models_py unit tests: planted, well-separated customer groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

# name: (recency_days, frequency, monetary) at the group's centre
PLANTED = {
    "Champions": (4, 25, 8000.0),
    "Loyal": (45, 7, 1500.0),
    "New": (8, 1, 150.0),
    "Hibernating": (320, 1, 60.0),
}


def planted_rfm(per_group: int = 40, seed: int = 0) -> pd.DataFrame:
    """Customers around each planted centre (multiplicative noise), rfm_segment = the group name."""
    rng = np.random.default_rng(seed)
    frames = []
    next_id = 1000
    for name, (r, f, m) in PLANTED.items():
        noise = rng.lognormal(0.0, 0.12, size=(per_group, 3))
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": np.arange(next_id, next_id + per_group),
                    "recency_days": np.maximum(0, np.round(r * noise[:, 0])).astype(int),
                    "frequency": np.maximum(1, np.round(f * noise[:, 1])).astype(int),
                    "monetary": np.round(m * noise[:, 2], 2),
                    "rfm_segment": name,
                    "has_purchases": True,
                }
            )
        )
        next_id += per_group
    return pd.concat(frames, ignore_index=True)


def blobs(centres: list[tuple[float, ...]], per_blob: int = 50, spread: float = 0.1, seed: int = 0):
    """Points around each centre and the index of the centre each came from."""
    rng = np.random.default_rng(seed)
    x = np.vstack([rng.normal(c, spread, size=(per_blob, len(c))) for c in centres])
    y = np.repeat(np.arange(len(centres)), per_blob)
    return x, y
