"""GET /api/recommendations/{customer_id} and POST /api/recommendations on the generated warehouse:
a known customer's answer against marts.customer_recommendations, a basket's answer against the
recommendation rule computed here with SQL and pandas over the marts (the rule of
macros/recommendations.sql), a customer's whole history as a basket against their published rows,
and every refusal in one clear line."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from api_rounding import approx_money, approx_score
from fastapi.testclient import TestClient
from support import PROJECT_ROOT
from two_stores import SECOND_STORE, STORE, copy_as_two_stores

from apps.api.app import create_app, open_warehouse

PATH = "/api/recommendations"
SUCCESS = "Data processed successfully"
ITEM_KEYS = {"rank", "productId", "description", "categoryId", "categoryName", "score", "reason"}
CUSTOMER_ANSWER_KEYS = {
    "store",
    "customerId",
    "segmentId",
    "segmentLabel",
    "recommendations",
    "message",
    "error",
}
BASKET_ANSWER_KEYS = {
    "store",
    "recommendations",
    "segmentId",
    "segmentLabel",
    "dominantCategoryId",
    "basketValue",
    "unknownProducts",
    "message",
    "error",
}
CUSTOMER_ERROR_KEYS = {"customerId", "message", "error"}
BASKET_ERROR_KEYS = {"message", "error", "unknownProducts"}
RECOMMENDATION_MARTS = (
    "customer_recommendations",
    "product_associations",
    "product_popularity",
    "recommendation_evaluation",
)
# the rule's dbt vars, as the build reads them
DBT_VARS = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
MAX_RULES = int(DBT_VARS["association_max_rules_per_product"])
MAX_CUSTOMER_PRODUCTS = int(DBT_VARS["recommendation_max_customer_products"])
SEGMENT_PRODUCTS_KEPT = 5
LEAST_GENERATED_HISTORIES = 150


def query(path: Path, sql: str, params=()) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def plain(value):
    """A value of a frame as JSON has it: a missing one is None."""
    return None if pd.isna(value) else value


def basket(*lines: tuple[str, int, float], **fields) -> dict:
    return {
        "lines": [{"product_id": p, "quantity": q, "unit_price": u} for p, q, u in lines],
        **fields,
    }


@pytest.fixture(scope="module")
def client(generated_warehouse):
    with TestClient(create_app(open_warehouse(generated_warehouse.path))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def products(generated_warehouse) -> pd.DataFrame:
    """The store's products with their category, best sellers first."""
    return query(
        generated_warehouse.path,
        """
        select product_id, category_id, revenue
        from marts.dim_products
        where store = ?
        order by revenue desc, product_id
        """,
        [STORE],
    )


# --- the rule, computed here ---------------------------------------------------------------------


def expected_answer(path: Path, store: str, request: dict) -> dict:
    """The answer POST /api/recommendations should give `request`, computed from the marts with SQL
    and pandas: candidates from the MAX_RULES strongest rules of the basket's first
    MAX_CUSTOMER_PRODUCTS products (a customer's most recently bought, ties to those in more
    baskets, then the lower id: in one basket, the lowest ids), the basket's segment (the stored macro marts.rfm_segment_id on
    recency 0, frequency 1 and the basket's value) and its dominant category; basket products left
    out; each product from its first source with its best score; ordered by source, score, lift,
    product id."""
    limit = request.get("limit", 10)
    lines = pd.DataFrame(request["lines"])
    lines["value"] = lines["quantity"] * lines["unit_price"]
    catalogue = query(
        path,
        """
        select products.product_id, products.description, products.category_id,
            categories.category_name
        from marts.dim_products as products
        left join marts.product_categories as categories
            on products.store = categories.store and products.category_id = categories.category_id
        where products.store = ?
        """,
        [store],
    ).set_index("product_id")
    is_known = lines["product_id"].isin(catalogue.index)
    unknown = list(dict.fromkeys(lines.loc[~is_known, "product_id"]))
    values = lines[is_known].groupby("product_id", sort=False)["value"].sum()
    basket_value = float(values.sum())
    by_category = (
        values.to_frame()
        .join(catalogue["category_id"])
        .groupby("category_id")["value"]
        .sum()
        .reset_index()
        .sort_values(["value", "category_id"], ascending=[False, True])
    )
    dominant = int(by_category["category_id"].iloc[0])
    segment = int(
        query(path, "select marts.rfm_segment_id(0, 1, ?, store := ?)", [basket_value, store]).iloc[
            0, 0
        ]
    )
    label = query(
        path,
        "select segment_label from marts.segment_profiles where store = ? and segment_id = ?",
        [store, segment],
    ).iloc[0, 0]

    rules = query(
        path,
        "select antecedent_product_id, consequent_product_id, confidence, lift"
        " from marts.product_associations where store = ?",
        [store],
    )
    antecedents = sorted(values.index)[:MAX_CUSTOMER_PRODUCTS]
    rules = rules[rules["antecedent_product_id"].isin(antecedents)]
    rules = rules.sort_values(
        ["antecedent_product_id", "confidence", "lift", "consequent_product_id"],
        ascending=[True, False, False, True],
    )
    rules = rules.groupby("antecedent_product_id").head(MAX_RULES)
    popularity = query(
        path,
        "select group_kind, group_id, product_id, share from marts.product_popularity"
        " where store = ?",
        [store],
    )
    in_segment = popularity[
        (popularity["group_kind"] == "segment") & (popularity["group_id"] == segment)
    ]
    in_category = popularity[
        (popularity["group_kind"] == "category") & (popularity["group_id"] == dominant)
    ]
    candidates = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": 1,
                    "product_id": rules["consequent_product_id"],
                    "score": rules["confidence"],
                    "lift": rules["lift"],
                    "reason": "bought_with:" + rules["antecedent_product_id"],
                }
            ),
            pd.DataFrame(
                {
                    "source": 2,
                    "product_id": in_segment["product_id"],
                    "score": in_segment["share"],
                    "lift": 0.0,
                    "reason": "popular_in_segment",
                }
            ),
            pd.DataFrame(
                {
                    "source": 3,
                    "product_id": in_category["product_id"],
                    "score": in_category["share"],
                    "lift": 0.0,
                    "reason": "popular_in_category",
                }
            ),
        ],
        ignore_index=True,
    )
    candidates = candidates[~candidates["product_id"].isin(values.index)]
    best = candidates.sort_values(
        ["product_id", "source", "score", "lift", "reason"],
        ascending=[True, True, False, False, True],
    ).drop_duplicates("product_id")
    chosen = best.sort_values(
        ["source", "score", "lift", "product_id"], ascending=[True, False, False, True]
    ).head(limit)
    details = catalogue.loc[chosen["product_id"]]
    return {
        "store": store,
        "recommendations": [
            {
                "rank": rank,
                "productId": product,
                "description": plain(description),
                "categoryId": int(category_id),
                "categoryName": plain(category_name),
                "score": approx_score(score),
                "reason": reason,
            }
            for rank, (
                product,
                score,
                reason,
                description,
                category_id,
                category_name,
            ) in enumerate(
                zip(
                    chosen["product_id"],
                    chosen["score"],
                    chosen["reason"],
                    details["description"],
                    details["category_id"],
                    details["category_name"],
                    strict=True,
                ),
                start=1,
            )
        ],
        "segmentId": segment,
        "segmentLabel": label,
        "dominantCategoryId": dominant,
        "basketValue": approx_money(basket_value),
        "unknownProducts": unknown,
        "message": SUCCESS,
        "error": "",
    }


def mart_rows(path: Path, store: str, customer_id: int | None = None) -> pd.DataFrame:
    """The store's rows of marts.customer_recommendations (of one customer), in rank order."""
    only = "" if customer_id is None else f" and customer_id = {int(customer_id)}"
    return query(
        path,
        f"select * from marts.customer_recommendations where store = ?{only}"
        " order by customer_id, recommendation_rank",
        [store],
    )


def answer_of_rows(store: str, customer_id: int, rows: pd.DataFrame) -> dict:
    """GET's answer for a customer: their rows of marts.customer_recommendations."""
    assert not rows.empty
    first = rows.iloc[0]
    return {
        "store": store,
        "customerId": customer_id,
        "segmentId": None if pd.isna(first["segment_id"]) else int(first["segment_id"]),
        "segmentLabel": plain(first["segment_label"]),
        "recommendations": [
            {
                "rank": int(row.recommendation_rank),
                "productId": row.product_id,
                "description": plain(row.description),
                "categoryId": None if pd.isna(row.category_id) else int(row.category_id),
                "categoryName": plain(row.category_name),
                "score": approx_score(row.score),
                "reason": row.reason,
            }
            for row in rows.itertuples(index=False)
        ],
        "message": SUCCESS,
        "error": "",
    }


def mart_answer(path: Path, store: str, customer_id: int) -> dict:
    return answer_of_rows(store, customer_id, mart_rows(path, store, customer_id))


# --- GET: a known customer ------------------------------------------------------------------------


def test_a_customers_answer_is_their_rows_of_the_mart(client, generated_warehouse):
    path = generated_warehouse.path
    customers = query(
        path,
        """
        select customer_id,
            count(*) filter (where reason like 'bought_with:%') as from_rules,
            count(*) filter (where reason not like 'bought_with:%') as from_popularity
        from marts.customer_recommendations
        where store = ?
        group by customer_id
        order by customer_id
        """,
        [STORE],
    )
    assert len(customers) > 100
    # the first customers, the one with the fewest recommendations from rules and the last one
    chosen = {
        *customers["customer_id"].head(5),
        customers.sort_values(["from_rules", "customer_id"])["customer_id"].iloc[0],
        customers["customer_id"].iloc[-1],
    }
    for customer_id in sorted(int(c) for c in chosen):
        response = client.get(f"{PATH}/{customer_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == CUSTOMER_ANSWER_KEYS
        assert all(set(item) == ITEM_KEYS for item in body["recommendations"])
        assert body == mart_answer(path, STORE, customer_id)
        assert [item["rank"] for item in body["recommendations"]] == list(
            range(1, len(body["recommendations"]) + 1)
        )
        assert client.get(f"{PATH}/{customer_id}", params={"store": STORE}).json() == body


def test_a_customer_is_never_recommended_what_they_bought(client, generated_warehouse):
    bought = query(
        generated_warehouse.path,
        "select customer_id, list(distinct product_id) as products"
        " from intermediate.int_recommendation_baskets where store = ?"
        " group by customer_id order by customer_id limit 20",
        [STORE],
    )
    for customer_id, products in zip(bought["customer_id"], bought["products"], strict=True):
        body = client.get(f"{PATH}/{int(customer_id)}").json()
        assert body["recommendations"]
        assert not {item["productId"] for item in body["recommendations"]} & set(products)


def test_an_unknown_customer_is_not_found_in_the_customer_shape(client):
    response = client.get(f"{PATH}/999999999")
    assert response.status_code == 404
    assert response.json() == {
        "customerId": "999999999",
        "message": "Customer not found",
        "error": "customer_id: no customer with this id",
    }
    # as /api/customers answers
    assert client.get("/api/customers/999999999").json() == response.json()


@pytest.mark.parametrize("customer_id", [2**63, -(2**63) - 1, 10**40])
def test_a_customer_id_beyond_bigint_is_not_found(client, customer_id):
    response = client.get(f"{PATH}/{customer_id}")
    assert response.status_code == 404
    assert response.json()["customerId"] == str(customer_id)


def test_a_customer_without_purchases_has_no_recommendations(client, generated_warehouse):
    customer_id = int(
        query(
            generated_warehouse.path,
            "select min(customer_id) from marts.fct_customer_rfm"
            " where store = ? and not has_purchases",
            [STORE],
        ).iloc[0, 0]
    )
    response = client.get(f"{PATH}/{customer_id}")
    assert response.status_code == 404
    assert response.json() == {
        "customerId": str(customer_id),
        "message": "No recommendations",
        "error": "customer_id: the customer has no purchase to recommend from",
    }


def test_an_invalid_customer_id_or_store_is_refused(client, generated_warehouse):
    customer_id = int(
        query(
            generated_warehouse.path,
            "select min(customer_id) from marts.customer_recommendations",
        ).iloc[0, 0]
    )
    invalid = client.get(f"{PATH}/not-a-number")
    assert invalid.status_code == 422
    body = invalid.json()
    assert set(body) == CUSTOMER_ERROR_KEYS
    assert body["customerId"] == "not-a-number" and body["error"].startswith("customer_id: ")
    unknown = client.get(f"{PATH}/{customer_id}", params={"store": "no_such_shop"})
    assert unknown.status_code == 422
    assert unknown.json() == {
        "customerId": str(customer_id),
        "message": "Invalid input",
        "error": f"store: unknown store; the warehouse's stores are: {STORE}",
    }


# --- POST: a new customer's basket ----------------------------------------------------------------


def baskets(products: pd.DataFrame) -> list[dict]:
    """Baskets of one product, of several categories, of repeated lines, of the best sellers."""
    ids = list(products["product_id"])
    first = products.iloc[0]
    other = products[products["category_id"] != first["category_id"]].iloc[0]["product_id"]
    return [
        basket((ids[0], 1, 2.5)),
        basket((ids[-1], 3, 0.85)),
        basket((ids[0], 2, 1.25), (other, 10, 0.85), (ids[40], 1, 4.0)),
        basket((ids[5], 1, 1.0), (ids[5], 4, 1.0), (ids[6], 1, 3.0), limit=7),
        basket(*((p, 2, 1.5) for p in ids[:25])),
        basket(*((p, 1, 100.0) for p in ids[100:103])),
    ]


def test_a_baskets_answer_follows_the_rule_over_the_marts(client, products, generated_warehouse):
    for request in baskets(products):
        response = client.post(PATH, json=request)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == BASKET_ANSWER_KEYS
        assert all(set(item) == ITEM_KEYS for item in body["recommendations"])
        assert body == expected_answer(generated_warehouse.path, STORE, request), request
        assert len(body["recommendations"]) == request.get("limit", 10)


def test_basket_products_are_never_recommended(client, products):
    ids = list(products["product_id"])
    for start in range(0, 200, 9):
        chosen = ids[start : start + 1 + start % 7]
        body = client.post(PATH, json=basket(*((p, 1, 1.0) for p in chosen))).json()
        recommended = [item["productId"] for item in body["recommendations"]]
        assert len(recommended) == 10 and len(set(recommended)) == 10
        assert not set(recommended) & set(chosen)


def test_a_customers_history_as_a_basket_gives_their_published_recommendations(
    client, generated_warehouse
):
    """The build recommends from a customer's whole history by the same rule: the history sent as
    a basket (one line per product, its value as the price) gets the customer's rows of
    marts.customer_recommendations, wherever the basket falls in the customer's segment or every
    recommendation comes from the rules."""
    assert_histories_match(client, generated_warehouse.path, least=LEAST_GENERATED_HISTORIES)


def assert_histories_match(
    client: TestClient, path: Path, least: int, customers: int | None = None
) -> None:
    """The first `customers` customers' histories as baskets (each product once, its value as the
    price) against their published rows; at least `least` of them compared. Only customers with at
    most MAX_CUSTOMER_PRODUCTS products: the rules of a customer with more come from their most
    recently bought products, which one basket cannot tell."""
    history = query(
        path,
        "select customer_id, product_id, sum(line_value) as value"
        " from intermediate.int_recommendation_baskets where store = ?"
        " group by customer_id, product_id order by customer_id, product_id",
        [STORE],
    )
    published = dict(iter(mart_rows(path, STORE).groupby("customer_id")))
    compared = 0
    for customer_id, lines in list(history.groupby("customer_id"))[:customers]:
        if len(lines) > MAX_CUSTOMER_PRODUCTS:
            continue
        expected = answer_of_rows(STORE, int(customer_id), published[customer_id])
        request = basket(
            *((p, 1, float(v)) for p, v in zip(lines["product_id"], lines["value"], strict=True))
        )
        body = client.post(PATH, json=request).json()
        from_rules = all(
            item["reason"].startswith("bought_with:") for item in expected["recommendations"]
        )
        if body["segmentId"] != expected["segmentId"] and not from_rules:
            continue  # the new customer's segment is not the customer's
        assert body["recommendations"] == expected["recommendations"], customer_id
        compared += 1
    assert compared >= least, compared


def test_only_the_baskets_first_products_lend_their_rules(client, products, generated_warehouse):
    ids = list(products["product_id"][: MAX_CUSTOMER_PRODUCTS + 15])
    request = basket(*((p, 1, 1.0) for p in reversed(ids)))
    body = client.post(PATH, json=request).json()
    assert body == expected_answer(generated_warehouse.path, STORE, request)
    lending = {
        item["reason"].removeprefix("bought_with:")
        for item in body["recommendations"]
        if item["reason"].startswith("bought_with:")
    }
    assert lending
    assert lending <= set(sorted(ids)[:MAX_CUSTOMER_PRODUCTS])


def test_unknown_products_are_listed_and_ignored(client, products):
    known = list(products["product_id"][:2])
    plain = client.post(PATH, json=basket((known[0], 1, 2.0), (known[1], 3, 1.0))).json()
    body = client.post(
        PATH,
        json=basket(
            ("NOT-A-PRODUCT", 1, 1.0),
            (known[0], 1, 2.0),
            ("ALSO-NOT", 5, 9.0),
            (known[1], 3, 1.0),
            ("NOT-A-PRODUCT", 2, 1.0),
        ),
    ).json()
    assert body["unknownProducts"] == ["NOT-A-PRODUCT", "ALSO-NOT"]
    assert {**body, "unknownProducts": []} == plain
    assert body["basketValue"] == 5.0


def test_the_limit_cuts_the_list(client, products):
    request = basket((products["product_id"].iloc[3], 1, 1.0))
    full = client.post(PATH, json=request).json()["recommendations"]
    assert len(full) == 10
    assert client.post(PATH, json={**request, "limit": 10}).json()["recommendations"] == full
    for limit in (1, 3, 9):
        cut = client.post(PATH, json={**request, "limit": limit}).json()["recommendations"]
        assert cut == full[:limit]


def test_answers_are_deterministic(generated_warehouse, products, client):
    request = basket(*((p, 2, 1.25) for p in products["product_id"][10:16]))
    first = client.post(PATH, json=request).json()
    assert client.post(PATH, json=request).json() == first
    customer_id = int(
        query(
            generated_warehouse.path, "select max(customer_id) from marts.customer_recommendations"
        ).iloc[0, 0]
    )
    known = client.get(f"{PATH}/{customer_id}").json()
    with TestClient(create_app(open_warehouse(generated_warehouse.path))) as other:
        assert other.post(PATH, json=request).json() == first
        assert other.get(f"{PATH}/{customer_id}").json() == known


# --- the three sources in one answer -------------------------------------------------------------


@pytest.fixture(scope="module")
def sparse_warehouse(generated_warehouse, products, tmp_path_factory) -> tuple[Path, dict]:
    """A copy of the generated warehouse where a basket of three products (two categories) reaches
    every source: the first two products have no rule, the third three (none to a basket product);
    each segment keeps its SEGMENT_PRODUCTS_KEPT most popular products."""
    path = tmp_path_factory.mktemp("sparse_rules") / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    first = products.iloc[0]
    same = products[
        (products["category_id"] == first["category_id"])
        & (products["product_id"] != first["product_id"])
    ].iloc[0]
    other = products[products["category_id"] != first["category_id"]].iloc[0]
    chosen = [first["product_id"], same["product_id"], other["product_id"]]
    with duckdb.connect(str(path)) as con:
        con.execute(
            "delete from marts.product_associations where antecedent_product_id in (?, ?)",
            chosen[:2],
        )
        con.execute(
            """
            delete from marts.product_associations
            where antecedent_product_id = $1 and consequent_product_id not in (
                select consequent_product_id from marts.product_associations
                where antecedent_product_id = $1 and consequent_product_id not in ($2, $3)
                order by consequent_product_id
                limit 3
            )
            """,
            [chosen[2], chosen[0], chosen[1]],
        )
        con.execute(
            "delete from marts.product_popularity where group_kind = 'segment'"
            f" and popularity_rank > {SEGMENT_PRODUCTS_KEPT}"
        )
    # the first category's products dominate the basket's value
    request = basket((chosen[0], 2, 10.0), (chosen[1], 1, 5.0), (chosen[2], 1, 7.5))
    return path, request


def test_every_source_in_its_order(sparse_warehouse):
    path, request = sparse_warehouse
    with TestClient(create_app(open_warehouse(path))) as api:
        body = api.post(PATH, json=request).json()
    reasons = [item["reason"].split(":")[0] for item in body["recommendations"]]
    expected = expected_answer(path, STORE, request)
    assert body == expected
    first_of = [reasons.index(kind) for kind in ("bought_with", "popular_in_segment")]
    assert first_of == sorted(first_of)
    assert reasons[-1] == "popular_in_category"
    assert reasons == sorted(
        reasons, key=["bought_with", "popular_in_segment", "popular_in_category"].index
    )
    # the rules' products: the consequents of the third product's rules
    assert {
        item["reason"] for item in body["recommendations"] if item["reason"].startswith("bought")
    } == {"bought_with:" + request["lines"][2]["product_id"]}
    assert body["dominantCategoryId"] == int(
        query(
            path,
            "select category_id from marts.dim_products where product_id = ?",
            [request["lines"][0]["product_id"]],
        ).iloc[0, 0]
    )


# --- refusals -------------------------------------------------------------------------------------


def test_a_basket_of_unknown_products_is_refused_naming_them(client):
    response = client.post(PATH, json=basket(("NOPE-1", 1, 1.0), ("NOPE-2", 1, 1.0)))
    assert response.status_code == 422
    assert response.json() == {
        "message": "Invalid input",
        "error": "lines: no product of the basket is in the store's catalogue (marts.dim_products)",
        "unknownProducts": ["NOPE-1", "NOPE-2"],
    }
    many = client.post(PATH, json=basket(*((f"NOPE-{i}", 1, 1.0) for i in range(50)))).json()
    assert many["unknownProducts"] == [f"NOPE-{i}" for i in range(20)]
    assert "50 unknown products" in many["error"]


GOOD_LINE = ("85123A", 1, 1.0)


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        (basket(), "lines"),
        ({}, "lines"),
        (basket(*[GOOD_LINE] * 501), "lines"),
        (basket(("", 1, 1.0)), "lines.0.product_id"),
        (basket(("85123A", 0, 1.0)), "lines.0.quantity"),
        (basket(("85123A", True, 1.0)), "lines.0.quantity"),
        (basket(("85123A", 1, -1.0)), "lines.0.unit_price"),
        (basket(("85123A", 1, 1e8)), "lines.0.unit_price"),
        (basket(GOOD_LINE, limit=0), "limit"),
        (basket(GOOD_LINE, limit=11), "limit"),
        (basket(GOOD_LINE, limit=True), "limit"),
        (basket(GOOD_LINE, limit="ten"), "limit"),
        (basket(GOOD_LINE, colour="red"), "colour"),
        (basket(GOOD_LINE, store="no_such_shop"), "store"),
        (basket(GOOD_LINE, store=7), "store"),
    ],
)
def test_invalid_baskets_name_the_field(client, request_body, field):
    response = client.post(PATH, json=request_body)
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == BASKET_ERROR_KEYS
    assert body["message"] == "Invalid input"
    assert body["error"].startswith(f"{field}: "), body["error"]


def test_an_unknown_store_lists_the_stores(client, products):
    response = client.post(
        PATH, json=basket((products["product_id"].iloc[0], 1, 1.0), store="no_such_shop")
    )
    assert response.json()["error"] == (
        f"store: unknown store; the warehouse's stores are: {STORE}"
    )


def test_store_in_the_query_string_is_refused(client, products):
    response = client.post(
        PATH, params={"store": STORE}, json=basket((products["product_id"].iloc[0], 1, 1.0))
    )
    assert response.status_code == 422
    assert response.json() == {
        "message": "Invalid input",
        "error": "store: give the store as the JSON body's `store` field, not in the query string",
        "unknownProducts": [],
    }


def test_malformed_bodies_are_invalid_input(client):
    for content in ("not json", "[1, 2]", "", "[" * 60_000):
        response = client.post(PATH, content=content, headers={"content-type": "application/json"})
        assert response.status_code == 422, content[:10]
        assert set(response.json()) == BASKET_ERROR_KEYS


def test_a_wrong_method_lists_the_allowed_one(client):
    response = client.get(PATH)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert set(response.json()) == BASKET_ERROR_KEYS


def test_a_warehouse_without_the_recommendation_marts_says_to_rebuild(
    generated_warehouse, tmp_path, products
):
    path = tmp_path / "older_build.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        for name in RECOMMENDATION_MARTS:
            con.execute(f"drop table marts.{name}")
    customer_id = int(
        query(
            generated_warehouse.path, "select min(customer_id) from marts.customer_recommendations"
        ).iloc[0, 0]
    )
    with TestClient(create_app(open_warehouse(path)), raise_server_exceptions=False) as api:
        known = api.get(f"{PATH}/{customer_id}")
        new = api.post(PATH, json=basket((products["product_id"].iloc[0], 1, 1.0)))
        # the rest of the API is unaffected
        assert api.get(f"/api/customers/{customer_id}").status_code == 200
    assert known.status_code == 422
    assert known.json() == {
        "customerId": str(customer_id),
        "message": "Invalid input",
        "error": f"store: no recommendations for store {STORE!r}: the published warehouse lacks"
        " marts.customer_recommendations: rebuild it with `make run`",
    }
    assert new.status_code == 422
    assert new.json() == {
        "message": "Invalid input",
        "error": f"store: no recommendations for store {STORE!r}: the published warehouse lacks"
        " marts.product_associations, marts.product_popularity: rebuild it with `make run`",
        "unknownProducts": [],
    }
    assert str(tmp_path) not in known.text + new.text


def test_a_warehouse_without_the_stored_basket_rule_says_so(
    tmp_path, generated_warehouse, products
):
    """A warehouse built before the basket rule was stored (marts.next_best_for_basket) has the
    marts but not the rule: a basket is refused in one line, a known customer still answered."""
    path = tmp_path / "older_build.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("drop macro table marts.next_best_for_basket")
    with TestClient(create_app(open_warehouse(path)), raise_server_exceptions=False) as api:
        new = api.post(PATH, json=basket((products["product_id"].iloc[0], 1, 1.0)))
    assert new.status_code == 422
    assert new.json()["error"] == (
        f"store: no recommendations for store {STORE!r}: the published warehouse lacks"
        " marts.next_best_for_basket: rebuild it with `make run`"
    )


# --- two stores -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_store_warehouse(generated_warehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("recommendations_two_stores") / "warehouse.duckdb"
    return copy_as_two_stores(generated_warehouse.path, path)


def test_each_store_answers_from_its_own_rows(two_store_warehouse, products):
    path = two_store_warehouse
    kept = int(
        query(
            path,
            "select min(customer_id) from marts.customer_recommendations"
            " where store = ? and customer_id % 4 <> 0",
            [STORE],
        ).iloc[0, 0]
    )
    dropped = int(  # every fourth customer is not in the second store
        query(
            path,
            "select min(customer_id) from marts.customer_recommendations"
            " where store = ? and customer_id % 4 = 0",
            [STORE],
        ).iloc[0, 0]
    )
    request = basket(*((p, 3, 2.0) for p in products["product_id"][:3]))
    with TestClient(create_app(open_warehouse(path))) as api:
        without = api.get(f"{PATH}/{kept}")
        assert without.status_code == 422
        assert without.json()["error"] == (
            f"store: required: the warehouse has several stores: {STORE}, {SECOND_STORE}"
        )
        assert api.post(PATH, json=request).status_code == 422
        for store in (STORE, SECOND_STORE):
            body = api.get(f"{PATH}/{kept}", params={"store": store}).json()
            assert body == mart_answer(path, store, kept)
            answer = api.post(PATH, json={**request, "store": store}).json()
            assert answer == expected_answer(path, store, {**request, "store": store})
        assert api.get(f"{PATH}/{dropped}", params={"store": STORE}).status_code == 200
        assert api.get(f"{PATH}/{dropped}", params={"store": SECOND_STORE}).status_code == 404


# --- the OpenAPI document -------------------------------------------------------------------------


def test_openapi_documents_both_operations(client, two_store_warehouse):
    spec = client.get("/openapi.json").json()

    def schema_of(path: str, method: str, status: str) -> str:
        content = spec["paths"][path][method]["responses"][status]["content"]
        return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    known = f"{PATH}/{{customer_id}}"
    assert schema_of(known, "get", "200") == "CustomerRecommendationsResponse"
    for status in ("404", "413", "422", "500"):
        assert schema_of(known, "get", status) == "CustomerError"
    assert schema_of(PATH, "post", "200") == "BasketRecommendationsResponse"
    for status in ("413", "422", "500"):
        assert schema_of(PATH, "post", status) == "RecommendationError"
    schemas = spec["components"]["schemas"]
    for name in (
        "RecommendationRequest",
        "CustomerRecommendationsResponse",
        "BasketRecommendationsResponse",
    ):
        assert schemas[name]["examples"], name
    assert set(schemas["BasketRecommendationsResponse"]["properties"]) == BASKET_ANSWER_KEYS
    assert set(schemas["CustomerRecommendationsResponse"]["properties"]) == CUSTOMER_ANSWER_KEYS
    assert set(schemas["RecommendationError"]["properties"]) == BASKET_ERROR_KEYS
    # the store: the warehouse's stores, required in the body where there are several
    (store,) = [p for p in spec["paths"][known]["get"]["parameters"] if p["name"] == "store"]
    assert store["schema"]["enum"] == [STORE] and not store["required"]
    with TestClient(create_app(open_warehouse(two_store_warehouse))) as two:
        request = two.get("/openapi.json").json()["components"]["schemas"]["RecommendationRequest"]
    assert "store" in request["required"]
    assert request["properties"]["store"]["enum"] == [STORE, SECOND_STORE]


# --- the real data --------------------------------------------------------------------------------


@pytest.mark.real_data
def test_real_customers_histories_give_their_published_recommendations(real_warehouse):
    with TestClient(create_app(open_warehouse(real_warehouse.path))) as api:
        assert_histories_match(api, real_warehouse.path, least=550, customers=1_000)
