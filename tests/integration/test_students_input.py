"""Bad student exports: one clear line naming the file and the column, exit 2, nothing published."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from checks import assert_single_line_error, digest
from support import build_warehouse


@pytest.fixture
def published(tmp_path, generated_warehouse) -> Path:
    """A private copy of the shared generated warehouse, as if published earlier."""
    path = tmp_path / "published" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copy2(generated_warehouse.path, path)
    return path


@pytest.fixture
def students_copy(tmp_path, generated_students_dir) -> Path:
    """A private, editable copy of the generated student exports."""
    return Path(shutil.copytree(generated_students_dir, tmp_path / "students"))


def build_with_students(retail_file: Path, published: Path, students_dir: Path):
    return build_warehouse(retail_file, published, "--students-dir", str(students_dir))


def test_missing_folder(tmp_path, published, generated_retail_file):
    before = digest(published)
    missing = tmp_path / "no_such_folder"
    result = build_with_students(generated_retail_file, published, missing)
    assert_single_line_error(result, str(missing), "does not exist")
    assert digest(published) == before


@pytest.mark.parametrize(
    "file_name", ["crm_contacts.csv", "crm_opportunities.csv", "lms_enrollments.csv"]
)
def test_missing_file(published, generated_retail_file, students_copy, file_name):
    before = digest(published)
    (students_copy / file_name).unlink()
    result = build_with_students(generated_retail_file, published, students_copy)
    assert_single_line_error(result, str(students_copy / file_name), "does not exist")
    assert digest(published) == before


@pytest.mark.parametrize(
    ("file_name", "column"),
    [
        ("crm_contacts.csv", "email"),
        ("crm_opportunities.csv", "amount_paid"),
        ("lms_enrollments.csv", "course_name"),
    ],
)
def test_missing_column(published, generated_retail_file, students_copy, file_name, column):
    before = digest(published)
    path = students_copy / file_name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    lines[0] = ",".join("renamed" if name == column else name for name in header) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = build_with_students(generated_retail_file, published, students_copy)
    assert_single_line_error(result, str(path), f"missing column {column}")
    assert digest(published) == before


def test_header_only_file(published, generated_retail_file, students_copy):
    before = digest(published)
    path = students_copy / "lms_enrollments.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = build_with_students(generated_retail_file, published, students_copy)
    assert_single_line_error(result, str(path), "no data rows")
    assert digest(published) == before


def test_bad_values_are_counted_not_fatal(tmp_path, generated_retail_file, students_copy):
    """Unreadable numbers and dates, unknown text and a malformed line build and are counted."""
    opportunities = students_copy / "crm_opportunities.csv"
    with open(opportunities, "a", encoding="utf-8") as handle:
        handle.write(
            "006X1,003000000001,Ventas,Closed Won,3 MSI,abc,10.00,maybe,2021-01-01,not a date\n"
        )
        handle.write("006X2,003000000001,Ventas,Closed Won\n")  # too few fields
    published = tmp_path / "fresh" / "warehouse.duckdb"
    result = build_with_students(generated_retail_file, published, students_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(published), read_only=True) as con:
        rejected = con.execute(
            "select count(*) from staging.stg_crm__parser_rejects"
            " where source_table = 'crm_opportunities'"
        ).fetchone()[0]
        invalid = con.execute(
            "select invalid_fields from intermediate.int_opportunities_classified"
            " where opportunity_id = '006X1'"
        ).fetchone()[0]
        reconciled = con.execute(
            "select sum(n_rows) from marts.student_source_reconciliation"
            " where source_table = 'crm_opportunities'"
        ).fetchone()[0]
    with open(opportunities, encoding="utf-8") as handle:
        raw_rows = sum(1 for _ in handle) - 1
    assert rejected == 1
    assert invalid == "amount, bogo, close_date"
    assert reconciled == raw_rows
