"""int_clv_fits: per store, the customer lifetime value models (models_py/clv.py) evaluated on
the store's last clv_holdout_days days, the winner refitted on every day and each customer
scored; one long table (row_kind evaluation, bucket, fit, customer) the clv marts split."""

import logging

import pandas as pd

from models_py import clv, long_tables, segmentation
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)


def model(dbt, session):
    dbt.config(materialized="table")
    days = dbt.ref("int_customer_purchase_days").df()
    as_of = dbt.ref("int_store_as_of_dates").df().set_index("store")["as_of_date"]
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    settings = {
        "holdout_days": int(dbt.config.get("clv_holdout_days")),
        "churn_days": int(dbt.config.get("clv_churn_days")),
        "horizon_days": int(dbt.config.get("clv_horizon_days")),
        "annual_discount_rate": float(dbt.config.get("clv_discount_rate")),
    }
    parts = []
    for store, rows in days.groupby("store", sort=True):
        run_id, _ = segmentation.run_settings(runs.loc[runs["store"] == store])
        # the as-of date is the day after the last day counted
        observation_end = pd.Timestamp(as_of[store]) - pd.Timedelta(days=1)
        try:
            tables = clv.store_lifetime_values(
                rows.drop(columns="store"), observation_end, **settings
            )
        except SegmentationError as exc:  # e.g. too few customers before the holdout
            log.warning("store %s has no lifetime value models: %s", store, exc)
            continue
        for kind, table in tables.items():
            parts.append(table.assign(store=store, row_kind=kind, model_run_id=run_id))
    return long_tables.long_table(parts)
