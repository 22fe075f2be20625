"""Generate synthetic exports of an online school's CRM and LMS (see scripts/STUDENT_DATA.md).

Three CSV files in the layout the warehouse reads as dbt sources:
  crm_contacts.csv       Salesforce-style contacts: free-text country, sparse self-reported fields,
                         some students twice (same email, different contact id)
  crm_opportunities.csv  Salesforce-style opportunities: diploma, stage, payment term (written
                         inconsistently), amount, amount paid, bogo flag, created and close dates
  lms_enrollments.csv    Moodle-style course enrolments keyed by the student's email

Lifetime value carries a planted signal (country, bogo, product, and a payment term x country
interaction), documented in scripts/STUDENT_DATA.md, so that the analysis has something true to
find. The files also carry every quirk the warehouse must count rather than drop: unknown
country text, negative amounts, missing and unknown contact ids, unparseable values.

Deterministic for a given seed and size. NumPy draws the numbers and DuckDB formats and writes
the text, so 1 million students take seconds.

    python scripts/generate_students.py --students 20000 --seed 42 --out data/generated/students
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

log = logging.getLogger("generate_students")

CONTACTS_FILE = "crm_contacts.csv"
OPPORTUNITIES_FILE = "crm_opportunities.csv"
ENROLLMENTS_FILE = "lms_enrollments.csv"
OUTPUT_FILES = (CONTACTS_FILE, OPPORTUNITIES_FILE, ENROLLMENTS_FILE)

# Country code, share of students, ways sales staff type it, mean repeat purchases (planted).
COUNTRIES: list[tuple[str, float, list[str], float]] = [
    ("MX", 0.34, ["México", "Mexico", "MX", "mexico ", "MEXICO", "Méx."], 0.9),
    ("CO", 0.20, ["Colombia", "CO", "colombia", "COLOMBIA "], 0.5),
    ("US", 0.12, ["United States", "USA", "EE.UU.", "Estados Unidos", "US", "usa"], 1.3),
    ("PE", 0.08, ["Perú", "Peru", "PE", "peru"], 0.6),
    ("AR", 0.06, ["Argentina", "AR", "argentina"], 0.6),
    ("CL", 0.06, ["Chile", "CL", "chile "], 0.7),
    ("EC", 0.05, ["Ecuador", "EC"], 0.6),
    ("GT", 0.03, ["Guatemala", "GT"], 0.5),
    ("CR", 0.03, ["Costa Rica", "CR"], 0.6),
    ("ES", 0.03, ["España", "Espana", "Spain"], 0.7),
]
# Country text no seed can map: kept as country 'Unknown' and counted by the reconciliation.
UNKNOWN_COUNTRY_TEXT = ["N/A", "Latam", "-", "otro", ""]
UNKNOWN_COUNTRY_SHARE = 0.008

# Diploma, list price (USD), share of first purchases, repeat-purchase multiplier (planted),
# and the spellings used by the CRM product field and the LMS course name.
DIPLOMAS: list[tuple[str, float, float, float, list[str]]] = [
    (
        "Marketing Digital",
        900,
        0.16,
        1.0,
        [
            "Diplomado en Marketing Digital",
            "Marketing Digital",
            "marketing digital",
            "Dip. Marketing Digital",
        ],
    ),
    (
        "Ciencia de Datos",
        1400,
        0.12,
        1.5,
        ["Diplomado en Ciencia de Datos", "Ciencia de Datos", "Data Science", "ciencia de datos "],
    ),
    (
        "Gestión de Proyectos",
        1100,
        0.11,
        1.1,
        ["Diplomado en Gestión de Proyectos", "Gestión de Proyectos", "Gestion de Proyectos"],
    ),
    (
        "Recursos Humanos",
        800,
        0.10,
        0.9,
        ["Diplomado en Recursos Humanos", "Recursos Humanos", "RRHH"],
    ),
    (
        "Finanzas Corporativas",
        1200,
        0.09,
        1.2,
        ["Diplomado en Finanzas Corporativas", "Finanzas Corporativas", "finanzas corporativas"],
    ),
    ("Liderazgo", 700, 0.08, 0.9, ["Diplomado en Liderazgo", "Liderazgo", "LIDERAZGO"]),
    (
        "Logística y Cadena de Suministro",
        1000,
        0.07,
        1.0,
        [
            "Diplomado en Logística y Cadena de Suministro",
            "Logistica y Cadena de Suministro",
            "Logística",
        ],
    ),
    ("Ventas", 600, 0.07, 0.8, ["Diplomado en Ventas", "Ventas", "ventas "]),
    (
        "Diseño UX",
        1000,
        0.06,
        1.1,
        ["Diplomado en Diseño UX", "Diseño UX", "Diseno UX", "UX Design"],
    ),
    (
        "Programación en Python",
        1300,
        0.06,
        1.4,
        ["Diplomado en Programación en Python", "Programación en Python", "Python"],
    ),
    (
        "Psicología Organizacional",
        750,
        0.05,
        0.8,
        ["Diplomado en Psicología Organizacional", "Psicologia Organizacional"],
    ),
    ("Nutrición", 650, 0.03, 0.7, ["Diplomado en Nutrición", "Nutricion", "Nutrición"]),
]

# Canonical payment term, spellings, and share of opportunities per country group.
PAYMENT_TERMS: list[tuple[str, list[str]]] = [
    ("one_off", ["Contado", "Pago único", "pago unico", "One-off", "1 pago", "PAGO UNICO"]),
    ("monthly_3", ["3 MSI", "3 meses", "3 cuotas", "3 mensualidades"]),
    ("monthly_6", ["6 MSI", "6 meses", "6 cuotas", "6 mensualidades"]),
    ("monthly_12", ["12 MSI", "12 meses", "12 cuotas", "12 mensualidades", "Mensual (12)"]),
]
UNKNOWN_TERM_TEXT = ["", "otro"]
TERM_SHARES = {
    "MX": [0.25, 0.20, 0.20, 0.35],
    "US": [0.50, 0.20, 0.15, 0.15],
    "CO": [0.25, 0.20, 0.20, 0.35],
    "other": [0.35, 0.25, 0.20, 0.20],
}
# Share of the amount actually paid, by payment term and country (the planted interaction):
# 12 monthly instalments are paid in full in Mexico (interest-free "MSI") and the US but are
# often abandoned in Colombia and elsewhere.
PAID_SHARE = {
    "MX": [1.0, 0.98, 0.97, 0.96],
    "US": [1.0, 0.98, 0.95, 0.92],
    "CO": [1.0, 0.95, 0.80, 0.45],
    "other": [1.0, 0.95, 0.85, 0.65],
}

STAGES_WON = ["Closed Won", "closed won", "Cerrada ganada"]
STAGES_LOST = ["Closed Lost", "Cerrada perdida"]
STAGES_OPEN = ["Prospecting", "Qualification", "Negotiation"]

FEMALE_NAMES = [
    "María",
    "Maria",
    "Ana",
    "Sofía",
    "Valentina",
    "Camila",
    "Daniela",
    "Gabriela",
    "Fernanda",
    "Lucía",
    "Andrea",
    "Paola",
    "Carolina",
    "Laura",
    "Diana",
    "Patricia",
    "Alejandra",
    "Mariana",
    "Jessica",
    "Ashley",
    "Guadalupe",
    "Claudia",
    "Natalia",
]
MALE_NAMES = [
    "José",
    "Jose",
    "Juan",
    "Luis",
    "Carlos",
    "Jorge",
    "Miguel",
    "Alejandro",
    "Diego",
    "Andrés",
    "Santiago",
    "Sebastián",
    "Javier",
    "Ricardo",
    "Fernando",
    "Pedro",
    "Eduardo",
    "Daniel",
    "Michael",
    "David",
    "Roberto",
    "Mateo",
    "Brayan",
]
# Names common in the region that a name dictionary often does not know (Yeison, Jhon, ...).
OTHER_NAMES = ["Yeison", "Jhon", "Dayanna", "Yuliana", "Jean", "Ariel", "Cruz", "Jhonatan"]
LAST_NAMES = [
    "García",
    "Hernández",
    "López",
    "Martínez",
    "González",
    "Rodríguez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
    "Cruz",
    "Morales",
    "Reyes",
    "Gutiérrez",
    "Ortiz",
    "Castillo",
    "Jiménez",
    "Vargas",
    "Romero",
    "Smith",
]
EMAIL_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com"]
SPARSE_FIELDS: dict[str, list[str]] = {
    "looking_for_job": ["Sí", "No", "si", "no"],
    "phone_payment_plan": ["Prepago", "Pospago", "Plan familiar"],
    "professional_interests": [
        "Marketing",
        "Datos y analítica",
        "Finanzas",
        "Liderazgo; Ventas",
        "Recursos humanos",
        "Tecnología",
    ],
    "monthly_income_range": ["< 500 USD", "500-1000 USD", "1000-2000 USD", "> 2000 USD"],
}
SPARSE_FILL_SHARE = 0.07
ENROLLMENT_STATUSES = ["active", "completed", "dropped", "Completed", "ACTIVE", "suspended"]

CREATED_START = np.datetime64("2018-01-01T00:00:00", "s")
CREATED_END = np.datetime64("2023-01-01T00:00:00", "s")


@dataclass(frozen=True)
class StudentConfig:
    students: int
    seed: int = 42
    duplicate_share: float = 0.03


def _pick(rng: np.random.Generator, n_options: int, size: int) -> np.ndarray:
    return rng.integers(0, n_options, size=size)


def _cumsum_within(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sum of values within consecutive groups of the given sizes (each size >= 1)."""
    total = np.cumsum(values)
    starts = np.cumsum(counts) - counts
    return total - np.repeat(total[starts] - values[starts], counts)


def _group(country_code: np.ndarray) -> np.ndarray:
    """Index into TERM_SHARES / PAID_SHARE rows: MX, US, CO or other."""
    codes = np.array([c for c, *_ in COUNTRIES])[country_code]
    return np.select([codes == "MX", codes == "US", codes == "CO"], [0, 1, 2], 3)


def generate(config: StudentConfig) -> dict[str, pa.Table]:
    """Draw contacts, opportunities and enrolments as Arrow tables of numbers and codes."""
    rng = np.random.default_rng(config.seed)
    n = max(1, config.students)

    # Students: country, name, email, creation time, propensities.
    country_p = np.array([c[1] for c in COUNTRIES])
    country = rng.choice(len(COUNTRIES), size=n, p=country_p / country_p.sum())
    group = _group(country)
    n_first = len(FEMALE_NAMES) + len(MALE_NAMES) + len(OTHER_NAMES)
    name_p = np.r_[
        np.full(len(FEMALE_NAMES) + len(MALE_NAMES), 0.92 / (n_first - len(OTHER_NAMES))),
        np.full(len(OTHER_NAMES), 0.08 / len(OTHER_NAMES)),
    ]
    first_name = rng.choice(n_first, size=n, p=name_p / name_p.sum())
    last_name = _pick(rng, len(LAST_NAMES), n)
    domain = _pick(rng, len(EMAIL_DOMAINS), n)
    span = int((CREATED_END - CREATED_START).astype(np.int64))
    created = CREATED_START.astype(np.int64) + rng.integers(0, span, size=n)
    bogo_user = rng.random(n) < 0.18

    # First diploma drives the repeat rate (product effect); country and bogo too.
    diploma_p = np.array([d[2] for d in DIPLOMAS])
    first_diploma = rng.choice(len(DIPLOMAS), size=n, p=diploma_p / diploma_p.sum())
    repeat_rate = (
        np.array([c[3] for c in COUNTRIES])[country]
        * np.array([d[3] for d in DIPLOMAS])[first_diploma]
        * np.where(bogo_user, 1.8, 1.0)
    )
    buys = rng.random(n) < 0.85
    n_won = np.where(buys, 1 + rng.poisson(repeat_rate), 0)
    n_not_won = rng.poisson(0.8, size=n) + (~buys)
    n_opps = n_won + n_not_won

    # Opportunities in time order per student; won ones at random places in the sequence.
    opp_student = np.repeat(np.arange(n), n_opps)
    n_opp = opp_student.size
    order = np.arange(n_opp) - np.repeat(np.cumsum(n_opps) - n_opps, n_opps)
    shuffled = np.argsort(opp_student * 2.0 + rng.random(n_opp), kind="stable")
    is_won = np.empty(n_opp, dtype=bool)
    is_won[shuffled] = order < np.repeat(n_won, n_opps)
    gaps = rng.exponential(160.0, size=n_opp) * 86400
    opp_created = (created[opp_student] + _cumsum_within(gaps, n_opps)).astype(np.int64)
    opp_close = opp_created + rng.integers(0, 46, size=n_opp) * 86400
    # a buyer's first won opportunity is its first diploma; later ones are random
    first_won = is_won & (_cumsum_within(is_won.astype(np.int64), n_opps) == 1)
    diploma = np.where(
        first_won,
        first_diploma[opp_student],
        rng.choice(len(DIPLOMAS), size=n_opp, p=diploma_p / diploma_p.sum()),
    )
    stage_kind = np.where(is_won, 0, np.where(rng.random(n_opp) < 0.75, 1, 2))
    stage_variant = np.select(
        [stage_kind == 0, stage_kind == 1],
        [_pick(rng, len(STAGES_WON), n_opp), len(STAGES_WON) + _pick(rng, len(STAGES_LOST), n_opp)],
        len(STAGES_WON) + len(STAGES_LOST) + _pick(rng, len(STAGES_OPEN), n_opp),
    )

    opp_group = group[opp_student]
    term_shares = np.array([TERM_SHARES[g] for g in ("MX", "US", "CO", "other")])
    cum = np.cumsum(term_shares[opp_group], axis=1)
    term = (rng.random(n_opp)[:, None] > cum).sum(axis=1).clip(0, len(PAYMENT_TERMS) - 1)
    term_variant_count = np.array([len(v) for _, v in PAYMENT_TERMS])
    term_variant = (rng.random(n_opp) * term_variant_count[term]).astype(np.int64)
    unknown_term = rng.random(n_opp) < 0.01

    price = np.array([d[1] for d in DIPLOMAS])[diploma] * rng.uniform(0.85, 1.0, n_opp)
    amount = np.round(price, 2)
    # bogo: bogo users consumed one on a random won opportunity; a few more flags elsewhere,
    # including on lost opportunities, which consume nothing.
    bogo = is_won & bogo_user[opp_student] & (rng.random(n_opp) < 0.6)
    bogo |= rng.random(n_opp) < 0.03
    paid_share = np.array([PAID_SHARE[g] for g in ("MX", "US", "CO", "other")])[opp_group, term]
    paid_share = np.clip(paid_share * rng.uniform(0.9, 1.05, n_opp), 0, 1)
    paid_share = np.where(term == 0, 1.0, paid_share)
    amount_paid = np.where(is_won, np.round(amount * paid_share, 2), 0.0)
    open_stage = stage_kind == 2
    opp_close = np.where(open_stage, -1, opp_close)

    # Enrolments: most won opportunities, the free diploma of a bogo, a few trials of lost ones.
    enrol_won = is_won & (rng.random(n_opp) < 0.85)
    enrol_trial = ~is_won & (rng.random(n_opp) < 0.05)
    enrol_bogo = is_won & bogo
    enrolled_opp = np.r_[np.flatnonzero(enrol_won | enrol_trial), np.flatnonzero(enrol_bogo)]
    enrol_diploma = np.r_[
        diploma[enrol_won | enrol_trial],
        (diploma[enrol_bogo] + 1 + _pick(rng, len(DIPLOMAS) - 1, int(enrol_bogo.sum())))
        % len(DIPLOMAS),
    ]
    n_enr = enrolled_opp.size
    base_time = np.where(
        opp_close[enrolled_opp] >= 0, opp_close[enrolled_opp], opp_created[enrolled_opp]
    )
    enrolled_at = base_time + rng.integers(1, 21 * 86400, size=n_enr)
    enrol_student = opp_student[enrolled_opp]

    # Duplicate contacts: same email (case and spaces vary), new id, maybe created earlier.
    dup = np.flatnonzero(rng.random(n) < config.duplicate_share)
    dup_created = np.clip(
        created[dup] + rng.integers(-400, 400, size=dup.size) * 86400,
        CREATED_START.astype(np.int64),
        CREATED_END.astype(np.int64) - 1,
    )
    contact_student = np.r_[np.arange(n), dup]
    contact_created = np.r_[created, dup_created]
    n_contacts = contact_student.size
    contact_ids = rng.permutation(np.arange(n_contacts) + 1)
    contact_of_student = contact_ids[:n]
    dup_contact = contact_ids[n:]
    # opportunities of a duplicated student are split between its two contact ids
    dup_of_student = np.full(n, -1, dtype=np.int64)
    dup_of_student[dup] = dup_contact
    use_dup = (dup_of_student[opp_student] >= 0) & (rng.random(n_opp) < 0.4)
    opp_contact = np.where(use_dup, dup_of_student[opp_student], contact_of_student[opp_student])

    contact_country = country[contact_student]
    country_variant = rng.integers(0, 1000, size=n_contacts)
    unknown_country = rng.random(n_contacts) < UNKNOWN_COUNTRY_SHARE
    email_variant = np.r_[np.zeros(n, dtype=np.int64), 1 + _pick(rng, 2, dup.size)]
    fill = {
        name: np.where(
            rng.random(n_contacts) < SPARSE_FILL_SHARE, _pick(rng, len(values), n_contacts), -1
        )
        for name, values in SPARSE_FIELDS.items()
    }
    # a few filled-in fields hold only spaces: they count as empty
    blank = rng.random(n_contacts) < 0.002
    fill["professional_interests"] = np.where(blank, -2, fill["professional_interests"])
    contacts = {
        "student": contact_student,
        "contact_id": contact_ids,
        "is_missing_id": np.zeros(n_contacts, dtype=bool),
        "first_name": first_name[contact_student],
        "name_case": rng.random(n_contacts) < 0.05,
        "last_name": last_name[contact_student],
        "domain": domain[contact_student],
        "email_variant": email_variant,
        "country": contact_country,
        "country_variant": country_variant,
        "unknown_country": unknown_country,
        "unknown_variant": _pick(rng, len(UNKNOWN_COUNTRY_TEXT), n_contacts),
        "created": contact_created,
        "bad_created": np.zeros(n_contacts, dtype=bool),
        **{f"fill_{name}": values for name, values in fill.items()},
    }
    # Junk contact rows: no contact id, or a creation date nobody can read.
    n_junk = max(2, n // 500)
    junk_student = _pick(rng, n, n_junk)
    junk = {key: values[junk_student] for key, values in contacts.items()}
    junk["contact_id"] = n_contacts + 1000 + np.arange(n_junk)
    junk["is_missing_id"] = np.arange(n_junk) % 2 == 0
    junk["bad_created"] = np.arange(n_junk) % 2 == 1
    junk["student"] = n + np.arange(n_junk)  # emails of their own: nobody else's record
    contacts = {key: np.r_[values, junk[key]] for key, values in contacts.items()}
    contacts["row_order"] = rng.random(contacts["student"].size)

    opportunities = {
        "opportunity_id": 1 + rng.permutation(n_opp),
        "contact_id": opp_contact,
        "student": opp_student,
        "diploma": diploma,
        "diploma_variant": rng.integers(0, 1000, size=n_opp),
        "stage_variant": stage_variant,
        "term": np.where(unknown_term, -1 - _pick(rng, len(UNKNOWN_TERM_TEXT), n_opp), term),
        "term_variant": term_variant,
        "amount": amount,
        "amount_paid": amount_paid,
        "bogo": bogo,
        "bogo_style": _pick(rng, 4, n_opp),
        "created": opp_created,
        "close": opp_close,
    }
    # Bad opportunity rows: missing contact id, unknown contact id, negative amount, bad number.
    bad = rng.random(n_opp)
    opportunities["contact_id"] = np.where(bad < 0.002, -1, opportunities["contact_id"])
    opportunities["contact_id"] = np.where(
        (bad >= 0.002) & (bad < 0.005),
        10 * n_contacts + 5000 + np.arange(n_opp),
        opportunities["contact_id"],
    )
    opportunities["amount"] = np.where((bad >= 0.005) & (bad < 0.007), -amount, amount)
    opportunities["bad_amount"] = (bad >= 0.007) & (bad < 0.0075)
    # Export glitch: ~0.1% of opportunities appear twice (same id, same values).
    again = rng.random(n_opp) < 0.001
    opportunities = {key: np.r_[values, values[again]] for key, values in opportunities.items()}

    enrollments = {
        "enrollment_id": 100000 + rng.permutation(n_enr),
        "student": enrol_student,
        "email_variant": _pick(rng, 3, n_enr),
        "missing_email": rng.random(n_enr) < 0.001,
        "diploma": enrol_diploma,
        "diploma_variant": rng.integers(0, 1000, size=n_enr),
        "enrolled": enrolled_at,
        "status": _pick(rng, len(ENROLLMENT_STATUSES), n_enr),
    }
    # Orphan enrolments: emails the CRM has never seen.
    n_orphan = max(1, n_enr // 200)
    orphan = {key: values[:n_orphan].copy() for key, values in enrollments.items()}
    orphan["enrollment_id"] = 100000 + n_enr + np.arange(n_orphan)
    orphan["student"] = 10 * n + np.arange(n_orphan)
    enrollments = {key: np.r_[values, orphan[key]] for key, values in enrollments.items()}

    return {
        "contacts": pa.table(contacts),
        "opportunities": pa.table(opportunities),
        "enrollments": pa.table(enrollments),
    }


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _variant(lists: list[list[str]], index: str, variant: str) -> str:
    """SQL picking variant `variant mod len` of the list number `index` (0-based)."""
    flat = [v for values in lists for v in values]
    starts = np.cumsum([0] + [len(v) for v in lists])[:-1].tolist()
    return (
        f"{_sql_list(flat)}[1 + {starts}[{index} + 1] + "
        f"({variant} % {[len(v) for v in lists]}[{index} + 1])]"
    )


NAMES = FEMALE_NAMES + MALE_NAMES + OTHER_NAMES


def _email_sql(alias: str = "") -> str:
    """first.last<student>@domain, ASCII and lower case, from the coded columns."""
    return (
        f"lower(strip_accents({_sql_list(NAMES)}[{alias}first_name + 1])) || '.'"
        f" || lower(strip_accents({_sql_list(LAST_NAMES)}[{alias}last_name + 1]))"
        f" || {alias}student::varchar || '@' || {_sql_list(EMAIL_DOMAINS)}[{alias}domain + 1]"
    )


def _email_variant(email: str, variant: str) -> str:
    return (
        f"case {variant} when 1 then upper(substr({email}, 1, 1)) || substr({email}, 2)"
        f" when 2 then {email} || ' ' else {email} end"
    )


def _contacts_sql() -> str:
    sparse = ",\n".join(
        f"case when fill_{name} = -2 then '  ' when fill_{name} >= 0 "
        f"then {_sql_list(values)}[fill_{name} + 1] end as {name}"
        for name, values in SPARSE_FIELDS.items()
    )
    country = _variant([c[2] for c in COUNTRIES], "country", "country_variant")
    return f"""
    select
        case when is_missing_id then '' else '003' || lpad(contact_id::varchar, 9, '0') end
            as contact_id,
        case when name_case then upper({_sql_list(NAMES)}[first_name + 1])
             else {_sql_list(NAMES)}[first_name + 1] end as first_name,
        {_sql_list(LAST_NAMES)}[last_name + 1] as last_name,
        {_email_variant(f"({_email_sql()})", "email_variant")} as email,
        case when unknown_country then {_sql_list(UNKNOWN_COUNTRY_TEXT)}[unknown_variant + 1]
             else {country} end as country,
        case when bad_created then 'N/D'
             else strftime(make_timestamp(created * 1000000), '%Y-%m-%d %H:%M:%S') end
            as created_at,
        {sparse}
    from contacts
    order by created, row_order
    """


def _opportunities_sql() -> str:
    term_text = _variant([v for _, v in PAYMENT_TERMS], "term", "term_variant")
    product = _variant([d[4] for d in DIPLOMAS], "diploma", "diploma_variant")
    stages = _sql_list(STAGES_WON + STAGES_LOST + STAGES_OPEN)
    return f"""
    select
        '006' || lpad(opportunity_id::varchar, 9, '0') as opportunity_id,
        case when contact_id < 0 then '' else '003' || lpad(contact_id::varchar, 9, '0') end
            as contact_id,
        {product} as product,
        {stages}[stage_variant + 1] as stage,
        case when term < 0 then {_sql_list(UNKNOWN_TERM_TEXT)}[-term] else {term_text} end
            as payment_term,
        case when bad_amount then 'N/A' else printf('%.2f', amount) end as amount,
        printf('%.2f', amount_paid) as amount_paid,
        case bogo_style
            when 0 then case when bogo then 'true' else 'false' end
            when 1 then case when bogo then 'TRUE' else 'FALSE' end
            when 2 then case when bogo then 'Yes' else 'No' end
            else case when bogo then '1' else '' end
        end as bogo,
        strftime(make_timestamp(created * 1000000), '%Y-%m-%d') as created_date,
        case when close >= 0 then strftime(make_timestamp(close * 1000000), '%Y-%m-%d') end
            as close_date
    from opportunities
    order by opportunity_id
    """


def _enrollments_sql() -> str:
    course = _variant([d[4] for d in DIPLOMAS], "e.diploma", "e.diploma_variant")
    email = _email_sql("c.")
    return f"""
    with people as (
        select distinct on (student) student, first_name, last_name, domain
        from contacts
        order by student
    )
    select
        e.enrollment_id::varchar as enrollment_id,
        case when e.missing_email then ''
             when c.student is null then 'nuevo' || e.student::varchar || '@gmail.com'
             else {_email_variant(f"({email})", "e.email_variant")} end as email,
        {course} as course_name,
        strftime(make_timestamp(e.enrolled * 1000000), '%Y-%m-%d %H:%M:%S') as enrolled_at,
        {_sql_list(ENROLLMENT_STATUSES)}[e.status + 1] as status
    from enrollments as e
    left join people as c on e.student = c.student
    order by e.enrolled, e.enrollment_id
    """


def write(tables: dict[str, pa.Table], out_dir: str) -> dict[str, int]:
    """Format the tables as the three CSV exports in out_dir; return rows written per file."""
    os.makedirs(out_dir, exist_ok=True)
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    written = {}
    for file_name, sql in [
        (CONTACTS_FILE, _contacts_sql()),
        (OPPORTUNITIES_FILE, _opportunities_sql()),
        (ENROLLMENTS_FILE, _enrollments_sql()),
    ]:
        path = os.path.join(out_dir, file_name)
        tmp = path + ".tmp"
        written[file_name] = con.execute(
            f"copy ({sql}) to '{tmp}' (format csv, header)"
        ).fetchone()[0]
        os.replace(tmp, path)
    con.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000, help="number of distinct students")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", required=True, help="output folder for the three CSV files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    written = write(generate(StudentConfig(args.students, args.seed)), args.out)
    log.info(
        "wrote %s for %s students to %s in %.1fs",
        ", ".join(f"{n:,} {name}" for name, n in written.items()),
        f"{args.students:,}",
        args.out,
        time.perf_counter() - started,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
