"""RFM features: filter, log1p-transform and standardise, with the parameters kept for scoring."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

RFM_FEATURES: tuple[str, ...] = ("recency_days", "frequency", "monetary")
TRANSFORM = "log1p"


@dataclass(frozen=True)
class FeatureScaler:
    """Per-feature log1p + standardisation parameters: z = (log1p(x) - mean) / scale."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    transform: str = TRANSFORM

    def to_frame(self) -> pd.DataFrame:
        """One row per feature: transform, mean and scale (what SQL needs to score)."""
        return pd.DataFrame(
            {
                "feature": list(self.features),
                "transform": self.transform,
                "scaler_mean": self.mean.astype(float),
                "scaler_scale": self.scale.astype(float),
            }
        )


def segmentable_customers(rfm: pd.DataFrame, id_column: str = "customer_id") -> pd.DataFrame:
    """Customers with purchases and positive monetary, sorted by id so fits never depend on read order."""
    missing = [c for c in (id_column, *RFM_FEATURES) if c not in rfm.columns]
    if missing:
        raise SegmentationError(f"RFM input lacks column(s): {', '.join(missing)}")
    keep = rfm["frequency"].fillna(0).gt(0) & rfm["monetary"].fillna(0).gt(0)
    keep &= rfm["recency_days"].notna()
    kept = rfm.loc[keep].sort_values(id_column, kind="mergesort").reset_index(drop=True)
    if kept[id_column].duplicated().any():
        raise SegmentationError(f"RFM input has duplicate {id_column} values")
    log.info("segmentable customers: %d of %d", len(kept), len(rfm))
    return kept


def log_features(frame: pd.DataFrame, features: tuple[str, ...] = RFM_FEATURES) -> np.ndarray:
    """log1p of the feature columns as a float matrix (rows in frame order)."""
    values = frame.loc[:, list(features)].to_numpy(dtype=float)
    if np.isnan(values).any():
        raise SegmentationError("RFM features contain nulls")
    if (values < 0).any():
        raise SegmentationError("RFM features must be >= 0 for the log1p transform")
    return np.log1p(values)


def fit_scaler(frame: pd.DataFrame, features: tuple[str, ...] = RFM_FEATURES) -> FeatureScaler:
    """Fit log1p + standardisation (population std, as StandardScaler) on the training customers."""
    if len(frame) < 2:
        raise SegmentationError(
            f"too few customers to segment: need at least 2 with purchases, got {len(frame)}"
        )
    logged = log_features(frame, features)
    mean = logged.mean(axis=0)
    scale = logged.std(axis=0, ddof=0)
    # identical values can leave a rounding-level std (the mean of equal floats is not exact)
    constant = scale <= 1e-12 * np.maximum(1.0, np.abs(mean))
    if constant.all():
        raise SegmentationError(
            "all customers have identical recency, frequency and monetary: nothing to segment"
        )
    # a constant feature carries no information; scale 1 keeps it at 0 instead of dividing by 0
    scale = np.where(constant, 1.0, scale)
    return FeatureScaler(tuple(features), mean, scale)


def scale_features(frame: pd.DataFrame, scaler: FeatureScaler) -> np.ndarray:
    """Apply stored parameters (never refitted at scoring time)."""
    return (log_features(frame, scaler.features) - scaler.mean) / scaler.scale


def unscale(scaled: np.ndarray, scaler: FeatureScaler) -> np.ndarray:
    """Back from standardised log space to the original units (expm1 of the de-standardised value)."""
    return np.expm1(scaled * scaler.scale + scaler.mean)
