"""The same data in layout II, as Parquet or gzipped CSV, with its dates written day first, gives
the same marts; bad lines are kept."""

from __future__ import annotations

import gzip

import duckdb
import pytest
from support import REAL_RETAIL_FILE, build_warehouse

MART_QUERY = "select * exclude (country) from marts.fct_customer_rfm order by customer_id"


@pytest.mark.real_data
def test_day_first_dates_give_the_same_rfm(tmp_path, real_warehouse):
    """The real file as another tool exports it: layout II, Parquet with typed numbers (quantity
    an integer, price and customer id doubles: 17850.0), its timestamps as day-first text
    (01/12/2010 08:26 is the first of December). Read line by line, a date like 01/12/2010
    would be taken month first."""
    day_first = tmp_path / "online_retail_ii_day_first.parquet"
    duckdb.sql(
        f"""copy (
            select "InvoiceNo" as "Invoice", "StockCode", "Description", "Quantity",
                   strftime("InvoiceDate", '%d/%m/%Y %H:%M') as "InvoiceDate",
                   "UnitPrice" as "Price", cast("CustomerID" as double) as "Customer ID", "Country"
            from read_csv('{REAL_RETAIL_FILE}', header = true, all_varchar = true,
                          types = {{'Quantity': 'BIGINT', 'UnitPrice': 'DOUBLE',
                                   'InvoiceDate': 'TIMESTAMP'}})
        ) to '{day_first}' (format parquet)"""
    )
    published = tmp_path / "warehouse.duckdb"
    result = build_warehouse(day_first, published, "--fresh", "--only", "commerce")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "slashed dates read day first" in result.stdout
    with duckdb.connect(str(published), read_only=True) as con:
        from_day_first = con.execute(MART_QUERY).df()
    assert from_day_first.equals(real_warehouse.query_df(MART_QUERY))


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
            con.execute("select reason, n_lines from marts.commerce_line_reconciliation").fetchall()
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
