"""POST /api/interest on the generated warehouse: the stored model of marts.interest_model answers
(the store's served method, loaded, never fitted: every fit raises here), the basket's category
mix and nearest interest segment against an independent computation from the marts, predictions
that follow the basket's categories, a served baseline, determinism across two loads, /healthz
naming each store's method, and every refusal in one clear line (no stored model, another
scikit-learn version)."""

from __future__ import annotations

import pickle
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from api_rounding import approx_money, approx_score
from fastapi.testclient import TestClient
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from two_stores import SECOND_STORE, STORE, copy_as_two_stores

from apps.api.app import create_app, open_warehouse
from models_py import interest_model, interests

PATH = "/api/interest"
# a category takes part in the behaviour test when this many customers hold it as dominant
MIN_DOMINANT_CUSTOMERS = 20


def no_fitting(*_args, **_kwargs):
    raise AssertionError("the API fitted an interest model")


@pytest.fixture(scope="module")
def client(generated_warehouse):
    """The API on the generated warehouse, with every way of fitting an interest model raising."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(interests, "fit_method", no_fitting)
        patch.setattr(interest_model, "fit", no_fitting)
        for fitted in (Pipeline, LogisticRegression, interests.BasketRanker):
            patch.setattr(fitted, "fit", no_fitting)
        with TestClient(create_app(open_warehouse(generated_warehouse.path))) as test_client:
            yield test_client


@pytest.fixture(scope="module")
def stored(generated_warehouse) -> pd.Series:
    """The store's row of marts.interest_model."""
    return generated_warehouse.query_df(
        f"select * from marts.interest_model where store = '{STORE}'"
    ).iloc[0]


def changed_copy(generated_warehouse, tmp_path, *statements: str):
    """A copy of the generated warehouse with `statements` run on it."""
    path = tmp_path / "changed.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


@pytest.fixture(scope="module")
def products(generated_warehouse) -> pd.DataFrame:
    """The store's products with their category, best sellers first."""
    return generated_warehouse.query_df(
        f"""
        select products.product_id, products.category_id, categories.category_name,
            products.revenue
        from marts.dim_products as products
        inner join marts.product_categories as categories
            on products.store = categories.store and products.category_id = categories.category_id
        where products.store = '{STORE}'
        order by products.revenue desc, products.product_id
        """
    )


def basket(*lines: tuple[str, int, float], **fields) -> dict:
    return {
        "lines": [{"product_id": p, "quantity": q, "unit_price": u} for p, q, u in lines],
        **fields,
    }


def test_answer_is_the_documented_shape(client, products, stored):
    chosen = products.head(3)
    response = client.post(
        PATH,
        json=basket(*((p, 2, 1.5) for p in chosen["product_id"]), order_date="2011-11-20"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["store"] == STORE
    # the served method of marts.interest_model answered, and says so
    assert body["method"] == body["model"]["method"] == stored["method"]
    assert body["model"]["reason"] == stored["reason"]
    assert body["model"]["modelRunId"] == stored["model_run_id"]
    assert stored["method_kind"] == "model"  # the generated store serves a fitted model
    assert body["message"] == "Data processed successfully"
    assert body["error"] == ""
    assert body["unknownProducts"] == []
    assert body["orderDate"] == "2011-11-20"
    listed = body["probabilities"]
    assert [p["probability"] for p in listed] == sorted(
        (p["probability"] for p in listed), reverse=True
    )
    # the predicted category is the most likely one; every category's probability adds up to 1
    assert body["predictedCategory"] == listed[0]
    total = sum(p["probability"] for p in listed) + body["otherCategoriesProbability"]
    # each probability is answered to 4 significant digits
    assert total == pytest.approx(1.0, abs=len(listed) * 5e-4)
    assert body["model"]["categories"] >= len(listed)
    assert body["model"]["trainingCustomers"] <= body["model"]["eligibleCustomers"]


def test_basket_mix_matches_the_products_categories(client, products):
    # two products of one category and one of another, unequal values
    first = products.iloc[0]
    same = products[
        (products["category_id"] == first["category_id"])
        & (products["product_id"] != first["product_id"])
    ].iloc[0]
    other = products[products["category_id"] != first["category_id"]].iloc[0]
    lines = [
        (first["product_id"], 3, 2.0),
        (same["product_id"], 1, 4.5),
        (other["product_id"], 10, 0.85),
    ]
    body = client.post(PATH, json=basket(*lines)).json()
    frame = pd.DataFrame(lines, columns=["product_id", "quantity", "unit_price"]).merge(
        products, on="product_id"
    )
    frame["value"] = frame["quantity"] * frame["unit_price"]
    expected = frame.groupby(["category_id", "category_name"], as_index=False).agg(
        value=("value", "sum"), lines=("value", "size")
    )
    expected["share"] = expected["value"] / expected["value"].sum()
    expected = expected.sort_values(["share", "category_id"], ascending=[False, True])
    mix = pd.DataFrame(body["basketMix"])
    assert mix["categoryId"].tolist() == expected["category_id"].tolist()
    assert mix["categoryName"].tolist() == expected["category_name"].tolist()
    assert mix["lines"].tolist() == expected["lines"].tolist()
    assert mix["value"].to_numpy() == approx_money(expected["value"].to_numpy())
    assert mix["share"].to_numpy() == approx_score(expected["share"].to_numpy())
    assert body["basketValue"] == approx_money(frame["value"].sum())


def test_nearest_segment_is_the_nearest_centroid_of_the_profiles(
    client, products, generated_warehouse
):
    profiles = generated_warehouse.query_df(
        f"""
        select interest_segment_id, interest_segment_label, category_id, mean_share
        from marts.interest_segment_profiles where store = '{STORE}'
        """
    )
    centroids = profiles.pivot_table(
        index="interest_segment_id", columns="category_id", values="mean_share", fill_value=0.0
    )
    labels = profiles.drop_duplicates("interest_segment_id").set_index("interest_segment_id")
    for category_id, rows in products.groupby("category_id"):
        chosen = rows.head(2)
        body = client.post(PATH, json=basket(*((p, 1, 1.0) for p in chosen["product_id"]))).json()
        # a one-category basket: share 1 on that category
        vector = pd.Series(0.0, index=centroids.columns)
        vector[category_id] = 1.0
        distances = np.sqrt(((centroids - vector) ** 2).sum(axis=1))
        nearest = distances.idxmin()
        segment = body["nearestInterestSegment"]
        assert segment["interestSegmentId"] == nearest, category_id
        assert segment["label"] == labels.loc[nearest, "interest_segment_label"]
        assert segment["distance"] == approx_score(distances[nearest])


def test_one_category_baskets_mostly_predict_that_category(client, products, generated_warehouse):
    """Customers' first baskets carry their interest (the build's evaluation: the first basket's
    category is a strong baseline), so a basket of one category's best sellers should predict that
    category for most categories many customers hold."""
    held = generated_warehouse.query_df(
        f"""
        select category_id, count(*) as customers
        from intermediate.int_customer_category_shares
        where store = '{STORE}' and is_dominant
        group by category_id
        having count(*) >= {MIN_DOMINANT_CUSTOMERS}
        """
    )["category_id"]
    assert len(held) >= 2
    hits = []
    for category_id in held:
        chosen = products[products["category_id"] == category_id].head(3)
        body = client.post(PATH, json=basket(*((p, 4, 2.5) for p in chosen["product_id"]))).json()
        hits.append(body["predictedCategory"]["categoryId"] == category_id)
    assert np.mean(hits) > 0.5, hits


def test_the_answer_is_the_stored_estimators_prediction(client, products, stored):
    """The stored bytes, unpickled here, predict the same category and probabilities for the
    basket's first-order features as the API answers (without fitting: the client forbids it)."""
    estimator = pickle.loads(bytes(stored["model_blob"]))
    chosen = products.iloc[[0, 5, 9]]
    lines = [(p, q, 1.5) for p, q in zip(chosen["product_id"], [1, 4, 2], strict=True)]
    body = client.post(PATH, json=basket(*lines, region="France", order_date="2011-10-02")).json()
    values = pd.Series([q * u for _, q, u in lines], index=chosen["category_id"].to_numpy())
    order = pd.DataFrame(
        {
            "customer_id": 0,
            "order_id": "b",
            "order_date": pd.Timestamp("2011-10-02"),
            "region": "France",
            "category_id": values.groupby(level=0).sum().index.to_numpy("int64"),
            "net_spend": values.groupby(level=0).sum().to_numpy(float),
        }
    )
    category, probabilities = interests.predict_interest(
        estimator, interests.first_order_features(order)
    )
    assert body["predictedCategory"]["categoryId"] == category
    assert body["predictedCategory"]["probability"] == approx_score(probabilities[category])
    for listed in body["probabilities"]:
        assert listed["probability"] == approx_score(probabilities[listed["categoryId"]])


def test_healthz_names_each_stores_interest_method(client, stored):
    body = client.get("/healthz").json()
    (health,) = body["stores"]
    assert health["interestMethod"] == stored["method"]
    assert health["interestMethodReason"] == stored["reason"]


def test_a_served_baseline_answers_the_first_baskets_category(
    generated_warehouse, tmp_path, products
):
    path = changed_copy(
        generated_warehouse,
        tmp_path,
        "update marts.interest_model set method = 'first_basket', method_kind = 'baseline',"
        " model_blob = null, n_train = 0, reason = 'served: the test says so'",
    )
    first, other = (
        products.iloc[0],
        products[products["category_id"] != products.iloc[0]["category_id"]].iloc[0],
    )
    with TestClient(create_app(open_warehouse(path))) as baseline:
        body = baseline.post(
            PATH, json=basket((first["product_id"], 1, 1.0), (other["product_id"], 1, 3.0))
        ).json()
        health = baseline.get("/healthz").json()["stores"][0]
    assert body["method"] == body["model"]["method"] == "first_basket"
    assert body["predictedCategory"]["categoryId"] == int(other["category_id"])
    assert body["predictedCategory"]["probability"] is None
    assert body["probabilities"] == [] and body["otherCategoriesProbability"] is None
    assert body["model"]["reason"] == "served: the test says so"
    assert health["interestMethod"] == "first_basket"


def test_a_warehouse_without_the_stored_model_says_so(generated_warehouse, tmp_path, products):
    path = changed_copy(generated_warehouse, tmp_path, "drop table marts.interest_model")
    with TestClient(create_app(open_warehouse(path))) as without:
        response = without.post(PATH, json=basket((products["product_id"].iloc[0], 1, 1.0)))
        health = without.get("/healthz")
    assert response.status_code == 422, response.text
    assert response.json()["error"] == (
        f"store: no product interest model for store {STORE!r}: the published warehouse lacks"
        " marts.interest_model (build it with `make run`)"
    )
    assert str(tmp_path) not in response.text
    # the rest of the service goes on; /healthz says why there is no interest method
    assert health.status_code == 200
    (store,) = health.json()["stores"]
    assert store["interestMethod"] is None
    assert "lacks marts.interest_model" in store["interestMethodReason"]


def test_a_model_stored_by_another_scikit_learn_version_is_refused(
    generated_warehouse, tmp_path, products
):
    path = changed_copy(
        generated_warehouse, tmp_path, "update marts.interest_model set sklearn_version = '0.0.1'"
    )
    with TestClient(create_app(open_warehouse(path))) as other:
        response = other.post(PATH, json=basket((products["product_id"].iloc[0], 1, 1.0)))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error.startswith(f"store: no product interest model for store {STORE!r}: ")
    assert "fitted with scikit-learn 0.0.1" in error


def test_two_loads_give_the_same_answer(generated_warehouse, products, client):
    request = basket(*((p, 2, 1.25) for p in products["product_id"].head(5)), region="France")
    first = client.post(PATH, json=request).json()
    with TestClient(create_app(open_warehouse(generated_warehouse.path))) as other:
        second = other.post(PATH, json=request).json()
    assert first == second


def test_unknown_products_are_listed_and_ignored(client, products):
    known = products["product_id"].iloc[0]
    body = client.post(
        PATH, json=basket(("NOT-A-PRODUCT", 1, 1.0), (known, 1, 2.0), ("NOT-A-PRODUCT", 2, 1.0))
    ).json()
    assert body["unknownProducts"] == ["NOT-A-PRODUCT"]
    assert [m["categoryId"] for m in body["basketMix"]] == [int(products["category_id"].iloc[0])]
    assert body["basketValue"] == 2.0


def test_a_basket_of_unknown_products_is_refused_naming_them(client):
    response = client.post(PATH, json=basket(("NOPE-1", 1, 1.0), ("NOPE-2", 1, 1.0)))
    assert response.status_code == 422
    body = response.json()
    assert body["unknownProducts"] == ["NOPE-1", "NOPE-2"]
    assert body["error"].startswith("lines: ")


def test_many_unknown_products_are_listed_up_to_twenty(client):
    response = client.post(PATH, json=basket(*((f"NOPE-{i}", 1, 1.0) for i in range(50))))
    assert response.status_code == 422
    body = response.json()
    assert body["unknownProducts"] == [f"NOPE-{i}" for i in range(20)]
    assert "50 unknown products" in body["error"]


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        (basket(), "lines"),
        (basket(("85123A", 0, 1.0)), "quantity"),
        (basket(("85123A", 1, -1.0)), "unit_price"),
        (basket(("85123A", 1, 1.0), order_date=20111120), "order_date"),
        (basket(("85123A", 1, 1.0), colour="red"), "colour"),
        (basket(("85123A", 1, 1.0), store="no-such-store"), "store"),
    ],
)
def test_invalid_baskets_name_the_field(client, request_body, field):
    response = client.post(PATH, json=request_body)
    assert response.status_code == 422
    assert field in response.json()["error"]


def test_store_in_the_query_string_is_refused(client, products):
    response = client.post(
        PATH, params={"store": STORE}, json=basket((products["product_id"].iloc[0], 1, 1.0))
    )
    assert response.status_code == 422
    assert "JSON body's `store` field" in response.json()["error"]


def test_a_store_without_a_stored_model_says_why(generated_warehouse, tmp_path, products):
    """The two-store copy's second store, its row of marts.interest_model removed."""
    path = copy_as_two_stores(generated_warehouse.path, tmp_path / "two_stores.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute(f"delete from marts.interest_model where store = '{SECOND_STORE}'")
    with TestClient(create_app(open_warehouse(path))) as two:
        response = two.post(
            PATH,
            json=basket((products["product_id"].iloc[0], 1, 1.0), store=SECOND_STORE),
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"] == (
            f"store: no product interest model for store {SECOND_STORE!r}: marts.interest_model"
            " has no row for it (the build found no customer with a first order and a product"
            " category)"
        )
        assert str(tmp_path) not in response.text
        # the first store still answers
        answer = two.post(PATH, json=basket((products["product_id"].iloc[0], 1, 1.0), store=STORE))
        assert answer.status_code == 200, answer.text
