"""fct_customer_rfm against an independent pandas computation, on generated and on real data."""

from __future__ import annotations

import pandas as pd
import pytest
from checks import assert_columns_equal
from rfm_reference import reference_rfm

EXACT_COLUMNS = [
    "country",
    "frequency",
    "n_returns",
    "has_purchases",
    "is_cancellation_only",
    "recency_days",
    "tenure_days",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
]
VALUE_COLUMNS = ["monetary", "purchase_value", "returned_value", "avg_order_value"]
DATE_COLUMNS = ["first_purchase_date", "last_purchase_date", "as_of_date"]


def assert_matches_reference(warehouse) -> None:
    mart = warehouse.query_df("select * from marts.fct_customer_rfm order by customer_id")
    expected = reference_rfm(warehouse.retail_path)
    assert len(mart) == len(expected)
    assert_columns_equal(mart, expected, "customer_id", EXACT_COLUMNS, VALUE_COLUMNS)
    for column in DATE_COLUMNS:
        assert (
            pd.to_datetime(mart[column]).fillna(pd.Timestamp(0))
            == pd.to_datetime(expected[column]).fillna(pd.Timestamp(0))
        ).all(), column


def test_rfm_matches_independent_computation_on_generated_data(generated_warehouse):
    assert_matches_reference(generated_warehouse)


@pytest.mark.real_data
def test_rfm_matches_independent_computation_on_real_data(real_warehouse):
    assert_matches_reference(real_warehouse)


@pytest.mark.real_data
def test_real_data_reconciles_to_published_check_values(real_warehouse):
    with real_warehouse.connect() as con:
        raw_lines = con.execute(
            "select sum(n_lines) from marts.commerce_line_reconciliation"
        ).fetchone()[0]
        invoices, parsed = con.execute(
            "select count(distinct invoice_no), count(*) from staging.stg_online_retail__invoice_lines"
        ).fetchone()
        customers = con.execute("select count(*) from marts.fct_customer_rfm").fetchone()[0]
        by_reason = dict(
            con.execute("select reason, n_lines from marts.commerce_line_reconciliation").fetchall()
        )
        total_value = con.execute(
            "select cast(sum(quantity * unit_price) as double) from staging.stg_online_retail__invoice_lines"
        ).fetchone()[0]
    assert raw_lines == parsed == 541_909
    assert invoices == 25_900
    assert customers == 4_372
    assert by_reason["exact_duplicate"] == 5_268
    assert by_reason["rejected_by_parser"] == 0
    assert total_value == pytest.approx(9_747_747.93, abs=0.01)


def test_every_generated_line_is_accounted_for(generated_warehouse):
    with open(generated_warehouse.retail_path, encoding="utf-8") as handle:
        raw_lines = sum(1 for _ in handle) - 1
    reasons = generated_warehouse.query_df(
        "select reason, n_lines from marts.commerce_line_reconciliation"
    )
    assert reasons["n_lines"].sum() == raw_lines
    counted = dict(zip(reasons["reason"], reasons["n_lines"], strict=True))
    # the generator plants every quirk, so each of these reasons must be seen
    for reason in [
        "exact_duplicate",
        "no_customer",
        "cancellation",
        "service_code",
        "non_positive_price_or_quantity",
        "purchase",
    ]:
        assert counted[reason] > 0, reason


def test_build_summary_counts_segments_and_lines(generated_warehouse):
    segments = generated_warehouse.query_df(
        "select rfm_segment, count(*) as n from marts.fct_customer_rfm"
        " where rfm_segment is not null group by 1"
    )
    store = generated_warehouse.summary["stores"]["online_retail"]
    expected = dict(zip(segments["rfm_segment"], segments["n"], strict=True))
    reported = {k: v for k, v in store["customers_by_rfm_segment"].items() if k in expected}
    assert reported == expected
    with open(generated_warehouse.retail_path, encoding="utf-8") as handle:
        assert store["raw_lines"] == sum(1 for _ in handle) - 1
    assert generated_warehouse.summary["warehouse"] == str(generated_warehouse.path)
    # the printed summary says the same
    for segment, n in expected.items():
        assert any(
            segment in line and f"{n:,}" in line
            for line in generated_warehouse.build_output.splitlines()
        )
