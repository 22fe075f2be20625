"""int_interest_prediction: per store, the prediction of a new customer's dominant product category from their first order, every method (two fitted models, two baselines) evaluated on a time split (customers whose first order falls in the last three months of the data are never seen in training), with the method to serve chosen by the rule of models_py.interests.served_choice; one long table the evaluation and prediction marts split."""

import logging

import pandas as pd

from models_py import interests, long_tables, segmentation
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

NEW_CUSTOMER_MONTHS = 3
# the table's columns when no store has a prediction (so the marts still read them)
EMPTY_COLUMNS = {
    "store": "string", "row_kind": "string", "method": "string", "accuracy": "float64",
    "balanced_accuracy": "float64", "macro_f1": "float64", "n_train": "Int64", "n_test": "Int64",
    "cutoff": "datetime64[ns]", "model_run_id": "string", "method_kind": "string",
    "is_served": "boolean", "decision": "string", "customer_id": "Int64",
    "first_order_date": "datetime64[ns]", "actual_category_id": "Int64", "predicted_model": "Int64",
    "model_probability": "float64", "predicted_basket_ranker": "Int64",
    "basket_ranker_probability": "float64", "predicted_majority_category": "Int64",
    "predicted_first_basket": "Int64",
}  # fmt: skip


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
        try:
            evaluation, predictions, _ = interests.interest_prediction(
                first_orders, store_dominant, cutoff(as_of[store]), run_id
            )
        except SegmentationError as exc:  # e.g. one category, or no new customer to test on
            log.warning("store %s has no interest prediction: %s", store, exc)
            continue
        parts.append(evaluation.assign(store=store, row_kind="evaluation"))
        parts.append(predictions.assign(store=store, row_kind="prediction"))
    return long_tables.long_table(parts, empty_columns=EMPTY_COLUMNS)
