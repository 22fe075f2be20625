"""The Olist generator: nine files, consistent with the four real tables, in the documented mix.

Runs scripts/stores/olist_sample.py on the first 3,000 payment orders (and once on all of them); the
real tables are read from ../shared/data/olist, so everything is skipped when they are missing.
The check values are those of scripts/stores/OLIST_DATA.md.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scripts.project_paths import SHARED_DATA_DIR
from scripts.stores.olist_sample import (
    END,
    GENERATED_TABLES,
    REAL_TABLES,
    START,
    STATUS_COUNTS,
    apportion,
    main,
)

OLIST_DIR = SHARED_DATA_DIR / "olist"
SMALL_ORDERS = 3_000
TIMESTAMPS = {
    "olist_orders_dataset": [
        "order_purchase_timestamp",
        "order_approved_at",
        "order_delivered_carrier_date",
        "order_delivered_customer_date",
        "order_estimated_delivery_date",
    ],
    "olist_order_items_dataset": ["shipping_limit_date"],
    "olist_order_reviews_dataset": ["review_creation_date", "review_answer_timestamp"],
}
COLUMNS = {
    "olist_orders_dataset": ["order_id", "customer_id", "order_status"]
    + TIMESTAMPS["olist_orders_dataset"],
    "olist_customers_dataset": [
        "customer_id",
        "customer_unique_id",
        "customer_zip_code_prefix",
        "customer_city",
        "customer_state",
    ],
    "olist_order_items_dataset": [
        "order_id",
        "order_item_id",
        "product_id",
        "seller_id",
        "shipping_limit_date",
        "price",
        "freight_value",
    ],
    "olist_order_reviews_dataset": [
        "review_id",
        "order_id",
        "review_score",
        "review_comment_title",
        "review_comment_message",
        "review_creation_date",
        "review_answer_timestamp",
    ],
    "olist_geolocation_dataset": [
        "geolocation_zip_code_prefix",
        "geolocation_lat",
        "geolocation_lng",
        "geolocation_city",
        "geolocation_state",
    ],
}

pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(
        not OLIST_DIR.is_dir(), reason=f"the real Olist tables are not in {OLIST_DIR}"
    ),
]


def generate(out: Path, *options: str) -> Path:
    """Run the generator's command line into out and return out."""
    assert main(["--source", str(OLIST_DIR), "--out", str(out), *options]) == 0
    return out


def read(folder: Path, table: str) -> pd.DataFrame:
    """A written table as text, empty fields as ''."""
    path = folder / f"{table}.csv"
    if not path.exists():
        path = folder / f"{table}.csv.gz"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def real(table: str) -> pd.DataFrame:
    return pd.read_csv(OLIST_DIR / f"{table}.csv.gz", dtype=str, keep_default_na=False)


def parse_iso(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.replace("", None), format="%Y-%m-%d %H:%M:%S")


def to_cents(values: pd.Series) -> pd.Series:
    return values.map(lambda v: int(Decimal(v) * 100))


def shares(values: pd.Series) -> pd.Series:
    return values.value_counts(normalize=True)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("olist_small"), "--orders", str(SMALL_ORDERS))


@pytest.fixture(scope="module")
def small_us_gzip(tmp_path_factory) -> Path:
    return generate(
        tmp_path_factory.mktemp("olist_us"),
        "--orders",
        str(SMALL_ORDERS),
        "--timestamp-format",
        "us",
        "--gzip",
    )


@pytest.fixture(scope="module")
def tables(small) -> dict[str, pd.DataFrame]:
    return {table: read(small, table) for table in GENERATED_TABLES + REAL_TABLES}


@pytest.fixture(scope="module")
def paid_order_ids() -> list[str]:
    """The first SMALL_ORDERS payment order ids, sorted: the orders the small set is about."""
    ids = sorted(set(real("olist_order_payments_dataset")["order_id"]))
    return ids[:SMALL_ORDERS]


def test_writes_the_nine_files_with_the_kaggle_columns(small, tables):
    assert sorted(p.name for p in small.iterdir()) == sorted(
        f"{t}.csv" for t in GENERATED_TABLES + REAL_TABLES
    )
    for table, columns in COLUMNS.items():
        assert list(tables[table].columns) == columns, table


def test_real_tables_are_copied_unchanged(small, paid_order_ids):
    for table in ("olist_products_dataset", "olist_sellers_dataset"):
        source = gzip.decompress((OLIST_DIR / f"{table}.csv.gz").read_bytes())
        assert (small / f"{table}.csv").read_bytes() == source
    # payments: the source's own lines (same text) of the chosen orders, nothing else
    source_lines = (
        gzip.decompress((OLIST_DIR / "olist_order_payments_dataset.csv.gz").read_bytes())
        .decode()
        .splitlines()
    )
    written = (small / "olist_order_payments_dataset.csv").read_text().splitlines()
    chosen = set(paid_order_ids)
    assert written == source_lines[:1] + [
        line for line in source_lines[1:] if line.split(",", 1)[0] in chosen
    ]


def test_one_order_per_payment_order_plus_one_without_payment(tables, paid_order_ids):
    orders = tables["olist_orders_dataset"]
    assert orders["order_id"].is_unique
    assert len(orders) == SMALL_ORDERS + 1
    assert set(paid_order_ids) <= set(orders["order_id"])
    unpaid = set(orders["order_id"]) - set(paid_order_ids)
    assert len(unpaid) == 1
    assert len(next(iter(unpaid))) == 32
    assert not unpaid & set(real("olist_order_payments_dataset")["order_id"])


def test_statuses_in_the_real_mix_scaled(tables):
    counts = tables["olist_orders_dataset"]["order_status"].value_counts()
    expected = apportion(list(STATUS_COUNTS.values()), SMALL_ORDERS + 1)
    for status, n in zip(STATUS_COUNTS, expected, strict=True):
        assert counts.get(status, 0) == n, status
    assert set(counts.index) <= set(STATUS_COUNTS)
    assert abs(counts["delivered"] / (SMALL_ORDERS + 1) - 0.970) < 0.002


def test_customer_states_in_the_real_mix(tables):
    customers = tables["olist_customers_dataset"]
    state = shares(customers["customer_state"])
    targets = {"SP": 0.42, "RJ": 0.13, "MG": 0.117, "RS": 0.055, "PR": 0.05, "SC": 0.037}
    for code, share in targets.items():
        assert abs(state[code] - share) < 0.03, code
    assert state.index.str.fullmatch("[A-Z]{2}").all()
    assert customers["customer_zip_code_prefix"].str.fullmatch(r"\d{5}").all()
    assert customers["customer_city"].str.fullmatch(r"[a-z -]+").all()
    assert customers.loc[customers["customer_state"] == "SP", "customer_city"].eq("sao paulo").any()


def test_customer_ids_one_per_order_and_about_three_percent_repeat_buyers(tables):
    customers = tables["olist_customers_dataset"]
    orders = tables["olist_orders_dataset"]
    assert customers["customer_id"].is_unique
    assert set(customers["customer_id"]) == set(orders["customer_id"])
    assert customers["customer_id"].str.fullmatch("[0-9a-f]{32}").all()
    per_buyer = customers["customer_unique_id"].value_counts()
    assert 0.02 < (per_buyer > 1).mean() < 0.045
    assert 0.955 < len(per_buyer) / len(customers) < 0.978
    # a repeat buyer keeps one address
    assert (
        customers.groupby("customer_unique_id")["customer_zip_code_prefix"].nunique() == 1
    ).all()


def test_items_add_up_to_the_payment(tables):
    items = tables["olist_order_items_dataset"]
    payments = tables["olist_order_payments_dataset"]
    paid = to_cents(payments["payment_value"]).groupby(payments["order_id"]).sum()
    items = items.assign(
        cents=to_cents(items["price"]) + to_cents(items["freight_value"]),
        freight=to_cents(items["freight_value"]),
    )
    per_order = items.groupby("order_id")[["cents", "freight"]].sum()
    assert set(per_order.index) == set(tables["olist_orders_dataset"]["order_id"])
    split = paid[paid >= 500].index  # the rule applies from R$ 5.00 (OLIST_DATA.md)
    assert len(split) >= SMALL_ORDERS - 5
    assert (per_order.loc[split, "cents"] == paid[split]).all()
    freight_share = per_order.loc[split, "freight"] / per_order.loc[split, "cents"]
    assert freight_share.between(0.095, 0.255).all()
    assert (to_cents(items["price"]) > 0).all()
    assert items["price"].str.fullmatch(r"\d+\.\d\d").all()


def test_items_per_order_mostly_one_and_numbered(tables):
    items = tables["olist_order_items_dataset"]
    per_order = items.groupby("order_id").size()
    assert (per_order == 1).mean() > 0.85
    assert per_order.max() >= 3
    assert 1.08 < per_order.mean() < 1.20
    numbers = items["order_item_id"].astype(int)
    assert (numbers.groupby(items["order_id"]).max() == per_order).all()
    assert not items.duplicated(["order_id", "order_item_id"]).any()


def test_products_and_sellers_exist_in_the_real_tables(tables):
    items = tables["olist_order_items_dataset"]
    assert set(items["product_id"]) <= set(tables["olist_products_dataset"]["product_id"])
    assert set(items["seller_id"]) <= set(tables["olist_sellers_dataset"]["seller_id"])
    assert (items.groupby("product_id")["seller_id"].nunique() == 1).all()


def test_review_scores_in_the_real_mix(tables):
    reviews = tables["olist_order_reviews_dataset"]
    score = shares(reviews["review_score"].astype(int))
    for value, share in {5: 0.578, 4: 0.193, 3: 0.082, 2: 0.032, 1: 0.115}.items():
        assert abs(score[value] - share) < 0.03, value
    assert reviews["review_id"].is_unique
    per_order = reviews["order_id"].value_counts()
    assert (per_order == 1).mean() > 0.98
    assert per_order.size > 0.98 * len(tables["olist_orders_dataset"])
    assert 0.3 < reviews["review_comment_message"].ne("").mean() < 0.5
    assert reviews["review_comment_title"].ne("").mean() < 0.2


def test_late_orders_score_lower(tables):
    orders = tables["olist_orders_dataset"]
    delivered = parse_iso(orders["order_delivered_customer_date"]).dt.normalize()
    late = delivered > parse_iso(orders["order_estimated_delivery_date"])
    reviews = tables["olist_order_reviews_dataset"].merge(
        orders.assign(late=late)[["order_id", "late"]], on="order_id"
    )
    mean = reviews.groupby("late")["review_score"].apply(lambda s: s.astype(int).mean())
    assert mean[True] < mean[False] - 1


def test_timestamps_in_range_and_in_order(tables):
    orders = tables["olist_orders_dataset"]
    t = {column: parse_iso(orders[column]) for column in TIMESTAMPS["olist_orders_dataset"]}
    purchase = t["order_purchase_timestamp"]
    start, end = (pd.Timestamp(np.datetime64(s, "s")) for s in (START, END))
    assert purchase.between(start, end).all()
    assert (purchase.dt.year >= 2017).mean() > 0.99  # denser in 2017-2018
    for earlier, later in [
        ("order_purchase_timestamp", "order_approved_at"),
        ("order_approved_at", "order_delivered_carrier_date"),
        ("order_delivered_carrier_date", "order_delivered_customer_date"),
    ]:
        both = t[earlier].notna() & t[later].notna()
        assert (t[earlier][both] <= t[later][both]).all(), (earlier, later)
    for column in ("order_approved_at", "order_delivered_carrier_date"):
        assert (t[column].dropna() <= end).all()
    assert (t["order_delivered_customer_date"].dropna() <= end).all()
    assert (t["order_estimated_delivery_date"] > purchase).all()
    # delivered dates exactly for delivered orders; an order not yet approved was never shipped
    delivered = orders["order_status"] == "delivered"
    assert t["order_delivered_customer_date"].notna().eq(delivered).all()
    assert t["order_delivered_carrier_date"][delivered].notna().all()
    assert t["order_approved_at"][orders["order_status"] == "created"].isna().all()
    assert (orders["order_delivered_customer_date"][~delivered] == "").all()

    by_order = purchase.set_axis(orders["order_id"])
    items = tables["olist_order_items_dataset"]
    limit = parse_iso(items["shipping_limit_date"])
    assert (limit.to_numpy() > by_order[items["order_id"]].to_numpy()).all()
    reviews = tables["olist_order_reviews_dataset"]
    created = parse_iso(reviews["review_creation_date"])
    answered = parse_iso(reviews["review_answer_timestamp"])
    assert (created.to_numpy() > by_order[reviews["order_id"]].to_numpy()).all()
    assert (answered >= created).all()


def test_geolocation_covers_every_zip_prefix(tables):
    geo = tables["olist_geolocation_dataset"]
    prefixes = set(geo["geolocation_zip_code_prefix"])
    assert set(tables["olist_customers_dataset"]["customer_zip_code_prefix"]) <= prefixes
    assert set(tables["olist_sellers_dataset"]["seller_zip_code_prefix"]) <= prefixes
    rows = geo.groupby("geolocation_zip_code_prefix").size()
    assert rows.between(1, 6).all() and rows.mean() > 2
    lat, lng = geo["geolocation_lat"].astype(float), geo["geolocation_lng"].astype(float)
    assert lat.between(-34, 6).all() and lng.between(-74, -34).all()  # Brazil


def test_us_timestamps_parse_and_match_the_iso_ones(small_us_gzip, tables):
    """Same seed and orders: the same draws, written as `10/2/2017 10:56` (to the minute)."""
    for table, columns in TIMESTAMPS.items():
        us = read(small_us_gzip, table)
        for column in columns:
            parsed = pd.to_datetime(us[column].replace("", None), format="%m/%d/%Y %H:%M")
            iso = parse_iso(tables[table][column]).dt.floor("min")
            assert parsed.equals(iso), (table, column)
    sample = read(small_us_gzip, "olist_orders_dataset")["order_purchase_timestamp"].iloc[0]
    assert datetime.strptime(sample, "%m/%d/%Y %H:%M")
    assert not sample.startswith("0")


def test_gzip_writes_csv_gz(small_us_gzip):
    names = sorted(p.name for p in small_us_gzip.iterdir())
    assert names == sorted(f"{t}.csv.gz" for t in GENERATED_TABLES + REAL_TABLES)
    for name in names:
        with gzip.open(small_us_gzip / name, "rt") as f:
            assert f.readline().strip()
    products = "olist_products_dataset.csv.gz"
    assert (small_us_gzip / products).read_bytes() == (OLIST_DIR / products).read_bytes()


def test_same_seed_same_bytes_other_seed_other_data(tmp_path, small, small_us_gzip):
    again = generate(tmp_path / "again", "--orders", str(SMALL_ORDERS))
    for path in small.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
    again_gz = generate(
        tmp_path / "again_gz", "--orders", str(SMALL_ORDERS), "--timestamp-format", "us", "--gzip"
    )
    for path in small_us_gzip.iterdir():
        assert (again_gz / path.name).read_bytes() == path.read_bytes(), path.name
    other = generate(tmp_path / "other", "--orders", str(SMALL_ORDERS), "--seed", "43")
    for table in GENERATED_TABLES:
        name = f"{table}.csv"
        assert (other / name).read_bytes() != (small / name).read_bytes(), name


def test_full_set(tmp_path):
    """All 99,440 payment orders: the real status counts exactly, every product and seller sold."""
    out = generate(tmp_path / "full")
    orders = pd.read_csv(out / "olist_orders_dataset.csv", usecols=["order_status"])
    assert len(orders) == 99_441
    assert orders["order_status"].value_counts().to_dict() == STATUS_COUNTS
    customers = pd.read_csv(out / "olist_customers_dataset.csv", dtype=str)
    assert abs(customers["customer_unique_id"].nunique() - 96_096) < 1_000
    items = pd.read_csv(out / "olist_order_items_dataset.csv", dtype=str)
    assert abs(len(items) - 112_650) < 1_500
    assert items["product_id"].nunique() == 32_951
    assert items["seller_id"].nunique() == 3_095
    payments = "olist_order_payments_dataset"
    assert (out / f"{payments}.csv").read_bytes() == gzip.decompress(
        (OLIST_DIR / f"{payments}.csv.gz").read_bytes()
    )
