"""int_student_k_selection (published as the contracted mart student_k_selection): k = 2..10 scored four ways on the students' one-hot traits, and the k used."""

from models_py import segmentation, students


def model(dbt, session):
    dbt.config(materialized="table")
    run = dbt.ref("int_student_segmentation_run").df()
    run_id, forced_k = segmentation.run_settings(run)
    return students.student_k_selection(dbt.ref("fct_students_cohort").df(), run_id, forced_k)
