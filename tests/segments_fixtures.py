"""Crafted RFM frames for the models_py unit tests: planted, well-separated customer groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models_py.segment_model import ROW_COLUMNS

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


def store_runs(
    *stores: str, forced_k=pd.NA, run_id: str = "run-1", as_of: str = "2011-12-10", **settings
) -> pd.DataFrame:
    """int_commerce_segmentation_runs rows: one per store, the lifecycle settings at their
    defaults unless given (refit_requested, max_model_age_days, max_feature_psi, ...)."""
    defaults = {
        "refit_requested": False,
        "max_model_age_days": 30,
        "max_feature_psi": 0.25,
        "max_far_share": 0.05,
        "match_max_distance": 1.0,
    }
    return pd.DataFrame(
        {
            "store": list(stores),
            "model_run_id": run_id,
            "run_started_at": pd.Timestamp(as_of) + pd.Timedelta(hours=1),
            "as_of_date": pd.Timestamp(as_of),
            "forced_k": [forced_k] * len(stores),
            **{name: settings.get(name, value) for name, value in defaults.items()},
        }
    )


def stored_from_fits(fits: pd.DataFrame, runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the model store's marts keep of int_segment_fits (segment_model_versions and
    segment_drift_reference), as the next build's int_segment_*_stored read them."""
    model = fits[fits["row_kind"] == "model"].merge(
        runs[["store", "model_run_id", "run_started_at"]], on=["store", "model_run_id"]
    )
    versions = model.rename(columns={"run_started_at": "fitted_at"})
    reference = fits.loc[
        fits["row_kind"] == "reference",
        ["store", "model_run_id", "feature", "bin", "upper_bound", "share"],
    ]
    return versions.reset_index(drop=True), reference.reset_index(drop=True)


# the model store's columns: the model's rows and the fit's own
EMPTY_VERSIONS = pd.DataFrame(
    columns=["store", *ROW_COLUMNS, "fitted_at", "fit_as_of_date", "forced_k", "far_distance"]
)
EMPTY_REFERENCE = pd.DataFrame(
    columns=["store", "model_run_id", "feature", "bin", "upper_bound", "share"]
)
