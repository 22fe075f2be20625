"""The ASGI app uvicorn serves: the published warehouse ($DUCKDB_PATH, else the project's
warehouse.duckdb, whatever the working folder)."""

from __future__ import annotations

import os

from apps.api.app import create_app, open_warehouse
from scripts.project_paths import published_warehouse

app = create_app(
    open_warehouse(
        published_warehouse(),
        check_interval=float(os.environ.get("API_RELOAD_CHECK_SECONDS", "1.0")),
        watch=True,  # a publish is opened beside the event loop, never in a request
    )
)
