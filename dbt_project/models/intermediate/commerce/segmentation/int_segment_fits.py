"""int_segment_fits: for the stores refitting this build, the k selection, the fitted model with
its ids matched to the stored one, and the fit's drift reference (one long table; the model
store's marts split it by row_kind). No rows when every store scores with its stored model."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    rules = dbt.ref("rfm_segment_rules").df().sort_values("rule_order")
    return segmentation.segment_fits(
        dbt.ref("fct_customer_rfm").df(),
        dbt.ref("int_commerce_segmentation_runs").df(),
        dbt.ref("int_segment_refit_decisions").df(),
        dbt.ref("int_segment_models_stored").df(),
        dbt.ref("int_segment_drift_reference_stored").df(),
        rules["rfm_segment"].tolist(),
        segment_names=dict(zip(rules["rfm_segment"], rules["segment_name"], strict=True)),
    )
