"""int_product_category_k_selection (published as product_category_k_selection): per store whose categories come from descriptions, the k = 4..20 tried on the products' text and the k chosen."""

import pandas as pd

from models_py import product_categories, segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    stores = dbt.ref("stores").df()
    products = dbt.ref("int_products_summarised").df()
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    tables = []
    for store in stores.loc[stores["product_categories"] == "descriptions", "store"]:
        run = runs.loc[runs["store"] == store]
        if run.empty:  # the store is not in this build
            continue
        run_id, _ = segmentation.run_settings(run)
        table, _ = product_categories.category_k_selection(products.loc[products["store"] == store])
        tables.append(table.assign(store=store, model_run_id=run_id))
    if not tables:  # typed, for the mart's contract
        return pd.DataFrame(
            {
                name: pd.Series(dtype=product_categories.SELECTION_TYPES.get(name, "string"))
                for name in [*product_categories.SELECTION_COLUMNS, "store", "model_run_id"]
            }
        )
    return pd.concat(tables, ignore_index=True)
