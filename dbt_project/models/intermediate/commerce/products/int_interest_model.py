"""int_interest_model: per store, the interest predictor the readers serve: the method the time split chose (int_interest_prediction's served row), fitted on every customer's first order (a fixed-seed sample of 10,000 above), its fitted estimator pickled (none for a baseline) with the scikit-learn version it needs; a store the time split could not evaluate serves the first-basket baseline, which fits nothing."""

import logging

import pandas as pd
import sklearn

from models_py import interest_model, interests, segmentation
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

NO_EVALUATION = (
    "served: the time split could not evaluate the methods (too few customers on one side of its"
    " cutoff, or one dominant category), so the first-basket baseline, which fits nothing"
)
COLUMNS = {
    "store": "string", "method": "string", "method_kind": "string", "reason": "string",
    "model_blob": "object", "sklearn_version": "string", "majority_category_id": "Int64",
    "n_train": "Int64", "n_customers": "Int64", "model_run_id": "string",
    "fitted_at": "datetime64[ns]",
}  # fmt: skip


def model(dbt, session):
    dbt.config(materialized="table")
    baskets = dbt.ref("int_customer_first_baskets").df()
    dominant = dbt.ref("int_customer_category_shares").filter("is_dominant").df()
    served = dbt.ref("int_interest_prediction").filter("row_kind = 'evaluation' and is_served").df()
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    rows = []
    for store, store_baskets in baskets.groupby("store", sort=True):
        run = runs.loc[runs["store"] == store]
        run_id, _ = segmentation.run_settings(run)
        chosen = served.loc[served["store"] == store]
        method, reason = (
            (str(chosen["method"].iloc[0]), str(chosen["decision"].iloc[0]))
            if len(chosen)
            else ("first_basket", NO_EVALUATION)
        )
        first_orders = interests.first_orders_from_baskets(store_baskets.drop(columns="store"))
        store_dominant = interests.dominant_categories(dominant.loc[dominant["store"] == store])
        try:
            fitted = interest_model.fit(first_orders, store_dominant, method)
        except SegmentationError as exc:  # e.g. no customer with a dominant category
            log.warning("store %s has no interest model: %s", store, exc)
            continue
        rows.append(
            {
                "store": store,
                "method": fitted.method,
                "method_kind": "baseline" if fitted.is_baseline else "model",
                "reason": reason,
                "model_blob": fitted.estimator_bytes(),
                "sklearn_version": sklearn.__version__,
                "majority_category_id": fitted.majority_category_id,
                "n_train": fitted.n_train,
                "n_customers": fitted.n_customers,
                "model_run_id": run_id,
                "fitted_at": pd.Timestamp(run["run_started_at"].iloc[0]),
            }
        )
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMNS.items()})
    return pd.DataFrame(rows).astype({k: v for k, v in COLUMNS.items() if v != "object"})
