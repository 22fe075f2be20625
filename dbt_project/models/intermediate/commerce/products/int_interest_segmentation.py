"""int_interest_segmentation: per store, customers segmented on their category-share vectors ("customers who buy the same products"), in one long table that the three interest marts split: the k selection, each customer's interest segment and each segment's profile."""

import logging

from models_py import interests, long_tables, segmentation
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

# the table's columns when no store has interest segments (so the marts still read them)
EMPTY_COLUMNS = {
    "store": "string", "row_kind": "string", "k": "Int64", "inertia": "float64",
    "silhouette": "float64", "calinski_harabasz": "float64", "davies_bouldin": "float64",
    "silhouette_sample_size": "Int64", "fit_sample_size": "Int64", "is_chosen": "boolean",
    "is_elbow": "boolean", "choice_reason": "string", "n_customers": "Int64",
    "random_state": "Int64", "n_init": "Int64", "model_run_id": "string", "customer_id": "Int64",
    "interest_segment_id": "Int64", "interest_segment_label": "string", "customers": "Int64",
    "category_id": "Int64", "category_name": "string", "mean_share": "float64",
    "overall_mean_share": "float64", "lift": "float64",
}  # fmt: skip


def model(dbt, session):
    dbt.config(materialized="table")
    shares = dbt.ref("int_customer_category_shares").df()
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    parts = []
    for store, rows in shares.groupby("store", sort=True):
        run_id, _ = segmentation.run_settings(runs.loc[runs["store"] == store])
        try:
            selection, assignments, profiles = interests.interest_segments(
                rows.drop(columns="store"), None, run_id
            )
        except SegmentationError as exc:  # e.g. one category: no interests to tell apart
            log.warning("store %s has no interest segments: %s", store, exc)
            continue
        for kind, frame in (
            ("k_selection", selection),
            ("customer", assignments),
            ("profile", profiles),
        ):
            parts.append(frame.assign(store=store, row_kind=kind))
    return long_tables.long_table(parts, empty_columns=EMPTY_COLUMNS)
