"""int_student_segments (published as the contracted mart student_segments): every student of the cohort with its segment, label and traits."""

from models_py import segmentation, students


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, _ = segmentation.run_settings(dbt.ref("int_student_segmentation_run").df())
    k = segmentation.chosen_k(dbt.ref("int_student_k_selection").df())
    return students.student_segments_table(dbt.ref("fct_students_cohort").df(), k, run_id)
