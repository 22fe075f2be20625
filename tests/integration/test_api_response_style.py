"""One style across the API's answers (docs/api.md#one-style-for-every-answer): camelCase keys in
every JSON answer, nested ones too; money to cents and every other computed number to 4
significant digits; request fields read under their camelCase and their snake_case names, not
both; POST /api/cluster with the seed's query parameters and no body answering as GET, and
listing them in OpenAPI; `/` redirecting to the documentation; the server's listening line."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from support import PROJECT_ROOT, free_port
from two_stores import STORE

from apps.api.app import create_app, open_warehouse
from apps.api.response_style import cents, significant

EXAMPLE = {"recency": 64, "frequency": 32, "monetary_value": 100924.0}
CAMEL_CASE = re.compile(r"[a-z][a-zA-Z0-9]*")
# the answers' money fields (to cents); every other computed number has 4 significant digits
MONEY_KEYS = {
    "revenue",
    "meanMonetary",
    "medianMonetary",
    "monetary",
    "predictedClv",
    "expectedSpendPerPurchase",
    "basketValue",
    "value",
}
ECHOED_KEYS = {"inputValues"}  # the client's own inputs, sent back as given


@pytest.fixture(scope="module")
def client(generated_warehouse):
    with TestClient(create_app(open_warehouse(generated_warehouse.path))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def known(generated_warehouse) -> dict:
    """A customer with recommendations and three products with a category."""
    with generated_warehouse.connect() as con:
        customer = con.execute(
            "select min(customer_id) from marts.customer_recommendations where store = ?", [STORE]
        ).fetchone()[0]
        products = con.execute(
            "select product_id from marts.dim_products where store = ? and category_id is not null"
            " order by product_id limit 3",
            [STORE],
        ).fetchall()
    return {"customer": int(customer), "products": [p for (p,) in products]}


def successful_answers(client: TestClient, known: dict) -> dict[str, object]:
    """One 200 answer of every endpoint, by name."""
    # 2.55 x 6 is 15.299999999999999 in floating point: the value the issue saw unrounded
    lines = [{"product_id": p, "quantity": 6, "unit_price": 2.55} for p in known["products"]]
    requests = {
        "GET /api/cluster": client.get("/api/cluster", params=EXAMPLE),
        "POST /api/cluster": client.post("/api/cluster", json=EXAMPLE),
        "POST /api/cluster (query)": client.post("/api/cluster", params=EXAMPLE),
        "GET /api/segments": client.get("/api/segments"),
        "GET /api/customers/{id}": client.get(f"/api/customers/{known['customer']}"),
        "POST /api/clv": client.post(
            "/api/clv", json={"frequency": 4, "recency": 200, "T": 300, "monetary_value": 350.0}
        ),
        "POST /api/interest": client.post("/api/interest", json={"lines": lines}),
        "GET /api/recommendations/{id}": client.get(f"/api/recommendations/{known['customer']}"),
        "POST /api/recommendations": client.post("/api/recommendations", json={"lines": lines}),
        "GET /healthz": client.get("/healthz"),
    }
    for name, response in requests.items():
        assert response.status_code == 200, (name, response.text)
    return {name: response.json() for name, response in requests.items()}


def keys_of(value, path: str = "") -> list[tuple[str, str]]:
    """Every (path, key) of every object in a JSON value."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((path, key))
            found.extend(keys_of(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(keys_of(item, f"{path}[{index}]"))
    return found


def numbers_of(value, key: str = "", path: str = ""):
    """Every (path, key, float) of a JSON value, outside the echoed inputs."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name not in ECHOED_KEYS:
                yield from numbers_of(item, name, f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from numbers_of(item, key, f"{path}[{index}]")
    elif isinstance(value, float):
        yield path, key, value


def test_every_answer_has_camel_case_keys_at_every_depth(client, known):
    answers = successful_answers(client, known)
    errors = {
        "cluster 422": client.get("/api/cluster", params={"recency": -1}),
        "customer 404": client.get("/api/customers/999999999"),
        "interest 422": client.post(
            "/api/interest",
            json={"lines": [{"product_id": "NOT-A-PRODUCT", "quantity": 1, "unit_price": 1}]},
        ),
        "clv 422": client.post("/api/clv", json={"frequency": 2, "recency": 40, "T": 30}),
        "unknown path 404": client.get("/api/nothing"),
    }
    for name, response in errors.items():
        assert response.status_code in (404, 422), name
        answers[name] = response.json()
    for name, body in answers.items():
        keys = keys_of(body)
        assert keys, name
        wrong = [f"{path}.{key}" for path, key in keys if not CAMEL_CASE.fullmatch(key)]
        assert not wrong, f"{name}: keys not in camelCase: {wrong}"
    # nested objects were walked: a recommended product's keys, a store of /healthz
    assert ("[0]", "segmentId") in keys_of(answers["GET /api/segments"])
    assert (".recommendations[0]", "productId") in keys_of(answers["POST /api/recommendations"])
    assert (".stores[0]", "modelRunId") in keys_of(answers["GET /healthz"])


def test_money_is_answered_to_cents_and_other_numbers_to_4_significant_digits(client, known):
    answers = successful_answers(client, known)
    checked = set()
    for name, body in answers.items():
        for path, key, number in numbers_of(body):
            rounded = cents(number) if key in MONEY_KEYS else significant(number)
            assert number == rounded, f"{name} {path}: {number!r} is not rounded"
            checked.add(key)
    # the basket of 6 x 2.55 per line, which floating point makes 15.299999999999999 a line
    interest = answers["POST /api/interest"]
    assert [mix["value"] for mix in interest["basketMix"]] == [15.3] * len(interest["basketMix"])
    assert interest["basketValue"] == cents(15.3 * len(known["products"]))
    assert {"distance", "probability", "score", "pAlive", "shareOfCustomers", "revenue"} <= checked
    assert {"predictedClv", "monetary", "basketValue", "expectedPurchases365d"} <= checked


def test_seed_style_post_with_query_parameters_answers_as_get(client):
    for params in (EXAMPLE, {**EXAMPLE, "store": STORE}):
        get = client.get("/api/cluster", params=params)
        post = client.post("/api/cluster", params=params)  # no body at all
        assert post.status_code == get.status_code == 200
        assert post.json() == get.json()
    # an empty JSON body is no body
    empty = client.post(
        "/api/cluster", params=EXAMPLE, content=b"", headers={"content-type": "application/json"}
    )
    assert empty.json() == client.get("/api/cluster", params=EXAMPLE).json()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"frequency": 3, "monetary_value": 10},
        {"recency": "abc", "frequency": 3, "monetary_value": 10},
        {"recency": 5, "frequency": 0, "monetary_value": 10},
        {"recency": 5, "frequency": 3, "monetary_value": "nan"},
        {"recency": 5, "frequency": 3, "monetary_value": 10, "coupon": "x"},
        {**EXAMPLE, "store": "no_such_shop"},
    ],
    ids=["none", "missing", "text", "zero", "nan", "unknown", "unknown-store"],
)
def test_seed_style_post_refuses_what_get_refuses_in_the_same_words(client, params):
    get = client.get("/api/cluster", params=params)
    post = client.post("/api/cluster", params=params)
    assert post.status_code == get.status_code == 422
    assert post.json() == get.json()


def test_a_body_and_query_parameters_together_answer_422(client):
    response = client.post("/api/cluster", params={"recency": 5}, json=EXAMPLE)
    assert response.status_code == 422
    body = response.json()
    assert body["clusterId"] is None and body["message"] == "Invalid input"
    assert body["error"].startswith("recency: give the inputs either as the JSON body or as")
    assert body["inputValues"] == {"recency": 64, "frequency": 32, "monetaryValue": 100924.0}


def test_the_openapi_document_still_requires_the_body_of_post_cluster(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/cluster"]["post"]
    assert operation["requestBody"]["required"] is True
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ClusterRequest"}
    assert "query parameters" in operation["description"]


def request_bodies(known: dict) -> dict[str, tuple[dict, dict]]:
    """One body of every POST endpoint that takes one, by path: with snake_case field names and
    the same with camelCase ones (a basket's lines too)."""
    snake_lines = [{"product_id": p, "quantity": 2, "unit_price": 1.25} for p in known["products"]]
    camel_lines = [{"productId": p, "quantity": 2, "unitPrice": 1.25} for p in known["products"]]
    basket = {"store": STORE, "region": "United Kingdom"}
    return {
        "/api/cluster": (
            {"recency": 64, "frequency": 32, "monetary_value": 100924.0, "store": STORE},
            {"recency": 64, "frequency": 32, "monetaryValue": 100924.0, "store": STORE},
        ),
        "/api/clv": (
            {"frequency": 4, "recency": 200, "T": 300, "monetary_value": 350.0},
            {"frequency": 4, "recency": 200, "T": 300, "monetaryValue": 350.0},
        ),
        "/api/interest": (
            {**basket, "order_date": "2011-11-20", "lines": snake_lines},
            {**basket, "orderDate": "2011-11-20", "lines": camel_lines},
        ),
        "/api/recommendations": (
            {"lines": snake_lines, "limit": 3},
            {"lines": camel_lines, "limit": 3},
        ),
    }


def test_every_body_is_read_in_camel_case_and_in_snake_case_alike(client, known):
    bodies = request_bodies(known)
    spec = client.get("/openapi.json").json()
    taking_a_body = {
        path for path, ops in spec["paths"].items() if "requestBody" in ops.get("post", {})
    }
    assert set(bodies) == taking_a_body
    for path, (snake, camel) in bodies.items():
        old, new = client.post(path, json=snake), client.post(path, json=camel)
        assert old.status_code == new.status_code == 200, (path, old.text, new.text)
        assert new.json() == old.json(), path
    # the date was read (not today's): so were the other camelCase fields, or they would be refused
    interest = client.post("/api/interest", json=bodies["/api/interest"][1]).json()
    assert interest["orderDate"] == "2011-11-20"
    # a body may mix the styles across fields (here snake_case outside the lines, camelCase in them)
    mixed = {**bodies["/api/interest"][0], "lines": bodies["/api/interest"][1]["lines"]}
    assert client.post("/api/interest", json=mixed).json() == interest


def both_names(body: dict, snake: str, camel: str) -> dict:
    """`body` (holding `snake`) with the same value under `camel` too."""
    return {**body, camel: body[snake]}


def test_a_field_under_both_names_answers_422_naming_it(client, known):
    """The bodies of request_bodies, each answered 200, with one field sent under both names."""
    bodies = request_bodies(known)
    cluster, clv, basket = (
        bodies[path][0] for path in ("/api/cluster", "/api/clv", "/api/interest")
    )
    twice = {
        "/api/cluster": (
            both_names(cluster, "monetary_value", "monetaryValue"),
            "monetary_value: also sent as monetaryValue (the same field)",
        ),
        "/api/clv": (
            both_names(clv, "monetary_value", "monetaryValue"),
            "monetary_value: also sent as monetaryValue (the same field)",
        ),
        "/api/interest": (
            both_names(basket, "order_date", "orderDate"),
            "order_date: also sent as orderDate (the same field)",
        ),
        "/api/recommendations": (
            {"lines": [both_names(basket["lines"][0], "unit_price", "unitPrice")]},
            "lines.0.unit_price: also sent as unitPrice (the same field)",
        ),
    }
    assert set(twice) == set(bodies)
    for path, (body, error) in twice.items():
        response = client.post(path, json=body)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["message"] == "Invalid input"
        assert response.json()["error"].startswith(error), (path, response.json()["error"])
    # /api/cluster echoes the inputs as sent
    answer = client.post("/api/cluster", json=twice["/api/cluster"][0]).json()
    assert answer["inputValues"] == {"recency": 64, "frequency": 32, "monetaryValue": 100924.0}


def test_query_parameters_are_read_in_either_style_but_not_both(client):
    camel = {"recency": 64, "frequency": 32, "monetaryValue": 100924.0}
    get = client.get("/api/cluster", params=EXAMPLE)
    assert get.status_code == 200
    for send in (client.get, client.post):  # GET, and the seed's POST with no body
        assert send("/api/cluster", params=camel).json() == get.json()
        twice = send("/api/cluster", params={**EXAMPLE, **camel})
        assert twice.status_code == 422
        assert twice.json()["error"].startswith("monetary_value: also sent as monetaryValue")
    # with a body, a query parameter under its camelCase name is refused as the snake_case one is
    both = client.post("/api/cluster", params={"monetaryValue": 5}, json=EXAMPLE)
    assert both.status_code == 422
    assert both.json()["error"].startswith("monetaryValue: give the inputs either as the JSON body")


def test_the_openapi_document_lists_the_query_parameters_of_post_cluster(client):
    cluster = client.get("/openapi.json").json()["paths"]["/api/cluster"]
    get, post = cluster["get"]["parameters"], cluster["post"]["parameters"]
    assert [p["name"] for p in post] == [p["name"] for p in get]
    assert {p["name"] for p in post} == {"recency", "frequency", "monetaryValue", "store"}
    for listed, of_get in zip(post, get, strict=True):
        assert listed["in"] == "query" and listed["required"] is False, listed
        assert listed["schema"] == of_get["schema"]  # the types and limits GET validates
        assert listed["description"].startswith(of_get["description"])
        assert "no JSON body" in listed["description"]
    assert [p["name"] for p in get if p["required"]] == ["recency", "frequency", "monetaryValue"]
    # the names listed are the ones read: a POST with only those answers as GET
    example = {"recency": 64, "frequency": 32, "monetaryValue": 100924.0, "store": STORE}
    assert set(example) == {p["name"] for p in post}
    answer = client.post("/api/cluster", params=example)
    assert answer.status_code == 200
    assert answer.json() == client.get("/api/cluster", params=EXAMPLE).json()
    # the body stays the documented way, required
    assert cluster["post"]["requestBody"]["required"] is True


def test_root_redirects_to_the_documentation(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/docs"
    docs = client.get("/")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "/" not in client.get("/openapi.json").json()["paths"]


def first_line(stream, timeout: float) -> str | None:
    """The first line of `stream`, or None if none comes within `timeout` seconds."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def test_the_server_says_where_it_listens(generated_warehouse):
    """`python -m apps.api` (what `make serve` runs) prints one line with its address and its
    documentation's, once the address is listened on; the address answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "apps.api", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DUCKDB_PATH": str(generated_warehouse.path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = first_line(server.stdout, timeout=30)
        base = f"http://127.0.0.1:{port}"
        assert line == f"API listening on {base} (docs: {base}/docs)\n"
        deadline = time.monotonic() + 30
        while True:  # listening, the app may still be opening the warehouse: requests wait
            try:
                root = httpx.get(f"{base}/", timeout=30)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the announced address does not answer"
                time.sleep(0.2)
        assert root.status_code == 307 and root.headers["location"] == "/docs"
        assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
        # the seed's POST over the real server (no body, no content type)
        seed = httpx.post(f"{base}/api/cluster", params=EXAMPLE, timeout=5)
        assert seed.status_code == 200
        assert seed.json() == httpx.get(f"{base}/api/cluster", params=EXAMPLE, timeout=5).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
