"""int_customer_category_shares: per store, each customer's share of their positive net spend per product category, and their dominant category."""

import pandas as pd

from models_py import interests

COLUMNS = ["store", "customer_id", "category_id", "category_name", "net_spend", "share", "is_dominant"]


def model(dbt, session):
    dbt.config(materialized="table")
    spend = dbt.ref("int_customer_category_spend").df()
    parts = [
        interests.customer_category_shares(rows.drop(columns="store")).assign(store=store)
        for store, rows in spend.groupby("store", sort=True)
    ]
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)
