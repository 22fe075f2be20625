"""int_customer_segments (published as a contracted mart): every segmentable customer scored with the stored segment_model."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, _ = segmentation.run_settings(dbt.ref("int_segmentation_run").df())
    rfm = dbt.ref("fct_customer_rfm").df()
    return segmentation.customer_segments(rfm, dbt.ref("int_segment_model").df(), run_id)
