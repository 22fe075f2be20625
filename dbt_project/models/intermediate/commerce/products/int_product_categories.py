"""int_product_categories: each store's products with their category - the store's own category names where it has them (seed stores, product_categories), clustered from the descriptions (with the analysts' overrides) otherwise - and each category's top terms."""

import pandas as pd

from models_py import product_categories

# the columns and their types (typed even when no store has products, for the marts' contracts)
COLUMN_TYPES = {
    "store": "string",
    "product_id": "string",
    "category_id": "int64",
    "category_name": "string",
    "is_override": "bool",
    "top_terms": "string",
}
COLUMNS = list(COLUMN_TYPES)


def own_categories(products: pd.DataFrame) -> pd.DataFrame:
    """The store's own category names (its products' categories), numbered by revenue."""
    named = products.assign(category_name=products["category"].fillna("(no category)"))
    revenue = named.groupby("category_name")["revenue"].sum()
    order = sorted(revenue.index, key=lambda name: (-round(float(revenue[name]), 6), name))
    ids = {name: number for number, name in enumerate(order, start=1)}
    return named.assign(
        category_id=named["category_name"].map(ids),
        is_override=False,
        top_terms=named["category_name"],
    )


def clustered_categories(
    products: pd.DataFrame, selection: pd.DataFrame, overrides: pd.DataFrame
) -> pd.DataFrame:
    """Categories clustered from the descriptions with the k chosen, overrides applied."""
    k = int(selection.loc[selection["is_chosen"].astype(bool), "k"].iloc[0])
    assigned, categories = product_categories.categorise_products(products, k, overrides)
    return assigned.merge(categories[["category_id", "top_terms"]], on="category_id", how="left")


def model(dbt, session):
    dbt.config(materialized="table")
    stores = dbt.ref("stores").df().set_index("store")["product_categories"]
    products = dbt.ref("int_products_summarised").df()
    selection = dbt.ref("int_product_category_k_selection").df()
    overrides = dbt.ref("product_category_overrides").df()
    parts = []
    for store in sorted(products["store"].unique()):
        store_products = products.loc[products["store"] == store]
        if not product_categories.has_own_categories(stores.get(store), store_products):
            part = clustered_categories(
                store_products,
                selection.loc[selection["store"] == store],
                overrides.loc[overrides["store"] == store],
            )
        else:
            part = own_categories(store_products)
        parts.append(part.assign(store=store)[COLUMNS])
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMN_TYPES.items()})
    return pd.concat(parts, ignore_index=True)
