"""models_py.features: filtering, log1p + standardisation, stored parameters, clear errors."""

import numpy as np
import pandas as pd
import pytest
from segments_fixtures import planted_rfm

from models_py import features
from models_py.errors import SegmentationError


def test_segmentable_customers_keeps_purchasers_with_positive_monetary_sorted_by_id():
    rfm = pd.DataFrame(
        {
            "customer_id": [3, 1, 2, 4],
            "recency_days": [5, 10, None, 7],
            "frequency": [2, 1, 0, 3],
            "monetary": [10.0, 20.0, 0.0, -5.0],
        }
    )
    kept = features.segmentable_customers(rfm)
    assert kept["customer_id"].tolist() == [1, 3]


def test_segmentable_customers_rejects_missing_columns_and_duplicates():
    with pytest.raises(SegmentationError, match="monetary"):
        features.segmentable_customers(
            pd.DataFrame({"customer_id": [1], "recency_days": [1], "frequency": [1]})
        )
    dup = pd.DataFrame(
        {"customer_id": [1, 1], "recency_days": [1, 2], "frequency": [1, 1], "monetary": [5.0, 6.0]}
    )
    with pytest.raises(SegmentationError, match="duplicate"):
        features.segmentable_customers(dup)


def test_scaler_is_log1p_then_population_standardisation():
    rfm = planted_rfm()
    scaler = features.fit_scaler(rfm)
    logged = np.log1p(rfm[list(features.RFM_FEATURES)].to_numpy(float))
    np.testing.assert_allclose(scaler.mean, logged.mean(axis=0))
    np.testing.assert_allclose(scaler.scale, logged.std(axis=0, ddof=0))
    z = features.scale_features(rfm, scaler)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=1e-12)
    assert scaler.to_frame()["transform"].eq("log1p").all()


def test_scoring_uses_stored_parameters_not_refitted_ones():
    rfm = planted_rfm()
    scaler = features.fit_scaler(rfm)
    one = rfm.head(1)
    z = features.scale_features(one, scaler)
    expected = (
        np.log1p(one[list(features.RFM_FEATURES)].to_numpy(float)) - scaler.mean
    ) / scaler.scale
    np.testing.assert_allclose(z, expected)
    np.testing.assert_allclose(
        features.unscale(z, scaler), one[list(features.RFM_FEATURES)].to_numpy(float)
    )


def test_single_customer_is_a_clear_error():
    with pytest.raises(SegmentationError, match="too few customers to segment: need at least 2"):
        features.fit_scaler(planted_rfm().head(1))


def test_identical_customers_are_a_clear_error():
    same = pd.DataFrame(
        {"customer_id": range(5), "recency_days": 3, "frequency": 2, "monetary": 10.0}
    )
    with pytest.raises(SegmentationError, match="identical"):
        features.fit_scaler(same)


def test_constant_feature_keeps_scale_one():
    rfm = planted_rfm().assign(frequency=1)
    scaler = features.fit_scaler(rfm)
    assert scaler.scale[features.RFM_FEATURES.index("frequency")] == 1.0
    assert np.isfinite(features.scale_features(rfm, scaler)).all()


def test_negative_values_are_refused():
    rfm = planted_rfm().head(3).assign(recency_days=[-1, 2, 3])
    with pytest.raises(SegmentationError, match=">= 0"):
        features.log_features(rfm)
