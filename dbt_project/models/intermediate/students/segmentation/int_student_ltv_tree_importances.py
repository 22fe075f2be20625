"""int_student_ltv_tree_importances (published as the contracted mart student_ltv_tree_importances): which traits the LTV decision tree splits on, and how much."""

from models_py import segmentation, students


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, _ = segmentation.run_settings(dbt.ref("int_student_segmentation_run").df())
    importances, _ = students.student_tree_tables(dbt.ref("fct_students_cohort").df(), run_id)
    return importances
