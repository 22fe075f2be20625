"""int_segment_rules (published as a contracted mart): readable rules of a shallow tree that reproduces the customer segments."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, _ = segmentation.run_settings(dbt.ref("int_segmentation_run").df())
    return segmentation.segment_rules(dbt.ref("int_customer_segments").df(), run_id)
