"""The one style of the API's JSON answers: camelCase keys, money to cents, scores to 4
significant digits (apps.api.response_style), and the response models that apply it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from apps.api.response_style import camel_keys, cents, significant, to_camel
from apps.api.schemas import CustomerResponse, SegmentProfile


@pytest.mark.parametrize(
    ("name", "camel"),
    [
        ("segment_id", "segmentId"),
        ("expected_purchases_90d", "expectedPurchases90d"),
        ("r_score", "rScore"),
        ("p_alive", "pAlive"),
        ("share_of_customers", "shareOfCustomers"),
        ("store", "store"),
        ("clusterId", "clusterId"),  # already camelCase: kept
        ("T", "T"),
    ],
)
def test_to_camel(name, camel):
    assert to_camel(name) == camel


def test_camel_keys_converts_nested_dicts_and_lists_not_values():
    row = {"segment_id": 1, "top_products": [{"product_id": "a_b"}], "model": {"run_id": "x_y"}}
    assert camel_keys(row) == {
        "segmentId": 1,
        "topProducts": [{"productId": "a_b"}],
        "model": {"runId": "x_y"},
    }


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(15.299999999999999, 15.3), (0.005, 0.01), (1234.5678, 1234.57), (-2.345, -2.35), (0.0, 0.0)],
)
def test_cents(value, rounded):
    assert cents(value) == pytest.approx(rounded, abs=1e-12)
    assert json.dumps(cents(15.299999999999999)) == "15.3"


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (0.123456, 0.1235),
        (3.3512345, 3.351),
        (1234.56, 1235.0),
        (0.00012345678, 0.0001235),
        (1.0, 1.0),
        (0.0, 0.0),
        (-0.987654, -0.9877),
    ],
)
def test_significant(value, rounded):
    assert significant(value) == rounded
    assert significant(significant(value)) == significant(value)  # rounding again changes nothing


def test_nan_and_infinity_are_kept():
    assert significant(float("inf")) == float("inf")
    assert cents(float("-inf")) == float("-inf")


PROFILE_ROW = {
    "store": "online_retail",
    "segment_id": 2,
    "segment_label": "Champions",
    "dominant_rfm_segment": "Champions",
    "segment_position": "recent, frequent, high value",
    "customers": 123,
    "share_of_customers": 0.123456789,
    "revenue": 15.299999999999999,
    "share_of_revenue": 0.33333333,
    "mean_recency_days": 12.345678,
    "median_recency_days": 10.0,
    "mean_frequency": 7.777777,
    "median_frequency": 6.5,
    "mean_monetary": 1234.5678,
    "median_monetary": 999.999,
    "suggested_action": "Reward",
    "suggestion": "Reward them",
    "model_run_id": "run-1",
    "added_later_by_a_build": 0.123456789,
}


def test_a_segment_profile_row_answers_camel_case_and_rounded():
    body = SegmentProfile.model_validate(camel_keys(PROFILE_ROW)).model_dump(
        mode="json", by_alias=True
    )
    assert list(body) == [to_camel(name) for name in PROFILE_ROW]
    assert body["revenue"] == 15.3 and body["meanMonetary"] == 1234.57
    assert body["medianMonetary"] == 1000.0
    assert body["shareOfCustomers"] == 0.1235 and body["meanRecencyDays"] == 12.35
    assert body["meanFrequency"] == 7.778
    # a column the mart gains is passed on in camelCase, as the warehouse has it
    assert body["addedLaterByABuild"] == 0.123456789


def test_a_customer_without_lifetime_value_has_null_lifetime_value_fields():
    row = {
        "store": "online_retail",
        "customer_id": 12347,
        "segment_id": 1,
        "segment_label": "Champions",
        "rfm_segment": "Champions",
        "recency_days": 2,
        "frequency": 7,
        "monetary": 4310.004999,
        "r_score": 5,
        "f_score": 5,
        "m_score": 5,
        "as_of_date": date(2011, 12, 10),
    }
    body = CustomerResponse.model_validate(camel_keys(row)).model_dump(mode="json", by_alias=True)
    assert body["monetary"] == 4310.0 and body["asOfDate"] == "2011-12-10"
    assert body["predictedClv"] is None and body["churnRisk"] is None and body["clvModel"] is None
    assert all(key[0].islower() and "_" not in key for key in body)
