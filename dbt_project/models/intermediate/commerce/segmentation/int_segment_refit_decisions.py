"""int_segment_refit_decisions: per store, whether this build refits the segment model and why
(models_py/lifecycle.py), the stored model's age and today's drift from its fit."""

from models_py import segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    return segmentation.refit_decisions(
        dbt.ref("fct_customer_rfm").df(),
        dbt.ref("int_commerce_segmentation_runs").df(),
        dbt.ref("int_segment_models_stored").df(),
        dbt.ref("int_segment_drift_reference_stored").df(),
    )
