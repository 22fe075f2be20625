"""Store generic_orders: a shop's own export of order lines, its columns mapped, through the
whole commerce core. The real Online Retail file, exported as another shop system would (its
own column names, ISO timestamps with a `T`, gzipped; the UCI layout's service codes and bad-debt
adjustments left out, as a shop's order export has none), gives every customer with a purchase
the RFM the online_retail store gives them; a mapping that cannot be read is one line and
publishes nothing."""

from __future__ import annotations

import csv
import gzip
import shutil

import duckdb
import httpx
import pandas as pd
import pytest
from checks import assert_single_line_error, digest
from support import REAL_RETAIL_FILE, run_script, start_api

from scripts.project_paths import SEEDS_DIR

RFM_COLUMNS = (
    "customer_id, country, as_of_date, first_purchase_date, last_purchase_date, recency_days,"
    " tenure_days, frequency, monetary, purchase_value, returned_value, n_returns,"
    " avg_order_value, r_score, f_score, m_score, rfm_segment"
)
RFM_QUERY = (
    f"select {RFM_COLUMNS} from marts.fct_customer_rfm where has_purchases order by customer_id"
)
# the shop's names for the store's fields: some in a YAML file, the rest on the command line;
# Country is found by its name
YAML_COLUMNS = {"order_id": "Order Number", "customer_id": "client", "ordered_at": "created"}
MAP = "product_id=sku,product_name=title,quantity=qty,unit_price=price"
SHOP_COLUMNS = ("Order Number", "client", "created", "sku", "title", "qty", "price", "Country")


def build_orders(orders, warehouse, *extra: str):
    return run_script(
        "build_warehouse.py", "--orders-path", str(orders), "--duckdb-path", str(warehouse),
        "--only", "commerce", "--quiet", *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def shop_export(tmp_path_factory):
    if not REAL_RETAIL_FILE.exists():
        pytest.skip(f"real data not found at {REAL_RETAIL_FILE}")
    path = tmp_path_factory.mktemp("generic_orders") / "shop_orders.csv.gz"
    duckdb.sql(
        f"""copy (
            select "InvoiceNo" as "Order Number", "CustomerID" as client,
                   strftime(cast("InvoiceDate" as timestamp), '%Y-%m-%dT%H:%M:%S') as created,
                   "StockCode" as sku, "Description" as title, "Quantity" as qty,
                   "UnitPrice" as price, "Country"
            from read_csv('{REAL_RETAIL_FILE}', header = true, all_varchar = true)
            where "StockCode" not in (
                select stock_code from read_csv('{SEEDS_DIR / "retail_service_stock_codes.csv"}',
                                                header = true, all_varchar = true))
                and "InvoiceNo" not like 'A%'
        ) to '{path}' (header, compression gzip)"""
    )
    return path


@pytest.fixture(scope="module")
def shop_warehouse(tmp_path_factory, shop_export):
    folder = tmp_path_factory.mktemp("generic_orders_warehouse")
    columns = folder / "columns.yml"
    columns.write_text("".join(f"{field}: {column}\n" for field, column in YAML_COLUMNS.items()))
    warehouse = folder / "warehouse.duckdb"
    result = build_orders(shop_export, warehouse, "--orders-columns", str(columns), "--map", MAP)
    assert result.returncode == 0, result.stdout + result.stderr
    return warehouse


@pytest.mark.real_data
def test_the_rfm_of_every_buyer_is_the_online_retail_stores(shop_warehouse, real_warehouse):
    with duckdb.connect(str(shop_warehouse), read_only=True) as con:
        assert con.execute("select distinct store from marts.fct_customer_rfm").fetchall() == [
            ("generic_orders",)
        ]
        from_export = con.execute(RFM_QUERY).df()
    expected = real_warehouse.query_df(
        RFM_QUERY.replace("where", "where store = 'online_retail' and")
    )
    assert len(expected) > 4000
    assert from_export.equals(expected)


@pytest.mark.real_data
def test_the_lifetime_values_are_the_online_retail_stores(shop_warehouse, real_warehouse):
    """The same purchase days give the same models and scores, whatever the store's layout."""
    query = (
        "select * exclude (store, model_run_id) from marts.customer_lifetime_value"
        " where store = ? order by customer_id"
    )
    with duckdb.connect(str(shop_warehouse), read_only=True) as con:
        from_export = con.execute(query, ["generic_orders"]).df()
    with real_warehouse.connect() as con:
        expected = con.execute(query, ["online_retail"]).df()
    assert len(expected) > 4000
    pd.testing.assert_frame_equal(from_export, expected, check_exact=False, rtol=1e-6)


@pytest.mark.real_data
def test_every_line_of_the_export_is_kept_or_excluded(shop_warehouse, shop_export):
    """Counted by reading the export here: copies of an earlier line first, then lines without
    a customer, then returns (a negative quantity), as the rules' order says."""
    with gzip.open(shop_export, "rt", encoding="utf-8", newline="") as handle:
        rows = [tuple(row.values()) for row in csv.DictReader(handle)]
    seen, first_copies = set(), []
    for row in rows:
        if row not in seen:
            seen.add(row)
            first_copies.append(dict(zip(SHOP_COLUMNS, row, strict=True)))
    with duckdb.connect(str(shop_warehouse), read_only=True) as con:
        by_reason = dict(
            con.execute(
                "select reason, n_lines from marts.commerce_line_reconciliation"
                " where store = 'generic_orders'"
            ).fetchall()
        )
        customers = con.execute("select count(*) from marts.fct_customer_rfm").fetchone()[0]
    with_customer = [row for row in first_copies if row["client"]]
    assert sum(by_reason.values()) == len(rows)
    assert by_reason["exact_duplicate"] == len(rows) - len(first_copies)
    assert by_reason["no_customer"] == len(first_copies) - len(with_customer)
    assert by_reason["cancellation"] == sum(1 for row in with_customer if int(row["qty"]) < 0)
    assert customers == len({row["client"] for row in with_customer})


@pytest.mark.real_data
def test_the_product_side_and_the_api_serve_the_store(shop_warehouse):
    with duckdb.connect(str(shop_warehouse), read_only=True) as con:
        products, categories = con.execute(
            "select count(*), count(distinct category_id) from marts.dim_products"
        ).fetchone()
        customer = con.execute(
            "select customer_id from marts.customer_recommendations order by customer_id limit 1"
        ).fetchone()[0]
    assert products > 3000 and categories >= 4
    server, base = start_api(shop_warehouse)
    try:
        segments = httpx.get(f"{base}/api/segments", timeout=10)
        assert segments.status_code == 200 and segments.json()
        listed = httpx.get(f"{base}/api/recommendations/{customer}", timeout=10)
        assert listed.status_code == 200, listed.text
        assert listed.json()["recommendations"]
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def published(tmp_path, generated_warehouse):
    path = tmp_path / "published" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copy2(generated_warehouse.path, path)
    return path


@pytest.mark.parametrize(
    ("mapping", "fragment"),
    [
        ("client_id=client", "names field 'client_id', which the store does not have"),
        ("customer_id=klient", "field customer_id is mapped to column 'klient', which the file"),
        (
            "order_id=Order Number,customer_id=client,ordered_at=created,product_id=sku,"
            "quantity=qty,unit_price=qty",
            "column 'qty' is mapped to two fields, quantity and unit_price",
        ),
    ],
)
def test_a_mapping_that_cannot_be_read_is_one_line(tmp_path, published, mapping, fragment):
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Order Number,client,created,sku,qty,price\n1,17850,2011-01-02 10:00,85123A,6,2.55\n"
    )
    before = digest(published)
    result = build_orders(orders, published, "--map", mapping)
    assert_single_line_error(result, str(orders), "store generic_orders", fragment)
    assert digest(published) == before


def test_a_small_spreadsheet_export_without_country_builds(tmp_path):
    """The smallest export a shop may have: cp1252 text, e-mail customer ids, no country column,
    unit prices: read as its text says, every order kept, no country invented."""
    orders = tmp_path / "orders.csv"
    rows = [
        ("1", "ann@example.com", "2011-01-02 10:00", "A", "2", "1.50", "Café mug"),
        ("2", "bob@example.com", "2011-01-03 10:00", "B", "1", "2.50", "Thé pot"),
        ("3", "ann@example.com", "2011-02-03 10:00", "B", "1", "2.50", "Thé pot"),
        ("4", "cid@example.com", "2011-02-04 10:00", "C", "1", "9.50", "Crème jar"),
        ("5", "dee@example.com", "2011-02-05 10:00", "A", "3", "1.50", "Café mug"),
        ("6", "eve@example.com", "2011-03-05 10:00", "C", "1", "9.50", "Crème jar"),
        ("7", "bob@example.com", "2011-03-06 10:00", "A", "1", "1.50", "Café mug"),
    ]
    with open(orders, "w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "order_id",
                "customer_id",
                "ordered_at",
                "product_id",
                "quantity",
                "unit_price",
                "product_name",
            ]
        )
        writer.writerows(rows)
    warehouse = tmp_path / "warehouse.duckdb"
    result = build_orders(orders, warehouse)
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        products = dict(
            con.execute("select product_id, description from marts.dim_products").fetchall()
        )
        orders_kept, countries = con.execute(
            "select count(*), count(country) from marts.fct_orders"
        ).fetchone()
        keys = {
            key for (key,) in con.execute("select customer_key from marts.dim_customers").fetchall()
        }
    assert products == {"A": "Café mug", "B": "Thé pot", "C": "Crème jar"}
    assert (orders_kept, countries) == (7, 0)
    assert keys == {row[1] for row in rows}
