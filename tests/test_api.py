"""The scoring API: every endpoint, every invalid input, agreement with the warehouse, hot reload."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pandas as pd
import pytest
from conftest import PROJECT_ROOT
from fastapi.testclient import TestClient

from apps.api.app import create_app
from apps.api.model_store import ModelStore

EXAMPLE = {"recency": 64, "frequency": 32, "monetary_value": 100924.0}
RESPONSE_KEYS = {
    "clusterId",
    "clusterLabel",
    "suggestions",
    "inputValues",
    "message",
    "error",
    "modelRunId",
    "distance",
}


@pytest.fixture(scope="module")
def client(generated_warehouse):
    with TestClient(create_app(ModelStore(generated_warehouse.path))) as test_client:
        yield test_client


def test_get_answers_the_documented_shape(client, generated_warehouse):
    response = client.get("/api/cluster", params=EXAMPLE)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body["message"] == "Data processed successfully"
    assert body["error"] == ""
    assert body["inputValues"] == {"recency": 64, "frequency": 32, "monetaryValue": 100924.0}
    profiles = generated_warehouse.query_df(
        "select segment_id, segment_label, suggestion from marts.segment_profiles"
    )
    row = profiles[profiles["segment_id"] == body["clusterId"]].iloc[0]
    assert body["clusterLabel"] == row["segment_label"]
    assert body["suggestions"] == row["suggestion"]
    assert body["distance"] >= 0


def test_post_gives_the_same_answer_as_get(client):
    assert (
        client.post("/api/cluster", json=EXAMPLE).json()
        == client.get("/api/cluster", params=EXAMPLE).json()
    )


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
    ({"recency": 5, "frequency": 3}, "monetary_value"),
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
    profiles = generated_warehouse.query_df(
        "select * from marts.segment_profiles order by segment_id"
    )
    assert [s["segment_id"] for s in segments] == profiles["segment_id"].tolist()
    assert all(s["segment_label"] and s["suggestion"] for s in segments)


def test_known_customer_and_unknown_customer(client, generated_warehouse):
    row = generated_warehouse.query_df(
        "select customer_id, segment_id from marts.customer_segments order by customer_id limit 1"
    ).iloc[0]
    body = client.get(f"/api/customers/{int(row['customer_id'])}").json()
    assert body["segment_id"] == row["segment_id"]
    assert {"recency_days", "frequency", "monetary", "rfm_segment", "segment_label"} <= set(body)
    assert client.get("/api/customers/999999999").status_code == 404
    assert client.get("/api/customers/not-a-number").status_code == 422


def test_healthz_names_the_model_run(client, generated_warehouse):
    body = client.get("/healthz").json()
    run_ids = generated_warehouse.query_df("select distinct model_run_id from marts.segment_model")[
        "model_run_id"
    ].tolist()
    assert body["modelRunId"] in run_ids and len(run_ids) == 1
    assert body["warehousePublishedAt"]


def test_openapi_document_has_examples(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/cluster", "/api/segments", "/api/customers/{customer_id}", "/healthz"} <= set(
        spec["paths"]
    )
    assert "examples" in json.dumps(spec)


def assert_api_and_sql_agree_with_warehouse(warehouse) -> None:
    """HTTP, SQL (view and stored macro) and marts.customer_segments give every customer one segment."""
    stored = warehouse.query_df(
        """
        select s.customer_id, s.segment_id, r.recency_days, r.frequency, r.monetary,
               v.segment_id as view_segment_id,
               marts.rfm_segment_id(r.recency_days, r.frequency, r.monetary) as macro_segment_id
        from marts.customer_segments as s
        join marts.fct_customer_rfm as r using (customer_id)
        left join marts.score_rfm as v using (customer_id)
        order by s.customer_id
        """
    )
    with TestClient(create_app(ModelStore(warehouse.path))) as api:
        answers = [
            api.post(
                "/api/cluster",
                json={"recency": int(r), "frequency": int(f), "monetary_value": float(m)},
            ).json()["clusterId"]
            for r, f, m in zip(
                stored["recency_days"], stored["frequency"], stored["monetary"], strict=True
            )
        ]
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@pytest.mark.real_data
def test_server_picks_up_a_new_warehouse_without_failing_requests(
    tmp_path, generated_warehouse, real_warehouse
):
    published = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, published)
    port = free_port()
    env = dict(os.environ, DUCKDB_PATH=str(published), API_RELOAD_CHECK_SECONDS="0.2")
    server = subprocess.Popen(
        [sys.executable, "-m", "apps.api", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                first_run = get_json(f"{base}/healthz")["modelRunId"]
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
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
        new_run = health["modelRunId"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert failures == []
    assert new_run != first_run, health
    assert successes[0] == first_run and successes[-1] == new_run
