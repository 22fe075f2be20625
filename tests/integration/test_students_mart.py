"""fct_students (and the student marts around it) against an independent pandas computation."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from checks import assert_columns_equal
from students_reference import SPARSE_FIELDS, reference_students
from support import build_warehouse

EXACT_COLUMNS = [
    "cohort_year",
    "country_code",
    "country",
    "country_bucket",
    "gender",
    "n_contact_records",
    "n_opportunities",
    "n_won_opportunities",
    "dominant_payment_term",
    "first_diploma",
    "first_diploma_source",
    "diploma_bucket",
    "has_bogo",
    "ltv_class",
    *SPARSE_FIELDS,
]
VALUE_COLUMNS = ["ltv", "cohort_mean_ltv"]


@pytest.fixture(scope="module")
def reference(generated_warehouse):
    return reference_students(generated_warehouse.students_dir)


@pytest.fixture(scope="module")
def mart(generated_warehouse) -> pd.DataFrame:
    return generated_warehouse.query_df("select * from marts.fct_students order by student_id")


def test_fct_students_has_the_documented_columns(mart):
    assert list(mart.columns) == [
        "student_id",
        "cohort_year",
        "created_at",
        "country_code",
        "country",
        "country_bucket",
        "gender",
        "n_contact_records",
        "n_opportunities",
        "n_won_opportunities",
        "dominant_payment_term",
        "first_diploma",
        "first_diploma_source",
        "diploma_bucket",
        "has_bogo",
        "ltv",
        "cohort_mean_ltv",
        "ltv_class",
        *SPARSE_FIELDS,
    ]


def test_every_column_matches_the_independent_computation(mart, reference):
    expected = reference.students.sort_values("student_id").reset_index(drop=True)
    assert_columns_equal(mart, expected, "student_id", EXACT_COLUMNS, VALUE_COLUMNS)
    assert (pd.to_datetime(mart["created_at"]) == expected["created_at"]).all()


def test_generated_data_exercises_every_rule(mart):
    # the generator plants duplicates, unknown countries, CRM-only diplomas, bogos, no-won students
    assert (mart["n_contact_records"] > 1).sum() > 0
    assert (mart["country"] == "Unknown").sum() > 0
    assert set(mart["first_diploma_source"].dropna()) == {"lms", "crm"}
    assert mart["has_bogo"].sum() > 0
    assert (mart["n_won_opportunities"] == 0).sum() > 0
    assert set(mart["ltv_class"]) == {"high", "low"}
    assert set(mart["gender"]) == {"female", "male", "unknown"}
    assert set(mart["country_bucket"]) == {"US", "MX", "CO", "Others"}
    assert mart["diploma_bucket"].nunique() == 8 + 2  # top 8, Others, No diploma


def test_cohort_table_is_the_2020_cohort_of_fct_students(generated_warehouse, mart):
    cohort = generated_warehouse.query_df(
        "select * from marts.fct_students_cohort order by student_id"
    )
    expected = mart[mart["cohort_year"] == 2020].reset_index(drop=True)
    assert len(cohort) > 0
    pd.testing.assert_frame_equal(cohort, expected)


def test_fill_rates_match_the_students(generated_warehouse, mart):
    rates = generated_warehouse.query_df("select * from marts.student_field_fill_rates")
    assert len(rates) == mart["cohort_year"].nunique() * len(SPARSE_FIELDS)
    for row in rates.itertuples():
        cohort = mart[mart["cohort_year"] == row.cohort_year]
        assert row.n_students == len(cohort)
        assert row.n_filled == cohort[row.field_name].notna().sum()
        assert row.fill_rate == pytest.approx(row.n_filled / row.n_students)
    assert (rates["fill_rate"] < 0.15).all()  # the fields are sparse, as the analysts found


def test_reconciliation_counts_every_raw_row(generated_warehouse, reference):
    reconciled = generated_warehouse.query_df(
        "select source_table, reason, n_rows from marts.student_source_reconciliation"
    )
    folder = generated_warehouse.students_dir
    for table in ["crm_contacts", "crm_opportunities", "lms_enrollments"]:
        raw_rows = len(pd.read_csv(folder / f"{table}.csv", dtype=str))
        assert reconciled.loc[reconciled["source_table"] == table, "n_rows"].sum() == raw_rows
    merged = reconciled.merge(
        reference.reasons, on=["source_table", "reason"], how="outer", suffixes=("", "_expected")
    ).fillna(0)
    differ = merged[merged["n_rows"] != merged["n_rows_expected"]]
    assert differ.empty, differ
    counted = reconciled.set_index(["source_table", "reason"])["n_rows"].to_dict()
    # every planted quirk is counted, not dropped silently
    for key in [
        ("crm_contacts", "missing_contact_id"),
        ("crm_contacts", "invalid_created_at"),
        ("crm_contacts", "duplicate_contact_merged"),
        ("crm_contacts", "kept_unknown_country"),
        ("crm_opportunities", "missing_contact_id"),
        ("crm_opportunities", "negative_amount"),
        ("crm_opportunities", "orphan_opportunity"),
        ("crm_opportunities", "invalid_value"),
        ("crm_opportunities", "duplicate_opportunity_id"),
        ("lms_enrollments", "orphan_enrollment"),
        ("lms_enrollments", "missing_email"),
    ]:
        assert counted[key] > 0, key


def test_build_summary_reports_students(generated_warehouse, mart):
    students = generated_warehouse.summary["students"]
    assert students["students"] == len(mart)
    per_cohort = {int(year): cohort["students"] for year, cohort in students["cohorts"].items()}
    assert per_cohort == mart.groupby("cohort_year").size().to_dict()


def test_row_order_of_the_exports_does_not_change_the_facts(
    tmp_path, generated_warehouse, generated_retail_file, mart
):
    """Same data, rows in another order: every tie-break decides the same way."""
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for file_name in ["crm_contacts.csv", "crm_opportunities.csv", "lms_enrollments.csv"]:
        header, *rows = (
            (generated_warehouse.students_dir / file_name)
            .read_text(encoding="utf-8")
            .splitlines(keepends=True)
        )
        order = np.random.default_rng(11).permutation(len(rows))
        (shuffled / file_name).write_text(
            header + "".join(rows[i] for i in order), encoding="utf-8"
        )
    published = tmp_path / "warehouse.duckdb"
    result = build_warehouse(
        generated_retail_file, published, "--fresh", "--students-dir", str(shuffled)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(published), read_only=True) as con:
        rebuilt = con.execute("select * from marts.fct_students order by student_id").df()
    pd.testing.assert_frame_equal(rebuilt, mart)
