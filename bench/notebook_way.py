"""The notebook way: pandas reads the file, groupby for R/F/M, scikit-learn KMeans.

    python bench/notebook_way.py FILE.parquet K OUT.parquet

Follows the same definitions as the warehouse (exact duplicates once, service codes out,
cancellations net against monetary) so that the race is fair.
"""

from __future__ import annotations

import sys

import pandas as pd

from bench.kmeans_fit import fit_segments

SERVICE_CODES = ["POST", "DOT", "C2", "M", "m", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK", "B"]


def main(path: str, k: int, out: str) -> None:
    df = pd.read_parquet(path)
    df = df.drop_duplicates()
    as_of = pd.to_datetime(df["InvoiceDate"]).max().normalize() + pd.Timedelta(days=1)
    df = df[df["CustomerID"].notna()].copy()
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"]).dt.normalize()
    invoice = df["InvoiceNo"].astype(str).str.strip().str.upper()
    service = df["StockCode"].astype(str).str.strip().isin(SERVICE_CODES)
    df["value"] = df["Quantity"] * df["UnitPrice"]
    purchases = df[
        ~invoice.str.startswith(("C", "A"))
        & ~service
        & (df["Quantity"] > 0)
        & (df["UnitPrice"] > 0)
    ]
    returns = df[invoice.str.startswith("C") & ~service]

    rfm = purchases.groupby("CustomerID").agg(
        last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"), monetary=("value", "sum")
    )
    rfm["monetary"] = rfm["monetary"].add(
        returns.groupby("CustomerID")["value"].sum(), fill_value=0
    )
    rfm = rfm.loc[rfm.index.isin(purchases["CustomerID"])]
    rfm["recency"] = (as_of - rfm["last"]).dt.days
    rfm = rfm[rfm["monetary"] > 0].reset_index().rename(columns={"CustomerID": "customer_id"})
    rfm["segment"] = fit_segments(rfm, k)
    rfm[["customer_id", "recency", "frequency", "monetary", "segment"]].to_parquet(out)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
