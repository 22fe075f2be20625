"""Student segment tables in the generated warehouse: planted LTV drivers, PCA variance, segments."""

from __future__ import annotations

import pandas as pd
import pytest

STUDENT_TABLES = [
    "student_k_selection",
    "student_segments",
    "student_segment_profiles",
    "student_pca_variance",
    "student_ltv_tree_importances",
    "student_ltv_tree_rules",
    "student_segmentation_runs",
]
ORDER_BY = {
    "student_k_selection": "k",
    "student_segments": "student_id",
    "student_segment_profiles": "segment_id",
    "student_pca_variance": "component",
    "student_ltv_tree_importances": "importance_rank",
    "student_ltv_tree_rules": "rule_id",
}
RUN_COLUMNS = {"model_run_id", "run_started_at"}


def table(warehouse, name: str) -> pd.DataFrame:
    order = ORDER_BY.get(name)
    return warehouse.query_df(
        f"select * from marts.{name}" + (f" order by {order}" if order else "")
    )


@pytest.mark.parametrize("name", STUDENT_TABLES)
def test_every_student_table_is_built(generated_warehouse, name):
    assert len(table(generated_warehouse, name)) > 0


def test_ltv_tree_finds_the_planted_drivers(generated_warehouse):
    # the generator plants country, bogo and product (first diploma) effects on LTV; gender has none
    top = table(generated_warehouse, "student_ltv_tree_importances").head(8)
    assert {"country_bucket", "has_bogo", "diploma_bucket"} <= set(top["variable"])
    runs = table(generated_warehouse, "student_segmentation_runs")
    assert 0.6 < runs["tree_test_accuracy"].iloc[0] <= 1
    assert 0.6 < runs["tree_test_balanced_accuracy"].iloc[0] <= 1


def test_every_cohort_student_is_segmented_and_in_one_rule(generated_warehouse):
    cohort = generated_warehouse.query_df("select count(*) as n from marts.fct_students_cohort")[
        "n"
    ].iloc[0]
    assert len(table(generated_warehouse, "student_segments")) == cohort
    assert table(generated_warehouse, "student_ltv_tree_rules")["students"].sum() == cohort


def test_pca_variance_shows_components_for_90_percent(generated_warehouse):
    variance = table(generated_warehouse, "student_pca_variance")
    cumulative = variance["cumulative_explained_variance_ratio"]
    assert cumulative.is_monotonic_increasing and cumulative.iloc[-1] == pytest.approx(1.0)
    n90 = variance.loc[variance["first_to_reach_90_percent"], "component"].tolist()
    assert len(n90) == 1 and cumulative.iloc[n90[0] - 1] >= 0.9
    runs = table(generated_warehouse, "student_segmentation_runs")
    assert runs["components_for_90_percent"].tolist() == n90


def test_student_profiles(generated_warehouse):
    profiles = table(generated_warehouse, "student_segment_profiles")
    assert profiles["share_of_students"].sum() == pytest.approx(1.0)
    assert profiles["segment_label"].is_unique
    assert profiles["mean_ltv"].is_monotonic_decreasing


def test_rebuild_gives_identical_student_tables(generated_warehouse, rebuilt_generated_warehouse):
    for name in ORDER_BY:
        first = table(generated_warehouse, name)
        second = table(rebuilt_generated_warehouse, name)
        keep = [c for c in first.columns if c not in RUN_COLUMNS]
        pd.testing.assert_frame_equal(first[keep], second[keep], check_exact=True, obj=name)
    assert len(table(rebuilt_generated_warehouse, "student_segmentation_runs")) == 2
