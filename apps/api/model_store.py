"""Keep the published warehouse's segment model in memory and swap it when a new build is published.

A build publishes by renaming a new file over the old one, so a changed inode or modification
time means a new warehouse. Each request takes the current snapshot once and uses it to the end,
so a swap never disturbs a request in flight; the old snapshot's read-only connection closes when
the last request holding it finishes.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from apps.api.segment_model_loader import InvalidSegmentModel, load_segment_model
from models_py.rfm_scoring import SegmentModel

log = logging.getLogger(__name__)

WAREHOUSE_ALIAS = "published_warehouse"


@dataclass(frozen=True)
class Snapshot:
    """One published warehouse: its segment model and a read-only connection to it."""

    model: SegmentModel
    connection: duckdb.DuckDBPyConnection
    catalog: str
    published_at: datetime
    file_id: tuple[int, int]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection for one request, reading this snapshot's file."""
        cursor = self.connection.cursor()
        cursor.execute(f'use "{self.catalog}"')
        return cursor


def _file_id(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def open_snapshot(path: Path) -> Snapshot:
    file_id = _file_id(path)
    # A private in-memory instance that attaches the file: duckdb.connect(path) would reuse the
    # instance DuckDB caches per path, which still reads the replaced file. Any alias does: the
    # warehouse's views never name their catalog.
    catalog = WAREHOUSE_ALIAS
    connection = duckdb.connect()
    escaped_path = str(path).replace("'", "''")
    connection.execute(f"attach '{escaped_path}' as \"{catalog}\" (read_only)")
    connection.execute(f'use "{catalog}"')
    model = load_segment_model(connection)
    published_at = datetime.fromtimestamp(file_id[1] / 1e9, tz=UTC)
    return Snapshot(model, connection, catalog, published_at, file_id)


def describe_reload_failure(exc: Exception) -> str:
    """Why a reload failed, fit for clients: the store's own model errors say what is wrong;
    others (DuckDB, the file system) only their kind, as their messages name server files."""
    if isinstance(exc, InvalidSegmentModel):
        return f"the published warehouse holds no usable segment model: {exc}"
    return f"the published warehouse could not be read ({type(exc).__name__})"


class ModelStore:
    """The current snapshot of the published warehouse at `path`, refreshed when it changes."""

    def __init__(self, path: str | os.PathLike, check_interval: float = 1.0) -> None:
        self.path = Path(path)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._snapshot = open_snapshot(self.path)
        self._checked_at = time.monotonic()
        # why the last reload failed (see describe_reload_failure), None once one succeeds
        self.last_reload_error: str | None = None

    def current(self) -> Snapshot:
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval and self._lock.acquire(blocking=False):
            try:
                self._checked_at = now
                self._refresh()
            finally:
                self._lock.release()
        return self._snapshot

    def _refresh(self) -> None:
        try:
            if _file_id(self.path) == self._snapshot.file_id:
                return
            self._snapshot = open_snapshot(self.path)
            self.last_reload_error = None
            log.info("loaded segment model run %s from %s", self._snapshot.model.run_id, self.path)
        except Exception as exc:  # keep serving the last good model
            self.last_reload_error = describe_reload_failure(exc)
            log.warning("kept the previous model; reloading %s failed: %s", self.path, exc)
