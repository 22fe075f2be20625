"""Superset's configuration for the project's local BI server (make superset; docs/bi.md).

Read by Superset through SUPERSET_CONFIG_PATH. Everything Superset writes (its metadata database,
the secret key) lives in $SUPERSET_HOME, a folder the server script creates (.superset/ by
default, git-ignored); the warehouse itself is only ever opened read-only.
"""

from __future__ import annotations

import os
from pathlib import Path

SUPERSET_HOME = Path(os.environ["SUPERSET_HOME"]).resolve()

# made once per home by bi/superset/superset_server.py, never committed
SECRET_KEY = (SUPERSET_HOME / "secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{SUPERSET_HOME / 'superset.db'}"

# Local only: no telemetry, no outside assets, no example data.
SHOW_STACKTRACE = False
FEATURE_FLAGS = {"DASHBOARD_RBAC": False}
# A chart asks the warehouse each time (no results cache), so a publish shows at the next refresh.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
# No Redis here: rate-limit bookkeeping in memory.
RATELIMIT_STORAGE_URI = "memory://"
# The server listens on 127.0.0.1 only; a Content-Security-Policy is still sent.
TALISMAN_ENABLED = True
