"""An independent pandas computation of marts.fct_students from the raw student CSV exports.

Written from the column definitions in the mart's YAML (dbt_project/models/marts/students/_students__marts.yml), not from the SQL: it reads
the three raw files and the mapping seeds, and applies the rules with pandas. Used by
tests/test_students_mart.py to check every column of fct_students, the cohort table, the fill
rates and the reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gender_guesser.detector
import pandas as pd

from scripts.project_paths import SEEDS_DIR

SEEDS = SEEDS_DIR
TRUE_FLAGS = {"true", "t", "yes", "y", "1", "si", "sí"}
FALSE_FLAGS = {"false", "f", "no", "n", "0", ""}
SPARSE_FIELDS = [
    "looking_for_job",
    "phone_payment_plan",
    "professional_interests",
    "monthly_income_range",
]


@dataclass
class StudentReference:
    students: pd.DataFrame  # one row per student, the columns of fct_students
    reasons: pd.DataFrame  # source_table, reason, n_rows


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def _clean(values: pd.Series) -> pd.Series:
    """Trimmed text, None when empty."""
    stripped = values.str.strip()
    return stripped.where(stripped != "", None)


def _key(values: pd.Series) -> pd.Series:
    return _clean(values).str.lower()


def _seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv", dtype=str, keep_default_na=False)


def _seed_map(name: str, key: str, value: str) -> dict[str, str]:
    seed = _seed(name)
    return dict(zip(seed[key], seed[value], strict=True))


def _timestamp(values: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(_clean(values), format=fmt, errors="coerce")


def _money_cents(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Amounts as whole cents (exact), and a mask of present-but-unreadable values."""
    text = _clean(values)
    number = pd.to_numeric(text, errors="coerce")
    return (number * 100).round().astype("Int64"), text.notna() & number.isna()


def _gender(first_name: str | None, detector: gender_guesser.detector.Detector) -> str:
    if first_name is None or pd.isna(first_name):
        return "unknown"
    guess = detector.get_gender(first_name)
    if guess == "unknown":
        guess = detector.get_gender(first_name.replace("-", " ").split()[0])
    return {
        "female": "female",
        "mostly_female": "female",
        "male": "male",
        "mostly_male": "male",
    }.get(guess, "unknown")


def _contacts(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """All contact rows with their reason, one merged row per student, contact id -> student."""
    raw = _read(folder / "crm_contacts.csv")
    countries = _seed("student_countries").set_index("country_code")
    country_map = _seed_map("student_country_map", "country_text", "country_code")
    df = pd.DataFrame(
        {
            "line": range(len(raw)),
            "contact_id": _clean(raw["contact_id"]),
            "first_name": _clean(raw["first_name"]),
            "email": _key(raw["email"]),
            "created_at": _timestamp(raw["created_at"], "%Y-%m-%d %H:%M:%S"),
            "country_code": _key(raw["country"]).map(country_map),
            **{field: _clean(raw[field]) for field in SPARSE_FIELDS},
        }
    )
    repeated_id = df["contact_id"].notna() & df.duplicated("contact_id", keep="first")
    df["reason"] = None
    df.loc[df["created_at"].isna(), "reason"] = "invalid_created_at"
    df.loc[repeated_id, "reason"] = "duplicate_contact_id"
    df.loc[df["contact_id"].isna(), "reason"] = "missing_contact_id"

    valid = df[df["reason"].isna()].copy()
    valid["person_key"] = valid["email"].fillna("contact:" + valid["contact_id"])
    valid = valid.sort_values(["person_key", "created_at", "contact_id"], kind="mergesort")
    valid["rank"] = valid.groupby("person_key").cumcount() + 1
    valid["student_id"] = valid.groupby("person_key")["contact_id"].transform("first")
    # groupby().first() takes the first non-null value per column: the survivor-order rule
    merged = (
        valid.groupby("student_id", sort=True)
        .agg(
            created_at=("created_at", "first"),
            email=("email", "first"),
            first_name=("first_name", "first"),
            country_code=("country_code", "first"),
            n_contact_records=("contact_id", "size"),
            **{field: (field, "first") for field in SPARSE_FIELDS},
        )
        .reset_index()
    )
    merged["cohort_year"] = merged["created_at"].dt.year
    merged["country"] = merged["country_code"].map(countries["country_name"]).fillna("Unknown")
    merged["country_bucket"] = (
        merged["country_code"].map(countries["country_bucket"]).fillna("Others")
    )
    df.loc[valid.index[valid["rank"] > 1], "reason"] = "duplicate_contact_merged"
    survivors = valid[valid["rank"] == 1]
    unknown_country = set(merged.loc[merged["country_code"].isna(), "student_id"])
    df.loc[df["line"].isin(survivors["line"]), "reason"] = "kept"
    unknown_lines = survivors.loc[survivors["student_id"].isin(unknown_country), "line"]
    df.loc[df["line"].isin(unknown_lines), "reason"] = "kept_unknown_country"
    contact_student = valid.set_index("contact_id")["student_id"]
    return df, merged, contact_student


def _opportunities(folder: Path, contact_student: pd.Series) -> pd.DataFrame:
    raw = _read(folder / "crm_opportunities.csv")
    diploma_map = _seed_map("student_diploma_map", "diploma_text", "diploma")
    stage_won = _seed_map("student_stage_map", "stage_text", "is_won")
    term_map = _seed_map("student_payment_term_map", "payment_term_text", "payment_term")
    amount, amount_bad = _money_cents(raw["amount"])
    paid, paid_bad = _money_cents(raw["amount_paid"])
    bogo_text = raw["bogo"].str.strip().str.lower()
    created = _timestamp(raw["created_date"], "%Y-%m-%d")
    closed = _timestamp(raw["close_date"], "%Y-%m-%d")
    df = pd.DataFrame(
        {
            "opportunity_id": _clean(raw["opportunity_id"]),
            "contact_id": _clean(raw["contact_id"]),
            "diploma": _key(raw["product"]).map(diploma_map).fillna(_clean(raw["product"])),
            "is_won": _key(raw["stage"]).map(stage_won).eq("true"),
            "payment_term": _key(raw["payment_term"]).map(term_map).fillna("unknown"),
            "amount_cents": amount,
            "paid_cents": paid,
            "is_bogo": bogo_text.isin(TRUE_FLAGS),
            "created_date": created,
            "close_date": closed,
        }
    )
    invalid = (
        amount_bad
        | paid_bad
        | ~bogo_text.isin(TRUE_FLAGS | FALSE_FLAGS)
        | (_clean(raw["created_date"]).notna() & created.isna())
        | (_clean(raw["close_date"]).notna() & closed.isna())
    )
    df["student_id"] = df["contact_id"].map(contact_student)
    reasons = [
        (df["opportunity_id"].isna(), "missing_opportunity_id"),
        (
            df["opportunity_id"].notna() & df.duplicated("opportunity_id"),
            "duplicate_opportunity_id",
        ),
        (df["contact_id"].isna(), "missing_contact_id"),
        (invalid, "invalid_value"),
        (
            (df["amount_cents"] < 0).fillna(False) | (df["paid_cents"] < 0).fillna(False),
            "negative_amount",
        ),
        (df["student_id"].isna(), "orphan_opportunity"),
        (df["is_won"], "kept_won"),
    ]
    df["reason"] = "kept_not_won"
    for mask, reason in reversed(reasons):  # the first matching reason wins
        df.loc[mask.to_numpy(dtype=bool), "reason"] = reason
    return df


def _enrollments(folder: Path, students: pd.DataFrame) -> pd.DataFrame:
    raw = _read(folder / "lms_enrollments.csv")
    diploma_map = _seed_map("student_diploma_map", "diploma_text", "diploma")
    enrolled = _timestamp(raw["enrolled_at"], "%Y-%m-%d %H:%M:%S")
    email_student = students.dropna(subset=["email"]).set_index("email")["student_id"]
    df = pd.DataFrame(
        {
            "enrollment_id": _clean(raw["enrollment_id"]),
            "email": _key(raw["email"]),
            "diploma": _key(raw["course_name"]).map(diploma_map).fillna(_clean(raw["course_name"])),
            "enrolled_at": enrolled,
        }
    )
    df["student_id"] = df["email"].map(email_student)
    reasons = [
        (df["enrollment_id"].isna(), "missing_enrollment_id"),
        (df["enrollment_id"].notna() & df.duplicated("enrollment_id"), "duplicate_enrollment_id"),
        (df["email"].isna(), "missing_email"),
        (df["enrolled_at"].isna(), "invalid_enrolled_at"),
        (df["student_id"].isna(), "orphan_enrollment"),
    ]
    df["reason"] = "kept"
    for mask, reason in reversed(reasons):
        df.loc[mask.to_numpy(dtype=bool), "reason"] = reason
    return df


def reference_students(folder: Path, diploma_top_n: int = 8) -> StudentReference:
    """fct_students computed with pandas from the three CSV files in folder."""
    contacts, students, contact_student = _contacts(folder)
    opps = _opportunities(folder, contact_student)
    enrollments = _enrollments(folder, students)

    kept = opps[opps["reason"].isin(["kept_won", "kept_not_won"])]
    won = kept[kept["reason"] == "kept_won"]
    per_student = pd.DataFrame(
        {
            "n_opportunities": kept.groupby("student_id").size(),
            "n_won_opportunities": won.groupby("student_id").size(),
            "ltv_cents": won.groupby("student_id")["paid_cents"].sum(min_count=0),
            "has_bogo": won.groupby("student_id")["is_bogo"].any(),
        }
    )

    terms = (
        won[won["payment_term"] != "unknown"]
        .assign(paid=lambda d: d["paid_cents"].fillna(0))
        .groupby(["student_id", "payment_term"])
        .agg(n=("payment_term", "size"), paid=("paid", "sum"), first_close=("close_date", "min"))
        .reset_index()
    )
    terms["no_close"] = terms["first_close"].isna()
    dominant = (
        terms.sort_values(
            ["student_id", "n", "paid", "no_close", "first_close", "payment_term"],
            ascending=[True, False, False, True, True, True],
        )
        .groupby("student_id")
        .first()["payment_term"]
    )

    lms = enrollments[(enrollments["reason"] == "kept") & enrollments["diploma"].notna()]
    lms_first = (
        lms.sort_values(["student_id", "enrolled_at", "enrollment_id"])
        .groupby("student_id")
        .first()["diploma"]
    )
    crm = won[won["diploma"].notna()].assign(
        no_close=lambda d: d["close_date"].isna(), no_created=lambda d: d["created_date"].isna()
    )
    crm_first = (
        crm.sort_values(
            ["student_id", "no_close", "close_date", "no_created", "created_date", "opportunity_id"]
        )
        .groupby("student_id")
        .first()["diploma"]
    )

    detector = gender_guesser.detector.Detector(case_sensitive=False)
    out = students.set_index("student_id").join(per_student)
    out["n_opportunities"] = out["n_opportunities"].fillna(0).astype(int)
    out["n_won_opportunities"] = out["n_won_opportunities"].fillna(0).astype(int)
    out["ltv"] = out["ltv_cents"].fillna(0).astype(float) / 100
    out["has_bogo"] = out["has_bogo"].fillna(False).astype(bool)
    out["dominant_payment_term"] = dominant.reindex(out.index)
    from_lms = lms_first.reindex(out.index)
    out["first_diploma"] = from_lms.fillna(crm_first.reindex(out.index))
    out["first_diploma_source"] = pd.Series(None, index=out.index, dtype=object)
    out.loc[from_lms.notna(), "first_diploma_source"] = "lms"
    out.loc[from_lms.isna() & out["first_diploma"].notna(), "first_diploma_source"] = "crm"
    out["gender"] = [_gender(name, detector) for name in out["first_name"]]
    out["cohort_mean_ltv"] = out.groupby("cohort_year")["ltv"].transform("mean")
    out["ltv_class"] = (out["ltv"] > out["cohort_mean_ltv"]).map({True: "high", False: "low"})
    sizes = out["first_diploma"].value_counts().rename_axis("diploma").reset_index(name="n")
    top = set(
        sizes.sort_values(["n", "diploma"], ascending=[False, True])["diploma"].head(diploma_top_n)
    )
    out["diploma_bucket"] = [
        "No diploma" if pd.isna(d) else (d if d in top else "Others") for d in out["first_diploma"]
    ]
    out = out.reset_index()

    reasons = (
        pd.concat(
            [
                contacts.assign(source_table="crm_contacts")[["source_table", "reason"]],
                opps.assign(source_table="crm_opportunities")[["source_table", "reason"]],
                enrollments.assign(source_table="lms_enrollments")[["source_table", "reason"]],
            ]
        )
        .groupby(["source_table", "reason"])
        .size()
        .rename("n_rows")
        .reset_index()
    )
    return StudentReference(out, reasons)
