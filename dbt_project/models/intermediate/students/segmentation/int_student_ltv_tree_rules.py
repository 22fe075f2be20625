"""int_student_ltv_tree_rules (published as the contracted mart student_ltv_tree_rules): one readable rule per leaf of the LTV decision tree."""

from models_py import segmentation, students


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, _ = segmentation.run_settings(dbt.ref("int_student_segmentation_run").df())
    _, rules = students.student_tree_tables(dbt.ref("fct_students_cohort").df(), run_id)
    return rules
