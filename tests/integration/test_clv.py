"""Customer lifetime value through the whole build: the CDNOW sample of the papers fed in as a
shop's orders file gives the published parameters; on the real Online Retail file the mart's
x, t_x and T are those computed here from the raw file, the served model is the holdout
winner by the stated rule, the naive baseline's holdout error is recomputed independently, and
the segment totals add up."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from support import REAL_RETAIL_FILE, SHARED_DATA_DIR, run_script

from scripts.project_paths import SEEDS_DIR

CDNOW = SHARED_DATA_DIR / "cdnow" / "CDNOW_sample.txt.gz"
# calibration to 1997-09-30 inclusive: the data end on 1998-06-30, 273 days later
CDNOW_HOLDOUT_DAYS = 273
PUBLISHED_BG_NBD = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}
DEFAULT_HOLDOUT_DAYS = 90


@pytest.fixture(scope="module")
def cdnow_warehouse(tmp_path_factory):
    if not CDNOW.exists():
        pytest.skip(f"CDNOW sample not found at {CDNOW}")
    folder = tmp_path_factory.mktemp("cdnow")
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={"day": str},
                      names=["master_id", "customer", "day", "cds", "amount"])  # fmt: skip
    # as a shop would export it: one line per order, ISO dates
    raw["order"] = raw.index.astype(str)
    raw["ordered_at"] = pd.to_datetime(raw["day"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    raw["product"] = "CD"
    orders = folder / "cdnow_orders.csv"
    raw[["order", "customer", "ordered_at", "product", "cds", "amount"]].to_csv(orders, index=False)
    warehouse = folder / "warehouse.duckdb"
    result = run_script(
        "build_warehouse.py", "--orders-path", str(orders), "--duckdb-path", str(warehouse),
        "--map", "order_id=order,customer_id=customer,product_id=product,quantity=cds,line_amount=amount",
        "--only", "commerce", "--quiet", "--vars", f'{{"clv_holdout_days": {CDNOW_HOLDOUT_DAYS}}}',
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return warehouse, raw


@pytest.mark.real_data
def test_cdnow_through_the_orders_file_gives_the_published_parameters(cdnow_warehouse):
    warehouse, raw = cdnow_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        fits = (
            con.execute(
                "select model, r, alpha, a, b, p, q, gamma, fit_end from marts.clv_model"
                " where fit_window = 'calibration'"
            )
            .df()
            .set_index("model")
        )
        lines = dict(con.execute(
            "select reason, sum(n_lines) from marts.commerce_line_reconciliation group by 1"
        ).fetchall())  # fmt: skip
    assert str(fits.loc["bg_nbd", "fit_end"].date()) == "1997-09-30"
    for name, value in PUBLISHED_BG_NBD.items():
        assert fits.loc["bg_nbd", name] == pytest.approx(value, rel=0.01), name
    for name, value in PUBLISHED_GAMMA_GAMMA.items():
        assert fits.loc["gamma_gamma", name] == pytest.approx(value, rel=0.01), name
    # every line accounted for: the 8 lines of $0 are not purchases by the commerce rules
    assert sum(lines.values()) == len(raw)
    assert lines["non_positive_price_or_quantity"] == (raw["amount"] <= 0).sum() == 8


def served_by_the_rule(evaluation: pd.DataFrame) -> str:
    """The lowest per-customer purchase MAE; a tie to the naive baseline, then the others in
    their published order."""
    order = ["naive", "bg_nbd", "mbg_nbd", "gradient_boosting"]
    scored = evaluation.dropna(subset=["purchases_mae"]).copy()
    scored["order"] = scored["purchase_model"].map(order.index)
    return scored.sort_values(["purchases_mae", "order"]).iloc[0]["purchase_model"]


@pytest.mark.real_data
def test_cdnow_serves_the_holdout_winner(cdnow_warehouse):
    warehouse, _ = cdnow_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        evaluation = con.execute("select * from marts.clv_holdout_evaluation").df()
        scored_with = con.execute(
            "select distinct purchase_model from marts.customer_lifetime_value"
        ).fetchall()
    served = evaluation.loc[evaluation["is_served"], "purchase_model"].tolist()
    assert served == [served_by_the_rule(evaluation)]
    assert scored_with == [(served[0],)]


def real_purchase_days() -> pd.DataFrame:
    """Per customer and day, whether they bought: the purchase lines of the raw file (not a
    cancellation or an adjustment, no service code, positive quantity and price, a customer)."""
    service = SEEDS_DIR / "retail_service_stock_codes.csv"
    return duckdb.sql(
        f"""select distinct cast(cast("CustomerID" as double) as bigint) as customer_id,
               cast(cast("InvoiceDate" as timestamp) as date) as order_date
            from read_csv('{REAL_RETAIL_FILE}', header = true, all_varchar = true)
            where "CustomerID" is not null
                and upper("InvoiceNo") not like 'C%' and upper("InvoiceNo") not like 'A%'
                and try_cast("Quantity" as double) > 0 and try_cast("UnitPrice" as double) > 0
                and "StockCode" not in (select stock_code from read_csv('{service}',
                                        header = true, all_varchar = true))"""
    ).df()


@pytest.mark.real_data
def test_the_real_files_clv_facts_and_evaluation_are_recomputed_independently(real_warehouse):
    days = real_purchase_days()
    days["order_date"] = pd.to_datetime(days["order_date"])
    end = days["order_date"].max()
    with real_warehouse.connect() as con:
        facts = con.execute(
            "select customer_id, repeat_purchase_days, first_to_last_purchase_days,"
            " first_purchase_to_end_days from marts.customer_lifetime_value"
            " where store = 'online_retail' order by customer_id"
        ).df()
        evaluation = con.execute(
            "select * from marts.clv_holdout_evaluation where store = 'online_retail'"
        ).df()
    by_customer = days.groupby("customer_id")["order_date"]
    want = pd.DataFrame(
        {
            "repeat_purchase_days": by_customer.nunique() - 1,
            "first_to_last_purchase_days": (by_customer.max() - by_customer.min()).dt.days,
            "first_purchase_to_end_days": (end - by_customer.min()).dt.days,
        }
    )
    assert len(facts) == len(want) > 4000
    pd.testing.assert_frame_equal(
        facts.set_index("customer_id"), want.rename_axis("customer_id"), check_dtype=False
    )
    # the naive baseline's holdout error, recomputed: own past rate x / T over the holdout
    calibration_end = end - pd.Timedelta(days=DEFAULT_HOLDOUT_DAYS)
    before = days.loc[days["order_date"] <= calibration_end].groupby("customer_id")["order_date"]
    x = before.nunique() - 1
    big_t = (calibration_end - before.min()).dt.days
    rate = np.where(big_t > 0, x / big_t.where(big_t > 0, 1), 0.0)
    held = days.loc[days["order_date"] > calibration_end].groupby("customer_id").size()
    actual = held.reindex(x.index).fillna(0)
    naive = evaluation.set_index("purchase_model").loc["naive"]
    assert naive["n_customers"] == len(x)
    assert naive["actual_purchases"] == actual.sum()
    assert naive["purchases_mae"] == pytest.approx(
        np.mean(np.abs(rate * DEFAULT_HOLDOUT_DAYS - actual))
    )
    served = evaluation.loc[evaluation["is_served"], "purchase_model"].tolist()
    assert served == [served_by_the_rule(evaluation)]
    assert served[0] in evaluation.loc[evaluation["is_served"], "served_reason"].iloc[0]


@pytest.mark.real_data
def test_segment_clv_adds_up_to_the_customers(real_warehouse):
    with real_warehouse.connect() as con:
        segments = con.execute(
            "select store, sum(n_customers), sum(predicted_clv), sum(predicted_clv_share),"
            " sum(n_at_risk) from marts.segment_clv group by store"
        ).fetchall()
        customers = {
            store: rest for store, *rest in con.execute(
                "select c.store, count(*), sum(v.predicted_clv),"
                " count(*) filter (where v.churn_risk >= 0.5)"
                " from marts.customer_segments as c join marts.customer_lifetime_value as v"
                " using (store, customer_id) group by c.store"
            ).fetchall()
        }  # fmt: skip
    assert segments
    for store, n_customers, clv_total, share_total, at_risk in segments:
        want_n, want_clv, want_at_risk = customers[store]
        assert (n_customers, at_risk) == (want_n, want_at_risk)
        assert clv_total == pytest.approx(want_clv) and share_total == pytest.approx(1.0)


@pytest.mark.real_data
def test_the_api_scores_with_the_stored_models_as_the_build_did(real_warehouse):
    """POST /api/clv on the published models gives each customer's published expected purchases
    and churn risk from their x, t_x and T; GET /api/customers/{id} carries the mart's values;
    an inconsistent history is one 422 line."""
    from fastapi.testclient import TestClient

    from apps.api.app import create_app, open_warehouse

    with real_warehouse.connect() as con:
        customers = con.execute(
            "select * from marts.customer_lifetime_value using sample 40 rows (reservoir, 7)"
        ).df()
        spend = con.execute(
            "select p, q, gamma from marts.clv_model where fit_window = 'full'"
            " and model = 'gamma_gamma' and store = 'online_retail'"
        ).fetchone()
    client = TestClient(create_app(open_warehouse(real_warehouse.path)))
    for row in customers.itertuples():
        body = {"frequency": int(row.repeat_purchase_days), "recency": int(row.first_to_last_purchase_days),
                "T": int(row.first_purchase_to_end_days), "store": row.store}  # fmt: skip
        if row.repeat_purchase_days:
            body["monetary_value"] = 100.0
        answer = client.post("/api/clv", json=body)
        assert answer.status_code == 200, answer.text
        scores = answer.json()
        assert scores["purchaseModel"] == row.purchase_model
        # answered to 4 significant digits
        assert scores["expectedPurchases90d"] == pytest.approx(
            row.expected_purchases_90d, rel=5e-4, abs=1e-3
        )
        assert scores["churnRisk"] == pytest.approx(row.churn_risk, abs=1e-4)
        if not row.repeat_purchase_days:  # the store's mean spend: p gamma / (q - 1)
            assert scores["expectedSpendPerPurchase"] == pytest.approx(
                spend[0] * spend[2] / (spend[1] - 1), abs=0.01
            )
        known = client.get(f"/api/customers/{row.customer_id}", params={"store": row.store}).json()
        assert known["predictedClv"] == pytest.approx(row.predicted_clv, abs=0.01)
        assert known["valueTier"] == row.value_tier
    refused = client.post(
        "/api/clv", json={"frequency": 2, "recency": 40, "T": 30, "monetary_value": 5}
    )
    assert refused.status_code == 422
    assert refused.json()["error"].startswith("T: ") and "\n" not in refused.json()["error"]
    # at most one purchase day a day
    too_many = client.post(
        "/api/clv", json={"frequency": 50, "recency": 40, "T": 45, "monetary_value": 5}
    )
    assert too_many.status_code == 422 and too_many.json()["error"].startswith("T: ")


def clv_state(warehouse) -> tuple[pd.DataFrame, pd.DataFrame, set, str]:
    with warehouse.connect() as con:
        models = con.execute("select * from marts.clv_model order by all").df()
        customers = con.execute(
            "select * from marts.customer_lifetime_value order by store, customer_id"
        ).df()
        versions = {
            row[0]
            for row in con.execute("select model_run_id from marts.clv_model_versions").fetchall()
        }
        latest = con.execute(
            "select model_run_id from marts.segmentation_runs order by run_started_at desc limit 1"
        ).fetchone()[0]
    return models, customers, versions, latest


def test_a_build_without_a_segment_refit_scores_with_the_stored_models(
    generated_warehouse, rebuilt_generated_warehouse, refitted_generated_warehouse
):
    models, customers, versions, first_run = clv_state(generated_warehouse)
    assert set(models["model_run_id"]) == versions == {first_run}
    # rebuilt on the same data without a refit: the stored models, evidence and scores carry on
    kept, kept_customers, kept_versions, rebuilt_run = clv_state(rebuilt_generated_warehouse)
    assert rebuilt_run != first_run
    pd.testing.assert_frame_equal(kept, models)
    assert kept_versions == versions
    pd.testing.assert_frame_equal(kept_customers, customers)
    # refitted on purpose: fitted again, a second version appended
    refitted, _, refitted_versions, refit_run = clv_state(refitted_generated_warehouse)
    assert set(refitted["model_run_id"]) == {refit_run}
    assert refitted_versions == {first_run, refit_run}
