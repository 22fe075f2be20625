"""The published warehouse, read-only, as the API and the dashboard read it: one snapshot per publish.

A build publishes by renaming a new file over the old one, so a changed inode or modification
time means a new warehouse. A reader takes the current snapshot once per request (or dashboard
run) and uses it to the end, so a swap never disturbs a reader in flight; an old snapshot's
connection closes when the last reader holding it lets go. When opening a new publish fails, the
previous snapshot goes on serving and `last_reload_error` says why, without naming server files.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

log = logging.getLogger(__name__)

CATALOG = "published_warehouse"
MIN_WATCH_INTERVAL = 0.05  # seconds: a watching thread never spins, even with check_interval 0
T = TypeVar("T")


class WarehouseContentError(ValueError):
    """The published file can be read but not served (e.g. no usable segment model); the message
    names no server file, so clients may see it."""


def file_id(path: Path) -> tuple[int, int]:
    """Inode and modification time: a publish (atomic rename) changes them."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


class Snapshot:
    """One published file, open read-only: its tables, memoised query results and derived values."""

    def __init__(self, path: Path) -> None:
        self.file_id = file_id(path)
        self.published_at = datetime.fromtimestamp(self.file_id[1] / 1e9, tz=UTC)
        # A private in-memory instance attaching the file: duckdb.connect(path) would hand back the
        # instance DuckDB caches per path, which still reads the replaced file. Any alias does: the
        # warehouse's views never name their catalog.
        self._connection = duckdb.connect(":memory:")
        quoted = str(path).replace("'", "''")
        self._connection.execute(f"attach '{quoted}' as \"{CATALOG}\" (read_only)")
        self._lock = threading.Lock()
        self._memo: dict[Hashable, Any] = {}
        self._tables = frozenset(
            self._connection.execute(
                "select table_schema, table_name from information_schema.tables"
                " where table_catalog = ?",
                [CATALOG],
            ).fetchall()
        )

    def close(self) -> None:
        self._connection.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own for one thread, reading this snapshot's file."""
        cursor = self._connection.cursor()
        cursor.execute(f'use "{CATALOG}"')
        return cursor

    def has_table(self, name: str, schema: str = "marts") -> bool:
        return (schema, name) in self._tables

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()` once per snapshot and key: what cannot change within one published file."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        value = build()  # outside the lock: a build may query this snapshot
        with self._lock:
            return self._memo.setdefault(key, value)

    def query(self, sql: str, params: Sequence = ()) -> pd.DataFrame:
        """A small (aggregating) query's result; the same query on the same file is answered from memory."""
        return self.memo(("query", sql, tuple(params)), lambda: self._fetch(sql, params)).copy()

    def _fetch(self, sql: str, params: Sequence) -> pd.DataFrame:
        with self.cursor() as cursor:
            return cursor.execute(sql, list(params)).df()


def describe_reload_failure(exc: Exception) -> str:
    """Why opening a publish failed, fit for clients: content errors say what is wrong; others
    (DuckDB, the file system) only their kind, as their messages name server files."""
    if isinstance(exc, WarehouseContentError):
        return f"the published warehouse cannot be served: {exc}"
    return f"the published warehouse could not be read ({type(exc).__name__})"


class PublishedWarehouse:
    """The current snapshot of the warehouse published at `path`, swapped when a new one is.

    `require` runs on every newly opened snapshot before it is swapped in (e.g. loading the segment
    models): a publish it rejects is not served, and the previous snapshot keeps serving.

    By default the reader that finds check_interval passed checks for a new publish (and opens it)
    itself. With `watch`, a background thread does, every check_interval, and `current()` never
    waits for a publish to be opened: what a server on an event loop needs, since opening one
    (and loading its models) would stall every connection of the loop meanwhile.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        check_interval: float = 1.0,
        require: Callable[[Snapshot], object] | None = None,
        watch: bool = False,
    ) -> None:
        self.path = Path(path)
        self.check_interval = check_interval
        self._require = require
        self._lock = threading.Lock()
        self._snapshot = self._open()
        self._checked_at = time.monotonic()
        # why the last reload failed (see describe_reload_failure), None once one succeeds
        self.last_reload_error: str | None = None
        self._watcher: threading.Thread | None = None
        if watch:
            self._watcher = threading.Thread(
                target=self._watch, name="warehouse-watcher", daemon=True
            )
            self._watcher.start()

    def _watch(self) -> None:
        interval = max(self.check_interval, MIN_WATCH_INTERVAL)
        while True:
            time.sleep(interval)
            with self._lock:
                self._checked_at = time.monotonic()
                self._refresh()

    def current(self) -> Snapshot:
        """The snapshot to use for one request; unless watched, checks for a new publish at most
        every check_interval."""
        if self._watcher is not None:
            return self._snapshot
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval and self._lock.acquire(blocking=False):
            try:
                self._checked_at = now
                self._refresh()
            finally:
                self._lock.release()
        return self._snapshot

    def _open(self) -> Snapshot:
        snapshot = Snapshot(self.path)
        try:
            if self._require is not None:
                self._require(snapshot)
        except Exception:
            snapshot.close()
            raise
        return snapshot

    def _refresh(self) -> None:
        try:
            if file_id(self.path) == self._snapshot.file_id:
                return
            self._snapshot = self._open()
            self.last_reload_error = None
            log.info("opened the new publish of %s", self.path)
        except Exception as exc:  # keep serving the last good snapshot
            self.last_reload_error = describe_reload_failure(exc)
            log.warning("kept the previous publish; opening %s failed: %s", self.path, exc)
