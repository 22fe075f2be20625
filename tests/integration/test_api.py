"""The scoring API: every endpoint, every invalid input, agreement with the warehouse, hot reload,
and a warehouse of two stores."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import sys
import threading
import time
import urllib.request
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import uvicorn
from api_rounding import MONEY_TOLERANCE
from fastapi.testclient import TestClient
from support import PROJECT_ROOT, free_port, start_api
from two_stores import MONETARY_SCALE, SECOND_RUN_PREFIX, SECOND_STORE, STORE, copy_as_two_stores

from apps.api.app import create_app, open_warehouse
from apps.api.response_style import cents, significant, to_camel
from apps.warehouse import PublishedWarehouse

EXAMPLE = {"recency": 64, "frequency": 32, "monetary_value": 100924.0}
RESPONSE_KEYS = {
    "clusterId",
    "clusterLabel",
    "suggestions",
    "inputValues",
    "message",
    "error",
    "store",
    "modelRunId",
    "distance",
}


@pytest.fixture(scope="module")
def client(generated_warehouse):
    with TestClient(create_app(open_warehouse(generated_warehouse.path))) as test_client:
        yield test_client


def test_get_answers_the_documented_shape(client, generated_warehouse):
    response = client.get("/api/cluster", params=EXAMPLE)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body["message"] == "Data processed successfully"
    assert body["error"] == ""
    assert body["inputValues"] == {"recency": 64, "frequency": 32, "monetaryValue": 100924.0}
    assert body["store"] == STORE
    profiles = generated_warehouse.query_df(
        "select segment_id, segment_label, suggestion from marts.segment_profiles"
    )
    row = profiles[profiles["segment_id"] == body["clusterId"]].iloc[0]
    assert body["clusterLabel"] == row["segment_label"]
    assert body["suggestions"] == row["suggestion"]
    assert body["distance"] >= 0


def test_post_gives_the_same_answer_as_get(client):
    answer = client.get("/api/cluster", params=EXAMPLE).json()
    assert client.post("/api/cluster", json=EXAMPLE).json() == answer
    with_store = {**EXAMPLE, "store": STORE}
    assert client.post("/api/cluster", json=with_store).json() == answer
    assert client.get("/api/cluster", params=with_store).json() == answer


def test_post_takes_the_store_from_the_body_not_the_query(client):
    response = client.post("/api/cluster", params={"store": STORE}, json=EXAMPLE)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == RESPONSE_KEYS and body["clusterId"] is None
    assert body["error"].startswith("store: ") and "JSON body" in body["error"]
    assert body["inputValues"] == {"recency": 64, "frequency": 32, "monetaryValue": 100924.0}


INVALID_QUERIES = [
    ({"frequency": 3, "monetary_value": 10}, "recency"),
    ({"recency": "abc", "frequency": 3, "monetary_value": 10}, "recency"),
    ({"recency": -1, "frequency": 3, "monetary_value": 10}, "recency"),
    ({"recency": 1.5, "frequency": 3, "monetary_value": 10}, "recency"),
    ({"recency": 10**9, "frequency": 3, "monetary_value": 10}, "recency"),
    ({"recency": 5, "frequency": 0, "monetary_value": 10}, "frequency"),
    ({"recency": 5, "frequency": -2, "monetary_value": 10}, "frequency"),
    ({"recency": 5, "frequency": 3, "monetary_value": 0}, "monetary_value"),
    ({"recency": 5, "frequency": 3, "monetary_value": -10}, "monetary_value"),
    ({"recency": 5, "frequency": 3, "monetary_value": "nan"}, "monetary_value"),
    ({"recency": 5, "frequency": 3, "monetary_value": "inf"}, "monetary_value"),
    ({"recency": 5, "frequency": 3, "monetary_value": "1e300"}, "monetary_value"),
    ({"recency": 5, "frequency": 3}, "monetaryValue: required"),  # named as documented
    ({"recency": 5, "frequency": 3, "monetary_value": 10, "coupon": "x"}, "coupon"),
]


def assert_invalid(response, field: str) -> None:
    assert response.status_code == 422
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body["clusterId"] is None
    assert body["message"] == "Invalid input"
    assert body["error"].startswith(field), body["error"]


@pytest.mark.parametrize(("params", "field"), INVALID_QUERIES)
def test_invalid_query_answers_422_naming_the_field(client, params, field):
    assert_invalid(client.get("/api/cluster", params=params), field)


@pytest.mark.parametrize(("params", "field"), INVALID_QUERIES)
def test_invalid_body_answers_422_naming_the_field(client, params, field):
    body = {k: (float(v) if v in ("nan", "inf", "1e300") else v) for k, v in params.items()}
    assert_invalid(
        client.post(
            "/api/cluster", content=json.dumps(body), headers={"content-type": "application/json"}
        ),
        field,
    )


@pytest.mark.parametrize(
    "content",
    ["not json", "[1, 2, 3]", "", '{"recency": true, "frequency": 3, "monetary_value": 5}'],
)
def test_malformed_body_answers_422_not_500(client, content):
    response = client.post(
        "/api/cluster", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["message"] == "Invalid input"


def test_segments_lists_the_profiles(client, generated_warehouse):
    segments = client.get("/api/segments").json()
    assert client.get("/api/segments", params={"store": STORE}).json() == segments
    profiles = generated_warehouse.query_df(
        "select * from marts.segment_profiles order by segment_id"
    )
    assert [s["segmentId"] for s in segments] == profiles["segment_id"].tolist()
    assert all(s["segmentLabel"] and s["suggestion"] for s in segments)
    assert {s["store"] for s in segments} == {STORE}
    # every column of the mart, in camelCase; money to cents, the other numbers to 4 digits
    assert [list(s) for s in segments] == [[to_camel(c) for c in profiles.columns]] * len(segments)
    for answer, row in zip(segments, profiles.itertuples(index=False), strict=True):
        for column in ("revenue", "mean_monetary", "median_monetary"):
            assert answer[to_camel(column)] == cents(getattr(row, column)), column
        for column in ("share_of_customers", "share_of_revenue", "mean_frequency"):
            assert answer[to_camel(column)] == significant(getattr(row, column)), column


def test_known_customer_and_unknown_customer(client, generated_warehouse):
    row = generated_warehouse.query_df(
        "select customer_id, segment_id from marts.customer_segments order by customer_id limit 1"
    ).iloc[0]
    body = client.get(f"/api/customers/{int(row['customer_id'])}").json()
    assert body["segmentId"] == row["segment_id"] and body["store"] == STORE
    assert {"recencyDays", "frequency", "monetary", "rfmSegment", "segmentLabel"} <= set(body)
    mart = generated_warehouse.query_df(
        "select r.monetary, v.churn_risk, v.p_alive, v.expected_purchases_365d, v.predicted_clv"
        " from marts.fct_customer_rfm as r left join marts.customer_lifetime_value as v"
        f" using (store, customer_id) where r.customer_id = {int(row['customer_id'])}"
    ).iloc[0]
    assert body["monetary"] == cents(mart["monetary"])
    if not pd.isna(mart["predicted_clv"]):
        assert body["predictedClv"] == cents(mart["predicted_clv"])
        assert body["churnRisk"] == significant(mart["churn_risk"])
        assert body["pAlive"] == significant(mart["p_alive"])
        assert body["expectedPurchases365d"] == significant(mart["expected_purchases_365d"])
    assert client.get("/api/customers/999999999").status_code == 404
    assert client.get("/api/customers/not-a-number").status_code == 422


def test_healthz_lists_the_store_and_its_model_run(client, generated_warehouse):
    body = client.get("/healthz").json()
    models = generated_warehouse.query_df(
        "select store, any_value(model_run_id) as run_id, count(distinct model_run_id) as runs,"
        " count(distinct segment_id) as k from marts.segment_model group by store"
    )
    assert len(models) == 1 and models["runs"].iloc[0] == 1
    [store] = body["stores"]
    assert store["store"] == models["store"].iloc[0] == STORE
    assert store["modelRunId"] == models["run_id"].iloc[0]
    assert store["segments"] == models["k"].iloc[0]
    assert store["displayName"]
    assert body["warehousePublishedAt"]
    assert client.get("/healthz", params={"store": STORE}).json() == body


def test_healthz_gives_the_model_age_and_why_it_was_fitted(
    client, generated_warehouse, refitted_generated_warehouse
):
    """A first build fitted the model (no stored model) on the data as of its as-of date; after a
    --refit the reason is the request. The age is in days of data since the fit."""
    [store] = client.get("/healthz").json()["stores"]
    as_of = generated_warehouse.query_df("select max(as_of_date) as d from marts.fct_customer_rfm")
    assert store["modelFitAsOfDate"] == str(as_of["d"].iloc[0].date())
    assert store["modelAgeDays"] == 0
    assert store["lastRefitReason"] == "no_stored_model"
    assert store["lastRefitDecision"] == "no stored model for this store"
    assert store["modelFittedAt"]
    with TestClient(create_app(open_warehouse(refitted_generated_warehouse.path))) as refitted:
        [again] = refitted.get("/healthz").json()["stores"]
    assert again["lastRefitReason"] == "requested"
    assert again["modelRunId"] != store["modelRunId"]
    assert again["modelFittedAt"] > store["modelFittedAt"]


def test_openapi_document_has_examples(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/cluster", "/api/segments", "/api/customers/{customer_id}", "/healthz"} <= set(
        spec["paths"]
    )
    assert "examples" in json.dumps(spec)


def store_inputs(spec: dict) -> dict[str, dict]:
    """Every `store` input of the OpenAPI document: 'METHOD path' -> {required, enum}."""
    found = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "store":
                    schema = parameter["schema"]
                    found[f"{method.upper()} {path}"] = {
                        "required": parameter["required"],
                        "enum": schema["enum"],
                    }
    request = spec["components"]["schemas"]["ClusterRequest"]
    store = request["properties"]["store"]
    choices = [option for option in store.get("anyOf", [store]) if "enum" in option]
    found["POST /api/cluster"] = {
        "required": "store" in request.get("required", []),
        "enum": choices[0]["enum"],
    }
    return found


def test_openapi_lists_the_store_on_every_operation(client):
    found = store_inputs(client.get("/openapi.json").json())
    operations = {
        "GET /api/cluster",
        "POST /api/cluster",
        "GET /api/segments",
        "GET /api/customers/{customer_id}",
        "GET /api/recommendations/{customer_id}",
        "GET /healthz",
    }
    assert set(found) == operations
    assert all(value == {"required": False, "enum": [STORE]} for value in found.values()), found


def api_segment_ids(api: TestClient, rows: pd.DataFrame, store: str | None = None) -> list:
    """The segment /api/cluster gives each row of recency_days, frequency and monetary."""
    extra = {} if store is None else {"store": store}
    return [
        api.post(
            "/api/cluster",
            json={"recency": int(r), "frequency": int(f), "monetary_value": float(m), **extra},
        ).json()["clusterId"]
        for r, f, m in zip(rows["recency_days"], rows["frequency"], rows["monetary"], strict=True)
    ]


def assert_api_and_sql_agree_with_warehouse(warehouse) -> None:
    """HTTP, SQL (view and stored macro) and marts.customer_segments give every customer one segment."""
    stored = warehouse.query_df(
        """
        select s.store, s.customer_id, s.segment_id, r.recency_days, r.frequency, r.monetary,
               v.segment_id as view_segment_id,
               marts.rfm_segment_id(r.recency_days, r.frequency, r.monetary) as macro_segment_id
        from marts.customer_segments as s
        join marts.fct_customer_rfm as r using (store, customer_id)
        left join marts.score_rfm as v using (store, customer_id)
        order by s.customer_id
        """
    )
    assert set(stored["store"]) == {STORE}
    with TestClient(create_app(open_warehouse(warehouse.path))) as api:
        answers = api_segment_ids(api, stored)
    assert len(stored) > 100
    for name, values in [
        ("HTTP", answers),
        ("SQL view", stored["view_segment_id"]),
        ("SQL macro", stored["macro_segment_id"]),
    ]:
        differ = int((stored["segment_id"].to_numpy() != pd.Series(values).to_numpy()).sum())
        assert differ == 0, f"{name}: {differ} of {len(stored)} customers get another segment"


def test_api_agrees_with_stored_segments_on_generated_data(generated_warehouse):
    assert_api_and_sql_agree_with_warehouse(generated_warehouse)


@pytest.mark.real_data
def test_api_agrees_with_stored_segments_on_real_data(real_warehouse):
    assert_api_and_sql_agree_with_warehouse(real_warehouse)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def model_run_id(health: dict, store: str = STORE) -> str:
    """The model run /healthz names for `store`."""
    return next(s["modelRunId"] for s in health["stores"] if s["store"] == store)


@pytest.mark.real_data
def test_server_picks_up_a_new_warehouse_without_failing_requests(
    tmp_path, generated_warehouse, real_warehouse
):
    published = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, published)
    server, base = start_api(published, API_RELOAD_CHECK_SECONDS="0.2")
    try:
        first_run = model_run_id(get_json(f"{base}/healthz"))
        failures, successes, stop = [], [], threading.Event()

        def hammer() -> None:
            url = f"{base}/api/cluster?recency=64&frequency=32&monetary_value=100924"
            while not stop.is_set() and len(successes) < 20_000:
                try:
                    successes.append(get_json(url)["modelRunId"])
                except Exception as exc:  # any failed request fails the test
                    failures.append(repr(exc))

        workers = [threading.Thread(target=hammer) for _ in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        staged = tmp_path / "staged.duckdb"
        shutil.copy2(real_warehouse.path, staged)
        os.replace(staged, published)  # what a build's publish does
        time.sleep(2.0)
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        health = get_json(f"{base}/healthz")
        new_run = model_run_id(health)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert failures == []
    assert new_run != first_run, health
    assert successes[0] == first_run and successes[-1] == new_run


# --- Robustness: never a 500, bounded requests, error shapes, health ---------------------------

CUSTOMER_ERROR_KEYS = {"customerId", "message", "error"}
ERROR_KEYS = {"message", "error"}
MAX_BODY_BYTES = 64 * 1024
MAX_QUERY_BYTES = 4096
MAX_QUERY_PARAMS = 20
ECHO_CHARS = 100  # an error answer echoes at most this much of any input value (plus an ellipsis)


def post_raw(client, content, content_type: str = "application/json"):
    return client.post("/api/cluster", content=content, headers={"content-type": content_type})


@pytest.mark.parametrize("customer_id", [2**63, 2**127, 2**128, -(2**63) - 1, 10**40, 10**4000])
def test_customer_id_beyond_bigint_is_not_found(client, customer_id):
    response = client.get(f"/api/customers/{customer_id}")
    assert response.status_code == 404, response.text
    body = response.json()
    assert set(body) == CUSTOMER_ERROR_KEYS
    assert body["customerId"] == str(customer_id)[:ECHO_CHARS] + (
        "…" if len(str(customer_id)) > ECHO_CHARS else ""
    )


def test_customer_errors_have_their_own_shape(client):
    missing = client.get("/api/customers/999999999")
    assert missing.status_code == 404
    assert missing.json() == {
        "customerId": "999999999",
        "message": "Customer not found",
        "error": "customer_id: no customer with this id",
    }
    invalid = client.get("/api/customers/not-a-number")
    assert invalid.status_code == 422
    body = invalid.json()
    assert set(body) == CUSTOMER_ERROR_KEYS
    assert body["customerId"] == "not-a-number"
    assert body["message"] == "Invalid input"
    assert body["error"].startswith("customer_id: ")


DEEP = "[" * 60_000  # RecursionError in Python's JSON parser, yet under the 64 KB body limit


@pytest.mark.parametrize(
    "content",
    [
        DEEP,
        "[" * 30_000 + "]" * 30_000,
        '{"recency": ' + "[" * 50_000,
        '{"recency": ' + "1" * 5_000 + ', "frequency": 3, "monetary_value": 5}',
        b'{"recency": "\xff\xfe", "frequency": 3, "monetary_value": 5}',
        b"\xff\xfe\x00\x00",
    ],
    ids=["open", "closed", "in-field", "long-integer", "bad-utf8-in-string", "bad-utf8"],
)
def test_unparseable_json_answers_422_in_the_cluster_shape(client, content):
    response = post_raw(client, content)
    assert response.status_code == 422, response.text[:300]
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body["message"] == "Invalid input"
    assert body["error"].startswith("body: "), body["error"]


@pytest.mark.parametrize(
    "content",
    [
        '{"recency": "\\ud800", "frequency": 3, "monetary_value": 5}',
        '{"recency": 5, "frequency": 3, "monetary_value": 5, "\\udfff": 1}',
        '{"recency": 5, "frequency": "\\ud800\\ud800", "monetary_value": 5}',
    ],
)
def test_lone_surrogate_answers_422(client, content):
    response = post_raw(client, content)
    assert response.status_code == 422, response.text[:300]
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert "\ud800" not in response.text and "\udfff" not in response.text


def test_body_over_64kb_answers_413_without_echo(client):
    value = "7" * (MAX_BODY_BYTES + 1)
    response = post_raw(client, '{"recency": "' + value + '"}')
    assert response.status_code == 413
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body["clusterId"] is None and body["message"] == "Request too large"
    assert len(response.content) < 1_000


def test_chunked_body_over_64kb_answers_413(client):
    def chunks():
        for _ in range(100):
            yield b"1" * 4096

    response = post_raw(client, chunks())
    assert response.status_code == 413
    assert response.json()["message"] == "Request too large"


def test_body_at_the_limit_is_read(client):
    body = json.dumps(EXAMPLE)
    padded = body[:-1] + " " * (MAX_BODY_BYTES - len(body)) + "}"
    assert len(padded.encode()) == MAX_BODY_BYTES
    assert post_raw(client, padded).status_code == 200


def test_long_query_string_answers_413(client):
    response = client.get("/api/cluster", params={**EXAMPLE, "pad": "x" * MAX_QUERY_BYTES})
    assert response.status_code == 413
    assert set(response.json()) == RESPONSE_KEYS
    health = client.get("/healthz", params={"pad": "x" * MAX_QUERY_BYTES})
    assert health.status_code == 413
    assert set(health.json()) == ERROR_KEYS


def test_too_many_query_parameters_answer_422(client):
    params = list(EXAMPLE.items()) + [(f"p{i}", "1") for i in range(MAX_QUERY_PARAMS)]
    response = client.get("/api/cluster", params=params)
    assert response.status_code == 422
    assert response.json()["error"].startswith("query: ")


def test_errors_echo_only_a_prefix_of_long_values(client):
    long_value = "9" * 3_000 + "x"
    response = client.get(
        "/api/cluster", params={"recency": long_value, "frequency": 3, "monetary_value": 10}
    )
    assert response.status_code == 422
    echoed = response.json()["inputValues"]["recency"]
    assert echoed == long_value[:ECHO_CHARS] + "…"
    long_key = "k" * 30_000
    body = json.dumps({**EXAMPLE, long_key: 1, "frequency": "f" * 30_000})
    response = post_raw(client, body)
    assert response.status_code == 422
    assert len(response.content) < 2_000, response.text[:300]
    many_keys = json.dumps({**EXAMPLE, **{f"k{i:04}": 1 for i in range(3_000)}})
    response = post_raw(client, many_keys)
    assert response.status_code == 422
    assert len(response.content) < 2_000, response.text[:300]


def test_huge_numbers_are_echoed_as_a_prefix(client):
    body = '{"recency": ' + "1" * 4_000 + ', "frequency": 3, "monetary_value": 5}'
    response = post_raw(client, body)
    assert response.status_code == 422
    assert response.json()["inputValues"]["recency"] == "1" * ECHO_CHARS + "…"


def test_unknown_path_and_method_answer_json_errors(client):
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and set(missing.json()) == ERROR_KEYS
    wrong_method = client.delete("/api/cluster")
    assert wrong_method.status_code == 405
    assert "GET" in wrong_method.headers["allow"]
    assert set(wrong_method.json()) == RESPONSE_KEYS


class FailingWarehouse:
    """A PublishedWarehouse whose next `current()` raises an error naming a server file, once."""

    def __init__(self, warehouse: PublishedWarehouse) -> None:
        self.warehouse = warehouse
        self.fail_next = False

    def __getattr__(self, name: str):
        return getattr(self.warehouse, name)

    def current(self):
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError(f"cannot read {self.warehouse.path}")
        return self.warehouse.current()


def test_unexpected_error_answers_json_500_without_internals(generated_warehouse):
    store = FailingWarehouse(open_warehouse(generated_warehouse.path))
    with TestClient(create_app(store), raise_server_exceptions=False) as api:
        store.fail_next = True
        response = api.get("/api/cluster", params=EXAMPLE)
        assert response.status_code == 500
        body = response.json()
        assert set(body) == RESPONSE_KEYS
        assert body["message"] == "Internal server error"
        assert "RuntimeError" not in response.text and "duckdb" not in response.text
        assert str(generated_warehouse.path.parent) not in response.text
        store.fail_next = True
        segments = api.get("/api/segments")
        assert segments.status_code == 500 and set(segments.json()) == ERROR_KEYS
        store.fail_next = True
        customer = api.get("/api/customers/12345")
        assert customer.status_code == 500 and set(customer.json()) == CUSTOMER_ERROR_KEYS
        assert api.get("/api/cluster", params=EXAMPLE).status_code == 200


def test_openapi_documents_the_error_shapes(client):
    spec = client.get("/openapi.json").json()

    def schema_of(path: str, method: str, status: str) -> str:
        content = spec["paths"][path][method]["responses"][status]["content"]
        return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    for method in ("get", "post"):
        for status in ("413", "422", "500"):
            assert schema_of("/api/cluster", method, status) == "ClusterResponse"
    for status in ("404", "413", "422", "500"):
        assert schema_of("/api/customers/{customer_id}", "get", status) == "CustomerError"
    assert schema_of("/healthz", "get", "200") == "HealthResponse"
    assert schema_of("/healthz", "get", "503") == "HealthResponse"
    assert schema_of("/api/segments", "get", "500") == "ErrorResponse"
    assert set(spec["components"]["schemas"]["CustomerError"]["properties"]) == (
        CUSTOMER_ERROR_KEYS
    )


def test_healthz_is_degraded_while_a_reload_fails(tmp_path, generated_warehouse):
    published = tmp_path / "shop-secret-name.duckdb"
    shutil.copy2(generated_warehouse.path, published)
    with TestClient(create_app(open_warehouse(published, check_interval=0))) as api:
        healthy = api.get("/healthz")
        assert healthy.status_code == 200 and healthy.json()["status"] == "ok"
        assert healthy.json()["lastReloadError"] is None
        broken = tmp_path / "staged"
        broken.write_bytes(b"not a duckdb file " * 1000)
        os.replace(broken, published)
        degraded = api.get("/healthz")
        assert degraded.status_code == 503, degraded.text
        body = degraded.json()
        assert body["status"] == "degraded"
        assert body["stores"] == healthy.json()["stores"]
        assert body["lastReloadError"]
        assert "shop-secret-name" not in degraded.text and str(tmp_path) not in degraded.text
        # the last good model keeps answering
        assert api.get("/api/cluster", params=EXAMPLE).status_code == 200
        published.unlink()
        missing = api.get("/healthz")
        assert missing.status_code == 503
        assert "shop-secret-name" not in missing.text and str(tmp_path) not in missing.text
        staged = tmp_path / "staged"
        shutil.copy2(generated_warehouse.path, staged)
        os.replace(staged, published)
        recovered = api.get("/healthz")
        assert recovered.status_code == 200 and recovered.json()["status"] == "ok"
        assert recovered.json()["lastReloadError"] is None


def test_a_publish_without_a_usable_model_is_not_served(tmp_path, generated_warehouse):
    published = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, published)
    with TestClient(create_app(open_warehouse(published, check_interval=0))) as api:
        before = api.get("/api/cluster", params=EXAMPLE).json()
        staged = tmp_path / "staged.duckdb"
        shutil.copy2(generated_warehouse.path, staged)
        with duckdb.connect(str(staged)) as con:
            # segment 2 loses a feature: the model cannot score
            con.execute(
                "delete from marts.segment_model where segment_id = 2 and feature = 'monetary'"
            )
        os.replace(staged, published)
        degraded = api.get("/healthz")
        assert degraded.status_code == 503
        # the warehouse's own model errors are given in full: they name no server file
        assert degraded.json()["lastReloadError"].startswith(
            f"the published warehouse cannot be served: no usable segment model for store '{STORE}'"
        )
        assert api.get("/api/cluster", params=EXAMPLE).json() == before


def test_no_response_names_a_server_file(tmp_path, generated_warehouse):
    published = tmp_path / "shop-secret-name.duckdb"
    shutil.copy2(generated_warehouse.path, published)
    customer_id = int(
        generated_warehouse.query_df("select min(customer_id) as c from marts.customer_segments")[
            "c"
        ].iloc[0]
    )
    with TestClient(create_app(open_warehouse(published))) as api:
        responses = [
            api.get("/healthz"),
            api.get("/api/segments"),
            api.get(f"/api/customers/{customer_id}"),
            api.get("/api/customers/999999999"),
            api.get("/api/cluster", params=EXAMPLE),
            api.get("/api/cluster", params={"recency": "x"}),
            api.get("/openapi.json"),
            api.get("/docs"),
        ]
    for response in responses:
        assert response.status_code < 500
        for secret in ("shop-secret-name", str(tmp_path), str(PROJECT_ROOT), "/tmp/", "/home/"):
            assert secret not in response.text, (response.url, secret)


# --- The real server: a failed request must not cost the connection ----------------------------


@pytest.fixture(scope="module")
def live_server(generated_warehouse):
    """`python -m apps.api` on a free port (the production entry point: uvicorn, httptools)."""
    server, base = start_api(generated_warehouse.path)
    try:
        yield server, int(base.rsplit(":", 1)[1])
    finally:
        server.terminate()
        server.wait(timeout=30)


def exchange(connection, method: str, path: str, body=None, headers=None):
    """One request on a kept-alive http.client connection: (status, parsed JSON body)."""
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


GOOD_QUERY = "/api/cluster?recency=64&frequency=32&monetary_value=100924"
JSON_HEADERS = {"content-type": "application/json"}
BAD_REQUESTS = [
    ("GET", f"/api/customers/{2**127}", None, 404),
    ("POST", "/api/cluster", DEEP, 422),
    ("POST", "/api/cluster", "[" * 100_000, 413),  # as deep, but over the body limit
    ("POST", "/api/cluster", '{"recency": "\\ud800", "frequency": 3, "monetary_value": 5}', 422),
    ("POST", "/api/cluster", "1" * (MAX_BODY_BYTES + 1), 413),
    ("GET", "/api/cluster?" + "x" * (MAX_QUERY_BYTES + 1), None, 413),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), BAD_REQUESTS)
def test_bad_request_keeps_the_connection_usable(live_server, method, path, body, status):
    _, port = live_server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        assert exchange(connection, method, path, body, JSON_HEADERS)[0] == status
        got, answer = exchange(connection, "GET", GOOD_QUERY)
        assert got == 200 and answer["clusterId"] is not None
    finally:
        connection.close()


def peak_memory_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_100mb_body_is_refused_without_being_held(live_server, chunked):
    server, port = live_server
    before = peak_memory_kb(server.pid)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunk = b"1" * (1 << 20)
    try:
        connection.putrequest("POST", "/api/cluster")
        connection.putheader("content-type", "application/json")
        if chunked:
            connection.putheader("transfer-encoding", "chunked")
        else:
            connection.putheader("content-length", str(100 * len(chunk)))
        connection.endheaders()
        try:
            for _ in range(100):
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # a server may stop reading once it has answered
        response = connection.getresponse()
        assert response.status == 413
        assert len(response.read()) < 1_000
        assert exchange(connection, "GET", GOOD_QUERY)[0] == 200
    finally:
        connection.close()
    grown_mb = (peak_memory_kb(server.pid) - before) / 1024
    assert grown_mb < 30, f"server peak memory grew {grown_mb:.0f} MB"


@contextlib.contextmanager
def serve_in_thread(app):
    """A real uvicorn server for `app` in a thread of this process, on a free port."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="critical")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.05)
        yield server.config.port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_server_error_keeps_the_connection_usable(generated_warehouse):
    store = FailingWarehouse(open_warehouse(generated_warehouse.path))
    with serve_in_thread(create_app(store)) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            store.fail_next = True
            status, body = exchange(connection, "GET", GOOD_QUERY)
            assert status == 500 and body["message"] == "Internal server error"
            assert exchange(connection, "GET", GOOD_QUERY)[0] == 200
        finally:
            connection.close()


# --- Two stores: every endpoint answers for the store asked for ---------------------------------


@pytest.fixture(scope="module")
def two_store_warehouse(generated_warehouse, tmp_path_factory) -> Path:
    return copy_as_two_stores(
        generated_warehouse.path, tmp_path_factory.mktemp("two_stores") / "warehouse.duckdb"
    )


@pytest.fixture(scope="module")
def two_store_client(two_store_warehouse):
    with TestClient(create_app(open_warehouse(two_store_warehouse))) as test_client:
        yield test_client


def some_customer(warehouse: Path, store: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select min(customer_id) from marts.customer_segments where store = ?", [store]
        ).fetchone()[0]


def test_without_a_store_every_endpoint_answers_422_listing_the_stores(
    two_store_client, two_store_warehouse
):
    customer_id = some_customer(two_store_warehouse, STORE)
    answers = {
        "GET cluster": two_store_client.get("/api/cluster", params=EXAMPLE),
        "POST cluster": two_store_client.post("/api/cluster", json=EXAMPLE),
        "segments": two_store_client.get("/api/segments"),
        "customer": two_store_client.get(f"/api/customers/{customer_id}"),
    }
    shapes = {
        "GET cluster": RESPONSE_KEYS,
        "POST cluster": RESPONSE_KEYS,
        "segments": ERROR_KEYS,
        "customer": CUSTOMER_ERROR_KEYS,
    }
    for name, response in answers.items():
        assert response.status_code == 422, (name, response.text)
        body = response.json()
        assert set(body) == shapes[name], name
        assert body["message"] == "Invalid input"
        assert (
            body["error"]
            == f"store: required: the warehouse has several stores: {STORE}, {SECOND_STORE}"
        )
    assert answers["GET cluster"].json()["inputValues"]["recency"] == 64
    assert answers["POST cluster"].json()["inputValues"]["monetaryValue"] == 100924.0
    assert answers["customer"].json()["customerId"] == str(customer_id)
    # the health check lists every store rather than refuse
    assert two_store_client.get("/healthz").status_code == 200


@pytest.mark.parametrize("stores", [1, 2])
def test_an_unknown_store_answers_422_listing_the_stores(
    client, two_store_client, two_store_warehouse, stores
):
    api = client if stores == 1 else two_store_client
    listed = STORE if stores == 1 else f"{STORE}, {SECOND_STORE}"
    customer_id = some_customer(two_store_warehouse, STORE)
    unknown = {"store": "no_such_shop"}
    for response in (
        api.get("/api/cluster", params={**EXAMPLE, **unknown}),
        api.post("/api/cluster", json={**EXAMPLE, **unknown}),
        api.get("/api/segments", params=unknown),
        api.get(f"/api/customers/{customer_id}", params=unknown),
        api.get("/healthz", params=unknown),
    ):
        assert response.status_code == 422, response.text
        assert response.json()["error"] == (
            f"store: unknown store; the warehouse's stores are: {listed}"
        )


def test_each_store_gets_its_own_answer(two_store_client, two_store_warehouse):
    api = two_store_client
    cluster = {
        s: api.get("/api/cluster", params={**EXAMPLE, "store": s}).json()
        for s in (STORE, SECOND_STORE)
    }
    for store, body in cluster.items():
        assert body["store"] == store and body["error"] == ""
        assert api.post("/api/cluster", json={**EXAMPLE, "store": store}).json() == body
    assert cluster[SECOND_STORE]["clusterLabel"].endswith(" (2nd)")
    assert cluster[SECOND_STORE]["suggestions"].startswith("Second shop: ")
    assert cluster[SECOND_STORE]["modelRunId"] == SECOND_RUN_PREFIX + cluster[STORE]["modelRunId"]
    assert cluster[SECOND_STORE]["distance"] != cluster[STORE]["distance"]

    segments = {
        s: api.get("/api/segments", params={"store": s}).json() for s in (STORE, SECOND_STORE)
    }
    for store, rows in segments.items():
        assert rows and {row["store"] for row in rows} == {store}
    for first, second in zip(segments[STORE], segments[SECOND_STORE], strict=True):
        # each rounded to cents
        assert second["revenue"] == pytest.approx(
            MONETARY_SCALE * first["revenue"], abs=(MONETARY_SCALE + 1) * MONEY_TOLERANCE
        )

    customer_id = some_customer(two_store_warehouse, SECOND_STORE)
    customer = {
        s: api.get(f"/api/customers/{customer_id}", params={"store": s}).json()
        for s in (STORE, SECOND_STORE)
    }
    assert customer[SECOND_STORE]["monetary"] == pytest.approx(
        MONETARY_SCALE * customer[STORE]["monetary"], abs=(MONETARY_SCALE + 1) * MONEY_TOLERANCE
    )
    assert customer[SECOND_STORE]["segmentLabel"].endswith(" (2nd)")
    with duckdb.connect(str(two_store_warehouse), read_only=True) as con:
        dropped = con.execute(  # every fourth customer is not in the second store
            "select min(customer_id) from marts.customer_segments"
            " where store = ? and customer_id % 4 = 0",
            [STORE],
        ).fetchone()[0]
    assert api.get(f"/api/customers/{dropped}", params={"store": STORE}).status_code == 200
    assert api.get(f"/api/customers/{dropped}", params={"store": SECOND_STORE}).status_code == 404

    health = api.get("/healthz").json()
    assert [s["store"] for s in health["stores"]] == [STORE, SECOND_STORE]
    assert {s: model_run_id(health, s) for s in (STORE, SECOND_STORE)} == {
        s: cluster[s]["modelRunId"] for s in (STORE, SECOND_STORE)
    }
    only_second = api.get("/healthz", params={"store": SECOND_STORE}).json()
    assert [s["store"] for s in only_second["stores"]] == [SECOND_STORE]


def test_openapi_requires_a_store_when_there_are_several(two_store_client):
    spec = two_store_client.get("/openapi.json").json()
    found = store_inputs(spec)
    for operation, value in found.items():
        assert value["enum"] == [STORE, SECOND_STORE], operation
        assert value["required"] == (operation != "GET /healthz"), operation
    # the query parameters of POST /api/cluster stay optional: a body is the other way to call it
    (store,) = [
        p for p in spec["paths"]["/api/cluster"]["post"]["parameters"] if p["name"] == "store"
    ]
    assert store["required"] is False and store["schema"]["enum"] == [STORE, SECOND_STORE]


def test_sql_macro_agrees_with_the_api_for_each_store(two_store_client, two_store_warehouse):
    """marts.rfm_segment_id(..., store := ...) and marts.score_rfm, on the file opened as it is
    (the macro reads marts.segment_model of the catalog it is called in), give what the API gives."""
    with duckdb.connect(str(two_store_warehouse), read_only=True) as con:
        for store in (STORE, SECOND_STORE):
            rows = con.execute(
                """
                select r.customer_id, r.recency_days, r.frequency, r.monetary,
                       marts.rfm_segment_id(r.recency_days, r.frequency, r.monetary, store := ?)
                           as macro_segment_id,
                       v.segment_id as view_segment_id
                from marts.fct_customer_rfm as r
                join marts.score_rfm as v using (store, customer_id)
                where r.store = ?
                order by r.customer_id
                """,
                [store, store],
            ).df()
            assert len(rows) > 100
            answers = pd.Series(api_segment_ids(two_store_client, rows, store))
            for name in ("macro_segment_id", "view_segment_id"):
                differ = int((rows[name].to_numpy() != answers.to_numpy()).sum())
                assert differ == 0, f"{store}, {name}: {differ} of {len(rows)} differ from the API"
    assert (answers != api_segment_ids(two_store_client, rows, STORE)).any()
