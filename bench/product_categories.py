"""Time the text clustering of product descriptions (models_py.product_categories) on the products
of built warehouses, as the build runs it: choosing k among 4..20, then categorising.

    python -m bench.product_categories WAREHOUSE [WAREHOUSE ...] [--scale 50000]

Each warehouse's stores whose categories come from descriptions are timed on their distinct
products (intermediate.int_products_summarised). `--scale N` also times N made-up products whose
descriptions recombine the words of the first store's real descriptions (more products than any
input here has). Prints one Markdown table row per run for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from models_py import product_categories

PRODUCTS_QUERY = """
select products.store, products.product_id, products.description, products.revenue
from intermediate.int_products_summarised as products
inner join seeds.stores as stores on products.store = stores.store
where stores.product_categories = 'descriptions'
order by products.store, products.product_id
"""
NO_OVERRIDES = pd.DataFrame(columns=["match_type", "match_value", "category_name"])
SEED = 1


def time_products(products: pd.DataFrame) -> tuple[int, int, float, float]:
    """(k chosen, products with a term, seconds to choose k, seconds to categorise)."""
    started = time.perf_counter()
    table, features = product_categories.category_k_selection(products)
    chosen = time.perf_counter()
    k = int(table.loc[table["is_chosen"], "k"].iloc[0])
    product_categories.categorise_products(products, k, NO_OVERRIDES, features=features)
    done = time.perf_counter()
    return k, int(table["n_products"].iloc[0]), chosen - started, done - chosen


def recombined(products: pd.DataFrame, n: int) -> pd.DataFrame:
    """n products whose descriptions are 3 to 6 words drawn from the real descriptions' words
    (by their frequency), with lognormal revenues; fixed seed."""
    rng = np.random.default_rng(SEED)
    words = pd.Series(
        [w for text in products["description"] for w in product_categories.clean_words(text)]
    ).value_counts()
    p = (words / words.sum()).to_numpy()
    lengths = rng.integers(3, 7, size=n)
    descriptions = [" ".join(rng.choice(words.index, size=m, p=p)).upper() for m in lengths]
    return pd.DataFrame(
        {
            "product_id": [f"P{i:07d}" for i in range(n)],
            "description": descriptions,
            "revenue": np.round(rng.lognormal(4.0, 1.0, size=n), 2),
        }
    )


def row(label: str, products: pd.DataFrame) -> str:
    k, clustered, choose, categorise = time_products(products)
    return (
        f"| {label} | {len(products):,} | {clustered:,} | {k} | {choose:.1f} | {categorise:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouses", nargs="+", type=Path)
    parser.add_argument("--scale", type=int, help="also time this many recombined products")
    args = parser.parse_args()
    print("| products of | products | with a term | k | choose k (s) | categorise (s) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    first = None
    for path in args.warehouses:
        with duckdb.connect(str(path), read_only=True) as con:
            products = con.execute(PRODUCTS_QUERY).df()
        for store, rows in products.groupby("store", sort=True):
            rows = rows.drop(columns="store").reset_index(drop=True)
            first = rows if first is None else first
            print(row(f"{path}: {store}", rows))
    if args.scale and first is not None:
        print(row(f"{args.scale:,} recombined", recombined(first, args.scale)))


if __name__ == "__main__":
    main()
