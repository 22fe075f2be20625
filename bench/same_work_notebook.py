"""The same-work notebook: the project's whole commerce build of one store (online_retail) as an
analyst's notebook would do it, in pandas plus scikit-learn (association rules in pandas too).
No dbt, no SQL, no tests.

    python -m bench.same_work_notebook FILE.parquet OUT_DIR

The cells below follow the project's definitions: the line rules and RFM with its scores and
named segments (marts.fct_customer_rfm), customer segments with k chosen by silhouette
(customer_segments, segment_k_selection), product categories clustered from descriptions
(dim_products, product_categories), interest segments and the interest prediction with its
evaluation (customer_interest_segments, interest_k_selection, interest_prediction_evaluation),
association rules (product_associations), popularity, next-best products
(customer_recommendations) and their offline evaluation against popularity
(recommendation_evaluation). The scikit-learn steps call the project's pure functions in
models_py (k selection, KMeans fits, the segment model, the text clustering of descriptions,
interest segments, the interest classifier): the same computation as the dbt Python models,
without dbt. Money is summed in millionths as whole numbers, as exact as the warehouse's
decimal(18, 6), so ties rank alike. Tables are Parquet files in OUT_DIR.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.same_work_vars import (
    HOLDOUT_DAYS,
    MAX_BASKET_PRODUCTS,
    MAX_CUSTOMER_PRODUCTS,
    MAX_RULES_PER_PRODUCT,
    MIN_BASKETS,
    MIN_SUPPORT,
    NEW_CUSTOMER_MONTHS,
    PER_CUSTOMER,
    POOL,
    STORE,
)
from models_py import features, interests, k_selection, product_categories
from models_py.clustering import pca_coordinates
from models_py.segment_model import SegmentModel
from scripts.project_paths import SEEDS_DIR

RUN_ID = "same_work_notebook"
MICRO = 1_000_000  # money in millionths


def text(column: pd.Series) -> pd.Series:
    """Trimmed text, empty as missing."""
    values = column.astype("string").str.strip()
    return values.mask(values == "")


def whole(column: pd.Series) -> pd.Series:
    """Whole numbers (`6.0` is 6; `6.5` or text that is no number is missing)."""
    values = pd.to_numeric(column, errors="coerce")
    return values.where(values == np.floor(values)).astype("Int64")


def first_per(frame: pd.DataFrame, key: str | list[str], by: list[str], ascending) -> pd.DataFrame:
    """The first row of each `key` group in the order `by`."""
    return frame.sort_values(by, ascending=ascending, kind="mergesort").drop_duplicates(key)


def top_per(frame: pd.DataFrame, key: str, by: list[str], ascending, n) -> pd.DataFrame:
    """The first n rows of each `key` group in the order `by`, with their rank (1..n); n a number
    or a column of per-row limits."""
    ranked = frame.sort_values(by, ascending=ascending, kind="mergesort")
    ranked = ranked.assign(rank=ranked.groupby(key, sort=False).cumcount() + 1)
    limit = ranked[n] if isinstance(n, str) else n
    return ranked.loc[ranked["rank"] <= limit]


def pair_key(left: pd.Series, right: pd.Series, size: int) -> np.ndarray:
    """One int64 per (left, right) pair of integer codes, for fast membership tests."""
    return left.to_numpy("int64") * size + right.to_numpy("int64")


def is_in(keys: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Whether each key is one of the known ones (a hash lookup: np.isin sorts both)."""
    return pd.Series(keys).isin(known).to_numpy()


def load(path: str) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The distinct lines of known customers whose fields all parse, with their reason and
    whether they make up monetary; and the last invoice date of any line."""
    raw = pd.read_parquet(path).drop_duplicates()  # exact duplicates count once
    date_text = text(raw["InvoiceDate"])
    invoiced_at = pd.to_datetime(date_text, format="ISO8601", errors="coerce")
    for layout in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"):
        missing = invoiced_at.isna() & date_text.notna()
        if missing.any():
            invoiced_at[missing] = pd.to_datetime(
                date_text[missing], format=layout, errors="coerce"
            )
    last_order_date = invoiced_at.max().normalize()
    price = pd.to_numeric(raw["UnitPrice"], errors="coerce").round(6)
    lines = pd.DataFrame(
        {
            "order_id": text(raw["InvoiceNo"]),
            "product_id": text(raw["StockCode"]),
            "description": text(raw["Description"]),
            "quantity": whole(raw["Quantity"]),
            "invoiced_at": invoiced_at,
            "unit_price": price,
            "customer_id": whole(raw["CustomerID"]),
            "no_customer": text(raw["CustomerID"]).isna(),
            "country": text(raw["Country"]),
        }
    )
    del raw
    # invalid values and lines without a customer are left out
    lines = lines.loc[~lines["no_customer"]].dropna(
        subset=["order_id", "quantity", "invoiced_at", "unit_price", "customer_id"]
    )
    lines = lines.drop(columns="no_customer").reset_index(drop=True)
    lines["customer_id"] = lines["customer_id"].astype("int64")
    lines["quantity"] = lines["quantity"].astype("int64")
    lines["order_date"] = lines["invoiced_at"].dt.normalize()
    lines["value"] = lines["quantity"] * np.rint(lines["unit_price"] * MICRO).astype("int64")
    services = set(
        pd.read_csv(SEEDS_DIR / "retail_service_stock_codes.csv", dtype=str)["stock_code"]
    )
    upper = lines["order_id"].str.upper()
    lines["is_service"] = lines["product_id"].isin(services)
    lines["is_positive"] = (lines["quantity"] > 0) & (lines["unit_price"] > 0)
    lines["reason"] = np.select(
        [
            upper.str.startswith("C"),
            upper.str.startswith("A"),
            lines["is_service"],
            ~lines["is_positive"],
        ],
        ["cancellation", "adjustment", "service_code", "non_positive_price_or_quantity"],
        "purchase",
    )
    lines["in_monetary"] = (lines["reason"] == "purchase") | (
        (lines["reason"] == "cancellation") & ~lines["is_service"]
    )
    return lines, last_order_date


def rfm(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Recency, frequency, monetary of the customers with purchases, their 1-5 scores and named
    RFM segment."""
    purchases = lines.loc[lines["reason"] == "purchase"]
    table = purchases.groupby("customer_id").agg(
        last_purchase=("order_date", "max"), frequency=("order_id", "nunique")
    )
    monetary = lines.loc[lines["in_monetary"]].groupby("customer_id")["value"].sum()
    table["exact_monetary"] = monetary.reindex(table.index, fill_value=0)
    table = table.reset_index()
    table["recency_days"] = (as_of - table["last_purchase"]).dt.days
    table["monetary"] = table["exact_monetary"] / MICRO
    n = len(table)

    def score(column: str, ascending: bool) -> pd.Series:
        rank = table[column].rank(method="min", ascending=ascending)
        percent = (rank - 1) / (n - 1) if n > 1 else rank * 0
        return np.minimum(5, 1 + np.floor(5 * percent)).astype(int)

    table["r_score"] = score("recency_days", ascending=False)
    table["f_score"] = score("frequency", ascending=True)
    table["m_score"] = score("exact_monetary", ascending=True)
    rules = pd.read_csv(SEEDS_DIR / "rfm_segment_rules.csv").sort_values("rule_order")
    grid = {}
    for rule in rules.itertuples():
        for r in range(rule.r_min, rule.r_max + 1):
            for f in range(rule.f_min, rule.f_max + 1):
                grid.setdefault((r, f), rule.rfm_segment)
    table["rfm_segment"] = [
        grid.get(cell) for cell in zip(table["r_score"], table["f_score"], strict=True)
    ]
    columns = ["customer_id", "recency_days", "frequency", "monetary"]
    return table[[*columns, "r_score", "f_score", "m_score", "rfm_segment"]]


def main(path: str, out: str) -> None:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, pd.DataFrame] = {}

    # 1. lines, RFM -----------------------------------------------------------------------------
    lines, last_order_date = load(path)
    as_of = last_order_date + pd.Timedelta(days=1)
    cutoff_date = last_order_date - pd.Timedelta(days=HOLDOUT_DAYS - 1)
    results["rfm"] = customers_rfm = rfm(lines, as_of)
    countries = lines.dropna(subset=["country"]).groupby(["customer_id", "country"]).size()
    countries = first_per(
        countries.rename("n").reset_index(),
        "customer_id",
        ["customer_id", "n", "country"],
        [True, False, True],
    )
    region = countries.set_index("customer_id")["country"]

    # 2. customer segments ----------------------------------------------------------------------
    rule_order = pd.read_csv(SEEDS_DIR / "rfm_segment_rules.csv").sort_values("rule_order")
    customers = features.segmentable_customers(customers_rfm)
    scaled = features.scale_features(customers, features.fit_scaler(customers))
    selection, choice = k_selection.k_selection_table(scaled)
    names = dict(zip(rule_order["rfm_segment"], rule_order["segment_name"], strict=True))
    model = SegmentModel.fit(customers, choice.k, RUN_ID, list(names), segment_names=names)
    segment_id, _ = model.assign(customers[list(model.features)].to_numpy(float))
    pca = pca_coordinates(features.scale_features(customers, model.scaler))
    results["segment_k_selection"] = selection.assign(n_customers=len(customers))
    results["customer_segments"] = segments = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy("int64"),
            "segment_id": segment_id.astype("int32"),
            "segment_label": [model.label(s) for s in segment_id],
            "rfm_segment": customers["rfm_segment"].to_numpy(),
            "pca_1": pca[:, 0],
            "pca_2": pca[:, 1],
        }
    )

    # 3. products and their categories ----------------------------------------------------------
    sold = lines.loc[lines["in_monetary"] & ~lines["is_service"]]
    described = sold.loc[(sold["reason"] == "purchase") & sold["description"].notna()]
    described = described.groupby(["product_id", "description"]).size().rename("n").reset_index()
    descriptions = first_per(
        described, "product_id", ["product_id", "n", "description"], [True, False, True]
    ).set_index("product_id")["description"]
    # products sold to a known customer: revenue net of returns, the most frequent description
    revenue = sold.groupby("product_id")["value"].sum() / MICRO
    purchased = np.sort(sold.loc[sold["reason"] == "purchase", "product_id"].unique())
    products = pd.DataFrame({"product_id": purchased, "revenue": revenue[purchased].to_numpy()})
    products["description"] = products["product_id"].map(descriptions)
    overrides = pd.read_csv(SEEDS_DIR / "product_category_overrides.csv")
    overrides = overrides.loc[overrides["store"] == STORE]
    selection, product_features = product_categories.category_k_selection(products)
    k = int(selection.loc[selection["is_chosen"], "k"].iloc[0])
    assigned, category_table = product_categories.categorise_products(
        products, k, overrides, features=product_features
    )
    results["product_category_k_selection"] = selection
    results["dim_products"] = dim_products = products.merge(assigned, on="product_id")
    results["product_categories"] = category_table
    category_of = dim_products.set_index("product_id")["category_id"]

    # 4. interests: category shares, interest segments, the prediction from the first order -----
    spend = (
        sold.assign(category_id=sold["product_id"].map(category_of))
        .groupby(["customer_id", "category_id"])["value"]
        .sum()
        .rename("exact")
        .reset_index()
    )
    shares = spend.loc[spend["exact"] > 0].copy()
    shares["category_name"] = shares["category_id"].map(
        dim_products.drop_duplicates("category_id").set_index("category_id")["category_name"]
    )
    shares["net_spend"] = shares["exact"] / MICRO
    shares["share"] = shares["net_spend"] / shares.groupby("customer_id")["net_spend"].transform(
        "sum"
    )
    dominant = first_per(
        shares, "customer_id", ["customer_id", "exact", "category_id"], [True, False, True]
    )
    shares["is_dominant"] = shares.index.isin(dominant.index)
    shares = shares.drop(columns="exact")
    selection, assignments, _ = interests.interest_segments(shares, None, RUN_ID)
    results["interest_k_selection"] = selection
    results["customer_interest_segments"] = assignments

    orders = sold[["customer_id", "order_id", "order_date"]].drop_duplicates()
    first = first_per(
        orders, "customer_id", ["customer_id", "order_date", "order_id"], [True, True, True]
    ).rename(columns={"order_date": "first_order_date"})
    basket = sold.merge(first, on=["customer_id", "order_id"])
    # the lines of a product in an order with one fate count as one, as the warehouse groups them
    keys = [
        "customer_id", "first_order_date", "order_id", "invoiced_at", "country", "product_id",
        "description", "is_positive",
    ]  # fmt: skip
    basket = basket.groupby(keys, dropna=False).agg(
        value=("value", "sum"), n_lines=("value", "size")
    )
    basket = basket.reset_index()
    basket["category_id"] = basket["product_id"].map(category_of)
    basket["positive"] = basket["value"].clip(lower=0)
    basket = basket.groupby(["customer_id", "first_order_date", "category_id"], as_index=False)[
        ["positive", "n_lines", "value"]
    ].sum()
    per_customer = basket.groupby("customer_id")[["positive", "n_lines", "value"]].transform("sum")
    basket["basket_share"] = np.where(
        per_customer["positive"] > 0,
        basket["positive"] / per_customer["positive"].where(per_customer["positive"] > 0, 1),
        basket["n_lines"] / per_customer["n_lines"],
    )
    basket["n_lines"] = per_customer["n_lines"]
    basket["basket_value"] = per_customer["value"] / MICRO
    basket["region"] = basket["customer_id"].map(region).fillna("unknown")
    cutoff = last_order_date - pd.DateOffset(months=NEW_CUSTOMER_MONTHS) + pd.Timedelta(days=1)
    evaluation, _, _ = interests.interest_prediction(
        interests.first_orders_from_baskets(basket),
        interests.dominant_categories(shares),
        cutoff,
        RUN_ID,
    )
    results["interest_prediction_evaluation"] = evaluation

    # 5. baskets, association rules, popularity, next-best products -----------------------------
    baskets = (
        lines.loc[(lines["reason"] == "purchase") & ~lines["is_service"]]
        .groupby(["order_id", "customer_id", "order_date", "product_id"], as_index=False)["value"]
        .sum()
    )
    baskets["is_training"] = baskets["order_date"] < cutoff_date
    product_codes = pd.Index(np.sort(baskets["product_id"].unique()))
    baskets["product_code"] = product_codes.get_indexer(baskets["product_id"])
    baskets["category_id"] = baskets["product_id"].map(category_of)
    training = baskets.loc[baskets["is_training"]]

    results["product_associations"] = rules = association_rules(baskets)
    training_rules = association_rules(training)
    results["product_popularity"] = popular = popularity(baskets, segments, category_of)
    results["customer_recommendations"] = next_best(
        baskets, rules, popular, segments, product_codes, ("model",)
    )

    # each customer's segment at the cutoff: RFM from their lines before it, scored with the model
    before = lines.loc[lines["order_date"] < cutoff_date]
    at_cutoff = (
        before.loc[before["reason"] == "purchase"]
        .groupby("customer_id")
        .agg(last_purchase=("order_date", "max"), frequency=("order_id", "nunique"))
    )
    monetary = before.loc[before["in_monetary"]].groupby("customer_id")["value"].sum()
    at_cutoff["monetary"] = monetary.reindex(at_cutoff.index, fill_value=0) / MICRO
    at_cutoff["recency_days"] = (cutoff_date - at_cutoff["last_purchase"]).dt.days
    at_cutoff = at_cutoff.loc[(at_cutoff["recency_days"] >= 0) & (at_cutoff["monetary"] > 0)]
    at_cutoff = at_cutoff.reset_index().sort_values("customer_id")
    segment_id, _ = model.assign(at_cutoff[list(model.features)].to_numpy(float))
    cutoff_segments = pd.DataFrame(
        {"customer_id": at_cutoff["customer_id"].to_numpy("int64"), "segment_id": segment_id}
    )
    training_popular = popularity(training, cutoff_segments, category_of)
    results["recommendation_evaluation_lists"] = lists = next_best(
        training,
        training_rules,
        training_popular,
        cutoff_segments,
        product_codes,
        ("model", "global_popularity", "segment_popularity"),
    )
    results["recommendation_evaluation"] = recommendation_evaluation(
        baskets, lists, cutoff_date, product_codes
    )

    for name, frame in results.items():
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)


def association_rules(baskets: pd.DataFrame) -> pd.DataFrame:
    """Rules between frequent products bought in the same basket (an order's distinct products):
    both products in at least MIN_SUPPORT of the baskets and MIN_BASKETS baskets, each basket
    capped to its MAX_BASKET_PRODUCTS most popular frequent products."""
    pairs_in = baskets[["order_id", "product_id"]].drop_duplicates()
    n_baskets = pairs_in["order_id"].nunique()
    min_baskets = max(MIN_BASKETS, math.ceil(MIN_SUPPORT * n_baskets))
    counts = pairs_in["product_id"].value_counts()
    frequent = counts[counts >= min_baskets].sort_index()
    key_of = pd.Series(np.arange(len(frequent)), index=frequent.index)
    capped = pairs_in.loc[pairs_in["product_id"].isin(frequent.index)].copy()
    capped["n"] = capped["product_id"].map(frequent)
    capped = top_per(
        capped, "order_id", ["order_id", "n", "product_id"], [True, False, True],
        MAX_BASKET_PRODUCTS,
    )  # fmt: skip
    capped = pd.DataFrame(
        {
            "order": pd.factorize(capped["order_id"])[0].astype("int32"),
            "key": capped["product_id"].map(key_of).to_numpy("int32"),
        }
    )
    pairs = capped.merge(capped, on="order", suffixes=("_a", "_b"))
    pairs = pairs.loc[pairs["key_a"] < pairs["key_b"]]
    counted = pd.Series(pair_key(pairs["key_a"], pairs["key_b"], len(frequent))).value_counts()
    del pairs
    counted = counted[counted >= min_baskets]
    key_a, key_b = np.divmod(counted.index.to_numpy(), len(frequent))
    rules = pd.DataFrame(
        {
            "antecedent": np.concatenate([key_a, key_b]),
            "consequent": np.concatenate([key_b, key_a]),
            "baskets": np.concatenate([counted.to_numpy(), counted.to_numpy()]),
        }
    )
    n = frequent.to_numpy()
    ids = frequent.index.to_numpy()
    antecedent_baskets = n[rules["antecedent"]]
    consequent_baskets = n[rules["consequent"]]
    confidence = rules["baskets"] / antecedent_baskets
    return pd.DataFrame(
        {
            "antecedent_product_id": ids[rules["antecedent"]],
            "consequent_product_id": ids[rules["consequent"]],
            "baskets": rules["baskets"],
            "antecedent_baskets": antecedent_baskets,
            "consequent_baskets": consequent_baskets,
            "n_baskets": n_baskets,
            "support": rules["baskets"] / n_baskets,
            "confidence": confidence,
            "lift": confidence / (consequent_baskets / n_baskets),
        }
    )


def popularity(
    history: pd.DataFrame, segments: pd.DataFrame, category_of: pd.Series
) -> pd.DataFrame:
    """The POOL most popular products (by customers who bought them) overall, per segment and
    per category, ranked (ties to the lower product id)."""
    bought = history[["customer_id", "product_id"]].drop_duplicates()
    overall = bought.groupby("product_id").size().rename("customers").reset_index()
    overall["share"] = overall["customers"] / bought["customer_id"].nunique()
    overall = overall.assign(kind="overall", group_id=0)
    sizes = segments["segment_id"].value_counts()
    by_segment = (
        bought.merge(segments[["customer_id", "segment_id"]], on="customer_id")
        .groupby(["segment_id", "product_id"])
        .size()
        .rename("customers")
        .reset_index()
    )
    by_segment["share"] = by_segment["customers"] / by_segment["segment_id"].map(sizes)
    by_segment = by_segment.rename(columns={"segment_id": "group_id"}).assign(kind="segment")
    by_category = overall.assign(kind="category", group_id=overall["product_id"].map(category_of))
    groups = pd.concat([overall, by_segment, by_category], ignore_index=True)
    groups["group_id"] = groups["group_id"].astype("int64")
    ranked = top_per(
        groups, ["kind", "group_id"], ["kind", "group_id", "customers", "product_id"],
        [True, True, False, True], POOL,
    )  # fmt: skip
    ranked = ranked.rename(columns={"rank": "popularity_rank"})
    return ranked[["kind", "group_id", "product_id", "customers", "share", "popularity_rank"]]


def next_best(
    history: pd.DataFrame,
    rules: pd.DataFrame,
    popular: pd.DataFrame,
    segments: pd.DataFrame,
    product_codes: pd.Index,
    methods: tuple[str, ...],
) -> pd.DataFrame:
    """Each customer's PER_CUSTOMER next-best products they have not bought, per method: 'model'
    (the best rule of each product offered by the strongest rules of their most recent products,
    then their segment's popular products, then their main category's), 'global_popularity',
    'segment_popularity'. Products go by their code (the codes sort as the ids do)."""
    size = len(product_codes)
    bought = history.groupby(["customer_id", "product_code"], as_index=False).agg(
        last_order_date=("order_date", "max"),
        n_orders=("order_id", "nunique"),
        category_id=("category_id", "first"),
        spend=("value", "sum"),
    )
    bought_keys = pair_key(bought["customer_id"], bought["product_code"], size)
    customers = pd.DataFrame({"customer_id": bought["customer_id"].unique()}).merge(
        segments[["customer_id", "segment_id"]], on="customer_id", how="left"
    )
    popular = popular.assign(product_code=product_codes.get_indexer(popular["product_id"]))
    lists = {kind: popular.loc[popular["kind"] == kind] for kind in ("overall", "segment")}
    picks = []

    def take(needs: pd.DataFrame, candidates: pd.DataFrame, excluded: np.ndarray) -> pd.DataFrame:
        """The first `needed` candidates of each customer (in list order) not in excluded."""
        merged = needs.merge(candidates, on="list_key")
        keys = pair_key(merged["customer_id"], merged["product_code"], size)
        merged = merged.loc[~is_in(keys, excluded)]
        return top_per(merged, "customer_id", ["customer_id", "list_rank"], [True, True], "needed")

    if "model" in methods:
        antecedents = top_per(
            bought, "customer_id", ["customer_id", "last_order_date", "n_orders", "product_code"],
            [True, False, False, True], MAX_CUSTOMER_PRODUCTS,
        )  # fmt: skip
        rules = rules.assign(
            antecedent=product_codes.get_indexer(rules["antecedent_product_id"]),
            product_code=product_codes.get_indexer(rules["consequent_product_id"]),
        )
        strongest = top_per(
            rules, "antecedent", ["antecedent", "confidence", "lift", "product_code"],
            [True, False, False, True], MAX_RULES_PER_PRODUCT,
        )  # fmt: skip
        candidates = antecedents[["customer_id", "product_code"]].merge(
            strongest[["antecedent", "product_code", "confidence", "lift"]],
            left_on="product_code",
            right_on="antecedent",
            suffixes=("_bought", ""),
        )
        keys = pair_key(candidates["customer_id"], candidates["product_code"], size)
        candidates = candidates.loc[~is_in(keys, bought_keys)]
        # a product's best rule: confidence, lift, then the lower antecedent
        best = first_per(
            candidates,
            ["customer_id", "product_code"],
            ["customer_id", "product_code", "confidence", "lift", "antecedent"],
            [True, True, False, False, True],
        )
        best = top_per(
            best, "customer_id", ["customer_id", "confidence", "lift", "product_code"],
            [True, False, False, True], PER_CUSTOMER,
        )  # fmt: skip
        rule_picks = pd.DataFrame(
            {
                "customer_id": best["customer_id"],
                "product_code": best["product_code"],
                "score": best["confidence"],
                "reason": "bought_with:" + pd.Series(product_codes[best["antecedent"]], best.index),
                "source": 1,
                "list_rank": best["rank"],
                "method": "model",
            }
        )
        picks.append(rule_picks)
        # then the segment's popular products, then those of the category of the largest spend
        spend = bought.groupby(["customer_id", "category_id"], as_index=False)["spend"].sum()
        main_category = first_per(
            spend, "customer_id", ["customer_id", "spend", "category_id"], [True, False, True]
        ).set_index("customer_id")["category_id"]
        needs = customers.assign(
            category_id=customers["customer_id"].map(main_category),
            needed=PER_CUSTOMER
            - customers["customer_id"].map(rule_picks["customer_id"].value_counts()).fillna(0),
        )
        needs = needs.loc[needs["needed"] > 0]
        needs["list_key"] = (
            needs["segment_id"].astype("string").fillna("")
            + ":"
            + needs["category_id"].astype("string").fillna("")
        )
        keys = needs[["list_key", "segment_id", "category_id"]].drop_duplicates()
        segment_part = keys.merge(
            lists["segment"], left_on="segment_id", right_on="group_id"
        ).assign(reason="popular_in_segment", part=1)
        category_part = keys.merge(
            popular.loc[popular["kind"] == "category"], left_on="category_id", right_on="group_id"
        ).assign(reason="popular_in_category", part=2)
        in_segment = category_part.merge(
            segment_part[["list_key", "product_code"]], on=["list_key", "product_code"],
            how="left", indicator=True,
        )["_merge"].eq("both").to_numpy()  # fmt: skip
        combined = pd.concat([segment_part, category_part.loc[~in_segment]], ignore_index=True)
        combined = top_per(
            combined, "list_key", ["list_key", "part", "popularity_rank"], [True, True, True],
            len(combined) + 1,
        ).rename(columns={"rank": "list_rank", "share": "score"})  # fmt: skip
        excluded = np.concatenate(
            [bought_keys, pair_key(rule_picks["customer_id"], rule_picks["product_code"], size)]
        )
        chosen = take(
            needs[["customer_id", "list_key", "needed"]],
            combined[["list_key", "product_code", "score", "reason", "list_rank"]],
            excluded,
        )
        picks.append(chosen.assign(method="model", source=2, list_rank=chosen["rank"]))
    baselines = {
        "global_popularity": (lists["overall"], "overall", "popular_overall"),
        "segment_popularity": (lists["segment"], "segment", "popular_in_segment"),
    }
    for method, (table, kind, reason) in baselines.items():
        if method not in methods:
            continue
        members = customers if kind == "overall" else customers.dropna(subset=["segment_id"])
        needs = pd.DataFrame(
            {
                "customer_id": members["customer_id"],
                "list_key": 0 if kind == "overall" else members["segment_id"].astype("int64"),
                "needed": PER_CUSTOMER,
            }
        )
        candidates = pd.DataFrame(
            {
                "list_key": table["group_id"].astype("int64"),
                "product_code": table["product_code"],
                "score": table["share"],
                "reason": reason,
                "list_rank": table["popularity_rank"],
            }
        )
        chosen = take(needs, candidates, bought_keys)
        picks.append(chosen.assign(method=method, source=1, list_rank=chosen["rank"]))
    every = pd.concat(picks, ignore_index=True)
    every = top_per(
        every, ["customer_id", "method"], ["customer_id", "method", "source", "list_rank"],
        [True, True, True, True], PER_CUSTOMER,
    )  # fmt: skip
    every = every.rename(columns={"rank": "recommendation_rank"})
    every["product_id"] = product_codes[every["product_code"].to_numpy()]
    columns = ["customer_id", "method", "recommendation_rank", "product_id", "score", "reason"]
    return every[columns].reset_index(drop=True)


def recommendation_evaluation(
    baskets: pd.DataFrame, lists: pd.DataFrame, cutoff_date: pd.Timestamp, product_codes: pd.Index
) -> pd.DataFrame:
    """precision@10, recall@10, hit rate@10 and catalogue coverage of each method, on the new
    products training customers bought from the cutoff on."""
    size = len(product_codes)
    training = baskets.loc[baskets["is_training"], ["customer_id", "product_code"]]
    training = training.drop_duplicates()
    after = baskets.loc[~baskets["is_training"], ["customer_id", "product_code"]].drop_duplicates()
    after = after.loc[after["customer_id"].isin(training["customer_id"])]
    new = after.loc[
        ~is_in(
            pair_key(after["customer_id"], after["product_code"], size),
            pair_key(training["customer_id"], training["product_code"], size),
        )
    ]
    n_new = new.groupby("customer_id").size()
    new_keys = pair_key(new["customer_id"], new["product_code"], size)
    listed = lists.assign(
        hit=is_in(
            pair_key(
                lists["customer_id"],
                pd.Series(product_codes.get_indexer(lists["product_id"])),
                size,
            ),
            new_keys,
        )
    )
    rows = []
    for method in ("model", "global_popularity", "segment_popularity"):
        of_method = listed.loc[listed["method"] == method]
        hits = of_method.groupby("customer_id")["hit"].sum().reindex(n_new.index, fill_value=0)
        evaluated = len(n_new)
        rows.append(
            {
                "method": method,
                "precision_at_10": hits.sum() / (PER_CUSTOMER * evaluated) if evaluated else None,
                "recall_at_10": (hits / n_new).mean() if evaluated else None,
                "hit_rate_at_10": (hits > 0).mean() if evaluated else None,
                "catalogue_coverage": of_method["product_id"].nunique()
                / training["product_code"].nunique(),
                "customers_evaluated": evaluated,
                "training_customers": training["customer_id"].nunique(),
                "products_recommended": of_method["product_id"].nunique(),
                "training_products": training["product_code"].nunique(),
                "cutoff_date": cutoff_date.date(),
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
