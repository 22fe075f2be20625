"""The project's dbt Python models, run outside dbt for a Spark build.

dbt-spark runs Python models only on Databricks. A Spark build therefore runs the SQL models in
rounds: the SQL models that need no Python model's output, then the Python models they feed, each
one's own `model(dbt, session)` function from its file, called here with the tables it refs read
as pandas frames from their Parquet files, its result written as Parquet and registered in
Spark's catalog under the model's own name, then the SQL models that read those, and so on.
The clustering code is the same `models_py` code a DuckDB build runs; only the place it runs in
differs (the build's own process, with the customer-level frames the models pull).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


@dataclass(frozen=True)
class Node:
    """A model or seed of the selection, as `dbt ls` describes it."""

    unique_id: str
    name: str
    schema: str
    path: str
    parents: tuple[str, ...] = field(default_factory=tuple)
    config: dict = field(default_factory=dict)  # the node's config as dbt rendered it

    @property
    def is_python(self) -> bool:
        return self.path.endswith(".py")


def rounds(nodes: list[Node]) -> list[tuple[list[Node], list[Node]]]:
    """(SQL nodes, Python nodes) to run in turn: round i's SQL nodes depend on at most i Python
    models in a chain, and round i's Python nodes read only what the rounds up to i built."""
    by_id = {node.unique_id: node for node in nodes}
    depth: dict[str, int] = {}

    def depth_of(unique_id: str) -> int:
        if unique_id not in depth:
            node = by_id[unique_id]
            depth[unique_id] = max(
                (
                    depth_of(parent) + (1 if by_id[parent].is_python else 0)
                    for parent in node.parents
                    if parent in by_id
                ),
                default=0,
            )
        return depth[unique_id]

    levels = max((depth_of(node.unique_id) for node in nodes), default=0)
    return [
        (
            [n for n in nodes if not n.is_python and depth_of(n.unique_id) == level],
            [n for n in nodes if n.is_python and depth_of(n.unique_id) == level],
        )
        for level in range(levels + 1)
    ]


class _Relation:
    """dbt.ref(name): its rows with .df(), narrowed first with .filter(sql condition) as on a
    DuckDB relation."""

    def __init__(
        self, read: Callable[[str, str | None], pd.DataFrame], name: str, where: str | None = None
    ) -> None:
        self._read, self._name, self._where = read, name, where

    def filter(self, condition: str) -> _Relation:
        where = condition if self._where is None else f"({self._where}) and ({condition})"
        return _Relation(self._read, self._name, where)

    def df(self) -> pd.DataFrame:
        return self._read(self._name, self._where)


class _Config:
    """dbt.config: called, it takes the model's settings (the models only set
    materialized='table', which is what writing their result does); .get reads the node's
    config (e.g. vars passed through its property file)."""

    def __init__(self, config: dict) -> None:
        self._config = config

    def __call__(self, **_settings) -> None:
        pass

    def get(self, key: str, default=None):
        return self._config.get(key, default)


class _Dbt:
    """The part of dbt's Python-model API the project's models use: ref(...) with .filter() and
    .df(), and config() / config.get()."""

    def __init__(self, read: Callable[[str, str | None], pd.DataFrame], config: dict) -> None:
        self._read = read
        self.config = _Config(config)

    def ref(self, name: str) -> _Relation:
        return _Relation(self._read, name)


def run_model(
    model_file: Path,
    read: Callable[[str, str | None], pd.DataFrame],
    project_dir: Path,
    config: dict | None = None,
) -> pd.DataFrame:
    """Call the model's `model(dbt, session)` with `read(name, where)` behind
    dbt.ref(name).filter(where).df() and the node's `config` behind dbt.config.get."""
    spec = importlib.util.spec_from_file_location(model_file.stem, project_dir / model_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model(_Dbt(read, config or {}), None)


def write_table(frame: pd.DataFrame, folder: Path) -> None:
    """The model's rows as the one Parquet file of its table folder (replacing what was there),
    in types Spark reads."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # an all-null column of an empty frame has no type; Parquet on Spark needs one
    schema = pa.schema(
        [f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
    )
    # pandas' timestamps are nanoseconds, which Spark 4 cannot read from Parquet
    # (TIMESTAMP(NANOS)): write microseconds, Spark's own precision; a value with a nanosecond
    # part is an error rather than silently truncated
    pq.write_table(table.cast(schema), folder / "part-00000.parquet", coerce_timestamps="us")
