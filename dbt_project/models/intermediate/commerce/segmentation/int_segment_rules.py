"""int_segment_rules (published as a contracted mart): per store, readable rules of a shallow tree that reproduces the customer segments."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    return segmentation.segment_rules(dbt.ref("int_customer_segments").df(), runs)
