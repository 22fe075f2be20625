"""int_segment_model (published as a contracted mart): per segment x feature the centroid and the scaler, enough to score in SQL."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, _ = segmentation.run_settings(dbt.ref("int_segmentation_run").df())
    k = segmentation.chosen_k(dbt.ref("int_segment_k_selection").df())
    rules = dbt.ref("rfm_segment_rules").df().sort_values("rule_order")
    rfm = dbt.ref("fct_customer_rfm").df()
    return segmentation.customer_segment_model(rfm, k, run_id, rules["rfm_segment"].tolist())
