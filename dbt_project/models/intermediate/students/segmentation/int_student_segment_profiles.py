"""int_student_segment_profiles (published as the contracted mart student_segment_profiles): size, LTV, high-LTV share, country, product, bogo and payment term per segment."""

from models_py import segmentation, students


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, _ = segmentation.run_settings(dbt.ref("int_student_segmentation_run").df())
    return students.student_profiles_table(dbt.ref("int_student_segments").df(), run_id)
