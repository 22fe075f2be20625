"""Serve the scoring API: python -m apps.api [--host H] [--port P] [--warehouse FILE] [--workers N]."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import uvicorn

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("API_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("DUCKDB_PATH") or str(PROJECT_ROOT / "warehouse.duckdb"),
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("API_WORKERS", "1")))
    args = parser.parse_args()
    warehouse = Path(args.warehouse).resolve()
    if not warehouse.exists():
        raise SystemExit(f"error: {warehouse}: warehouse not found; build it first with `make run`")
    os.environ["DUCKDB_PATH"] = str(warehouse)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        "apps.api.server:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
