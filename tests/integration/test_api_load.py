"""The real server (`python -m apps.api`) under 200 concurrent clients with a republish midway:
every request it accepts is answered, none with a 5xx; and a file it cannot serve stops it with
one line and exit code 2."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import pytest
from support import PROJECT_ROOT, free_port, start_api
from two_stores import STORE

CLIENTS = 200
# Every other client pauses between its requests (the others send back to back): just under 5 s,
# the time httpx's pool keeps an idle connection, so it reuses its connection about when a server
# closing idle connections after 5 s (uvicorn's default) closes it. Against that server, 6 to 22
# of these reuses failed per run; each run has about 250.
PAUSING_EVERY = 2
PAUSE_SECONDS = (4.9, 5.0)
LOAD_SECONDS = 15.0
REPUBLISH_AFTER_SECONDS = 7.0
SCORING_WEIGHT = 4  # scoring (/api/cluster) is most of the traffic
REQUEST_TIMEOUT_SECONDS = 60.0


def request_mix(generated_warehouse) -> list[dict]:
    """Every documented endpoint's requests, on the warehouse's own ids, scoring weighted up."""
    customers = generated_warehouse.query_df(
        "select customer_id from marts.customer_segments order by customer_id limit 5"
    )["customer_id"].tolist()
    products = generated_warehouse.query_df(
        "select product_id from marts.dim_products order by product_id limit 3"
    )["product_id"].tolist()
    basket = {
        "store": STORE,
        "lines": [{"product_id": p, "quantity": 2, "unit_price": 3.5} for p in products],
    }
    cluster = {"recency": 64, "frequency": 32, "monetary_value": 100924.0, "store": STORE}
    scoring = [
        {"method": "GET", "url": "/api/cluster", "params": cluster},
        {"method": "POST", "url": "/api/cluster", "json": cluster},
    ]
    return [
        *scoring * SCORING_WEIGHT,
        {"method": "GET", "url": "/api/segments"},
        {"method": "GET", "url": "/healthz"},
        {"method": "POST", "url": "/api/interest", "json": basket},
        {"method": "POST", "url": "/api/recommendations", "json": basket},
        {"method": "GET", "url": "/api/customers/1"},  # 404
        *({"method": "GET", "url": f"/api/customers/{c}"} for c in customers),
        *({"method": "GET", "url": f"/api/recommendations/{c}"} for c in customers),
    ]


async def load(base: str, mix: list[dict], republish) -> tuple[Counter, Counter]:
    """CLIENTS clients, each with a keep-alive connection of its own (httpx's defaults), for
    LOAD_SECONDS; `republish()` after REPUBLISH_AFTER_SECONDS. Statuses and failures by kind."""
    statuses: Counter = Counter()
    failures: Counter = Counter()
    deadline = time.monotonic() + LOAD_SECONDS

    async def client(number: int) -> None:
        rng = random.Random(number)
        pausing = number % PAUSING_EVERY == 0
        timeout = httpx.Timeout(REQUEST_TIMEOUT_SECONDS)
        async with httpx.AsyncClient(base_url=base, timeout=timeout) as session:
            while time.monotonic() < deadline:
                try:
                    response = await session.request(**rng.choice(mix))
                    statuses[response.status_code] += 1
                except httpx.HTTPError as exc:
                    failures[f"{type(exc).__name__}: {exc}"] += 1
                pause = rng.uniform(*PAUSE_SECONDS) if pausing else 0.0
                if time.monotonic() + pause >= deadline:
                    return
                await asyncio.sleep(pause)

    async def publisher() -> None:
        await asyncio.sleep(REPUBLISH_AFTER_SECONDS)
        await asyncio.to_thread(republish)

    await asyncio.gather(publisher(), *(client(n) for n in range(CLIENTS)))
    return statuses, failures


def test_every_request_is_answered_under_load_and_a_republish(tmp_path, generated_warehouse):
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(generated_warehouse.path, published)
    staged = tmp_path / "staged.duckdb"
    shutil.copyfile(generated_warehouse.path, staged)
    new_mtime_ns = published.stat().st_mtime_ns + 3_600 * 10**9  # a later publish
    os.utime(staged, ns=(new_mtime_ns, new_mtime_ns))

    def republish() -> None:
        os.replace(staged, published)  # what a build's publish does

    server, base = start_api(published, API_RELOAD_CHECK_SECONDS="0.2")
    try:
        before = httpx.get(f"{base}/healthz").json()["warehousePublishedAt"]
        statuses, failures = asyncio.run(load(base, request_mix(generated_warehouse), republish))
        time.sleep(0.5)  # at least two reload checks
        health = httpx.get(f"{base}/healthz").json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert failures == Counter(), f"requests failed at the connection level: {failures}"
    # every client was answered (throughput is measured by bench/api_load.py, not asserted here:
    # on a loaded two-core machine it swings from under 2 to over 3 answers per client)
    assert sum(statuses.values()) >= CLIENTS
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 404}, statuses
    served = datetime.fromisoformat(health["warehousePublishedAt"])
    assert served != datetime.fromisoformat(before)
    assert served == datetime.fromtimestamp(new_mtime_ns / 1e9, tz=UTC)
    assert health["status"] == "ok"


def write_text(path: Path) -> None:
    path.write_text("customer_id,invoice\n12346,536365\n")


def write_empty(path: Path) -> None:
    path.write_bytes(b"")


def write_database_without_marts(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create table notes (note varchar)")


@pytest.mark.parametrize(
    ("write", "cause"),
    [
        (write_text, "not a DuckDB database"),
        (write_empty, "not a DuckDB database"),
        (write_database_without_marts, "cannot be served: no usable segment model"),
        (None, "warehouse not found"),
    ],
)
def test_a_file_that_cannot_be_served_stops_the_server_with_one_line(tmp_path, write, cause):
    warehouse = tmp_path / "warehouse.duckdb"
    if write is not None:
        write(warehouse)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "apps.api",
            "--warehouse",
            str(warehouse),
            "--port",
            str(free_port()),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {warehouse}: {cause}"), lines[0]
    assert "make run" in lines[0]
