"""Latency and throughput of /api/cluster on loopback, measured with wrk against the real server.

    python -m bench.api_latency [--warehouse FILE] [--workers 2] [--connections 16] [--seconds 10]
    (make bench-api)

Starts the API with uvicorn on a free loopback port, warms it up, runs wrk for a bounded time,
stops the server, and writes p50/p99 latency and requests per second to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.metadata import version

from bench.pipeline import write_report
from scripts.project_paths import PROJECT_ROOT, published_warehouse

START, END = "<!-- api-bench:start -->", "<!-- api-bench:end -->"
QUERY = "/api/cluster?recency=64&frequency=32&monetary_value=100924"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                json.loads(response.read())
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("error: the API did not start")


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    percentiles = dict(re.findall(r"^\s+(\d+(?:\.\d+)?)%\s+(\S+)$", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    return {
        "p50_ms": to_ms(percentiles["50"]),
        "p99_ms": to_ms(percentiles["99"]),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": (int(errors.group(1)) if errors else 0),
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(published_warehouse()))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit(
            "error: wrk not found; install it (apt-get install wrk) or use `make bench-api`"
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apps.api",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--warehouse",
            args.warehouse,
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(base)
        subprocess.run(["wrk", "-t1", "-c4", "-d2s", base + QUERY], capture_output=True, check=True)
        run = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--latency",
                base + QUERY,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = parse_wrk(run.stdout)
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    command = (
        f"make bench-api (python -m bench.api_latency --workers {args.workers}"
        f" --connections {args.connections} --seconds {args.seconds})"
    )
    section = "\n".join(
        [
            START,
            "## Scoring API: /api/cluster latency and throughput",
            "",
            f"Machine: {os.cpu_count()} cores, {mem_gb:.0f} GiB, Python {platform.python_version()};"
            f" fastapi {version('fastapi')}, uvicorn {version('uvicorn')}; load from wrk on the same machine"
            " (loopback), so client and server share the cores.",
            f"Command: `{command}`. GET `{QUERY}` for {args.seconds} s after a 2 s warm-up,"
            f" {args.workers} uvicorn workers, {args.connections} connections.",
            "",
            "| requests | errors | p50 ms | p99 ms | requests/s | target |",
            "| ---: | ---: | ---: | ---: | ---: | --- |",
            f"| {figures['requests']:,} | {figures['errors']} | {figures['p50_ms']:.2f} | {figures['p99_ms']:.2f}"
            f" | {figures['rps']:,.0f} | p99 < 10 ms, > 1,000 requests/s |",
            "",
            f"Socket errors: {figures['socket_errors']}.",
            END,
        ]
    )
    write_report(section, START, END)
    print(section)


if __name__ == "__main__":
    main()
