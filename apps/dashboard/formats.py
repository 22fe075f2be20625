"""Numbers as a person reads them, in one place: money with the store's currency symbol and
thousands separators, shares as percentages, dates as dates, runs by a short label. Table
columns are formatted by what their names hold (the marts' naming conventions)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

# ISO 4217 code (seed `stores`, column currency) -> symbol; another code is written before the
# amount ("CHF 1,234")
CURRENCY_SYMBOLS = {"GBP": "£", "BRL": "R$", "USD": "$", "EUR": "€", "JPY": "¥"}

MONEY = re.compile(r"(revenue|monetary|clv|spend|price|amount|order_value|basket_value|ltv)")
SHARE = re.compile(
    r"(share|_rate$|^rate$|churn_risk|p_alive|probability|confidence|accuracy|precision|recall"
    r"|coverage|_auc$|^auc$|f1$|support$)"
)
RUN_ID = re.compile(r"run_id$")
RUN_LABEL_CHARS = 8


def currency_symbol(code: str | None) -> str:
    """The symbol of a currency code ("" when the store has none)."""
    if not code or pd.isna(code):
        return ""
    return CURRENCY_SYMBOLS.get(str(code).upper(), f"{code} ")


def money(value: float, symbol: str, decimals: int = 0) -> str:
    """An amount: "£8,265,477", "-£12.50"."""
    if value is None or pd.isna(value):
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.{decimals}f}"


def percent(value: float, decimals: int = 0) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.{decimals}%}"


def run_label(run_id: str | None) -> str:
    """A run id as people see it: its first characters (the full id stays in downloads)."""
    return "none" if not run_id else str(run_id)[:RUN_LABEL_CHARS]


def day(value) -> str:
    """A timestamp of a day as the day ("2011-12-10")."""
    return "unknown" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def _number_format(name: str, values: pd.Series, symbol: str) -> str | None:
    """The printf format of a numeric column by what its name holds, None to leave it."""
    finite = pd.to_numeric(values, errors="coerce").dropna()
    if SHARE.search(name) and (finite.empty or finite.between(0, 1).all()):
        return "percent"
    if MONEY.search(name):
        return f"{symbol}%,.2f" if finite.empty or finite.abs().max() < 1000 else f"{symbol}%,.0f"
    if pd.api.types.is_integer_dtype(values) or name.startswith(("n_", "customers")):
        return "%,d"
    largest = finite.abs().max() if not finite.empty else 0
    return "%,.0f" if largest >= 1000 else "%,.2f" if largest >= 1 else "%.4g"


def for_display(frame: pd.DataFrame, symbol: str) -> tuple[pd.DataFrame, dict]:
    """The frame as a table shows it (days as dates, run ids as run labels) and its column
    configuration (number formats, wide text columns)."""
    shown = frame.copy()
    config = {}
    for name in frame.columns:
        values = frame[name]
        if RUN_ID.search(name) and not pd.api.types.is_numeric_dtype(values):
            shown[name] = values.map(lambda v: None if pd.isna(v) else run_label(v))
        elif pd.api.types.is_datetime64_any_dtype(values):
            stamps = values.dropna()
            if (stamps == stamps.dt.normalize()).all():
                shown[name] = values.dt.date
        elif pd.api.types.is_bool_dtype(values):
            continue
        elif pd.api.types.is_numeric_dtype(values):
            number_format = _number_format(name, values, symbol)
            if number_format:
                config[name] = st.column_config.NumberColumn(format=number_format)
        else:
            longest = values.dropna().astype("string").str.len().max()
            if pd.notna(longest) and longest > 60:
                config[name] = st.column_config.TextColumn(width="large")
    return shown, config
