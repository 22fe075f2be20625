"""The olist store: its RFM against an independent pandas computation (both timestamp formats),
every raw row of every file accounted for, segments and attribute profiles, and bad folders."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from checks import assert_columns_equal, assert_single_line_error, digest
from fastapi.testclient import TestClient
from olist_reference import reference_olist_rfm
from support import run_script

from apps.api.app import create_app, open_warehouse
from scripts.project_paths import SHARED_DATA_DIR

OLIST_SOURCE = SHARED_DATA_DIR / "olist"
ORDERS = 3_000
EXACT = [
    "frequency",
    "has_purchases",
    "recency_days",
    "tenure_days",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
]
MONEY = ["monetary"]

pytestmark = pytest.mark.skipif(not OLIST_SOURCE.is_dir(), reason=f"{OLIST_SOURCE} not found")


def generate_olist(folder: Path, timestamp_format: str = "iso", gzip: bool = False) -> Path:
    args = ["--source", str(OLIST_SOURCE), "--out", str(folder), "--orders", str(ORDERS)]
    args += ["--timestamp-format", timestamp_format] + (["--gzip"] if gzip else [])
    result = run_script("stores/olist_sample.py", *args)
    assert result.returncode == 0, result.stderr
    return folder


def build_olist(folder: Path, warehouse: Path, *extra: str, env: dict | None = None):
    return run_script(
        "build_warehouse.py",
        "--olist-dir",
        str(folder),
        "--duckdb-path",
        str(warehouse),
        "--only",
        "commerce",
        "--quiet",
        *extra,
        env=env,
    )


@pytest.fixture(scope="module", params=["iso", "us"])
def olist_warehouse(request, tmp_path_factory) -> tuple[Path, Path]:
    """An olist-only warehouse on 3,000 generated orders, with ISO or US timestamps (and .csv.gz
    files for the US set)."""
    root = tmp_path_factory.mktemp(f"olist_{request.param}")
    folder = generate_olist(root / "olist", request.param, gzip=request.param == "us")
    warehouse = root / "warehouse.duckdb"
    result = build_olist(folder, warehouse)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder, warehouse


def query(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).df()


def test_rfm_matches_the_independent_computation(olist_warehouse):
    folder, warehouse = olist_warehouse
    mart = query(
        warehouse,
        "select r.*, d.customer_key from marts.fct_customer_rfm as r"
        " inner join marts.dim_customers as d using (store, customer_id)"
        " where r.store = 'olist' order by d.customer_key",
    )
    expected = reference_olist_rfm(folder)
    assert len(mart) == len(expected) > 2_000
    assert mart["customer_id"].is_unique
    assert_columns_equal(mart, expected, "customer_key", EXACT, MONEY)
    for column in ["first_purchase_date", "last_purchase_date", "as_of_date"]:
        assert (
            pd.to_datetime(mart[column]).fillna(pd.Timestamp(0))
            == pd.to_datetime(expected[column]).fillna(pd.Timestamp(0))
        ).all(), column
    assert (mart["country"] == "Brazil").all()


def test_every_raw_row_of_every_file_is_accounted_for(olist_warehouse):
    folder, warehouse = olist_warehouse
    reconciled = query(
        warehouse,
        "select source_table, sum(n_rows) as n from marts.olist_file_reconciliation group by 1",
    ).set_index("source_table")["n"]
    for name, table in [
        ("olist_orders_dataset", "orders"),
        ("olist_customers_dataset", "customers"),
        ("olist_order_items_dataset", "order_items"),
        ("olist_order_payments_dataset", "order_payments"),
        ("olist_products_dataset", "products"),
        ("product_category_name_translation", "category_translation"),
        ("olist_order_reviews_dataset", "order_reviews"),
        ("olist_sellers_dataset", "sellers"),
        ("olist_geolocation_dataset", "geolocation"),
    ]:
        path = next(folder.glob(f"{name}.csv*"))
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert reconciled[table] == len(raw), table
    orders = query(
        warehouse,
        "select reason, n_rows from marts.olist_file_reconciliation where source_table = 'orders'",
    ).set_index("reason")["n_rows"]
    raw_orders = pd.read_csv(next(folder.glob("olist_orders_dataset.csv*")), dtype=str)
    not_counted = raw_orders["order_status"].isin(["canceled", "unavailable"]).sum()
    assert orders["canceled_order"] == not_counted
    assert orders["purchase"] == len(raw_orders) - not_counted


def test_segments_and_attribute_profiles(olist_warehouse):
    _, warehouse = olist_warehouse
    runs = query(warehouse, "select store, k from marts.segmentation_runs")
    assert runs["store"].tolist() == ["olist"] and runs["k"].iloc[0] >= 2
    profiles = query(
        warehouse,
        "select attribute, sum(customers) as customers, count(distinct segment_id) as segments"
        " from marts.segment_attribute_profiles where store = 'olist' group by 1",
    ).set_index("attribute")
    segmented = query(warehouse, "select count(*) as n from marts.customer_segments")["n"].iloc[0]
    # every segmented customer has a state, city and country; the others may be unknown (a
    # customer without reviews has no review score)
    for attribute in ["state", "city", "country"]:
        assert profiles.loc[attribute, "customers"] == segmented, attribute
    for attribute in ["payment_type", "product_category", "price_band", "review_score"]:
        assert 0.9 * segmented <= profiles.loc[attribute, "customers"] <= segmented, attribute
    shares = query(
        warehouse,
        "select segment_id, attribute, sum(share_of_segment) as total"
        " from marts.segment_attribute_profiles group by 1, 2",
    )
    complete = shares["attribute"].isin(["state", "city", "country"])
    assert ((shares.loc[complete, "total"] - 1).abs() < 1e-9).all()
    assert (shares["total"] <= 1 + 1e-9).all()


def test_customer_ids_are_the_first_60_bits_of_the_keys_md5(olist_warehouse):
    """The id of a text customer key is computed alike on every engine: md5's first 15 hex
    digits, here recomputed in Python for every customer of the store."""
    _, warehouse = olist_warehouse
    customers = query(
        warehouse, "select customer_id, customer_key from marts.dim_customers where store = 'olist'"
    )
    expected = [
        int(hashlib.md5(key.encode()).hexdigest()[:15], 16) for key in customers["customer_key"]
    ]
    assert len(customers) > 0
    assert customers["customer_id"].astype("int64").tolist() == expected


def test_interest_marts_keep_the_hashed_customer_ids_exact(olist_warehouse):
    """Olist's customer ids are 64-bit hashes: every customer with an interest segment or a
    prediction is a customer of the store (an id through float64 would lose its last digits)."""
    _, warehouse = olist_warehouse
    strays = query(
        warehouse,
        """
        select 'interest segment' as mart, customer_id from marts.customer_interest_segments
        union all
        select 'prediction', customer_id from intermediate.int_interest_prediction
        where row_kind = 'prediction'
        union all
        select 'first basket', customer_id from intermediate.int_customer_first_baskets
        except
        select mart, customers.customer_id
        from marts.dim_customers as customers
        cross join (values ('interest segment'), ('prediction'), ('first basket')) as marts (mart)
        """,
    )
    assert strays.empty, strays.head()
    crossed = query(warehouse, "select sum(customers) as n from marts.interest_rfm_cross")["n"]
    both = query(
        warehouse,
        "select count(*) as n from marts.customer_interest_segments"
        " inner join marts.customer_segments using (store, customer_id)",
    )["n"]
    assert crossed.iloc[0] == both.iloc[0] > 0


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (
            lambda f: next(f.glob("olist_orders_dataset.csv*")).unlink(),
            "olist_orders_dataset.csv: file does not exist",
        ),
        (
            lambda f: (
                pd.read_csv(next(f.glob("olist_order_payments_dataset.csv*")), dtype=str)
                .drop(columns="payment_value")
                .to_csv(next(f.glob("olist_order_payments_dataset.csv*")), index=False)
            ),
            "missing column payment_value",
        ),
        (lambda f: next(f.glob("olist_customers_dataset.csv*")).write_text(""), "file is empty"),
        (
            lambda f: (
                shutil.copy(
                    next(f.glob("olist_products_dataset.csv*")),
                    f / "olist_products_dataset.csv.gz",
                )
                if not next(f.glob("olist_products_dataset.csv*")).name.endswith(".gz")
                else shutil.copy(
                    next(f.glob("olist_products_dataset.csv*")), f / "olist_products_dataset.csv"
                )
            ),
            "both olist_products_dataset.csv and olist_products_dataset.csv.gz",
        ),
    ],
    ids=["missing-file", "missing-column", "empty-file", "csv-and-gz"],
)
def test_bad_folders_are_one_line_and_change_nothing(tmp_path, olist_warehouse, damage, fragment):
    built_folder, built_warehouse = olist_warehouse
    folder = shutil.copytree(built_folder, tmp_path / "olist")
    warehouse = shutil.copy2(built_warehouse, tmp_path / "warehouse.duckdb")
    before = digest(warehouse)
    damage(folder)
    assert_single_line_error(build_olist(folder, warehouse), fragment)
    assert digest(warehouse) == before


@pytest.mark.real_data
def test_the_four_real_tables_reconcile_to_their_published_check_values(tmp_path):
    """The whole generated set around the four real tables: payments, products, sellers and the
    category names load whole, with the check values of ../shared/data/README.md, under a 1 GB
    memory limit (a small machine's: each file's line count once asked DuckDB for 1 GiB)."""
    folder = tmp_path / "olist"
    result = run_script(
        "stores/olist_sample.py", "--source", str(OLIST_SOURCE), "--out", str(folder)
    )
    assert result.returncode == 0, result.stderr
    warehouse = tmp_path / "warehouse.duckdb"
    built = build_olist(folder, warehouse, env={**os.environ, "DUCKDB_MEMORY_LIMIT": "1GB"})
    assert built.returncode == 0, built.stdout + built.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        payments = con.execute(
            "select count(*), count(distinct order_id), cast(sum(payment_value) as varchar)"
            " from staging.stg_olist__order_payments"
        ).fetchone()
        types = dict(
            con.execute(
                "select payment_type, count(*) from staging.stg_olist__order_payments group by 1"
            ).fetchall()
        )
        products = con.execute(
            "select count(*), count(*) filter (where category_name is null)"
            " from staging.stg_olist__products"
        ).fetchone()
        kept = dict(
            con.execute(
                "select source_table, n_rows from marts.olist_file_reconciliation"
                " where source_table in ('sellers', 'category_translation', 'order_payments')"
            ).fetchall()
        )
        orders = con.execute("select count(*) from staging.stg_olist__orders").fetchone()[0]
    assert payments == (103_886, 99_440, "16008872.12")
    assert types == {
        "credit_card": 76_795,
        "boleto": 19_784,
        "voucher": 5_775,
        "debit_card": 1_529,
        "not_defined": 3,
    }
    assert products == (32_951, 610)
    assert kept == {"sellers": 3_095, "category_translation": 71, "order_payments": 103_886}
    assert orders == 99_441


def test_the_api_scores_olist_customers_with_store_olist(olist_warehouse):
    """An API on the olist warehouse answers for store olist as customer_segments says, and
    /api/customers finds an olist customer by its id."""
    _, warehouse = olist_warehouse
    sample = query(
        warehouse,
        "select customer_id, recency_days, frequency, monetary, segment_id"
        " from marts.customer_segments where store = 'olist' order by customer_id limit 40",
    )
    with TestClient(create_app(open_warehouse(warehouse))) as api:
        for row in sample.itertuples():
            answer = api.get(
                "/api/cluster",
                params={
                    "store": "olist",
                    "recency": row.recency_days,
                    "frequency": row.frequency,
                    "monetary_value": row.monetary,
                },
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["clusterId"] == row.segment_id
        customer = api.get(
            f"/api/customers/{sample['customer_id'].iloc[0]}", params={"store": "olist"}
        )
        assert customer.status_code == 200, customer.text
        assert (
            api.get(
                "/api/cluster",
                params={
                    "store": "online_retail",
                    "recency": 1,
                    "frequency": 1,
                    "monetary_value": 1,
                },
            ).status_code
            == 422
        )


# --- hostile and foreign exports (docs/reliability.md) -----------------------------------------


def _cut_gzip(folder: Path) -> None:
    orders = folder / "olist_orders_dataset.csv"
    data = gzip.compress(orders.read_bytes())
    orders.unlink()
    (folder / "olist_orders_dataset.csv.gz").write_bytes(data[: len(data) * 3 // 4])


def _reviews_replaced_by(make) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        reviews = folder / "olist_order_reviews_dataset.csv"
        reviews.unlink()
        make(reviews)

    return damage


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (_cut_gzip, "olist_orders_dataset.csv.gz: the gzip stream is cut short"),
        (_reviews_replaced_by(Path.mkdir), "olist_order_reviews_dataset.csv: is a folder"),
        (
            _reviews_replaced_by(lambda path: path.symlink_to(path.name)),
            "olist_order_reviews_dataset.csv: a symbolic link that loops",
        ),
        (
            _reviews_replaced_by(lambda path: path.symlink_to("gone.csv")),
            "olist_order_reviews_dataset.csv: a symbolic link to gone.csv, which does not exist",
        ),
    ],
    ids=["cut-gzip", "optional-file-is-a-folder", "optional-file-loops", "optional-file-dangles"],
)
def test_incomplete_or_unreadable_files_are_refused(tmp_path, olist_warehouse, damage, fragment):
    """A cut-short orders file and an optional file that is there but cannot be read: refused
    before anything is built, never built from part of the data or treated as absent."""
    built_folder, built_warehouse = olist_warehouse
    folder = shutil.copytree(built_folder, tmp_path / "olist")
    for packed in folder.glob("*.csv.gz"):  # the US set is gzipped: work on plain files
        packed.with_suffix("").write_bytes(gzip.decompress(packed.read_bytes()))
        packed.unlink()
    warehouse = shutil.copy2(built_warehouse, tmp_path / "warehouse.duckdb")
    before = digest(warehouse)
    damage(folder)
    assert_single_line_error(build_olist(folder, warehouse), fragment)
    assert digest(warehouse) == before


def _raw_rows(path: Path) -> int:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        return len(pd.read_csv(handle, dtype=str, keep_default_na=False))


def _edit_csv(path: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame).to_csv(path, index=False)


OPTIONAL_FILES = [
    "olist_order_reviews_dataset",
    "olist_sellers_dataset",
    "olist_geolocation_dataset",
]


def test_hostile_rows_are_counted_with_their_file_field_and_reason(tmp_path):
    """A Latin-1 byte, a negative payment, an order id repeated with another customer and a
    stray .bak copy of the orders file, with the optional files missing: the build goes ahead,
    says what it converted and ignored, reconciles the files it had, and counts each bad row
    under its own reason with its file and field."""
    folder = generate_olist(tmp_path / "olist")
    for name in OPTIONAL_FILES:
        next(folder.glob(f"{name}.csv*")).unlink()
    orders_file = folder / "olist_orders_dataset.csv"
    raw_orders = pd.read_csv(orders_file, dtype=str, keep_default_na=False)
    shutil.copy(orders_file, folder / "olist_orders_dataset.csv.bak")  # would double the orders
    repeated = raw_orders.iloc[[0]].assign(customer_id=raw_orders["customer_id"].iloc[1])
    _edit_csv(orders_file, lambda frame: pd.concat([frame, repeated]))
    _edit_csv(
        folder / "olist_order_payments_dataset.csv",
        lambda frame: frame.assign(payment_value=["-51.95", *frame["payment_value"].iloc[1:]]),
    )
    customers = folder / "olist_customers_dataset.csv"
    latin = customers.read_text(encoding="utf-8").replace(",sao paulo,", ",são paulo,", 1)
    customers.write_bytes(latin.encode("latin-1"))

    result = build_olist(folder, tmp_path / "warehouse.duckdb")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Read {customers} as cp1252 (not UTF-8), converted to UTF-8" in result.stdout
    assert f"Ignored {folder / 'olist_orders_dataset.csv.bak'}" in result.stdout
    assert "1 row(s) of file order_payments: invalid_value (payment_value)" in result.stdout
    reconciled = query(
        tmp_path / "warehouse.duckdb",
        "select source_table, reason, field, n_rows from marts.olist_file_reconciliation"
        " where reason not in ('kept', 'purchase', 'canceled_order')"
        " order by source_table, reason",
    )
    assert list(reconciled.itertuples(index=False, name=None)) == [
        ("order_payments", "invalid_value", "payment_value", 1),
        ("orders", "conflicting_duplicate", "order_id", 1),
        ("orders", "invalid_value", "payment_value", 1),
    ]
    files = query(
        tmp_path / "warehouse.duckdb",
        "select source_table, sum(n_rows) as n from marts.olist_file_reconciliation group by 1",
    ).set_index("source_table")["n"]
    assert set(files.index) == {
        "orders",
        "customers",
        "order_items",
        "order_payments",
        "products",
        "category_translation",
    }
    assert files["orders"] == _raw_rows(orders_file) == len(raw_orders) + 1
    assert files["customers"] == _raw_rows(customers)
    cities = query(
        tmp_path / "warehouse.duckdb", "select distinct city from staging.stg_olist__customers"
    )["city"]
    assert "são paulo" in set(cities)


def _as_a_bi_tool_exports(folder: Path) -> None:
    """The same exports as a BI tool writes them: US timestamps to the minute, a surrogate key
    column first in every file, the translation's first column headed
    product_category_namept, and no review_id in the reviews."""
    timestamp = pd.to_datetime  # ISO in, "10/2/2017 10:56" out
    for path in folder.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in frame.columns:
            if column.endswith(("_timestamp", "_date", "_at")):
                parsed = timestamp(frame[column].replace("", None))
                frame[column] = [
                    "" if pd.isna(t) else f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}"
                    for t in parsed
                ]
        frame.insert(0, f"{path.stem.split('_')[1]}_pk", range(1, len(frame) + 1))
        if path.stem == "product_category_name_translation":
            frame = frame.rename(columns={"product_category_name": "product_category_namept"})
        if path.stem == "olist_order_reviews_dataset":
            frame = frame.drop(columns="review_id")
        frame.to_csv(path, index=False)


def test_a_bi_tool_export_builds_with_the_kaggle_layouts_rfm(tmp_path, olist_warehouse):
    kaggle_folder, kaggle_warehouse = olist_warehouse
    if not (kaggle_folder / "olist_orders_dataset.csv").exists():
        pytest.skip("compared with the ISO (Kaggle) set")
    folder = shutil.copytree(kaggle_folder, tmp_path / "olist")
    _as_a_bi_tool_exports(folder)
    assert (
        pd.read_csv(folder / "olist_orders_dataset.csv", nrows=1)["order_purchase_timestamp"].iloc[
            0
        ]
        == "5/27/2017 0:13"
    )
    warehouse = tmp_path / "warehouse.duckdb"
    result = build_olist(folder, warehouse)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "olist_order_reviews_dataset.csv has no review_id column (optional)" in result.stdout
    rfm = "select * from marts.fct_customer_rfm order by store, customer_id"
    expected, built = query(kaggle_warehouse, rfm), query(warehouse, rfm)
    assert len(built) > 2_000
    pd.testing.assert_frame_equal(built, expected)
    names = "select count(*) as n from staging.stg_olist__category_translation where category_name is not null"
    assert query(warehouse, names)["n"].iloc[0] == query(kaggle_warehouse, names)["n"].iloc[0] > 0


def test_a_file_that_lost_a_quarter_of_its_rows_is_refused(tmp_path, olist_warehouse):
    """An orders file cut to three quarters (whole lines, so no reader notices): the store keeps
    more than half its lines, but the file lost more than --max-row-loss of its rows."""
    built_folder, built_warehouse = olist_warehouse
    if not (built_folder / "olist_orders_dataset.csv").exists():
        pytest.skip("one build is enough: on the ISO set")
    folder = shutil.copytree(built_folder, tmp_path / "olist")
    orders = folder / "olist_orders_dataset.csv"
    rows = pd.read_csv(orders, dtype=str, keep_default_na=False)
    rows.iloc[: len(rows) * 3 // 4].to_csv(orders, index=False)
    warehouse = shutil.copy2(built_warehouse, tmp_path / "warehouse.duckdb")
    before = digest(warehouse)
    result = build_olist(folder, warehouse)
    assert_single_line_error(result, "of olist file orders, 25% fewer than", "--allow-shrink")
    assert digest(warehouse) == before
