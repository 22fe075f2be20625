"""Each store's lifetime value models of a published warehouse, as POST /api/clv scores with:
the served repeat-purchase model and the Gamma-Gamma spend model of marts.clv_model (fit_window
full) with the settings the build scored with, scored by models_py.clv.score_customers, the
build's own scoring. Read once per publish; never fitted here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from apps.warehouse import Snapshot
from models_py import clv

FITS_QUERY = "select * from marts.clv_model order by store"


class ClvModelUnavailable(Exception):
    """The store has no lifetime value model the API can score given values with; says why."""


@dataclass(frozen=True)
class StoreClvModel:
    store: str
    purchase_fit: clv.Fit
    spend_fit: clv.Fit
    churn_days: int
    horizon_days: int
    annual_discount_rate: float
    model_run_id: str


def clv_models(snapshot: Snapshot) -> Mapping[str, StoreClvModel]:
    """Every store's served lifetime value models (stores without one are left out)."""
    return snapshot.memo("clv_models", lambda: _load(snapshot))


def _load(snapshot: Snapshot) -> Mapping[str, StoreClvModel]:
    if not snapshot.has_table("clv_model"):
        return MappingProxyType({})
    models = {}
    for store, rows in snapshot.query(FITS_QUERY).groupby("store", sort=True):
        served = clv.served_fit_rows(rows)
        if served is None:
            continue
        first, spend = served
        models[store] = StoreClvModel(
            store, clv.fit_from_row(first), clv.fit_from_row(spend), int(first["churn_days"]),
            int(first["horizon_days"]), float(first["annual_discount_rate"]),
            str(first["model_run_id"]),
        )  # fmt: skip
    return MappingProxyType(models)


def store_clv_model(snapshot: Snapshot, store: str) -> StoreClvModel:
    model = clv_models(snapshot).get(store)
    if model is None:
        raise ClvModelUnavailable(
            f"store {store} has no lifetime value model in the published warehouse"
            " (marts.clv_model; too few customers before its holdout, or built before it)"
        )
    if model.purchase_fit.model == "gradient_boosting":
        raise ClvModelUnavailable(
            f"store {store} is served by gradient boosting, which scores a customer's own purchase"
            " history only: see GET /api/customers/{customer_id}"
        )
    return model


def score_values(
    model: StoreClvModel, frequency: int, recency: int, age: int, monetary_value: float
) -> dict[str, float]:
    """The scores of one customer given as x (frequency), t_x (recency) and T (age), in days,
    and their mean spend per repeat purchase day."""
    summary = pd.DataFrame(
        {"x": [frequency], "t_x": [float(recency)], "T": [float(age)],
         "mean_repeat_spend": [monetary_value if frequency > 0 else float("nan")]}
    )  # fmt: skip
    scores = clv.score_customers(
        model.purchase_fit, model.spend_fit, summary, model.churn_days, model.horizon_days,
        model.annual_discount_rate,
    )  # fmt: skip
    return {name: float(value) for name, value in scores.iloc[0].items()}
