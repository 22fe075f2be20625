"""The floor: one DuckDB statement computes the RFM table, then the same KMeans fit. No dbt.

python bench/duckdb_floor.py FILE.parquet K OUT.parquet
"""

from __future__ import annotations

import os
import sys

import duckdb

from bench.kmeans_fit import fit_segments

RFM_SQL = """
with
lines as (
    select distinct * from read_parquet($path)
),
as_of as (
    select cast(max("InvoiceDate") as date) + 1 as as_of_date from lines
),
valued as (
    select
        cast("CustomerID" as bigint) as customer_id,
        upper(trim("InvoiceNo")) as invoice_no,
        cast("InvoiceDate" as date) as invoice_date,
        "Quantity" as quantity,
        "UnitPrice" as unit_price,
        cast("Quantity" as decimal(18, 0)) * cast("UnitPrice" as decimal(18, 6)) as line_value,
        trim("StockCode") in ('POST', 'DOT', 'C2', 'M', 'm', 'D', 'S', 'BANK CHARGES', 'AMAZONFEE', 'CRUK', 'B')
            as is_service
    from lines
    where "CustomerID" is not null
),
per_customer as (
    select
        customer_id,
        max(invoice_date) filter (where is_purchase) as last_purchase,
        count(distinct invoice_no) filter (where is_purchase) as frequency,
        sum(line_value) filter (where is_purchase or is_return) as monetary
    from (
        select *,
            invoice_no not like 'C%' and invoice_no not like 'A%' and not is_service
                and quantity > 0 and unit_price > 0 as is_purchase,
            invoice_no like 'C%' and not is_service as is_return
        from valued
    )
    group by customer_id
)
select customer_id, as_of_date - last_purchase as recency, frequency, cast(monetary as double) as monetary
from per_customer, as_of
where frequency > 0 and monetary > 0
order by customer_id
"""


def main(path: str, k: int, out: str) -> None:
    # The same threads and memory limit as the project's profile, so the race is fair.
    con = duckdb.connect(
        config={
            "threads": int(os.environ.get("DUCKDB_THREADS", "2")),
            "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "8GB"),
        }
    )
    rfm = con.execute(RFM_SQL, {"path": path}).df()
    rfm["segment"] = fit_segments(rfm, k)
    rfm.to_parquet(out)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
