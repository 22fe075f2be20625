"""int_clv_fits: per store, the customer lifetime value models (models_py/clv.py) and every
customer scored; one long table (row_kind evaluation, buckets, fits, customers) the clv marts
split. A store whose segment model this build refits (int_segment_refit_decisions) has its
candidates evaluated on its last clv_holdout_days days and the winner refitted on every day; any
other store is scored with its stored models (int_clv_model_stored) and keeps their evidence, as
long as they were fitted with the same settings (else they are fitted again)."""

import logging

import pandas as pd

from models_py import clv, long_tables, segmentation
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

# the table's columns when no store has lifetime value models (so that the marts still read them)
EMPTY_COLUMNS = {
    "store": "string", "row_kind": "string", "model": "string", "model_run_id": "string",
    "customer_id": "Int64", "first_purchase_date": "datetime64[ns]", "p_alive": "float64",
    "churn_risk": "float64", "expected_purchases_30d": "float64",
    "expected_purchases_90d": "float64", "expected_purchases_365d": "float64",
    "expected_spend_per_purchase": "float64", "predicted_clv": "float64",
    "repeat_purchase_days": "Int64", "first_to_last_purchase_days": "float64",
    "first_purchase_to_end_days": "float64", "purchase_model": "string",
    "calibration_end": "datetime64[ns]", "holdout_days": "Int64", "n_customers": "Int64",
    "actual_purchases": "float64", "predicted_purchases": "float64", "purchases_mae": "float64",
    "purchases_rank_correlation": "float64", "actual_spend": "float64",
    "predicted_spend": "float64", "spend_mae": "float64", "churn_auc": "float64",
    "recency_churn_auc": "float64", "is_served": "boolean", "served_reason": "string",
    "frequency_bucket": "Int64", "fit_window": "string", "fit_end": "datetime64[ns]",
    "r": "float64", "alpha": "float64", "a": "float64", "b": "float64", "p": "float64",
    "q": "float64", "gamma": "float64", "log_likelihood": "float64", "converged": "boolean",
    "churn_days": "Int64", "horizon_days": "Int64", "annual_discount_rate": "float64",
}  # fmt: skip


def carried(store, stored_models, stored_evidence, scoring, days, observation_end):
    """The store's tables scored with its stored models, or None when it has none usable."""
    models = stored_models.loc[stored_models["store"] == store]
    evidence = stored_evidence.loc[stored_evidence["store"] == store]
    if evidence.empty or evidence["holdout_days"].dropna().ne(scoring["holdout_days"]).any():
        return None
    fits = clv.stored_served_fits(
        models, scoring["churn_days"], scoring["horizon_days"], scoring["annual_discount_rate"]
    )
    if fits is None:
        return None
    purchase_fit, spend_fit, run_id = fits
    customers = clv.scored_customers(
        clv.customer_summary(days, observation_end), purchase_fit, spend_fit,
        scoring["churn_days"], scoring["horizon_days"], scoring["annual_discount_rate"],
    )  # fmt: skip
    evidence = evidence.rename(columns={"purchase_model": "model"}).drop(columns="store")
    return {
        "evaluation": evidence.loc[evidence["row_kind"] == "evaluation"].drop(columns="row_kind"),
        "buckets": evidence.loc[evidence["row_kind"] == "buckets"].drop(columns="row_kind"),
        "fits": models.drop(columns="store"),
        "customers": customers.assign(model_run_id=run_id),
    }


def model(dbt, session):
    dbt.config(materialized="table")
    days = dbt.ref("int_customer_purchase_days").df()
    as_of = dbt.ref("int_store_as_of_dates").df().set_index("store")["as_of_date"]
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    refits = dbt.ref("int_segment_refit_decisions").df().set_index("store")["is_refit"]
    stored_models = dbt.ref("int_clv_model_stored").df()
    stored_evidence = dbt.ref("int_clv_evaluation_stored").df()
    scoring = {
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
        rows = rows.drop(columns="store")
        tables = None
        if not bool(refits.get(store, True)):
            tables = carried(store, stored_models, stored_evidence, scoring, rows, observation_end)
        if tables is None:
            try:
                tables = clv.store_lifetime_values(rows, observation_end, **scoring)
            except SegmentationError as exc:  # e.g. too few customers before the holdout
                log.warning("store %s has no lifetime value models: %s", store, exc)
                continue
            tables = {kind: table.assign(model_run_id=run_id) for kind, table in tables.items()}
        for kind, table in tables.items():
            parts.append(table.assign(store=store, row_kind=kind))
    return long_tables.long_table(parts, empty_columns=EMPTY_COLUMNS)
