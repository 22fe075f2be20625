"""An independent pandas computation of fct_customer_rfm, written from the issue's definitions.

It shares no code with the dbt models: the service codes and segment rules are spelled out here
as the specification states them, so a broken seed or SQL rule shows up as a difference.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SERVICE_CODES = {"POST", "DOT", "C2", "M", "m", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK", "B"}
# (segment, R range, F range) in rule order; first match wins.
SEGMENT_RULES = [
    ("Champions", (5, 5), (4, 5)),
    ("Loyal", (3, 4), (4, 5)),
    ("Potential Loyalist", (4, 5), (2, 3)),
    ("New", (5, 5), (1, 1)),
    ("Promising", (4, 4), (1, 1)),
    ("Need Attention", (3, 3), (3, 3)),
    ("About to Sleep", (3, 3), (1, 2)),
    ("Can't Lose", (1, 2), (5, 5)),
    ("At Risk", (1, 2), (3, 4)),
    ("Hibernating", (1, 2), (1, 2)),
]
LAYOUT_II = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}


def read_raw(path: Path) -> pd.DataFrame:
    """The raw lines as text, in layout I names."""
    if str(path).endswith(".parquet"):
        raw = pd.read_parquet(path).astype("string").fillna("")
    else:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return raw.rename(columns=LAYOUT_II)


def _score(values: pd.Series, ascending: bool) -> pd.Series:
    n = len(values)
    rank = values.rank(method="min", ascending=ascending)
    pct = (rank - 1) / (n - 1) if n > 1 else rank * 0.0
    return np.minimum(5, 1 + np.floor(5 * pct)).astype("int64")


def _segment(r: int, f: int) -> str:
    for name, (r_lo, r_hi), (f_lo, f_hi) in SEGMENT_RULES:
        if r_lo <= r <= r_hi and f_lo <= f <= f_hi:
            return name
    raise AssertionError(f"no rule for R{r} F{f}")


def reference_rfm(path: Path, as_of: str | None = None) -> pd.DataFrame:
    raw = read_raw(path)
    lines = raw[~raw.duplicated(keep="first")].copy()
    lines["invoice_no"] = lines["InvoiceNo"].str.strip()
    lines["stock_code"] = lines["StockCode"].str.strip()
    lines["quantity"] = lines["Quantity"].astype("int64")
    lines["price"] = lines["UnitPrice"].astype("float64")
    lines["date"] = pd.to_datetime(lines["InvoiceDate"]).dt.normalize()
    as_of_date = pd.Timestamp(as_of) if as_of else lines["date"].max() + pd.Timedelta(days=1)
    lines = lines[(lines["CustomerID"].str.strip() != "") & (lines["date"] <= as_of_date)].copy()
    lines["customer_id"] = lines["CustomerID"].astype("float64").astype("int64")
    lines["value"] = lines["quantity"] * lines["price"]
    kind = lines["invoice_no"].str.upper().str[0]
    service = lines["stock_code"].isin(SERVICE_CODES)
    purchases = lines[
        ~kind.isin(["C", "A"]) & ~service & (lines["quantity"] > 0) & (lines["price"] > 0)
    ]
    returns = lines[(kind == "C") & ~service]

    country_counts = lines.groupby(["customer_id", "Country"]).size().reset_index(name="n")
    country = (
        country_counts.sort_values(["customer_id", "n", "Country"], ascending=[True, False, True])
        .drop_duplicates("customer_id")
        .set_index("customer_id")["Country"]
    )
    out = pd.DataFrame(index=pd.Index(sorted(lines["customer_id"].unique()), name="customer_id"))
    out["country"] = country
    by_customer = purchases.groupby("customer_id")
    out["first_purchase_date"] = by_customer["date"].min()
    out["last_purchase_date"] = by_customer["date"].max()
    out["frequency"] = by_customer["invoice_no"].nunique()
    out["purchase_value"] = by_customer["value"].sum()
    out["returned_value"] = -returns.groupby("customer_id")["value"].sum()
    out["n_returns"] = returns.groupby("customer_id")["invoice_no"].nunique()
    out[["frequency", "n_returns"]] = out[["frequency", "n_returns"]].fillna(0).astype("int64")
    out[["purchase_value", "returned_value"]] = out[["purchase_value", "returned_value"]].fillna(
        0.0
    )
    out["monetary"] = out["purchase_value"] - out["returned_value"]
    out["has_purchases"] = out["frequency"] > 0
    cancelled_any = set(lines.loc[kind == "C", "customer_id"])
    out["is_cancellation_only"] = ~out["has_purchases"] & out.index.isin(cancelled_any)
    out["recency_days"] = (as_of_date - out["last_purchase_date"]).dt.days
    out["tenure_days"] = (as_of_date - out["first_purchase_date"]).dt.days
    out["avg_order_value"] = out["purchase_value"] / out["frequency"].where(out["has_purchases"])

    buyers = out[out["has_purchases"]]
    out["r_score"] = _score(buyers["recency_days"], ascending=False)
    out["f_score"] = _score(buyers["frequency"], ascending=True)
    out["m_score"] = _score(buyers["monetary"], ascending=True)
    out["rfm_segment"] = [
        _segment(int(r), int(f)) if has else None
        for r, f, has in zip(
            out["r_score"].fillna(0), out["f_score"].fillna(0), out["has_purchases"], strict=True
        )
    ]
    out["as_of_date"] = as_of_date
    return out.reset_index()
