"""int_segment_k_selection (published as the contracted mart segment_k_selection): per store, KMeans metrics for k = 2..10 and the chosen k."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    return segmentation.customer_k_selection(dbt.ref("fct_customer_rfm").df(), runs)
