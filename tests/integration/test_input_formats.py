"""The same data in layout II, as Parquet or gzipped CSV, gives the same marts; bad lines are kept."""

from __future__ import annotations

import gzip

import duckdb
import pytest
from support import build_warehouse

MART_QUERY = "select * exclude (country) from marts.fct_customer_rfm order by customer_id"


@pytest.fixture(scope="module")
def layout_ii_parquet(tmp_path_factory, generated_retail_file):
    path = tmp_path_factory.mktemp("layout_ii") / "online_retail_ii.parquet"
    duckdb.sql(
        f"""copy (
            select "InvoiceNo" as "Invoice", "StockCode", "Description", "Quantity", "InvoiceDate",
                   "UnitPrice" as "Price", cast("CustomerID" as double) as "Customer ID", "Country"
            from read_csv('{generated_retail_file}', header = true, all_varchar = true,
                          types = {{'Quantity': 'BIGINT', 'UnitPrice': 'DOUBLE', 'InvoiceDate': 'TIMESTAMP'}})
        ) to '{path}' (format parquet)"""
    )
    return path


def test_layout_ii_parquet_gives_the_same_rfm(tmp_path, layout_ii_parquet, generated_warehouse):
    published = tmp_path / "warehouse.duckdb"
    result = build_warehouse(layout_ii_parquet, published, "--fresh")
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(published), read_only=True) as con:
        from_parquet = con.execute(MART_QUERY).df()
    expected = generated_warehouse.query_df(MART_QUERY)
    assert from_parquet.equals(expected)


def test_malformed_lines_are_rejected_and_counted(tmp_path, generated_retail_file):
    bad = tmp_path / "with_bad_lines.csv.gz"
    lines = generated_retail_file.read_text(encoding="utf-8").splitlines(keepends=True)[:2001]
    lines.insert(
        100, "536999,85123A,TOO,MANY,FIELDS,HERE,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
    )
    lines.insert(200, "536999,85123A,too few fields\n")
    lines.insert(
        300, "536999,85123A,BAD QUANTITY,six,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
    )

    with gzip.open(bad, "wt", encoding="utf-8") as handle:
        handle.writelines(lines)
    published = tmp_path / "warehouse.duckdb"
    result = build_warehouse(bad, published, "--fresh")
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(published), read_only=True) as con:
        counts = dict(
            con.execute("select reason, n_lines from marts.retail_line_reconciliation").fetchall()
        )
        rejects = con.execute(
            "select raw_line from staging.stg_online_retail__parser_rejects"
        ).fetchall()
        invalid = con.execute(
            "select invalid_fields from staging.stg_online_retail__invoice_lines where invalid_fields <> ''"
        ).fetchall()
    assert sum(counts.values()) == len(lines) - 1  # every line but the header
    assert counts["rejected_by_parser"] == 2
    assert {row[0] for row in rejects} == {lines[100].strip(), lines[200].strip()}
    assert counts["invalid_value"] == 1
    assert invalid == [("Quantity",)]
