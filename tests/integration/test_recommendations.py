"""Recommendations on the generated warehouse, each table against an independent pandas
computation from the raw file: the association rules (all baskets, and the baskets before the
evaluation cutoff only), popularity, the next-best products' rules, and the offline evaluation's
scores; and on a small file with a planted co-purchase pair, that the pair has the highest lift."""

from __future__ import annotations

import csv
import itertools

import duckdb
import numpy as np
import pandas as pd
import pytest
from rfm_reference import SERVICE_CODES, read_raw
from support import build_warehouse

STORE = "online_retail"
# the project's defaults (dbt_project.yml vars)
MIN_SUPPORT = 0.0005
MIN_BASKETS = 3
MAX_BASKET_PRODUCTS = 30
HOLDOUT_DAYS = 30
TOP_N = 10
MAX_RULES = 10
MAX_CUSTOMER_PRODUCTS = 50


def reference_baskets(path) -> pd.DataFrame:
    """Purchase baskets from the raw file with pandas: one row per invoice and stock code of a
    known customer (no cancellation or adjustment, positive quantity and price, no service code,
    exact duplicate lines once), with the invoice day and value."""
    raw = read_raw(path)
    lines = raw[~raw.duplicated(keep="first")]
    lines = lines[lines["CustomerID"].str.strip() != ""].copy()
    lines["order_id"] = lines["InvoiceNo"].str.strip().str.upper()
    lines["product_id"] = lines["StockCode"].str.strip()
    lines["quantity"] = lines["Quantity"].astype("int64")
    lines["price"] = lines["UnitPrice"].astype(float)
    lines["customer_id"] = lines["CustomerID"].astype(float).astype("int64")
    lines["order_date"] = pd.to_datetime(lines["InvoiceDate"]).dt.normalize()
    purchases = lines[
        ~lines["order_id"].str[0].isin(["C", "A"])
        & ~lines["product_id"].isin(SERVICE_CODES)
        & (lines["quantity"] > 0)
        & (lines["price"] > 0)
    ]
    return (
        purchases.assign(value=purchases["quantity"] * purchases["price"])
        .groupby(["order_id", "customer_id", "order_date", "product_id"], as_index=False)["value"]
        .sum()
    )


def reference_rules(baskets: pd.DataFrame) -> pd.DataFrame:
    """Association rules as the definition says, with plain pandas and itertools."""
    items = baskets[["order_id", "product_id"]].drop_duplicates()
    n_baskets = items["order_id"].nunique()
    threshold = max(MIN_BASKETS, int(np.ceil(MIN_SUPPORT * n_baskets)))
    counts = items["product_id"].value_counts()
    frequent = counts[counts >= threshold]
    kept = items[items["product_id"].isin(frequent.index)].assign(
        popularity=lambda f: f["product_id"].map(frequent)
    )
    kept = kept.sort_values(["order_id", "popularity", "product_id"], ascending=[True, False, True])
    kept = kept.groupby("order_id").head(MAX_BASKET_PRODUCTS)
    pairs: dict[tuple[str, str], int] = {}
    for _, products in kept.groupby("order_id")["product_id"]:
        for a, b in itertools.combinations(sorted(products), 2):
            pairs[(a, b)] = pairs.get((a, b), 0) + 1
    rows = []
    for (a, b), together in pairs.items():
        if together < threshold:
            continue
        for x, y in ((a, b), (b, a)):
            confidence = together / frequent[x]
            rows.append(
                {
                    "antecedent_product_id": x,
                    "consequent_product_id": y,
                    "baskets": together,
                    "confidence": confidence,
                    "lift": confidence / (frequent[y] / n_baskets),
                    "support": together / n_baskets,
                }
            )
    return pd.DataFrame(rows).sort_values(["antecedent_product_id", "consequent_product_id"])


@pytest.fixture(scope="module")
def baskets(generated_warehouse) -> pd.DataFrame:
    return reference_baskets(generated_warehouse.retail_path)


@pytest.fixture(scope="module")
def cutoff(baskets) -> pd.Timestamp:
    return baskets["order_date"].max() - pd.Timedelta(days=HOLDOUT_DAYS - 1)


def mart_rules(warehouse, table: str) -> pd.DataFrame:
    return warehouse.query_df(
        f"""
        select antecedent_product_id, consequent_product_id, baskets, confidence, lift, support
        from {table} where store = '{STORE}'
        order by antecedent_product_id, consequent_product_id
        """
    )


def assert_same_rules(mart: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert len(expected) > 0
    pd.testing.assert_frame_equal(
        mart.reset_index(drop=True),
        expected.reset_index(drop=True).astype({"baskets": "int64"}),
        check_exact=False,
        rtol=1e-12,
    )


def test_associations_match_the_independent_computation(generated_warehouse, baskets):
    assert_same_rules(
        mart_rules(generated_warehouse, "marts.product_associations"), reference_rules(baskets)
    )


def test_the_evaluation_learns_from_the_baskets_before_the_cutoff_only(
    generated_warehouse, baskets, cutoff
):
    stored = generated_warehouse.query_df(
        f"select distinct cutoff_date from marts.recommendation_evaluation where store = '{STORE}'"
    )
    assert pd.Timestamp(stored["cutoff_date"].iloc[0]) == cutoff
    training = baskets[baskets["order_date"] < cutoff]
    assert_same_rules(
        mart_rules(generated_warehouse, "intermediate.int_product_associations_training"),
        reference_rules(training),
    )
    # the popularity it falls back on counts training customers only
    overall = generated_warehouse.query_df(
        f"""
        select product_id, customers from intermediate.int_product_popularity_training
        where store = '{STORE}' and group_kind = 'overall' order by popularity_rank
        """
    )
    expected = (
        training.groupby("product_id")["customer_id"]
        .nunique()
        .reset_index(name="customers")
        .sort_values(["customers", "product_id"], ascending=[False, True])
        .head(len(overall))
    )
    assert overall["product_id"].tolist() == expected["product_id"].tolist()
    assert overall["customers"].tolist() == expected["customers"].tolist()
    # and recommends only to customers who bought before it, never a product bought before it
    lists = generated_warehouse.query_df(
        f"select * from intermediate.int_recommendation_evaluation_lists where store = '{STORE}'"
    )
    bought = set(zip(training["customer_id"], training["product_id"], strict=True))
    assert set(lists["customer_id"]) <= set(training["customer_id"])
    assert not any(
        (c, p) in bought for c, p in zip(lists["customer_id"], lists["product_id"], strict=True)
    )
    related = lists[lists["reason"].str.startswith("bought_with:")]
    antecedents = related["reason"].str.removeprefix("bought_with:")
    assert all((c, a) in bought for c, a in zip(related["customer_id"], antecedents, strict=True))


def test_next_best_products_follow_the_rules(generated_warehouse, baskets):
    recommendations = generated_warehouse.query_df(
        f"select * from marts.customer_recommendations where store = '{STORE}'"
    )
    bought = set(zip(baskets["customer_id"], baskets["product_id"], strict=True))
    pairs = zip(recommendations["customer_id"], recommendations["product_id"], strict=True)
    assert not any(pair in bought for pair in pairs)
    assert set(recommendations["customer_id"]) <= set(baskets["customer_id"])
    sizes = (
        recommendations.groupby("customer_id")
        .size()
        .reindex(baskets["customer_id"].unique(), fill_value=0)
    )
    assert (sizes <= TOP_N).all()
    # fewer than ten only when the customer's segment has no popular product left to offer
    pools = generated_warehouse.query_df(
        f"""
        select segments.customer_id, popularity.product_id
        from intermediate.int_customer_segments as segments
        inner join intermediate.int_product_popularity as popularity
            on segments.store = popularity.store and popularity.group_kind = 'segment'
            and segments.segment_id = popularity.group_id
        where segments.store = '{STORE}'
        """
    )
    for customer_id in sizes[sizes < TOP_N].index:
        pool = pools.loc[pools["customer_id"] == customer_id, "product_id"]
        offered = set(
            recommendations.loc[recommendations["customer_id"] == customer_id, "product_id"]
        )
        assert all((customer_id, p) in bought or p in offered for p in pool), customer_id
    # each 'bought_with' recommendation is the best rule from one of the customer's products
    rules = mart_rules(generated_warehouse, "marts.product_associations")
    rules["rule_rank"] = (
        rules.sort_values(
            ["antecedent_product_id", "confidence", "lift", "consequent_product_id"],
            ascending=[True, False, False, True],
        )
        .groupby("antecedent_product_id")
        .cumcount()
        + 1
    )
    strongest = rules[rules["rule_rank"] <= MAX_RULES]
    related = recommendations[recommendations["reason"].str.startswith("bought_with:")]
    assert len(related) > 0
    # from each customer's most recently bought products (ties: in more baskets, the lower id)
    owned = (
        baskets.groupby(["customer_id", "product_id"])
        .agg(last=("order_date", "max"), orders=("order_id", "nunique"))
        .reset_index()
        .sort_values(
            ["customer_id", "last", "orders", "product_id"], ascending=[True, False, False, True]
        )
        .groupby("customer_id")
        .head(MAX_CUSTOMER_PRODUCTS)
    )
    for customer_id, rows in related.groupby("customer_id"):
        theirs = owned.loc[owned["customer_id"] == customer_id, "product_id"]
        reachable = strongest[strongest["antecedent_product_id"].isin(theirs)]
        best = reachable.groupby("consequent_product_id")["confidence"].max()
        assert rows["score"].to_numpy() == pytest.approx(
            best.loc[rows["product_id"]].to_numpy(), rel=1e-12
        )
    # sources rank in order: associations, then the segment, then the category
    order = {"popular_in_segment": 2, "popular_in_category": 3}
    source = recommendations["reason"].map(order).fillna(1)
    ranked = recommendations.assign(source=source).sort_values(
        ["customer_id", "recommendation_rank"]
    )
    assert (ranked.groupby("customer_id")["source"].diff().fillna(0) >= 0).all()


def test_the_evaluation_scores_match_a_recomputation(generated_warehouse, baskets, cutoff):
    lists = generated_warehouse.query_df(
        f"select * from intermediate.int_recommendation_evaluation_lists where store = '{STORE}'"
    )
    training = baskets[baskets["order_date"] < cutoff]
    later = baskets[baskets["order_date"] >= cutoff]
    before = set(zip(training["customer_id"], training["product_id"], strict=True))
    is_new = np.array(
        [
            (c, p) not in before
            for c, p in zip(later["customer_id"], later["product_id"], strict=True)
        ]
    )
    new = later[is_new & later["customer_id"].isin(training["customer_id"]).to_numpy()]
    new = new[["customer_id", "product_id"]].drop_duplicates()
    actual = new.groupby("customer_id")["product_id"].apply(set)
    evaluation = generated_warehouse.query_df(
        f"select * from marts.recommendation_evaluation where store = '{STORE}'"
    ).set_index("method")
    assert set(evaluation.index) == {"model", "global_popularity", "segment_popularity"}
    for method, row in evaluation.iterrows():
        recommended = (
            lists[lists["method"] == method].groupby("customer_id")["product_id"].apply(set)
        )
        hits = np.array([len(recommended.get(c, set()) & ps) for c, ps in actual.items()])
        sizes = np.array([len(ps) for ps in actual])
        assert row["customers_evaluated"] == len(actual)
        assert row["precision_at_10"] == pytest.approx(hits.sum() / (TOP_N * len(actual)))
        assert row["recall_at_10"] == pytest.approx((hits / sizes).mean())
        assert row["hit_rate_at_10"] == pytest.approx((hits > 0).mean())
        products = lists.loc[lists["method"] == method, "product_id"].nunique()
        assert row["catalogue_coverage"] == pytest.approx(
            products / training["product_id"].nunique()
        )


# --- a planted co-purchase pair ------------------------------------------------------------


def write_planted_file(path, seed: int = 3) -> tuple[str, str]:
    """300 customers, 1,500 invoices of 2-6 random products among 80; the pair PAIR-A/PAIR-B is
    bought together in 60 of them, and PAIR-A alone in 16 more. Returns the pair."""
    rng = np.random.default_rng(seed)
    products = [f"{20000 + i}" for i in range(80)]
    pair = ("PAIR-A", "PAIR-B")
    rows = []
    start = pd.Timestamp("2011-01-03 10:00")
    for invoice in range(1500):
        customer = 12000 + int(rng.integers(300))
        when = start + pd.Timedelta(hours=int(invoice * 5))
        chosen = list(rng.choice(products, size=int(rng.integers(2, 7)), replace=False))
        if invoice % 25 == 0:
            chosen += list(pair)
        elif invoice % 97 == 1:
            chosen.append(pair[0])
        for code in chosen:
            rows.append(
                [
                    str(540000 + invoice),
                    code,
                    f"THING {code}",
                    str(int(rng.integers(1, 12))),
                    when.strftime("%Y-%m-%d %H:%M:%S"),
                    f"{rng.uniform(0.5, 9.5):.2f}",
                    str(customer),
                    "United Kingdom",
                ]
            )
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "InvoiceNo",
                "StockCode",
                "Description",
                "Quantity",
                "InvoiceDate",
                "UnitPrice",
                "CustomerID",
                "Country",
            ]
        )
        writer.writerows(rows)
    return pair


def test_a_planted_pair_has_the_highest_lift(tmp_path):
    source = tmp_path / "planted.csv"
    pair = write_planted_file(source)
    warehouse = tmp_path / "warehouse.duckdb"
    result = build_warehouse(source, warehouse, "--only", "commerce")
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        top = con.execute(
            "select antecedent_product_id, consequent_product_id"
            " from marts.product_associations order by lift desc, antecedent_product_id limit 2"
        ).fetchall()
        first = con.execute(
            "select customer_id, product_id, reason from marts.customer_recommendations"
            " where recommendation_rank = 1"
        ).df()
    baskets = reference_baskets(source)
    owners = baskets.groupby("customer_id")["product_id"].apply(set)
    only_a = [
        c for c, products in owners.items() if pair[0] in products and pair[1] not in products
    ]
    assert set(top) == {pair, pair[::-1]}
    # whoever bought PAIR-A but never PAIR-B is offered PAIR-B first, because of PAIR-A
    assert only_a
    offered = first.set_index("customer_id").loc[only_a]
    assert (offered["product_id"] == pair[1]).all()
    assert (offered["reason"] == f"bought_with:{pair[0]}").all()
