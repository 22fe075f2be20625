"""An independent pandas computation of the olist store's fct_customer_rfm rows, written from the
Olist definitions: customer = customer_unique_id; counted order = status not canceled or
unavailable; as_of = the day after the latest purchase date over all orders; recency = as_of -
date of the last counted order; frequency = counted orders; monetary = sum of payment_value of
counted orders (0 when none). Scores and named segments as for every store (rfm_reference). It
shares no code with the dbt models; customers are keyed by customer_unique_id.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rfm_reference import _score, _segment

NOT_COUNTED = {"canceled", "unavailable"}


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = next(p for p in (folder / f"{name}.csv", folder / f"{name}.csv.gz") if p.exists())
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _timestamps(text: pd.Series) -> pd.Series:
    """ISO `2017-10-02 10:56:33` or US `10/2/2017 10:56`."""
    iso = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    us = pd.to_datetime(text, format="%m/%d/%Y %H:%M", errors="coerce")
    return iso.fillna(us)


def reference_olist_rfm(folder: Path) -> pd.DataFrame:
    """One row per customer_unique_id with at least one order: the RFM columns of the mart."""
    orders = _read(folder, "olist_orders_dataset")
    customers = _read(folder, "olist_customers_dataset").drop_duplicates("customer_id")
    payments = _read(folder, "olist_order_payments_dataset")
    orders["date"] = _timestamps(orders["order_purchase_timestamp"]).dt.normalize()
    as_of = orders["date"].max() + pd.Timedelta(days=1)
    orders = orders.merge(customers[["customer_id", "customer_unique_id"]], on="customer_id")
    paid = (
        payments.assign(value=payments["payment_value"].astype(float))
        .groupby("order_id")["value"]
        .sum()
    )
    orders["value"] = orders["order_id"].map(paid).fillna(0.0)
    counted = orders[~orders["order_status"].isin(NOT_COUNTED)]

    out = pd.DataFrame(
        index=pd.Index(sorted(orders["customer_unique_id"].unique()), name="customer_key")
    )
    by_customer = counted.groupby("customer_unique_id")
    out["first_purchase_date"] = by_customer["date"].min()
    out["last_purchase_date"] = by_customer["date"].max()
    out["frequency"] = by_customer["order_id"].nunique()
    out["monetary"] = by_customer["value"].sum()
    out["frequency"] = out["frequency"].fillna(0).astype("int64")
    out["monetary"] = out["monetary"].fillna(0.0)
    out["has_purchases"] = out["frequency"] > 0
    out["recency_days"] = (as_of - out["last_purchase_date"]).dt.days
    out["tenure_days"] = (as_of - out["first_purchase_date"]).dt.days
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
    out["as_of_date"] = as_of
    return out.reset_index()
