"""int_segment_model (published as the contracted mart segment_model): per store, segment x feature the centroid and the scaler, enough to score in SQL."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    selection = dbt.ref("int_segment_k_selection").df()
    rules = dbt.ref("rfm_segment_rules").df().sort_values("rule_order")
    rfm = dbt.ref("fct_customer_rfm").df()
    return segmentation.customer_segment_models(rfm, selection, runs, rules["rfm_segment"].tolist())
