"""Generate the five missing tables of the Olist marketplace data set (see scripts/stores/OLIST_DATA.md).

We have four of the nine tables of the Brazilian E-Commerce Public Dataset by Olist (payments,
products, sellers, category translation). This script draws the other five so that they fit the
real four, and writes all nine files in the Kaggle layout:

  olist_orders_dataset          one order per paid order id, plus one order without payment
  olist_customers_dataset       one customer id per order; ~3% of buyers order more than once
  olist_order_items_dataset     real product and seller ids; price + freight = the order's payment
  olist_order_reviews_dataset   about one review per order, scores in the real mix
  olist_geolocation_dataset     a few coordinates per zip prefix of customers and sellers

The real tables are read from --source at generation time and copied unchanged (payments
restricted to the chosen orders with --orders); none of their rows is stored in the project.
Deterministic for a given seed and options. NumPy draws the numbers and DuckDB formats and
writes the text, so the whole set takes seconds.

    python scripts/stores/olist_sample.py --out data/generated/olist
    python scripts/stores/olist_sample.py --orders 3000 --timestamp-format us --gzip --out /tmp/olist
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from scripts.project_paths import GENERATED_DIR, SHARED_DATA_DIR

log = logging.getLogger("olist_sample")

DEFAULT_SOURCE = SHARED_DATA_DIR / "olist"
DEFAULT_OUT = GENERATED_DIR / "olist"

PAYMENTS = "olist_order_payments_dataset"
PRODUCTS = "olist_products_dataset"
SELLERS = "olist_sellers_dataset"
TRANSLATION = "product_category_name_translation"
REAL_TABLES = (PAYMENTS, PRODUCTS, SELLERS, TRANSLATION)
ORDERS = "olist_orders_dataset"
CUSTOMERS = "olist_customers_dataset"
ITEMS = "olist_order_items_dataset"
REVIEWS = "olist_order_reviews_dataset"
GEOLOCATION = "olist_geolocation_dataset"
GENERATED_TABLES = (ORDERS, CUSTOMERS, ITEMS, REVIEWS, GEOLOCATION)

TIMESTAMP_FORMATS = {"iso": "%Y-%m-%d %H:%M:%S", "us": "%-m/%-d/%Y %-H:%M"}
DAY = 86_400
# Purchases from the first day of the data's first month to the end of its last day.
START = int(np.datetime64("2016-09-01T00:00:00", "s").astype(np.int64))
END = int(np.datetime64("2018-10-17T23:59:59", "s").astype(np.int64))
MISSING = np.iinfo(np.int64).min  # an absent timestamp (written as an empty field)

# Orders of the real data per status; scaled to the number of orders generated.
STATUS_COUNTS = {
    "delivered": 96_478,
    "shipped": 1_107,
    "canceled": 625,
    "unavailable": 609,
    "invoiced": 314,
    "processing": 301,
    "created": 5,
    "approved": 2,
}
STATUSES = list(STATUS_COUNTS)
# Orders of the real data per purchase month, 2016-09 to 2018-10 (the last month ends on the 17th).
MONTH_ORDERS = [4, 324, 0, 1]
MONTH_ORDERS += [800, 1780, 2682, 2404, 3700, 3245, 4026, 4331, 4285, 4631, 7544, 5673]
MONTH_ORDERS += [7269, 6728, 7211, 6939, 6873, 6167, 6292, 6512, 16, 4]
LAST_MONTH_DAYS = 17
# Orders of the real data per hour of the day (quiet at night, busy from 10:00 to 22:00).
HOUR_ORDERS = [2394, 1170, 510, 272, 206, 188, 502, 1231, 2967, 4785, 6177, 6578]
HOUR_ORDERS += [5995, 6518, 6569, 6454, 6675, 6150, 5769, 5982, 6193, 6217, 5816, 4123]

# State, customers of the real data (the share drawn) and median days in transit from the
# carrier to the customer (far from the sellers of Sao Paulo, longer).
STATES: list[tuple[str, int, float]] = [
    ("SP", 41_746, 4.2),
    ("RJ", 12_852, 8.0),
    ("MG", 11_635, 7.0),
    ("RS", 5_466, 9.5),
    ("PR", 5_045, 7.0),
    ("SC", 3_637, 9.0),
    ("BA", 3_380, 12.5),
    ("DF", 2_140, 8.0),
    ("ES", 2_033, 10.0),
    ("GO", 2_020, 9.5),
    ("PE", 1_652, 13.0),
    ("CE", 1_336, 15.0),
    ("PA", 975, 17.5),
    ("MT", 907, 12.5),
    ("MA", 747, 16.0),
    ("MS", 715, 10.5),
    ("PB", 536, 14.0),
    ("PI", 495, 14.0),
    ("RN", 485, 13.5),
    ("AL", 413, 16.5),
    ("SE", 350, 15.0),
    ("TO", 280, 11.5),
    ("RO", 253, 14.0),
    ("AM", 148, 19.0),
    ("AC", 81, 16.0),
    ("AP", 68, 19.0),
    ("RR", 46, 20.0),
]
STATE_CODES = [s[0] for s in STATES]
# A handful of real cities per state: state, name as Olist writes it (lower case, no accents),
# weight within the state, zip prefix range (approximate CEP range of the city), lat, lng.
# The first city of a state is its capital or largest city.
City = tuple[str, str, float, int, int, float, float]
CITIES: list[City] = [
    ("SP", "sao paulo", 0.55, 1000, 5999, -23.55, -46.63),
    ("SP", "campinas", 0.09, 13000, 13139, -22.91, -47.06),
    ("SP", "guarulhos", 0.07, 7000, 7299, -23.46, -46.53),
    ("SP", "sao bernardo do campo", 0.06, 9600, 9899, -23.69, -46.56),
    ("SP", "santo andre", 0.05, 9000, 9299, -23.66, -46.53),
    ("SP", "osasco", 0.05, 6000, 6299, -23.53, -46.79),
    ("SP", "santos", 0.045, 11000, 11099, -23.96, -46.33),
    ("SP", "sorocaba", 0.04, 18000, 18109, -23.50, -47.46),
    ("SP", "ribeirao preto", 0.035, 14000, 14114, -21.18, -47.81),
    ("RJ", "rio de janeiro", 0.55, 20000, 23799, -22.91, -43.17),
    ("RJ", "niteroi", 0.1, 24000, 24399, -22.88, -43.10),
    ("RJ", "sao goncalo", 0.1, 24400, 24799, -22.83, -43.05),
    ("RJ", "nova iguacu", 0.08, 26000, 26099, -22.76, -43.45),
    ("RJ", "duque de caxias", 0.07, 25000, 25099, -22.79, -43.31),
    ("RJ", "petropolis", 0.05, 25600, 25779, -22.51, -43.18),
    ("RJ", "campos dos goytacazes", 0.05, 28000, 28099, -21.75, -41.32),
    ("MG", "belo horizonte", 0.45, 30000, 31999, -19.92, -43.94),
    ("MG", "juiz de fora", 0.12, 36000, 36099, -21.76, -43.35),
    ("MG", "uberlandia", 0.12, 38400, 38414, -18.92, -48.28),
    ("MG", "contagem", 0.1, 32000, 32399, -19.93, -44.05),
    ("MG", "betim", 0.07, 32600, 32699, -19.97, -44.20),
    ("MG", "montes claros", 0.06, 39400, 39409, -16.73, -43.86),
    ("MG", "divinopolis", 0.04, 35500, 35504, -20.14, -44.88),
    ("RS", "porto alegre", 0.5, 90000, 91999, -30.03, -51.23),
    ("RS", "caxias do sul", 0.15, 95000, 95124, -29.17, -51.18),
    ("RS", "canoas", 0.13, 92000, 92499, -29.92, -51.18),
    ("RS", "santa maria", 0.12, 97000, 97119, -29.69, -53.81),
    ("RS", "pelotas", 0.1, 96000, 96099, -31.77, -52.34),
    ("PR", "curitiba", 0.5, 80000, 82999, -25.43, -49.27),
    ("PR", "londrina", 0.15, 86000, 86099, -23.31, -51.16),
    ("PR", "maringa", 0.13, 87000, 87099, -23.42, -51.94),
    ("PR", "ponta grossa", 0.08, 84000, 84099, -25.09, -50.16),
    ("PR", "cascavel", 0.07, 85800, 85824, -24.96, -53.46),
    ("PR", "sao jose dos pinhais", 0.07, 83000, 83099, -25.53, -49.21),
    ("SC", "florianopolis", 0.3, 88000, 88099, -27.60, -48.55),
    ("SC", "joinville", 0.22, 89200, 89239, -26.30, -48.85),
    ("SC", "blumenau", 0.2, 89000, 89099, -26.92, -49.07),
    ("SC", "sao jose", 0.14, 88100, 88125, -27.61, -48.63),
    ("SC", "itajai", 0.14, 88300, 88319, -26.91, -48.66),
    ("BA", "salvador", 0.6, 40000, 42499, -12.97, -38.50),
    ("BA", "feira de santana", 0.15, 44000, 44099, -12.27, -38.97),
    ("BA", "vitoria da conquista", 0.1, 45000, 45099, -14.86, -40.84),
    ("BA", "lauro de freitas", 0.08, 42700, 42749, -12.89, -38.33),
    ("BA", "ilheus", 0.07, 45650, 45669, -14.79, -39.05),
    ("DF", "brasilia", 0.85, 70000, 71999, -15.79, -47.88),
    ("DF", "taguatinga", 0.15, 72000, 72199, -15.83, -48.06),
    ("ES", "vitoria", 0.35, 29000, 29099, -20.32, -40.34),
    ("ES", "vila velha", 0.3, 29100, 29129, -20.33, -40.29),
    ("ES", "serra", 0.2, 29160, 29184, -20.13, -40.31),
    ("ES", "cariacica", 0.15, 29140, 29159, -20.26, -40.42),
    ("GO", "goiania", 0.65, 74000, 74899, -16.68, -49.25),
    ("GO", "aparecida de goiania", 0.2, 74900, 74999, -16.82, -49.24),
    ("GO", "anapolis", 0.15, 75000, 75159, -16.33, -48.95),
    ("PE", "recife", 0.55, 50000, 52999, -8.05, -34.88),
    ("PE", "jaboatao dos guararapes", 0.2, 54000, 54499, -8.11, -35.01),
    ("PE", "olinda", 0.15, 53000, 53399, -8.01, -34.86),
    ("PE", "caruaru", 0.1, 55000, 55099, -8.28, -35.98),
    ("CE", "fortaleza", 0.8, 60000, 61599, -3.73, -38.52),
    ("CE", "caucaia", 0.1, 61600, 61699, -3.74, -38.65),
    ("CE", "juazeiro do norte", 0.1, 63000, 63099, -7.21, -39.32),
    ("PA", "belem", 0.7, 66000, 66999, -1.46, -48.50),
    ("PA", "ananindeua", 0.2, 67000, 67199, -1.37, -48.37),
    ("PA", "santarem", 0.1, 68000, 68099, -2.44, -54.71),
    ("MT", "cuiaba", 0.6, 78000, 78099, -15.60, -56.10),
    ("MT", "varzea grande", 0.25, 78100, 78159, -15.65, -56.13),
    ("MT", "rondonopolis", 0.15, 78700, 78749, -16.47, -54.64),
    ("MA", "sao luis", 0.75, 65000, 65109, -2.53, -44.30),
    ("MA", "imperatriz", 0.25, 65900, 65919, -5.52, -47.47),
    ("MS", "campo grande", 0.75, 79000, 79124, -20.47, -54.62),
    ("MS", "dourados", 0.25, 79800, 79849, -22.22, -54.81),
    ("PB", "joao pessoa", 0.7, 58000, 58099, -7.12, -34.86),
    ("PB", "campina grande", 0.3, 58400, 58499, -7.23, -35.88),
    ("PI", "teresina", 0.85, 64000, 64099, -5.09, -42.80),
    ("PI", "parnaiba", 0.15, 64200, 64219, -2.90, -41.78),
    ("RN", "natal", 0.8, 59000, 59149, -5.79, -35.21),
    ("RN", "mossoro", 0.2, 59600, 59649, -5.19, -37.34),
    ("AL", "maceio", 0.85, 57000, 57099, -9.67, -35.74),
    ("AL", "arapiraca", 0.15, 57300, 57319, -9.75, -36.66),
    ("SE", "aracaju", 0.85, 49000, 49099, -10.91, -37.07),
    ("SE", "nossa senhora do socorro", 0.15, 49160, 49169, -10.86, -37.13),
    ("TO", "palmas", 0.6, 77000, 77299, -10.18, -48.33),
    ("TO", "araguaina", 0.4, 77800, 77849, -7.19, -48.21),
    ("RO", "porto velho", 0.65, 76800, 76834, -8.76, -63.90),
    ("RO", "ji-parana", 0.35, 76900, 76913, -10.88, -61.95),
    ("AM", "manaus", 1.0, 69000, 69099, -3.12, -60.02),
    ("AC", "rio branco", 1.0, 69900, 69924, -9.97, -67.81),
    ("AP", "macapa", 1.0, 68900, 68914, 0.03, -51.07),
    ("RR", "boa vista", 1.0, 69300, 69339, 2.82, -60.67),
]
CITY_STATE = np.array([STATE_CODES.index(c[0]) for c in CITIES])
CITY_NAME = np.array([c[1] for c in CITIES], dtype=object)
CITY_WEIGHT = np.array([c[2] for c in CITIES])
CITY_ZIP_LO = np.array([c[3] for c in CITIES])
CITY_ZIP_HI = np.array([c[4] for c in CITIES])
CITY_LAT = np.array([c[5] for c in CITIES])
CITY_LNG = np.array([c[6] for c in CITIES])
STATE_FIRST_CITY = np.array(
    [np.flatnonzero(np.equal(CITY_STATE, i))[0] for i in range(len(STATES))]
)

TRANSIT_SIGMA = 0.7  # log-normal spread of the days in transit
# The estimated delivery date: purchase day + ceil(factor x median transit + U(extra days)).
ESTIMATE_TRANSIT_FACTOR = 1.5
ESTIMATE_EXTRA_DAYS = (8.0, 16.0)

# Repeat buyers: share of buyers with more than one order, extra orders ~ Geometric(p).
REPEAT_BUYER_SHARE = 0.0322
REPEAT_EXTRA_P = 0.91
# Items per order: 1, or (share MULTI_ITEM_SHARE) 1 + Geometric(MULTI_ITEM_P).
MULTI_ITEM_SHARE = 0.10
MULTI_ITEM_P = 0.75
# The payment is split into items only when it is at least MIN_SPLIT_CENTS, and each item then
# stands for at least MIN_ITEM_CENTS of it.
MIN_SPLIT_CENTS = 500
MIN_ITEM_CENTS = 1_000
FREIGHT_SHARE = (0.10, 0.25)
# Price of an item when no payment fixes it (the unpaid order, payments under MIN_SPLIT_CENTS).
LOOSE_PRICE_MEDIAN = 75.0
LOOSE_PRICE_SIGMA = 0.85
# Popularity offsets: item i picks product of rank r with weight 1 / (r + offset).
PRODUCT_RANK_OFFSET = 50
SELLER_RANK_OFFSET = 20

REVIEW_SCORE_SHARES = [0.115, 0.032, 0.082, 0.193, 0.578]  # scores 1..5, the real mix
BAD_ORDER_SCORE_SHARES = [0.45, 0.08, 0.12, 0.12, 0.23]  # late, undelivered or lost orders
NO_REVIEW_SHARE = 0.0077
TWO_REVIEWS_SHARE = 0.0055
TITLE_SHARE = 0.12
MESSAGE_SHARE = 0.41
# Comment texts per sentiment (scores 4-5, 3, 1-2), in Portuguese as the customers write them.
TITLES = [
    ["Recomendo", "Ótimo", "Muito bom", "Excelente", "Super recomendo"],
    ["Bom", "Razoável", "Ok"],
    ["Não recebi", "Péssimo", "Decepcionado", "Produto errado"],
]
MESSAGES = [
    [
        "Produto chegou antes do prazo, recomendo.",
        "Ótimo produto, entrega rápida.",
        "Muito bom, exatamente como no anúncio.",
        "Chegou tudo certo, bem embalado.",
        "Excelente qualidade, comprarei novamente",
        "Gostei muito, superou minhas expectativas!",
    ],
    [
        "Produto ok, mas a entrega demorou um pouco.",
        "Bom, mas a cor é diferente da foto.",
        "Atendeu, nada de especial",
    ],
    [
        "Ainda não recebi o produto.",
        "Produto veio com defeito, quero devolver.",
        "Entrega atrasada e sem resposta do vendedor",
        "Recebi apenas um dos produtos que comprei.",
        "Péssimo, não recomendo",
    ],
]
GEO_ROWS_MEAN = 2.0  # extra rows per zip prefix ~ Poisson(mean), capped at GEO_ROWS_MAX - 1
GEO_ROWS_MAX = 6


@dataclass(frozen=True)
class OlistConfig:
    source: Path = DEFAULT_SOURCE
    out: Path = DEFAULT_OUT
    seed: int = 42
    orders: int | None = None
    timestamp_format: str = "iso"
    gzip: bool = False


@dataclass(frozen=True)
class Source:
    """What the generator needs from the four real tables."""

    order_id: np.ndarray  # chosen payment order ids, sorted
    total_cents: np.ndarray  # sum of payment_value per chosen order, in cents
    boleto: np.ndarray  # the order's first payment is a boleto (bank slip: approved later)
    all_order_ids: frozenset[str]  # every payment order id, so new ids never collide
    product_id: np.ndarray
    seller_id: np.ndarray
    seller_zip: np.ndarray
    seller_city: np.ndarray
    seller_state: np.ndarray


# --- reading and copying the real tables -------------------------------------------------------


def source_file(source: Path, table: str) -> Path:
    """The real table's file in source: <table>.csv.gz or <table>.csv."""
    for name in (f"{table}.csv.gz", f"{table}.csv"):
        if (source / name).is_file():
            return source / name
    raise FileNotFoundError(f"{table}.csv.gz not found in {source}")


def _read_sql(path: Path) -> str:
    return f"read_csv('{path.as_posix()}', header = true, all_varchar = true)"


def read_source(source: Path, orders: int | None) -> Source:
    """Read payment totals of the first `orders` order ids (all when None), products, sellers."""
    con = duckdb.connect()
    payments = _read_sql(source_file(source, PAYMENTS))
    limit = "" if orders is None else f"limit {int(orders)}"
    rows = con.execute(
        f"""
        select order_id,
               sum((payment_value::decimal(14, 2) * 100)::bigint) as total_cents,
               arg_min(payment_type, payment_sequential::int) = 'boleto' as boleto
        from {payments}
        group by order_id
        order by order_id
        {limit}
        """
    ).fetchnumpy()
    all_ids = con.execute(f"select distinct order_id from {payments}").fetchnumpy()["order_id"]
    products = con.execute(
        f"select product_id from {_read_sql(source_file(source, PRODUCTS))}"
    ).fetchnumpy()
    sellers = con.execute(f"select * from {_read_sql(source_file(source, SELLERS))}").fetchnumpy()
    con.close()
    return Source(
        order_id=np.asarray(rows["order_id"], dtype=object),
        total_cents=np.asarray(rows["total_cents"], dtype=np.int64),
        boleto=np.asarray(rows["boleto"], dtype=bool),
        all_order_ids=frozenset(all_ids.tolist()),
        product_id=np.asarray(products["product_id"], dtype=object),
        seller_id=np.asarray(sellers["seller_id"], dtype=object),
        seller_zip=np.asarray(sellers["seller_zip_code_prefix"], dtype=object),
        seller_city=np.asarray(sellers["seller_city"], dtype=object),
        seller_state=np.asarray(sellers["seller_state"], dtype=object),
    )


def _write_bytes(chunks: list[bytes] | bytes, path: Path, compress: bool) -> None:
    """Write bytes to path atomically, gzipped with a zero mtime (so reruns are identical)."""
    tmp = path.with_name(path.name + ".tmp")
    data = chunks if isinstance(chunks, bytes) else b"".join(chunks)
    if compress:
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(data)
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


def copy_real_table(src: Path, dest: Path, compress: bool) -> None:
    """Copy a real table unchanged: the same bytes, or the same text (de)compressed."""
    if src.suffix == ".gz" and compress:
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
        return
    opener = gzip.open if src.suffix == ".gz" else open
    with opener(src, "rb") as f:
        _write_bytes(f.read(), dest, compress)


def copy_payments(src: Path, dest: Path, order_ids: set[str], compress: bool) -> None:
    """Copy the payment lines of the chosen orders unchanged, header first."""
    opener = gzip.open if src.suffix == ".gz" else open
    with opener(src, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    keys = {o.encode() for o in order_ids}
    kept = [line for line in lines[1:] if line.split(b",", 1)[0].strip(b'"') in keys]
    _write_bytes([lines[0], *kept], dest, compress)


# --- small drawing helpers ---------------------------------------------------------------------


def hex_ids(rng: np.random.Generator, n: int, taken: frozenset[str]) -> np.ndarray:
    """n distinct 32-hex-digit ids (like Olist's), none of them in `taken`."""
    ids = np.frombuffer(rng.bytes(16 * n).hex().encode(), dtype="S32").astype("U32")
    while True:
        _, first = np.unique(ids, return_index=True)
        bad = np.ones(n, dtype=bool)
        bad[first] = False
        bad |= np.isin(ids, list(taken)) if taken else False
        if not bad.any():
            return ids
        fresh = rng.bytes(16 * int(bad.sum())).hex().encode()
        ids[bad] = np.frombuffer(fresh, dtype="S32").astype("U32")


def apportion(weights: list[float] | np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to total, proportional to weights (largest remainder)."""
    quota = np.asarray(weights, dtype=float) / np.sum(weights) * total
    counts = np.floor(quota).astype(np.int64)
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def shares(weights: list[float] | list[int] | np.ndarray) -> np.ndarray:
    """Weights as shares summing to 1 (for rng.choice and cumulative draws)."""
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def position_within(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... within consecutive groups of the given sizes."""
    starts = np.cumsum(counts) - counts
    return np.arange(counts.sum()) - np.repeat(starts, counts)


def lognormal_seconds(
    rng: np.random.Generator, median_days: np.ndarray, sigma: float, cap_days: float
) -> np.ndarray:
    """Durations in whole seconds, log-normal around a median per draw (in days), capped."""
    days = rng.lognormal(np.log(median_days), sigma)
    return np.rint(np.minimum(days, cap_days) * DAY).astype(np.int64)


def day_of(seconds: np.ndarray) -> np.ndarray:
    """Midnight of the day of each timestamp."""
    return seconds - seconds % DAY


def draw_choice(rng: np.random.Generator, cum: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Index drawn from the cumulative shares cum[row] (one row per draw, last column 1.0)."""
    u = rng.random(row.size)
    return (u[:, None] >= cum[row]).sum(axis=1)


# --- orders ------------------------------------------------------------------------------------


def draw_statuses(rng: np.random.Generator, n: int) -> np.ndarray:
    """Status codes (index into STATUSES) in the real mix, scaled exactly to n orders."""
    return rng.permutation(
        np.repeat(np.arange(len(STATUSES)), apportion(list(STATUS_COUNTS.values()), n))
    )


def draw_purchases(rng: np.random.Generator, n: int) -> np.ndarray:
    """Purchase times: month by the real monthly counts, day uniform, hour by the real profile."""
    month_starts = np.arange("2016-09", "2018-12", dtype="datetime64[M]").astype("datetime64[s]")
    starts = month_starts.astype(np.int64)
    days = np.diff(starts) // DAY
    days[-1] = LAST_MONTH_DAYS
    month = rng.choice(len(MONTH_ORDERS), size=n, p=shares(MONTH_ORDERS))
    day = np.floor(rng.random(n) * days[month]).astype(np.int64)
    hour = rng.choice(24, size=n, p=shares(HOUR_ORDERS))
    second = rng.integers(0, 3600, size=n)
    return starts[month] + day * DAY + hour * 3600 + second


def draw_order_times(
    rng: np.random.Generator,
    status: np.ndarray,
    boleto: np.ndarray,
    transit_days: np.ndarray,
) -> dict[str, np.ndarray]:
    """Purchase, approval, carrier, delivery and estimated dates consistent with each status."""
    n = status.size
    is_ = {name: status == STATUSES.index(name) for name in STATUSES}
    purchase = draw_purchases(rng, n)
    approval = np.where(
        boleto,
        lognormal_seconds(rng, np.full(n, 1.2), 0.6, 10),  # a bank slip clears in a day or two
        lognormal_seconds(rng, np.full(n, 20 / 1440), 1.5, 5),  # a card in minutes
    )
    to_carrier = lognormal_seconds(rng, np.full(n, 2.0), 0.7, 30)
    transit = lognormal_seconds(rng, transit_days, TRANSIT_SIGMA, 150)
    canceled_after_approval = rng.random(n) < 0.77
    canceled_after_carrier = rng.random(n) < 0.12
    has_approved = ~is_["created"] & (~is_["canceled"] | canceled_after_approval)
    has_carrier = (
        is_["delivered"]
        | is_["shipped"]
        | (is_["canceled"] & canceled_after_approval & canceled_after_carrier)
    )
    has_delivered = is_["delivered"]
    approved = purchase + approval
    carrier = approved + to_carrier
    delivered = carrier + transit
    # An order whose last event would fall after the data's end happened that much earlier
    # (and up to 3 days more, so that such orders do not all end on the last second).
    last = np.select([has_delivered, has_carrier, has_approved], [delivered, carrier, approved], 0)
    overflow = np.maximum(0, last - END)
    shift = np.where(overflow > 0, overflow + rng.integers(0, 3 * DAY, size=n), 0)
    purchase, approved, carrier, delivered = (
        t - shift for t in (purchase, approved, carrier, delivered)
    )
    slack = rng.uniform(*ESTIMATE_EXTRA_DAYS, size=n)
    estimate_days = np.ceil(ESTIMATE_TRANSIT_FACTOR * transit_days + slack).astype(np.int64)
    return {
        "purchase": purchase,
        "approved": np.where(has_approved, approved, MISSING),
        "carrier": np.where(has_carrier, carrier, MISSING),
        "delivered": np.where(has_delivered, delivered, MISSING),
        "estimated": day_of(purchase) + estimate_days * DAY,
    }


# --- customers ---------------------------------------------------------------------------------


def draw_buyers(rng: np.random.Generator, n_orders: int) -> np.ndarray:
    """Buyer index of each order: most buyers order once, REPEAT_BUYER_SHARE more than once."""
    repeat = rng.random(n_orders) < REPEAT_BUYER_SHARE
    counts = 1 + np.where(repeat, rng.geometric(REPEAT_EXTRA_P, n_orders), 0)
    n_buyers = int(np.searchsorted(np.cumsum(counts), n_orders)) + 1
    counts = counts[:n_buyers]
    counts[-1] -= counts.sum() - n_orders
    buyer = np.empty(n_orders, dtype=np.int64)
    buyer[rng.permutation(n_orders)] = np.repeat(np.arange(n_buyers), counts)
    return buyer


def draw_locations(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """City index (into CITIES) and zip prefix of n buyers: state by real share, then city."""
    state = rng.choice(len(STATES), size=n, p=shares([s[1] for s in STATES]))
    cum = np.ones((len(STATES), np.bincount(CITY_STATE).max()))
    for i in range(len(STATES)):
        weights = CITY_WEIGHT[np.equal(CITY_STATE, i)]
        cum[i, : weights.size - 1] = np.cumsum(shares(weights))[:-1]
    city = STATE_FIRST_CITY[state] + draw_choice(rng, cum, state)
    lo, hi = CITY_ZIP_LO[city], CITY_ZIP_HI[city]
    zip_prefix = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
    return city, zip_prefix


# --- items -------------------------------------------------------------------------------------


def draw_item_counts(
    rng: np.random.Generator, total_cents: np.ndarray, split: np.ndarray
) -> np.ndarray:
    """Items per order: mostly one; a split payment allows one item per MIN_ITEM_CENTS of it."""
    n = total_cents.size
    extra = np.where(rng.random(n) < MULTI_ITEM_SHARE, rng.geometric(MULTI_ITEM_P, n), 0)
    cap = np.where(split, np.maximum(1, total_cents // MIN_ITEM_CENTS), 1 + extra)
    return 1 + np.minimum(extra, cap - 1)


def split_cents(totals: np.ndarray, weights: np.ndarray, item_order: np.ndarray) -> np.ndarray:
    """Split each order's total (cents) over its items in proportion to integer weights, exactly.

    Integer arithmetic: each item gets floor(total * w / sum w); the few cents left go one each
    to the order's first items, so the parts always add up to the total.
    """
    weight_sum = np.bincount(item_order, weights=weights).astype(np.int64)
    parts = totals[item_order] * weights // weight_sum[item_order]
    left = totals - np.bincount(item_order, weights=parts, minlength=totals.size).astype(np.int64)
    position = position_within(np.bincount(item_order, minlength=totals.size))
    return parts + (position < left[item_order])


def draw_prices(
    rng: np.random.Generator, total_cents: np.ndarray, split: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Price and freight (cents) per item; they add up to the payment when it is split."""
    n_items = int(counts.sum())
    item_order = np.repeat(np.arange(counts.size), counts)
    freight_share = rng.uniform(*FREIGHT_SHARE, size=counts.size)
    freight_total = np.rint(total_cents * freight_share).astype(np.int64)
    # half of an equal share plus a Gamma(2)-weighted share of the other half: no item is tiny
    gamma = rng.gamma(2.0, size=n_items)
    share = 0.5 / counts[item_order] + 0.5 * gamma / np.bincount(item_order, gamma)[item_order]
    weights = np.rint(share * 2**20).astype(np.int64)
    price = split_cents(total_cents - freight_total, weights, item_order)
    freight = split_cents(freight_total, weights, item_order)
    loose_price = np.maximum(
        85, np.rint(rng.lognormal(np.log(LOOSE_PRICE_MEDIAN), LOOSE_PRICE_SIGMA, n_items) * 100)
    ).astype(np.int64)
    loose_freight = np.rint(loose_price * freight_share[item_order]).astype(np.int64)
    split_item = split[item_order]
    return np.where(split_item, price, loose_price), np.where(split_item, freight, loose_freight)


def draw_catalogue(
    rng: np.random.Generator, n_products: int, n_sellers: int, n_items: int
) -> tuple[np.ndarray, np.ndarray]:
    """Product of each item and seller of each product (indexes into the real tables).

    Every product gets a seller and every seller a product (as in the real data, where the
    tables list exactly what was sold); items cover as many products as they can, the rest
    follow a long-tailed popularity (weight 1 / (rank + offset), ranks in random order).
    """
    seller_popularity = rng.permutation(n_sellers)
    popular_sellers = seller_popularity[
        rng.choice(
            n_sellers,
            size=max(0, n_products - n_sellers),
            p=shares(1 / (np.arange(n_sellers) + SELLER_RANK_OFFSET)),
        )
    ]
    seller_of_product = rng.permutation(
        np.r_[np.arange(min(n_sellers, n_products)), popular_sellers]
    )
    product_popularity = rng.permutation(n_products)
    popular_products = product_popularity[
        rng.choice(
            n_products,
            size=max(0, n_items - n_products),
            p=shares(1 / (np.arange(n_products) + PRODUCT_RANK_OFFSET)),
        )
    ]
    covered = rng.permutation(n_products)[: min(n_items, n_products)]
    product_of_item = rng.permutation(np.r_[covered, popular_products])
    return product_of_item, seller_of_product


# --- reviews -----------------------------------------------------------------------------------


def score_shares_for(bad_share: float) -> np.ndarray:
    """Score shares of good orders such that, with the bad orders' mix, the total is the real mix."""
    good = (np.array(REVIEW_SCORE_SHARES) - bad_share * np.array(BAD_ORDER_SCORE_SHARES)) / (
        1 - bad_share
    )
    return shares(np.clip(good, 0, None))


def draw_comments(
    rng: np.random.Generator, texts: list[list[str]], sentiment: np.ndarray, filled_share: float
) -> np.ndarray:
    """A comment per review (None when empty) picked among the texts of its sentiment."""
    flat = np.array([t for group in texts for t in group] + [None], dtype=object)
    sizes = np.array([len(group) for group in texts])
    offsets = np.cumsum(np.r_[0, sizes])[:-1]
    pick = offsets[sentiment] + rng.integers(0, 1 << 30, size=sentiment.size) % sizes[sentiment]
    return flat[np.where(rng.random(sentiment.size) < filled_share, pick, flat.size - 1)]


def draw_reviews(
    rng: np.random.Generator, times: dict[str, np.ndarray], status: np.ndarray
) -> dict[str, np.ndarray]:
    """About one review per order; late, lost and undelivered orders score lower."""
    n = status.size
    u = rng.random(n)
    counts = np.where(u < NO_REVIEW_SHARE, 0, np.where(u >= 1 - TWO_REVIEWS_SHARE, 2, 1))
    order = np.repeat(np.arange(n), counts)
    second = position_within(counts) == 1
    delivered = times["delivered"]
    late = (delivered != MISSING) & (day_of(delivered) > times["estimated"])
    bad_status = np.isin(
        status, [STATUSES.index(s) for s in ("shipped", "canceled", "unavailable")]
    )
    bad = (late | bad_status)[order]
    mixes = [score_shares_for(float(bad.mean()) if bad.size else 0.0), BAD_ORDER_SCORE_SHARES]
    cum = np.cumsum(mixes, axis=1)
    cum[:, -1] = 1.0
    score = 1 + draw_choice(rng, cum, bad.astype(np.int64))
    sentiment = np.select([score >= 4, score == 3], [0, 1], 2)
    # the survey goes out the day after delivery, or after the estimated date when not delivered
    sent = np.where(delivered != MISSING, day_of(delivered), times["estimated"])[order] + DAY
    created = sent + np.where(second, rng.integers(1, 15, size=order.size) * DAY, 0)
    answered = created + lognormal_seconds(rng, np.full(order.size, 1.0), 1.0, 30)
    return {
        "order": order,
        "score": score,
        "title": draw_comments(rng, TITLES, sentiment, TITLE_SHARE),
        "message": draw_comments(rng, MESSAGES, sentiment, MESSAGE_SHARE),
        "created": created,
        "answered": answered,
    }


# --- geolocation -------------------------------------------------------------------------------


def draw_geolocation(
    rng: np.random.Generator, source: Source, customer_city: np.ndarray, customer_zip: np.ndarray
) -> dict[str, np.ndarray]:
    """A few coordinates per zip prefix of sellers (their real city) and customers."""
    city_of = {(c[1], c[0]): i for i, c in enumerate(CITIES)}
    zips: dict[str, tuple[str, str, int, bool]] = {}
    for zip_code, city, state in zip(
        source.seller_zip, source.seller_city, source.seller_state, strict=True
    ):
        if zip_code not in zips and state in STATE_CODES:
            known = city_of.get((city, state))
            anchor = known if known is not None else STATE_FIRST_CITY[STATE_CODES.index(state)]
            zips[zip_code] = (city, state, int(anchor), known is not None)
    prefixes, first = np.unique(customer_zip, return_index=True)
    for prefix, city in zip(prefixes, customer_city[first], strict=True):
        zip_code = f"{prefix:05d}"
        if zip_code not in zips:
            zips[zip_code] = (CITY_NAME[city], STATE_CODES[CITY_STATE[city]], int(city), True)
    codes = sorted(zips)
    anchor = np.array([zips[z][2] for z in codes])
    in_city = np.array([zips[z][3] for z in codes])
    lat0, lng0 = CITY_LAT[anchor], CITY_LNG[anchor]
    # a prefix lies within its city (sd 0.03 deg) or, for a town we do not list, near the capital
    spread = np.where(in_city, 0.03, 0.6)
    lat0 = lat0 + rng.normal(0, 1, len(codes)) * spread
    lng0 = lng0 + rng.normal(0, 1, len(codes)) * spread
    rows = 1 + np.minimum(rng.poisson(GEO_ROWS_MEAN, len(codes)), GEO_ROWS_MAX - 1)
    geo = np.repeat(np.arange(len(codes)), rows)
    return {
        "zip": np.array(codes, dtype=object)[geo],
        "lat": np.round(lat0[geo] + rng.normal(0, 0.004, geo.size), 6),
        "lng": np.round(lng0[geo] + rng.normal(0, 0.004, geo.size), 6),
        "city": np.array([zips[z][0] for z in codes], dtype=object)[geo],
        "state": np.array([zips[z][1] for z in codes], dtype=object)[geo],
    }


# --- putting it together -----------------------------------------------------------------------


def _timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds, type=pa.timestamp("s"), mask=seconds == MISSING)


def generate(source: Source, seed: int) -> dict[str, pa.Table]:
    """Draw the five tables for the chosen payment orders plus one order without payment."""
    rng = np.random.default_rng(seed)
    n_paid = source.order_id.size
    n = n_paid + 1
    new_ids = hex_ids(rng, 1 + 2 * n + 2 * n, source.all_order_ids)
    order_id = np.r_[source.order_id, new_ids[:1]].astype(object)
    total_cents = np.r_[source.total_cents, 0]
    paid = np.r_[np.ones(n_paid, dtype=bool), False]
    boleto = np.r_[source.boleto, False]

    buyer = draw_buyers(rng, n)
    n_buyers = int(buyer.max()) + 1
    buyer_city, buyer_zip = draw_locations(rng, n_buyers)
    city = buyer_city[buyer]
    transit_days = np.array([s[2] for s in STATES])[CITY_STATE[city]]

    status = draw_statuses(rng, n)
    times = draw_order_times(rng, status, boleto, transit_days)

    split = paid & (total_cents >= MIN_SPLIT_CENTS)
    counts = draw_item_counts(rng, total_cents, split)
    price, freight = draw_prices(rng, total_cents, split, counts)
    item_order = np.repeat(np.arange(n), counts)
    product, seller_of_product = draw_catalogue(
        rng, source.product_id.size, source.seller_id.size, int(counts.sum())
    )
    limit_base = np.where(times["approved"] != MISSING, times["approved"], times["purchase"])
    shipping_limit = limit_base + rng.integers(3, 8, size=n) * DAY

    reviews = draw_reviews(rng, times, status)
    geo = draw_geolocation(rng, source, buyer_city, buyer_zip)

    customer_id = new_ids[1 : 1 + n]
    unique_id = new_ids[1 + n : 1 + n + n_buyers]
    review_id = new_ids[1 + 2 * n : 1 + 2 * n + reviews["order"].size]
    return {
        ORDERS: pa.table(
            {
                "order_id": order_id,
                "customer_id": customer_id,
                "order_status": np.array(STATUSES, dtype=object)[status],
                "order_purchase_timestamp": _timestamps(times["purchase"]),
                "order_approved_at": _timestamps(times["approved"]),
                "order_delivered_carrier_date": _timestamps(times["carrier"]),
                "order_delivered_customer_date": _timestamps(times["delivered"]),
                "order_estimated_delivery_date": _timestamps(times["estimated"]),
            }
        ),
        CUSTOMERS: pa.table(
            {
                "order_id": order_id,
                "customer_id": customer_id,
                "customer_unique_id": unique_id[buyer],
                "customer_zip_code_prefix": buyer_zip[buyer],
                "customer_city": CITY_NAME[city],
                "customer_state": np.array(STATE_CODES, dtype=object)[CITY_STATE[city]],
            }
        ),
        ITEMS: pa.table(
            {
                "order_id": order_id[item_order],
                "order_item_id": position_within(counts) + 1,
                "product_id": source.product_id[product],
                "seller_id": source.seller_id[seller_of_product[product]],
                "shipping_limit_date": _timestamps(shipping_limit[item_order]),
                "price_cents": price,
                "freight_cents": freight,
            }
        ),
        REVIEWS: pa.table(
            {
                "review_id": review_id,
                "order_id": order_id[reviews["order"]],
                "review_score": reviews["score"],
                "review_comment_title": pa.array(reviews["title"], type=pa.string()),
                "review_comment_message": pa.array(reviews["message"], type=pa.string()),
                "review_creation_date": _timestamps(reviews["created"]),
                "review_answer_timestamp": _timestamps(reviews["answered"]),
            }
        ),
        GEOLOCATION: pa.table(
            {
                "geolocation_zip_code_prefix": geo["zip"],
                "geolocation_lat": geo["lat"],
                "geolocation_lng": geo["lng"],
                "geolocation_city": geo["city"],
                "geolocation_state": geo["state"],
            }
        ),
    }


def _money(cents: str) -> str:
    """SQL writing integer cents as reais with two decimals (exact: no floating point)."""
    return f"({cents} // 100)::varchar || '.' || lpad(({cents} % 100)::varchar, 2, '0')"


def _select_sql(table: str, ts: str) -> tuple[str, list[str]]:
    """The query formatting a generated table as text, and the columns always quoted."""
    fmt = TIMESTAMP_FORMATS[ts]

    def t(column: str) -> str:
        return f"strftime({column}, '{fmt}') as {column}"

    if table == ORDERS:
        columns = [
            "order_id",
            "customer_id",
            "order_status",
            t("order_purchase_timestamp"),
            t("order_approved_at"),
            t("order_delivered_carrier_date"),
            t("order_delivered_customer_date"),
            t("order_estimated_delivery_date"),
        ]
        return f"select {', '.join(columns)} from {table} order by order_id", []
    if table == CUSTOMERS:
        return (
            "select customer_id, customer_unique_id,"
            " lpad(customer_zip_code_prefix::varchar, 5, '0') as customer_zip_code_prefix,"
            f" customer_city, customer_state from {table} order by order_id",
            ["customer_zip_code_prefix"],
        )
    if table == ITEMS:
        return (
            "select order_id, order_item_id, product_id, seller_id,"
            f" {t('shipping_limit_date')}, {_money('price_cents')} as price,"
            f" {_money('freight_cents')} as freight_value"
            f" from {table} order by order_id, order_item_id",
            [],
        )
    if table == REVIEWS:
        return (
            "select review_id, order_id, review_score, review_comment_title,"
            f" review_comment_message, {t('review_creation_date')},"
            f" {t('review_answer_timestamp')}"
            f" from {table} order by {table}.order_id, {table}.review_creation_date, review_id",
            [],
        )
    return (
        "select geolocation_zip_code_prefix, geolocation_lat::varchar as geolocation_lat,"
        " geolocation_lng::varchar as geolocation_lng, geolocation_city, geolocation_state"
        f" from {table}",
        ["geolocation_zip_code_prefix"],
    )


def output_path(out: Path, table: str, compress: bool) -> Path:
    return out / (f"{table}.csv.gz" if compress else f"{table}.csv")


def write_generated(tables: dict[str, pa.Table], config: OlistConfig) -> dict[str, int]:
    """Write the generated tables as CSV (gzip with --gzip); return rows written per table."""
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = true")
    written = {}
    for table, data in tables.items():
        con.register(table, data)
        sql, quoted = _select_sql(table, config.timestamp_format)
        path = output_path(config.out, table, config.gzip)
        tmp = path.with_name(path.name + ".tmp")
        options = ["format csv", "header", f"compression {'gzip' if config.gzip else 'none'}"]
        if quoted:
            options.append(f"force_quote ({', '.join(quoted)})")
        written[table] = con.execute(
            f"copy ({sql}) to '{tmp.as_posix()}' ({', '.join(options)})"
        ).fetchone()[0]
        os.replace(tmp, path)
    con.close()
    return written


def write_real(source: Source, config: OlistConfig) -> None:
    """Copy the four real tables; payments restricted to the chosen orders with --orders."""
    for table in REAL_TABLES:
        src = source_file(config.source, table)
        dest = output_path(config.out, table, config.gzip)
        if table == PAYMENTS and config.orders is not None:
            copy_payments(src, dest, set(source.order_id), config.gzip)
        else:
            copy_real_table(src, dest, config.gzip)


def run(config: OlistConfig) -> dict[str, int]:
    """Read the real tables, draw the others, write all nine; return rows per generated table."""
    config.out.mkdir(parents=True, exist_ok=True)
    source = read_source(config.source, config.orders)
    write_real(source, config)
    return write_generated(generate(source, config.seed), config)


def parse_args(argv: list[str] | None) -> OlistConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the 4 real tables")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--orders", type=int, default=None, help="only the first N payment order ids (sorted)"
    )
    parser.add_argument("--timestamp-format", choices=sorted(TIMESTAMP_FORMATS), default="iso")
    parser.add_argument("--gzip", action="store_true", help="write .csv.gz files")
    args = parser.parse_args(argv)
    if args.orders is not None and args.orders < 1:
        parser.error("--orders must be at least 1")
    return OlistConfig(
        args.source, args.out, args.seed, args.orders, args.timestamp_format, args.gzip
    )


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    written = run(config)
    log.info(
        "wrote %s (and the 4 real tables) to %s in %.1fs",
        ", ".join(f"{n:,} {name}" for name, n in written.items()),
        config.out,
        time.perf_counter() - started,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
