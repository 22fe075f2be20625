"""Serve the scoring API: python -m apps.api [--host H] [--port P] [--warehouse FILE] [--workers N].

Before the server starts, the warehouse is opened as the server will open it and the address is
tried: a file that cannot be served or an address that cannot be listened on ends with one line,
`error: <file or address>: <cause>; <what to do>`, and exit code 2. Once the address is listened
on, one line on stdout says where: `API listening on http://127.0.0.1:8000 (docs:
http://127.0.0.1:8000/docs)`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import socket
import sys
from pathlib import Path

import duckdb
import uvicorn
from uvicorn.supervisors import Multiprocess

from apps.api.settings import KEEP_ALIVE_SECONDS, server_settings
from apps.segment_models import store_models
from apps.warehouse import Snapshot, WarehouseContentError
from scripts.project_paths import WAREHOUSE_OPTION_HELP, published_warehouse

USAGE_ERROR = 2
STARTUP_FAILURE = 3  # as uvicorn.run: the server did not start (its log says why)
# a DuckDB database file has these bytes at offset 8 (its header's magic)
DUCKDB_MAGIC, MAGIC_OFFSET = b"DUCK", 8
POINT_AT_A_WAREHOUSE = "point --warehouse (or DUCKDB_PATH) at a warehouse built by `make run`"


class StartupError(Exception):
    """Why the server cannot start, as one line: the file or address, the cause, what to do."""


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def check_warehouse(path: Path) -> None:
    """Open the warehouse as the server does and load every store's segment model."""
    if not path.exists():
        raise StartupError(f"{path}: warehouse not found; build it first with `make run`")
    if not path.is_file():
        raise StartupError(f"{path}: not a file; {POINT_AT_A_WAREHOUSE}")
    try:
        with path.open("rb") as file:
            header = file.read(MAGIC_OFFSET + len(DUCKDB_MAGIC))
        snapshot = None if header[MAGIC_OFFSET:] != DUCKDB_MAGIC else Snapshot(path)
    except OSError as exc:
        raise StartupError(
            f"{path}: cannot be read ({exc.strerror}); {POINT_AT_A_WAREHOUSE}"
        ) from exc
    except duckdb.Error as exc:
        raise StartupError(
            f"{path}: DuckDB cannot open it ({first_line(str(exc))}); {POINT_AT_A_WAREHOUSE}"
        ) from exc
    if snapshot is None:
        raise StartupError(f"{path}: not a DuckDB database; {POINT_AT_A_WAREHOUSE}")
    try:
        store_models(snapshot)
    except WarehouseContentError as exc:
        raise StartupError(f"{path}: cannot be served: {exc}; rebuild it with `make run`") from exc
    except duckdb.Error as exc:
        raise StartupError(
            f"{path}: not a warehouse this API can serve ({type(exc).__name__}:"
            f" {first_line(str(exc))}); rebuild it with `make run`"
        ) from exc
    finally:
        snapshot.close()


def check_address(host: str, port: int) -> None:
    """Bind the address once, as uvicorn will (SO_REUSEADDR), to fail before the server starts."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"{host}:{port}: address already in use; stop the server using it or choose"
                " another --port (API_PORT)"
            ) from exc
        raise StartupError(
            f"{host}:{port}: cannot listen there ({exc.strerror or exc}); choose another --host"
            " (API_HOST) or --port (API_PORT)"
        ) from exc


def listening_line(host: str, port: int) -> str:
    """The line printed once the server listens: its address and its documentation's."""
    base = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    return f"API listening on {base} (docs: {base}/docs)"


def serve(config: uvicorn.Config) -> None:
    """uvicorn.run's serving, with the socket bound and listened on first so that the listening
    line is printed once (not once per worker) and is true when printed: connections wait in the
    backlog while the app opens the warehouse."""
    sock = config.bind_socket()
    sock.listen(config.backlog)
    print(listening_line(config.host, sock.getsockname()[1]), flush=True)
    if config.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
        return
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("API_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument(
        "--warehouse",
        default=None,
        help=WAREHOUSE_OPTION_HELP,
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("API_WORKERS", "1")))
    parser.add_argument(
        "--keep-alive",
        type=float,
        default=float(os.environ.get("API_KEEP_ALIVE_SECONDS", KEEP_ALIVE_SECONDS)),
        help="seconds an idle keep-alive connection is kept open (API_KEEP_ALIVE_SECONDS)",
    )
    args = parser.parse_args()
    warehouse = published_warehouse(args.warehouse)
    try:
        check_warehouse(warehouse)
        check_address(args.host, args.port)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    os.environ["DUCKDB_PATH"] = str(warehouse)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = uvicorn.Config(
        "apps.api.server:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
        **server_settings(args.keep_alive),
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: a normal stop
        serve(config)


if __name__ == "__main__":
    main()
