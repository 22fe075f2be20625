"""Generate synthetic e-commerce transactions in the UCI Online Retail I layout.

The output has the quirks of the real data set so that every rule of the warehouse is exercised:
~25% lines with no customer, ~2% cancellation lines (`C` invoices, negative quantity), service
stock codes (POST, DOT, M, ...), exact duplicate lines, a few zero or negative prices
(`A` bad-debt adjustments), several countries, heavy-tailed spend, and customers who differ in
purchase rate and churn. A few customers have cancellations only.

Deterministic for a given seed and size. NumPy draws the numbers and DuckDB formats and writes
them, so 10 million lines take seconds. The format follows the file name: `.csv`, `.csv.gz`
or `.parquet`.

    python scripts/generate_retail.py --lines 200000 --out data/generated/retail.csv
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa

log = logging.getLogger("generate_retail")

# Lines generated at a time: bounds memory (about 0.5 GB a million lines) whatever the size.
CHUNK_LINES = 2_000_000
# Lines per customer in the real data set (541,909 lines / 4,372 customers).
LINES_PER_CUSTOMER = 124
SERVICE_CODES = ["POST", "DOT", "M", "C2", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK", "m"]
SERVICE_WEIGHTS = [0.40, 0.22, 0.17, 0.06, 0.04, 0.04, 0.03, 0.02, 0.015, 0.005]
SERVICE_PRICES = [18.0, 150.0, 2.5, 40.0, 10.0, 30.0, 15.0, 250.0, 100.0, 1.0]
COUNTRIES = [
    ("United Kingdom", 0.88),
    ("Germany", 0.025),
    ("France", 0.022),
    ("EIRE", 0.012),
    ("Spain", 0.008),
    ("Netherlands", 0.007),
    ("Belgium", 0.006),
    ("Switzerland", 0.006),
    ("Portugal", 0.005),
    ("Australia", 0.004),
    ("Norway", 0.004),
    ("Italy", 0.004),
    ("Channel Islands", 0.003),
    ("Finland", 0.003),
    ("Cyprus", 0.002),
    ("Sweden", 0.002),
    ("Austria", 0.002),
    ("Denmark", 0.002),
    ("Japan", 0.002),
]
ADJECTIVES = [
    "WHITE",
    "RED",
    "VINTAGE",
    "REGENCY",
    "PINK",
    "BLUE",
    "JUMBO",
    "SET OF 3",
    "GLASS",
    "WOODEN",
    "HEART",
    "RETRO",
    "PAPER",
    "LARGE",
    "SMALL",
    "SPOTTY",
    "FELT",
    "METAL",
]
NOUNS = [
    "LANTERN",
    "T-LIGHT HOLDER",
    "CAKE STAND",
    "BAG",
    "MUG",
    "CANDLE",
    "TEACUP",
    "DOORMAT",
    "LUNCH BOX",
    "BUNTING",
    "CLOCK",
    "CUSHION COVER",
    "NAPKINS",
    "BOTTLE",
    "SIGN",
    "TIN",
]


@dataclass(frozen=True)
class GeneratorConfig:
    lines: int
    customers: int
    seed: int = 42
    start: str = "2010-12-01"
    end: str = "2011-12-09"


def _geometric(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    return rng.geometric(1.0 / mean, size=size)


def _business_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Seconds since the start of the period: the given day, between 08:00 and 19:59."""
    return days * 86400 + 8 * 3600 + rng.integers(0, 12 * 3600, size=days.size) // 60 * 60


def generate(config: GeneratorConfig, chunk: int = 0, n_chunks: int = 1) -> pa.Table:
    """One chunk of invoice lines as an Arrow table of numbers and codes (formatted later in SQL).

    Chunks hold disjoint customers and have their own random stream, so a large data set is made
    piece by piece in bounded memory and the output depends only on the seed and the size.
    """
    rng = np.random.default_rng(config.seed if chunk == 0 else [config.seed, chunk])
    n_days = (datetime.fromisoformat(config.end) - datetime.fromisoformat(config.start)).days + 1
    n_cust = max(1, config.customers // n_chunks)
    chunk_lines = config.lines // n_chunks

    # Customers: country, heavy-tailed purchase rate and basket size, an active window with churn.
    country_p = np.array([p for _, p in COUNTRIES])
    cust_country = rng.choice(len(COUNTRIES), size=n_cust, p=country_p / country_p.sum())
    id_range = max(n_cust * 2, 10)
    cust_id = 12346 + chunk * id_range + rng.permutation(id_range)[:n_cust]
    rate = rng.lognormal(0.0, 1.1, size=n_cust)
    basket = rng.lognormal(0.0, 0.7, size=n_cust) * np.where(rng.random(n_cust) < 0.04, 8.0, 1.0)
    first_day = np.where(rng.random(n_cust) < 0.4, 0, rng.integers(0, int(n_days * 0.9), n_cust))
    churns = rng.random(n_cust) < 0.35
    churn_after = rng.exponential(n_days / 4, size=n_cust).astype(np.int64)
    last_day = np.where(churns, np.minimum(first_day + churn_after, n_days - 1), n_days - 1)
    active = (last_day - first_day + 1).astype(float)

    # Customer invoices: every customer buys at least once; the rest follows rate x active days.
    cust_lines_budget = chunk_lines * 0.72
    mean_lines_per_invoice = 20.0
    weight = rate * active
    expected = cust_lines_budget / mean_lines_per_invoice * weight / weight.sum()
    n_inv = 1 + rng.poisson(np.maximum(expected - 1, 0))
    inv_cust = np.repeat(np.arange(n_cust), n_inv)
    span = last_day[inv_cust] - first_day[inv_cust] + 1
    inv_day = first_day[inv_cust] + (rng.random(inv_cust.size) * span).astype(np.int64)
    inv_lines = _geometric(rng, mean_lines_per_invoice, inv_cust.size)

    # Guest invoices (no customer id): about a quarter of all lines, in larger baskets.
    n_guest = max(1, int(chunk_lines * 0.25 / 30))
    guest_day = rng.integers(0, n_days, size=n_guest)
    guest_lines = _geometric(rng, 30.0, n_guest)
    guest_country = np.zeros(n_guest, dtype=np.int64)  # United Kingdom

    inv_customer = np.concatenate([cust_id[inv_cust], np.full(n_guest, -1)])
    inv_country = np.concatenate([cust_country[inv_cust], guest_country])
    inv_seconds = _business_time(rng, np.concatenate([inv_day, guest_day]))
    inv_basket = np.concatenate([basket[inv_cust], np.ones(n_guest)])
    inv_n = np.concatenate([inv_lines, guest_lines])
    inv_cust_index = np.concatenate([inv_cust, np.full(n_guest, -1)])

    # Lines: Zipf-like product popularity, log-normal prices, heavy-tailed quantities.
    n_products = int(np.clip(config.lines / 130, 50, 4000))
    popularity = 1.0 / np.arange(1, n_products + 1) ** 0.6
    product_price = np.round(rng.lognormal(0.9, 0.8, size=n_products), 2).clip(0.1, 300)
    line_inv = np.repeat(np.arange(inv_n.size), inv_n)
    n_lines = line_inv.size
    product = rng.choice(n_products, size=n_lines, p=popularity / popularity.sum())
    price = product_price[product]
    quantity = np.maximum(1, np.round(_geometric(rng, 5.0, n_lines) * inv_basket[line_inv]))
    quantity = quantity.astype(np.int64)

    # Service codes (POST, DOT, ...) replace ~0.6% of lines; codes are negative product ids.
    service = rng.random(n_lines) < 0.006
    service_kind = rng.choice(len(SERVICE_CODES), size=n_lines, p=SERVICE_WEIGHTS)
    product = np.where(service, -1 - service_kind, product)
    price = np.where(service, np.array(SERVICE_PRICES)[service_kind], price)
    quantity = np.where(service, 1, quantity)
    # A few free items (price 0), as in the real data.
    price = np.where(rng.random(n_lines) < 0.001, 0.0, price)

    kind = np.zeros(n_lines, dtype=np.int8)  # 0 purchase, 1 cancellation, 2 adjustment
    seconds = inv_seconds[line_inv]
    customer = inv_customer[line_inv]
    country = inv_country[line_inv]
    source_inv = line_inv.copy()

    # Cancellations: ~2% of customer product lines come back on a C invoice up to 30 days later.
    # Customers flagged cancel_only keep only their cancellations (the purchase predates the data).
    cancel_only = rng.random(n_cust) < 0.004
    line_cust_index = inv_cust_index[line_inv]
    is_cancel_only = (line_cust_index >= 0) & cancel_only[np.maximum(line_cust_index, 0)]
    candidates = (customer >= 0) & ~service & (price > 0)
    cancel = candidates & (
        (rng.random(n_lines) < 0.022) | (is_cancel_only & (rng.random(n_lines) < 0.3))
    )
    c_seconds = np.minimum(
        seconds[cancel] + rng.integers(0, 30 * 86400, cancel.sum()),
        (n_days - 1) * 86400 + 19 * 3600,
    )
    c_quantity = -np.maximum(
        1, (quantity[cancel] * rng.uniform(0.3, 1.0, cancel.sum())).astype(np.int64)
    )
    keep = ~is_cancel_only
    cols = {
        "source_inv": np.concatenate([source_inv[keep], source_inv[cancel]]),
        "kind": np.concatenate([kind[keep], np.ones(cancel.sum(), dtype=np.int8)]),
        "seconds": np.concatenate([seconds[keep], c_seconds]),
        "product": np.concatenate([product[keep], product[cancel]]),
        "quantity": np.concatenate([quantity[keep], c_quantity]),
        "price": np.concatenate([price[keep], price[cancel]]),
        "customer": np.concatenate([customer[keep], customer[cancel]]),
        "country": np.concatenate([country[keep], country[cancel]]),
    }

    # Bad-debt adjustments: `A` invoices with a negative price and no customer.
    n_adjust = max(1, chunk_lines // 200_000)
    adjust = {
        "source_inv": inv_n.size + np.arange(n_adjust),
        "kind": np.full(n_adjust, 2, dtype=np.int8),
        "seconds": _business_time(rng, rng.integers(0, n_days, n_adjust)),
        "product": np.full(n_adjust, -100),
        "quantity": np.ones(n_adjust, dtype=np.int64),
        "price": -np.round(rng.uniform(1000, 12000, n_adjust), 2),
        "customer": np.full(n_adjust, -1),
        "country": np.zeros(n_adjust, dtype=np.int64),
    }
    cols = {k: np.concatenate([cols[k], adjust[k]]) for k in cols}

    # Exact duplicates: ~1% of lines appear twice, as the real export does.
    dup = rng.random(cols["kind"].size) < 0.01
    cols = {k: np.concatenate([v, v[dup]]) for k, v in cols.items()}
    cols["line_order"] = rng.random(cols["kind"].size)
    return pa.table(cols)


FORMAT_SQL = """
with invoice_start as (
    select *, min(seconds) over (partition by source_inv, kind) as invoice_seconds
    from raw_lines
),
lines as (
    -- one invoice number per (source invoice, kind), in time order: cancellations get their own
    select *, dense_rank() over (order by invoice_seconds, source_inv, kind) as invoice_rank
    from invoice_start
),
products as (
    select
        i - 1 as product,
        (10000 + (i * 7919) % 90000)::varchar || case when i % 5 = 0 then chr((65 + i % 7)::integer) else '' end
            as stock_code,
        $adjectives[1 + (i * 31) % len($adjectives)] || ' ' || $nouns[1 + (i * 17) % len($nouns)]
            as description
    from range(1, $n_products + 1) t(i)
    union all
    select -i as product, $service_codes[i] as stock_code, upper($service_codes[i]) as description
    from range(1, len($service_codes) + 1) t(i)
    union all
    select -100, 'B', 'Adjust bad debt'
)
select
    case kind when 1 then 'C' when 2 then 'A' else '' end || ($invoice_base + invoice_rank)::varchar
        as "InvoiceNo",
    p.stock_code as "StockCode",
    p.description as "Description",
    quantity as "Quantity",
    strftime(timestamp '$start' + to_seconds(seconds), '%Y-%m-%d %H:%M:%S') as "InvoiceDate",
    round(price, 2) as "UnitPrice",
    case when customer >= 0 then customer end as "CustomerID",
    $countries[country + 1] as "Country"
from lines
join products p using (product)
order by invoice_rank, line_order
"""


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _sql_string(text: str) -> str:
    """A path as a SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _copy_options(out: str) -> str:
    if out.endswith(".parquet"):
        return "(format parquet, compression zstd)"
    if out.endswith(".csv.gz"):
        return "(format csv, header, compression gzip)"
    if out.endswith(".csv"):
        return "(format csv, header)"
    raise SystemExit(f"error: {out}: output name must end in .csv, .csv.gz or .parquet")


def _n_products(config: GeneratorConfig) -> int:
    return int(np.clip(config.lines / 130, 50, 4000))


def _n_invoices(table: pa.Table) -> int:
    keys = table["source_inv"].to_numpy() * 3 + table["kind"].to_numpy()
    return int(np.unique(keys).size)


def write_chunk(
    table: pa.Table, out: str, config: GeneratorConfig, invoice_base: int = 536364
) -> None:
    """Format the numeric table as Online Retail I rows and write it as CSV, CSV.gz or Parquet."""
    con = duckdb.connect()
    con.register("raw_lines", table)
    literals = {
        "$invoice_base": str(invoice_base),
        "$n_products": str(_n_products(config)),
        "$start": config.start,
        "$adjectives": _sql_list(ADJECTIVES),
        "$nouns": _sql_list(NOUNS),
        "$service_codes": _sql_list(SERVICE_CODES),
        "$countries": _sql_list([c for c, _ in COUNTRIES]),
    }
    sql = FORMAT_SQL
    for placeholder, literal in literals.items():
        sql = sql.replace(placeholder, literal)
    con.execute(f"copy ({sql}) to {_sql_string(out)} {_copy_options(out)}")


def generate_file(config: GeneratorConfig, out: str) -> int:
    """Generate the data set chunk by chunk into `out` (written atomically); return its line count."""
    _copy_options(out)  # fail on a bad file name before any work
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    n_chunks = max(1, math.ceil(config.lines / CHUNK_LINES))
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(out))) as tmp:
        invoice_base, n_lines, parts = 536364, 0, []
        for chunk in range(n_chunks):
            table = generate(config, chunk, n_chunks)
            parts.append(os.path.join(tmp, f"part-{chunk:05d}.parquet"))
            write_chunk(table, parts[-1], config, invoice_base)
            invoice_base += _n_invoices(table)
            n_lines += table.num_rows
            del table
        suffix = next(ext for ext in (".csv.gz", ".csv", ".parquet") if out.endswith(ext))
        staged = os.path.join(tmp, "out" + suffix)
        # the parts listed one by one, not globbed: a folder name may hold glob characters
        files = ", ".join(_sql_string(part) for part in parts)
        duckdb.execute(
            f"copy (select * from read_parquet([{files}])) to {_sql_string(staged)}"
            f" {_copy_options(out)}"
        )
        os.replace(staged, out)
    return n_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000, help="approximate number of lines")
    parser.add_argument("--customers", type=int, help=f"default: lines / {LINES_PER_CUSTOMER}")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", default="2010-12-01", help="first invoice day (ISO date)")
    parser.add_argument("--end", default="2011-12-09", help="last invoice day (ISO date)")
    parser.add_argument("--out", required=True, help="output file: .csv, .csv.gz or .parquet")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    customers = args.customers or max(1, round(args.lines / LINES_PER_CUSTOMER))
    config = GeneratorConfig(args.lines, customers, args.seed, args.start, args.end)
    started = time.perf_counter()
    n_lines = generate_file(config, args.out)
    log.info(
        "wrote %s lines for %s customers to %s in %.1fs",
        f"{n_lines:,}",
        f"{customers:,}",
        args.out,
        time.perf_counter() - started,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
