"""The ASGI app uvicorn serves: the published warehouse named by DUCKDB_PATH."""

from __future__ import annotations

import os

from apps.api.app import create_app, open_warehouse

app = create_app(
    open_warehouse(
        os.environ.get("DUCKDB_PATH", "warehouse.duckdb"),
        check_interval=float(os.environ.get("API_RELOAD_CHECK_SECONDS", "1.0")),
        watch=True,  # a publish is opened beside the event loop, never in a request
    )
)
