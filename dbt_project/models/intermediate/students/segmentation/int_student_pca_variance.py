"""int_student_pca_variance (published as the contracted mart student_pca_variance): explained variance per principal component of the one-hot traits."""

from models_py import segmentation, students


def model(dbt, session):
    dbt.config(materialized="table")
    run_id, _ = segmentation.run_settings(dbt.ref("int_student_segmentation_run").df())
    return students.student_pca_variance_table(dbt.ref("fct_students_cohort").df(), run_id)
