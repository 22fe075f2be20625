"""The product side on the generated warehouse: dim_products against an independent pandas
computation, categories and their overrides, customers' category spend adding up to monetary,
interest segments, the interest prediction's time split, the method it serves (the holdout
winner by the rule, recomputed here) and the stored model of marts.interest_model."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest
import sklearn
from rfm_reference import SERVICE_CODES, read_raw

from models_py import interests

STORE = "online_retail"


@pytest.fixture(scope="module")
def reference_products(generated_warehouse) -> pd.DataFrame:
    """Per stock code: units sold, revenue (purchases less cancellation product lines) and
    customers, from the raw file with pandas (exact duplicates counted once)."""
    raw = read_raw(generated_warehouse.retail_path)
    lines = raw[~raw.duplicated(keep="first")]
    lines = lines[lines["CustomerID"].str.strip() != ""].copy()
    lines["invoice"] = lines["InvoiceNo"].str.strip().str.upper()
    lines["code"] = lines["StockCode"].str.strip()
    lines["quantity"] = lines["Quantity"].astype("int64")
    lines["price"] = lines["UnitPrice"].astype(float)
    lines["value"] = lines["quantity"] * lines["price"]
    product = ~lines["code"].isin(SERVICE_CODES)
    purchases = lines[
        product
        & ~lines["invoice"].str[0].isin(["C", "A"])
        & (lines["quantity"] > 0)
        & (lines["price"] > 0)
    ]
    returns = lines[product & (lines["invoice"].str[0] == "C")]
    out = pd.DataFrame(
        {
            "units_sold": purchases.groupby("code")["quantity"].sum(),
            "customers": purchases.groupby("code")["CustomerID"].nunique(),
            "bought": purchases.groupby("code")["value"].sum(),
        }
    )
    out["revenue"] = out["bought"] + returns.groupby("code")["value"].sum().reindex(
        out.index
    ).fillna(0.0)
    return out


def test_dim_products_matches_the_independent_computation(generated_warehouse, reference_products):
    mart = generated_warehouse.query_df(
        f"select * from marts.dim_products where store = '{STORE}' order by product_id"
    ).set_index("product_id")
    expected = reference_products.sort_index()
    assert sorted(mart.index) == sorted(expected.index)
    assert (mart["units_sold"] == expected.loc[mart.index, "units_sold"]).all()
    assert (mart["customers"] == expected.loc[mart.index, "customers"]).all()
    assert mart["revenue"].to_numpy() == pytest.approx(
        expected.loc[mart.index, "revenue"].to_numpy(), abs=1e-6
    )
    assert mart["category_id"].notna().all()


def test_categories_add_up_and_the_override_wins(generated_warehouse):
    categories = generated_warehouse.query_df(
        f"select * from marts.product_categories where store = '{STORE}'"
    )
    assert categories["share_of_revenue"].sum() == pytest.approx(1.0)
    products = generated_warehouse.query_df(
        f"select product_id, description, category_name, is_category_override"
        f" from marts.dim_products where store = '{STORE}'"
    )
    assert categories["n_products"].sum() == len(products)
    overrides = generated_warehouse.query_df(
        f"select * from seeds.product_category_overrides where store = '{STORE}' and match_type = 'term'"
    )
    for term, name in zip(overrides["match_value"], overrides["category_name"], strict=True):
        pattern = re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE)
        matching = products[products["description"].fillna("").str.contains(pattern)]
        assert (matching["category_name"] == name).all(), term
        assert matching["is_category_override"].all(), term


def test_category_spend_adds_up_to_monetary(generated_warehouse):
    compared = generated_warehouse.query_df(
        """
        select r.customer_id, r.monetary, coalesce(s.spend, 0) as spend
        from marts.fct_customer_rfm as r
        left join (
            select store, customer_id, sum(net_spend) as spend
            from intermediate.int_customer_category_spend group by 1, 2
        ) as s using (store, customer_id)
        where r.store = 'online_retail' and r.has_purchases
        """
    )
    assert compared["spend"].to_numpy() == pytest.approx(compared["monetary"].to_numpy(), abs=1e-6)


def test_interest_segments_cover_customers_with_spend(generated_warehouse):
    shares = generated_warehouse.query_df(
        "select customer_id, sum(share) as total, count(*) filter (where is_dominant) as dominant"
        " from intermediate.int_customer_category_shares group by 1"
    )
    assert (shares["total"] - 1).abs().max() < 1e-9
    assert (shares["dominant"] == 1).all()
    segments = generated_warehouse.query_df(
        f"select * from marts.customer_interest_segments where store = '{STORE}'"
    )
    assert set(segments["customer_id"]) == set(shares["customer_id"])
    chosen = generated_warehouse.query_df(
        f"select k from marts.interest_k_selection where store = '{STORE}' and is_chosen"
    )
    assert segments["interest_segment_id"].nunique() == chosen["k"].iloc[0]


def test_the_prediction_never_trains_on_new_customers(generated_warehouse):
    evaluation = generated_warehouse.query_df(
        f"select * from marts.interest_prediction_evaluation where store = '{STORE}'"
    ).set_index("method")
    assert set(evaluation.index) == {"model", "basket_ranker", "majority_category", "first_basket"}
    cutoff = pd.Timestamp(evaluation["cutoff"].iloc[0])
    last = generated_warehouse.query_df(
        f"select last_order_date from intermediate.int_store_as_of_dates where store = '{STORE}'"
    )["last_order_date"].iloc[0]
    assert cutoff == pd.Timestamp(last) - pd.DateOffset(months=3) + pd.Timedelta(days=1)
    firsts = generated_warehouse.query_df(
        "select distinct b.customer_id, b.first_order_date"
        " from intermediate.int_customer_first_baskets as b"
        " inner join intermediate.int_customer_category_shares as s"
        " on b.store = s.store and b.customer_id = s.customer_id and s.is_dominant"
        f" where b.store = '{STORE}'"
    )
    dates = pd.to_datetime(firsts["first_order_date"])
    assert (evaluation["n_test"] == (dates >= cutoff).sum()).all()
    assert (evaluation["n_train"] == min((dates < cutoff).sum(), 10_000)).all()
    assert evaluation[["accuracy", "balanced_accuracy", "macro_f1"]].stack().between(0, 1).all()


MEASURES = ["accuracy", "balanced_accuracy", "macro_f1"]
BASELINES = {"majority_category", "first_basket"}


def holdout_winner(evaluation: pd.DataFrame) -> str:
    """The rule, from the rows alone: a fitted model at least as good as every baseline on all
    three measures is served (the best by macro-F1, accuracy, balanced accuracy, then the listed
    order model, basket_ranker); else the best baseline by the same order (first_basket first)."""
    order = ["model", "basket_ranker", "majority_category", "first_basket"]
    baselines = evaluation[evaluation["method"].isin(BASELINES)]
    floor = baselines[MEASURES].max()
    models = evaluation[~evaluation["method"].isin(BASELINES)]
    good = models[(models[MEASURES] >= floor).all(axis=1)]
    pool = good if len(good) else baselines
    ranked = pool.assign(position=pool["method"].map(order.index)).sort_values(
        ["macro_f1", "accuracy", "balanced_accuracy", "position"],
        ascending=[False, False, False, True],
    )
    return ranked["method"].iloc[0]


def test_the_served_method_is_the_holdout_winner(generated_warehouse):
    evaluation = generated_warehouse.query_df(
        "select * from marts.interest_prediction_evaluation order by store, method"
    )
    stored = generated_warehouse.query_df("select * from marts.interest_model").set_index("store")
    assert set(stored.index) == set(evaluation["store"])
    for store, rows in evaluation.groupby("store"):
        winner = holdout_winner(rows)
        assert rows.loc[rows["is_served"], "method"].tolist() == [winner]
        served = rows.set_index("method").loc[winner]
        assert served["decision"].startswith("served: ")
        assert (rows.loc[~rows["is_served"], "decision"].str.startswith("not served: ")).all()
        assert stored.loc[store, "method"] == winner
        assert stored.loc[store, "reason"] == served["decision"]
        assert (
            rows["method_kind"] == np.where(rows["method"].isin(BASELINES), "baseline", "model")
        ).all()
        # the served method is at least as good as the first-basket baseline on every measure
        first = rows.set_index("method").loc["first_basket"]
        assert (served[MEASURES] >= first[MEASURES]).all()


def test_the_stored_model_is_the_served_method_fitted_on_every_customer(generated_warehouse):
    stored = generated_warehouse.query_df(
        f"select * from marts.interest_model where store = '{STORE}'"
    ).iloc[0]
    assert stored["sklearn_version"] == sklearn.__version__
    with generated_warehouse.connect() as con:
        baskets = con.execute(
            "select * exclude (store) from intermediate.int_customer_first_baskets where store = ?",
            [STORE],
        ).df()
        shares = con.execute(
            "select * from intermediate.int_customer_category_shares where store = ? and is_dominant",
            [STORE],
        ).df()
    first_orders = interests.first_orders_from_baskets(baskets)
    customers = first_orders.merge(interests.dominant_categories(shares), on="customer_id")
    assert stored["n_customers"] == len(customers)
    if stored["method_kind"] == "baseline":
        assert pd.isna(stored["model_blob"])
        return
    assert stored["n_train"] == min(len(customers), interests.MAX_TRAINING_CUSTOMERS)
    estimator = pickle.loads(bytes(stored["model_blob"]))
    # the same method fitted here on the same customers answers alike
    refitted = interests.fit_method(
        stored["method"], customers, customers["dominant_category_id"].to_numpy("int64")
    )
    features = customers[list(estimator.feature_names_in_)]
    np.testing.assert_array_equal(estimator.predict(features), refitted.predict(features))


def test_categories_and_interests_are_the_same_on_a_rebuild(
    generated_warehouse, rebuilt_generated_warehouse
):
    for query in [
        "select * exclude (model_run_id) from marts.customer_interest_segments order by all",
        "select * from marts.product_categories order by all",
        "select * exclude (model_run_id) from marts.interest_prediction_evaluation order by all",
        "select * exclude (model_run_id, fitted_at) from marts.interest_model order by all",
    ]:
        pd.testing.assert_frame_equal(
            generated_warehouse.query_df(query), rebuilt_generated_warehouse.query_df(query)
        )
