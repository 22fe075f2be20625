"""int_customer_segments (published as a contracted mart): per store, every segmentable customer scored with the stored segment_model."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    rfm = dbt.ref("fct_customer_rfm").df()
    return segmentation.customer_segments(rfm, dbt.ref("segment_model").df(), runs)
