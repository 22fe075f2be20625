"""Check a folder of student exports before the build, so that bad input fails fast with one line.

The dbt sources read crm_contacts.csv, crm_opportunities.csv and lms_enrollments.csv from the
folder themselves; this check only makes sure they can: the folder and each file exist, each file
is a UTF-8 CSV with a header row and at least one data row, and the header has every required
column (extra columns are fine, order does not matter).
"""

from __future__ import annotations

from pathlib import Path

from scripts import generate_students
from scripts.input_files import CheckedFolder, InputFileError, csv_header, present_file
from scripts.project_paths import GENERATED_DIR

DEFAULT_STUDENTS_DIR = GENERATED_DIR / "students"
DEFAULT_GENERATED_STUDENTS = 20_000

STUDENT_FILES: dict[str, tuple[str, ...]] = {
    "crm_contacts.csv": (
        "contact_id",
        "first_name",
        "last_name",
        "email",
        "country",
        "created_at",
        "looking_for_job",
        "phone_payment_plan",
        "professional_interests",
        "monthly_income_range",
    ),
    "crm_opportunities.csv": (
        "opportunity_id",
        "contact_id",
        "product",
        "stage",
        "payment_term",
        "amount",
        "amount_paid",
        "bogo",
        "created_date",
        "close_date",
    ),
    "lms_enrollments.csv": ("enrollment_id", "email", "course_name", "enrolled_at", "status"),
}


def check_students_dir(path: str | Path) -> CheckedFolder:
    """The folder of a usable set of student exports with its files, or InputFileError."""
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        raise InputFileError(f"{folder}: student data folder does not exist")
    for file_name, required in STUDENT_FILES.items():
        file_path = folder / file_name
        if not present_file(file_path):
            raise InputFileError(
                f"{file_path}: file does not exist (expected {file_name} in the "
                f"student data folder)"
            )
        columns = csv_header(file_path, "data rows")
        missing = [column for column in required if column not in columns]
        if missing:
            raise InputFileError(
                f"{file_path}: missing column {', '.join(missing)} "
                f"(required: {', '.join(required)}; found: {', '.join(columns)})"
            )
    return CheckedFolder(folder, tuple(folder / name for name in STUDENT_FILES))


def default_students_dir() -> Path:
    """The project's own synthetic student exports, generated once (deterministic, seed 42)."""
    if not all((DEFAULT_STUDENTS_DIR / name).exists() for name in generate_students.OUTPUT_FILES):
        config = generate_students.StudentConfig(students=DEFAULT_GENERATED_STUDENTS)
        generate_students.write(generate_students.generate(config), str(DEFAULT_STUDENTS_DIR))
        print(f"Generated synthetic student data: {DEFAULT_STUDENTS_DIR}")
    return DEFAULT_STUDENTS_DIR
