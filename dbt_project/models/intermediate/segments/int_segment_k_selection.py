"""int_segment_k_selection (published as a contracted mart): k = 2..10 scored four ways, and the k the segmentation uses."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, forced_k = segmentation.run_settings(dbt.ref("int_segmentation_run").df())
    rfm = dbt.ref("fct_customer_rfm").df()
    return segmentation.customer_k_selection(rfm, run_id, forced_k)
