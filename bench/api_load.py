"""The scoring API under many concurrent clients: latency, throughput and failed requests.

    python -m bench.api_load [--warehouse FILE] [--clients 200,1000] [--seconds 20]
                             [--workers 1] [--shared-pool] [--no-republish] [--no-write]

Starts `python -m apps.api` (what `make serve` runs) on a free loopback port on a copy of the
warehouse, then, for each number of clients, runs that many concurrent httpx clients for a bounded
time on a mix of the documented endpoints, each client with a keep-alive connection of its own
and sending its next request as soon as it has the answer. In the middle of each run the
warehouse is republished the way a build does it (a copy renamed over the served file). Counts
every answer by status and every request that failed at the connection level (by exception), and
writes median, p95 and p99 latency and requests per second to BENCHMARKS.md.

`--shared-pool` puts all clients on one httpx pool of as many connections instead. httpcore's pool
does work in proportion to its connections on every request (1.0.x), so at 1,000 connections the
client process, not the server, sets the pace: use it to compare with such a client, not to
measure the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import duckdb
import httpx
import numpy as np

from bench.pipeline import write_report
from scripts.project_paths import PROJECT_ROOT, published_warehouse

START, END = "<!-- api-load:start -->", "<!-- api-load:end -->"
# a long client timeout: a slow answer is measured as slow, not counted as a failure
REQUEST_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict | None = None
    json: dict | None = None

    @property
    def endpoint(self) -> str:
        """The route: the method and path with any id left out."""
        parts = self.path.split("/")
        return f"{self.method} {'/'.join(p for p in parts if not p.isdigit())}"


@dataclass
class LoadResult:
    """What one run saw: latencies of the answered requests, statuses, failures by exception."""

    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    by_endpoint: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    republished_at: float | None = None

    @property
    def answered(self) -> int:
        return len(self.latencies)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile_ms(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) * 1000 if self.latencies else float("nan")

    def summary(self) -> str:
        failures = ", ".join(f"{n} {kind}" for kind, n in self.failures.most_common()) or "none"
        return (
            f"{self.clients} clients: {self.answered:,} answered in {self.seconds:.1f} s"
            f" ({self.answered / self.seconds:,.0f}/s), median {self.percentile_ms(50):.1f} ms,"
            f" p95 {self.percentile_ms(95):.1f} ms, p99 {self.percentile_ms(99):.1f} ms;"
            f" statuses {dict(sorted(self.statuses.items()))}; failed: {failures}"
        )

    def endpoint_medians(self) -> str:
        return ", ".join(
            f"{name} {np.median(values) * 1000:,.0f} ms"
            for name, values in sorted(self.by_endpoint.items())
        )


def request_mix(warehouse: Path) -> list[tuple[Request, int]]:
    """The requests of the load and their weights: every documented endpoint, on real ids of the
    warehouse (customers, products) and a few unknown ones (404, 422 answers are part of it)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        store = con.execute("select min(store) from marts.segment_model").fetchone()[0]
        customers = [
            row[0]
            for row in con.execute(
                "select customer_id from marts.customer_segments where store = ?"
                " order by customer_id limit 50",
                [store],
            ).fetchall()
        ]
        products = [
            row[0]
            for row in con.execute(
                "select product_id from marts.dim_products where store = ?"
                " order by product_id limit 20",
                [store],
            ).fetchall()
        ]
    basket = {
        "store": store,
        "lines": [
            {"product_id": product, "quantity": 2, "unit_price": 3.5} for product in products[:3]
        ],
    }
    cluster = {"recency": 64, "frequency": 32, "monetary_value": 100924.0, "store": store}
    mix: list[tuple[Request, int]] = [
        (Request("GET", "/api/cluster", params=cluster), 25),
        (Request("POST", "/api/cluster", json=cluster), 15),
        (Request("GET", "/api/segments", params={"store": store}), 10),
        (Request("GET", "/healthz"), 5),
        (Request("POST", "/api/interest", json=basket), 5),
        (Request("POST", "/api/recommendations", json={**basket, "limit": 5}), 5),
        (Request("GET", "/api/customers/1", params={"store": store}), 2),  # 404
    ]
    for customer in customers[:10]:
        mix.append((Request("GET", f"/api/customers/{customer}", params={"store": store}), 2))
        mix.append((Request("GET", f"/api/recommendations/{customer}", params={"store": store}), 1))
    return mix


async def run_load(
    base: str,
    mix: list[tuple[Request, int]],
    clients: int,
    seconds: float,
    republish=None,
    republish_after: float | None = None,
    seed: int = 7,
    shared_pool: bool = False,
) -> LoadResult:
    """`clients` concurrent clients for `seconds`, each with a keep-alive connection of its own
    (`shared_pool`: one pool of as many connections for all); `republish()` (run in a thread)
    after `republish_after` seconds."""
    requests = [r for r, _ in mix]
    weights = [w for _, w in mix]
    result = LoadResult(clients, seconds)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_SECONDS)
    tls = ssl.create_default_context()  # one for all: each client would load the CA bundle

    def new_client(connections: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout, verify=tls)

    started = time.monotonic()
    deadline = started + seconds

    async def one_client(number: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(seed * 100_003 + number)
        while time.monotonic() < deadline:
            request = rng.choices(requests, weights)[0]
            sent = time.perf_counter()
            try:
                response = await client.request(
                    request.method, request.path, params=request.params, json=request.json
                )
            except httpx.HTTPError as exc:
                result.failures[f"{type(exc).__name__}: {exc}"[:120]] += 1
                continue
            elapsed = time.perf_counter() - sent
            result.latencies.append(elapsed)
            result.by_endpoint.setdefault(request.endpoint, []).append(elapsed)
            result.statuses[response.status_code] += 1

    async def publisher() -> None:
        await asyncio.sleep(republish_after)
        await asyncio.to_thread(republish)
        result.republished_at = time.monotonic() - started

    async with contextlib.AsyncExitStack() as stack:
        if shared_pool:
            shared = await stack.enter_async_context(new_client(clients))
            pools = [shared] * clients
        else:
            pools = [await stack.enter_async_context(new_client(1)) for _ in range(clients)]
        started = time.monotonic()
        deadline = started + seconds
        tasks = [asyncio.create_task(one_client(n, pool)) for n, pool in enumerate(pools)]
        if republish is not None:
            tasks.append(asyncio.create_task(publisher()))
        await asyncio.gather(*tasks)
    result.seconds = time.monotonic() - started
    return result


def republisher(source: Path, served: Path):
    """A function that publishes a copy of `source` over `served` as a build does: write aside,
    then one atomic rename."""

    def republish() -> None:
        staged = served.with_name(served.name + ".staged")
        shutil.copyfile(source, staged)
        os.replace(staged, served)

    return republish


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(warehouse: Path, port: int, workers: int) -> subprocess.Popen:
    """`python -m apps.api` (what `make serve` runs) on `warehouse`, once it answers /healthz."""
    server = subprocess.Popen(
        [sys.executable, "-m", "apps.api", "--port", str(port), "--workers", str(workers)],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, DUCKDB_PATH=str(warehouse)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
        if server.poll() is not None:
            break
    server.terminate()
    raise SystemExit("error: the API did not start; run `make serve` to see why")


@dataclass(frozen=True)
class Run:
    workers: int
    result: LoadResult


def report(runs: list[Run], args: argparse.Namespace) -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    command = (
        f"python -m bench.api_load --clients {args.clients} --seconds {args.seconds:g}"
        f" --workers {args.workers}"
        + (" --shared-pool" if args.shared_pool else "")
        + (" --no-republish" if args.no_republish else "")
    )
    rows = []
    for run in runs:
        r = run.result
        rows.append(
            f"| {r.clients:,} | {run.workers} | {r.answered:,} | {r.answered / r.seconds:,.0f} |"
            f" {r.percentile_ms(50):,.0f} | {r.percentile_ms(95):,.0f} |"
            f" {r.percentile_ms(99):,.0f} | {sum(r.failures.values())} | {r.server_errors} |"
            f" {'yes' if r.republished_at is not None else 'no'} |"
        )
    medians = [
        f"- {run.result.clients:,} clients, {run.workers} worker{'s' if run.workers > 1 else ''}:"
        f" {run.result.endpoint_medians()}"
        for run in runs
    ]
    pools = (
        "all clients on one httpx pool of as many connections"
        if args.shared_pool
        else "each client with a keep-alive connection of its own"
    )
    return "\n".join(
        [
            START,
            "## Scoring API under many concurrent clients (mixed endpoints, a republish midway)",
            "",
            f"Machine: {os.cpu_count()} cores, {mem_gb:.0f} GiB, Python {platform.python_version()};"
            f" fastapi {version('fastapi')}, uvicorn {version('uvicorn')}, httpx {version('httpx')}."
            " Client and server on the same machine (loopback), sharing the cores; the client is"
            f" one Python process. Warehouse: {args.warehouse_note}.",
            f"Command: `{command}`. {args.seconds:g} s per row, {pools},"
            " each sending its next request as soon as it has the answer; the mix is every"
            " documented endpoint (per 97 requests: 25 GET and 15 POST /api/cluster, 10 segments,"
            " 5 healthz, 5 interest, 5 POST recommendations, 22 customers, 10 GET recommendations),"
            " and a copy of the warehouse is renamed over the served file halfway through. Failed ="
            " no HTTP answer (a connection-level error).",
            "",
            "| clients | workers | answered | requests/s | median ms | p95 ms | p99 ms | failed |"
            " 5xx | republish |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            *rows,
            "",
            "Median latency by endpoint:",
            "",
            *medians,
            END,
        ]
    )


def describe_warehouse(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        customers, stores = con.execute(
            "select count(*), count(distinct store) from marts.customer_segments"
        ).fetchone()
    return f"{customers:,} customers in {stores} store{'s' if stores > 1 else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(published_warehouse()))
    parser.add_argument("--clients", default="200,1000", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", default="1", help="comma-separated uvicorn worker counts")
    parser.add_argument("--shared-pool", action="store_true", help="one httpx pool for all")
    parser.add_argument("--no-republish", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print, do not write BENCHMARKS.md")
    args = parser.parse_args()
    source = Path(args.warehouse).resolve()
    if not source.is_file():
        raise SystemExit(f"error: {source}: warehouse not found; build it first with `make run`")
    args.warehouse_note = describe_warehouse(source)
    mix = request_mix(source)
    runs = []
    for workers in (int(n) for n in args.workers.split(",")):
        with tempfile.TemporaryDirectory(prefix="api-load-") as tmp:
            served = Path(tmp) / "warehouse.duckdb"
            shutil.copyfile(source, served)
            port = free_port()
            server = start_server(served, port, workers)
            try:
                for clients in (int(n) for n in args.clients.split(",")):
                    result = asyncio.run(
                        run_load(
                            f"http://127.0.0.1:{port}",
                            mix,
                            clients,
                            args.seconds,
                            None if args.no_republish else republisher(source, served),
                            args.seconds / 2,
                            shared_pool=args.shared_pool,
                        )
                    )
                    print(f"{workers} worker(s), {result.summary()}", flush=True)
                    print(f"  median by endpoint: {result.endpoint_medians()}", flush=True)
                    runs.append(Run(workers, result))
            finally:
                server.terminate()
                server.wait(timeout=30)
    section = report(runs, args)
    if not args.no_write:
        write_report(section, START, END)
    print(section)


if __name__ == "__main__":
    main()
