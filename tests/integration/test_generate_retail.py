"""The synthetic retail generator: deterministic, in layout I, with the real data's quirks."""

from __future__ import annotations

import hashlib

import duckdb
import pytest
from support import generate_retail_file


def md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_same_seed_and_size_give_identical_files(tmp_path, generated_retail_file):
    again = generate_retail_file(tmp_path / "again.csv")
    assert md5(again) == md5(generated_retail_file)
    other_seed = generate_retail_file(tmp_path / "other.csv", seed=8)
    assert md5(other_seed) != md5(generated_retail_file)


def test_output_has_layout_i_and_the_real_data_quirks(generated_retail_file):
    con = duckdb.connect()
    rel = con.sql(
        f"select * from read_csv('{generated_retail_file}', header = true, all_varchar = true)"
    )
    assert rel.columns == [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ]
    stats = con.sql(
        """
        select
            count(*) as n,
            avg(case when "CustomerID" is null then 1 else 0 end) as no_customer,
            avg(case when "InvoiceNo" like 'C%' then 1 else 0 end) as cancellations,
            count(*) filter (where "InvoiceNo" like 'C%' and cast("Quantity" as int) >= 0) as positive_cancel,
            count(*) filter (where "StockCode" in ('POST', 'DOT', 'M', 'C2', 'D', 'S')) as service,
            count(*) filter (where cast("UnitPrice" as double) = 0) as zero_price,
            count(*) filter (where cast("UnitPrice" as double) < 0) as negative_price,
            count(distinct "Country") as countries,
            count(distinct "CustomerID") as customers,
            count(*) - (select count(*) from (select distinct * from rel)) as duplicates
        from rel
        """
    ).fetchone()
    (
        n,
        no_customer,
        cancellations,
        positive_cancel,
        service,
        zero,
        negative,
        countries,
        customers,
        dups,
    ) = stats
    assert n == pytest.approx(30_000, rel=0.15)
    assert no_customer == pytest.approx(0.25, abs=0.04)
    assert cancellations == pytest.approx(0.02, abs=0.01)
    assert positive_cancel == 0
    assert service > 0 and zero > 0 and negative > 0 and dups > 0
    assert countries >= 5
    assert customers == pytest.approx(30_000 / 124, rel=0.1)


def test_customers_differ_in_purchase_rate_and_spend(generated_warehouse):
    spread = generated_warehouse.query_df(
        """
        select
            quantile_cont(frequency, 0.9) / quantile_cont(frequency, 0.5) as frequency_spread,
            quantile_cont(monetary, 0.9) / quantile_cont(monetary, 0.5) as monetary_spread,
            avg(case when recency_days > 90 then 1 else 0 end) as churned_share
        from marts.fct_customer_rfm where has_purchases
        """
    ).iloc[0]
    assert spread["frequency_spread"] >= 3  # heavy-tailed purchase rate
    assert spread["monetary_spread"] >= 3  # heavy-tailed spend
    assert 0.1 <= spread["churned_share"] <= 0.7  # some customers churn, most stay


@pytest.mark.parametrize("suffix", [".csv.gz", ".parquet"])
def test_other_output_formats_hold_the_same_rows(tmp_path, generated_retail_file, suffix):
    other = generate_retail_file(tmp_path / f"lines{suffix}")
    reader = "read_parquet" if suffix == ".parquet" else "read_csv"
    con = duckdb.connect()
    query = 'select count(*), sum(cast("Quantity" as bigint)), count(distinct "InvoiceNo") from {}'
    assert (
        con.sql(query.format(f"{reader}('{other}')")).fetchone()
        == con.sql(query.format(f"read_csv('{generated_retail_file}')")).fetchone()
    )
