"""The student data generator: layout, determinism, planted quirks and planted LTV effects."""

from __future__ import annotations

import pandas as pd
import pytest
from support import generate_students_dir

from scripts.student_input import STUDENT_FILES, check_students_dir


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return generate_students_dir(tmp_path_factory.mktemp("small"), students=800, seed=3)


def test_layout_passes_the_input_check(small):
    assert check_students_dir(small).folder == small.resolve()
    for file_name, columns in STUDENT_FILES.items():
        assert list(pd.read_csv(small / file_name, nrows=1).columns) == list(columns)


def test_same_seed_same_bytes_other_seed_other_data(tmp_path, small):
    again = generate_students_dir(tmp_path / "again", students=800, seed=3)
    other = generate_students_dir(tmp_path / "other", students=800, seed=4)
    for file_name in STUDENT_FILES:
        assert (again / file_name).read_bytes() == (small / file_name).read_bytes()
        assert (other / file_name).read_bytes() != (small / file_name).read_bytes()


def test_sparse_fields_are_filled_for_fewer_than_ten_percent(small):
    contacts = pd.read_csv(small / "crm_contacts.csv", dtype=str)
    for field in [
        "looking_for_job",
        "phone_payment_plan",
        "professional_interests",
        "monthly_income_range",
    ]:
        filled = contacts[field].fillna("").str.strip().ne("").mean()
        assert 0.02 < filled < 0.10, field


def test_quirks_are_planted(small):
    contacts = pd.read_csv(small / "crm_contacts.csv", dtype=str, keep_default_na=False)
    opportunities = pd.read_csv(small / "crm_opportunities.csv", dtype=str, keep_default_na=False)
    emails = contacts["email"].str.strip().str.lower()
    assert emails[emails != ""].duplicated().any()  # same student twice
    assert (contacts["email"] != contacts["email"].str.strip()).any()  # stray spaces
    assert {"México", "Mexico", "MX"} <= set(contacts["country"].str.strip())
    assert (contacts["contact_id"] == "").any()
    assert (opportunities["contact_id"] == "").any()
    assert opportunities["amount"].str.startswith("-").any()
    assert opportunities["payment_term"].nunique() > 10  # written inconsistently
    years = pd.to_datetime(contacts["created_at"], errors="coerce").dt.year.dropna()
    assert years.between(2018, 2022).all()


def test_planted_ltv_effects_are_visible_in_the_mart(generated_warehouse):
    """The effects documented in scripts/STUDENT_DATA.md, in the built fct_students."""
    students = generated_warehouse.query_df("select * from marts.fct_students")
    buyers = students[students["n_won_opportunities"] > 0].copy()
    buyers["ltv"] = buyers["ltv"].astype(float)
    by_country = buyers.groupby("country_bucket")["ltv"].mean()
    assert by_country["US"] > by_country["MX"] > by_country["CO"]
    by_bogo = buyers.groupby("has_bogo")["ltv"].mean()
    assert by_bogo[True] > 1.2 * by_bogo[False]
    by_diploma = buyers.groupby("first_diploma")["ltv"].mean()
    assert by_diploma["Ciencia de Datos"] > by_diploma["Ventas"]
    # the interaction: 12 monthly instalments pay off in Mexico but not in Colombia
    term = buyers.groupby(["country_bucket", "dominant_payment_term"])["ltv"].mean()
    assert term["CO", "monthly_12"] < 0.7 * term["CO", "one_off"]
    assert term["MX", "monthly_12"] > 0.9 * term["MX", "one_off"]
