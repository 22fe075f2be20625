"""The ASGI app uvicorn serves: the published warehouse named by DUCKDB_PATH."""

from __future__ import annotations

import os

from apps.api.app import create_app
from apps.api.model_store import ModelStore

app = create_app(
    ModelStore(
        os.environ.get("DUCKDB_PATH", "warehouse.duckdb"),
        check_interval=float(os.environ.get("API_RELOAD_CHECK_SECONDS", "1.0")),
    )
)
