"""int_product_category_k_selection (published as product_category_k_selection): per store whose categories are clustered from descriptions, the k = 4..20 tried on the products' text and the k chosen."""

import pandas as pd

from models_py import product_categories, segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    stores = dbt.ref("stores").df()
    products = dbt.ref("int_products_summarised").df()
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    tables = []
    for store, source in stores.set_index("store")["product_categories"].items():
        run = runs.loc[runs["store"] == store]
        store_products = products.loc[products["store"] == store]
        if run.empty or product_categories.has_own_categories(source, store_products):
            continue  # not in this build, or no categories to cluster
        run_id, _ = segmentation.run_settings(run)
        table, _ = product_categories.category_k_selection(store_products)
        tables.append(table.assign(store=store, model_run_id=run_id))
    if not tables:  # typed, for the mart's contract
        return pd.DataFrame(
            {
                name: pd.Series(dtype=product_categories.SELECTION_TYPES.get(name, "string"))
                for name in [*product_categories.SELECTION_COLUMNS, "store", "model_run_id"]
            }
        )
    return pd.concat(tables, ignore_index=True)
