"""The rounds a Spark build runs the SQL and Python models in, and the Python-model runner."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scripts.spark_build import table_reader
from scripts.spark_python_models import Node, rounds, run_model, write_table


def _node(name: str, suffix: str, *parents: str) -> Node:
    return Node(
        f"model.p.{name}",
        name,
        "s",
        f"models/{name}.{suffix}",
        tuple(f"model.p.{p}" for p in parents),
    )


def test_each_round_waits_for_the_python_models_it_reads():
    nodes = [
        _node("a", "sql"),
        _node("b", "py", "a"),
        _node("c", "sql", "b"),
        _node("d", "py", "c", "a"),
        _node("e", "sql", "d"),
        _node("f", "sql", "a"),
        _node("g", "py", "a"),  # a second Python model on the first round's output
    ]
    names = [([n.name for n in sql], [n.name for n in py]) for sql, py in rounds(nodes)]
    assert names == [(["a", "f"], ["b", "g"]), (["c"], ["d"]), (["e"], [])]


def test_parents_outside_the_selection_are_ignored():
    nodes = [Node("model.p.x", "x", "s", "models/x.sql", ("seed.p.rules", "model.p.elsewhere"))]
    assert [([n.name for n in sql], py) for sql, py in rounds(nodes)] == [(["x"], [])]


def _run_on_numbers(tmp_path, model_source: str, last: int):
    """Run a model file of `model_source` with table s.numbers (n = 1..last) behind its refs."""
    model_file = tmp_path / "models" / "int_model.py"
    model_file.parent.mkdir()
    model_file.write_text(model_source)
    with duckdb.connect() as con:
        con.execute(
            f"create schema s; create table s.numbers as select * from range(1, {last + 1}) t(n)"
        )
        return run_model(
            model_file.relative_to(tmp_path), table_reader(con, {"numbers": "s"}), tmp_path
        )


def test_run_model_calls_the_models_function_with_refs_as_frames(tmp_path):
    result = _run_on_numbers(
        tmp_path,
        "def model(dbt, session):\n"
        "    dbt.config(materialized='table')\n"
        "    frame = dbt.ref('numbers').df()\n"
        "    return frame.assign(doubled=frame['n'] * 2)\n",
        3,
    )
    assert result.sort_values("n")["doubled"].tolist() == [2, 4, 6]


def test_a_filtered_ref_reads_only_the_rows_meeting_its_conditions(tmp_path):
    result = _run_on_numbers(
        tmp_path,
        "def model(dbt, session):\n"
        "    return dbt.ref('numbers').filter('n % 2 = 1').filter('n > 1').df()\n",
        7,
    )
    assert sorted(result["n"].tolist()) == [3, 5, 7]


def test_written_table_replaces_the_folder_and_types_empty_columns(tmp_path):
    folder = tmp_path / "marts.db" / "t"
    write_table(pd.DataFrame({"a": [1]}), folder)
    write_table(
        pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype=object)}), folder
    )
    files = list(folder.glob("*.parquet"))
    assert len(files) == 1
    schema = pq.read_schema(files[0])
    assert str(schema.field("b").type) == "string"
    assert pq.read_table(files[0]).num_rows == 0


def test_written_timestamps_are_microseconds_which_spark_reads(tmp_path):
    """pandas' datetime64[ns] (an empty frame's typed column too) would be written as Parquet's
    TIMESTAMP(NANOS), which Spark 4 refuses to read."""
    folder = tmp_path / "intermediate.db" / "t"
    at = pd.Timestamp("2011-12-09 12:50:00")
    for frame in (
        pd.DataFrame({"at": pd.Series([at], dtype="datetime64[ns]")}),
        pd.DataFrame({"at": pd.Series([], dtype="datetime64[ns]")}),
        pd.DataFrame({"at": pd.Series([at], dtype="datetime64[ns, UTC]")}),
    ):
        write_table(frame, folder)
        (file,) = folder.glob("*.parquet")
        logical_type = json.loads(pq.ParquetFile(file).schema.column(0).logical_type.to_json())
        assert logical_type["timeUnit"] == "microseconds"
        assert pq.read_table(file).column("at").to_pylist() == frame["at"].tolist()
    with pytest.raises(pa.ArrowInvalid, match="would lose data"):  # never silently truncated
        write_table(pd.DataFrame({"at": [at + pd.Timedelta(nanoseconds=1)]}), folder)
