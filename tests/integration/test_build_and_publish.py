"""Build-then-publish: bad input and failed builds never touch the published warehouse."""

from __future__ import annotations

import gzip
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from checks import assert_single_line_error, child_pids, digest
from support import SCRIPTS, build_warehouse


@pytest.fixture
def published(tmp_path, generated_warehouse) -> Path:
    """A private copy of the shared generated warehouse, as if published earlier."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    return path


def test_missing_column_is_one_clear_line(tmp_path, published, generated_retail_file):
    before = digest(published)
    bad = tmp_path / "no_price.csv"
    with (
        open(generated_retail_file, encoding="utf-8") as src,
        open(bad, "w", encoding="utf-8") as dst,
    ):
        for i, line in enumerate(src):
            fields = line.rstrip("\n").split(",")
            dst.write(",".join(fields[:5] + fields[6:]) + "\n")  # drop UnitPrice
            if i > 50:
                break
    result = build_warehouse(bad, published)
    assert_single_line_error(result, str(bad), "missing column UnitPrice or Price")
    assert digest(published) == before


def test_empty_file_is_one_clear_line(tmp_path, published):
    before = digest(published)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert_single_line_error(build_warehouse(empty, published), str(empty), "empty")
    header_only = tmp_path / "header_only.csv.gz"
    with gzip.open(header_only, "wt") as handle:
        handle.write(
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        )
    assert_single_line_error(
        build_warehouse(header_only, published), str(header_only), "no invoice lines"
    )
    assert digest(published) == before


def test_missing_file_is_one_clear_line(tmp_path, published):
    before = digest(published)
    missing = tmp_path / "nowhere.csv"
    assert_single_line_error(build_warehouse(missing, published), str(missing), "does not exist")
    assert digest(published) == before


def test_failed_dbt_build_leaves_published_warehouse_untouched(
    tmp_path, published, generated_retail_file
):
    before = digest(published)
    # a var that makes a model's SQL invalid: dbt itself fails
    result = build_warehouse(
        generated_retail_file, published, "--vars", '{"diploma_top_n": "no_such_column"}'
    )
    assert result.returncode == 1
    assert "unchanged" in result.stderr
    assert digest(published) == before
    assert not list(tmp_path.glob(".build-*/*.duckdb*")), "the build file must be cleaned up"


def test_reader_does_not_block_next_build_and_keeps_its_snapshot(tmp_path, generated_retail_file):
    published = tmp_path / "warehouse.duckdb"
    first = build_warehouse(generated_retail_file, published, "--fresh", "--only", "commerce")
    assert first.returncode == 0, first.stdout + first.stderr
    reader = duckdb.connect(str(published), read_only=True)
    try:
        before = reader.execute(
            "select count(*), max(as_of_date) from marts.fct_customer_rfm"
        ).fetchone()
        # a second build, in a row, on the same file, while the reader holds it open
        result = build_warehouse(
            generated_retail_file, published, "--only", "commerce", "--as-of-date", "2011-06-30"
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert (
            reader.execute(
                "select count(*), max(as_of_date) from marts.fct_customer_rfm"
            ).fetchone()
            == before
        )
    finally:
        reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh_reader:
        as_of, after_as_of = fresh_reader.execute(
            "select (select max(as_of_date) from marts.fct_customer_rfm),"
            " (select n_lines from marts.commerce_line_reconciliation where reason = 'after_as_of_date')"
        ).fetchone()
    assert str(as_of) == "2011-06-30"
    assert after_as_of > 0


def test_interrupted_build_leaves_published_warehouse_untouched(
    tmp_path, published, generated_retail_file
):
    before = digest(published)
    command = [
        sys.executable,
        str(SCRIPTS / "build_warehouse.py"),
        "--quiet",
        "--retail-path",
        str(generated_retail_file),
        "--duckdb-path",
        str(published),
    ]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    # interrupt while dbt runs: the build file is there and the dbt process has started
    while not (list(tmp_path.glob(".build-*/*.duckdb")) and child_pids(build.pid)):
        assert time.monotonic() < deadline, "dbt never started"
        time.sleep(0.05)
    assert build.poll() is None, "the build finished before it could be interrupted"
    build.send_signal(signal.SIGTERM)
    stdout, stderr = build.communicate(timeout=60)
    assert build.returncode != 0, stdout + stderr
    assert "interrupted" in stderr
    assert digest(published) == before
    assert not list(tmp_path.glob(".build-*/*.duckdb*"))
