"""int_interest_prediction: per store, the prediction of a new customer's dominant product category from their first order, evaluated on a time split (customers whose first order falls in the last three months of the data are never seen in training) against two baselines; one long table the evaluation and prediction marts split."""

import pandas as pd

from models_py import interests, long_tables, segmentation

NEW_CUSTOMER_MONTHS = 3


def cutoff(last_order_date) -> pd.Timestamp:
    """The first day of the last NEW_CUSTOMER_MONTHS months of the store's orders."""
    last = pd.Timestamp(last_order_date)
    return last - pd.DateOffset(months=NEW_CUSTOMER_MONTHS) + pd.Timedelta(days=1)


def model(dbt, session):
    dbt.config(materialized="table")
    baskets = dbt.ref("int_customer_first_baskets").df()
    dominant = dbt.ref("int_customer_category_shares").filter("is_dominant").df()
    as_of = dbt.ref("int_store_as_of_dates").df().set_index("store")["last_order_date"]
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    parts = []
    for store, rows in baskets.groupby("store", sort=True):
        run_id, _ = segmentation.run_settings(runs.loc[runs["store"] == store])
        first_orders = interests.first_orders_from_baskets(rows.drop(columns="store"))
        store_dominant = interests.dominant_categories(dominant.loc[dominant["store"] == store])
        evaluation, predictions, _ = interests.interest_prediction(
            first_orders, store_dominant, cutoff(as_of[store]), run_id
        )
        parts.append(evaluation.assign(store=store, row_kind="evaluation"))
        parts.append(predictions.assign(store=store, row_kind="prediction"))
    return long_tables.long_table(parts)
