"""Customer lifetime value of a store: which model serves it and why, the distribution of
predicted value, churn risk against recency, the calibration-vs-holdout check, and the valuable
customers at risk (marts customer_lifetime_value, clv_holdout_evaluation, clv_holdout_buckets,
segment_clv)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, ui
from apps.warehouse import Snapshot
from models_py.clv import FREQUENCY_BUCKETS

MODEL_NAMES = {
    "naive": "naive baseline (own past rate)",
    "bg_nbd": "BG/NBD",
    "mbg_nbd": "MBG/NBD",
    "gradient_boosting": "gradient boosting",
}
SCATTER_ROWS = 3000


def _model(name: str) -> str:
    return MODEL_NAMES.get(name, name)


def evaluation_reading(evaluation: pd.DataFrame) -> str:
    """One sentence on the served model against the naive baseline and on the churn score."""
    served = evaluation.loc[evaluation["is_served"]].iloc[0]
    naive = evaluation.loc[evaluation["purchase_model"] == "naive"]
    days = int(served["holdout_days"])
    text = f"Served: **{_model(served['purchase_model'])}**, the lowest per-customer error on the last {days} days, predicted from the days before"
    if served["purchase_model"] == "naive":
        text += " — no model beat the naive baseline on this store's holdout, so the baseline is served."
    elif len(naive):
        text += (
            f" (mean error {served['purchases_mae']:.2f} purchase days per customer against the"
            f" naive baseline's {naive['purchases_mae'].iloc[0]:.2f})."
        )
    if pd.notna(served["churn_auc"]) and pd.notna(served["recency_churn_auc"]):
        better = served["churn_auc"] > served["recency_churn_auc"]
        text += (
            f" Its churn risk ranks who bought nothing in the holdout with AUC"
            f" {served['churn_auc']:.2f}, {'better' if better else 'no better'} than days since"
            f" the last purchase alone ({served['recency_churn_auc']:.2f})."
        )
    return text


def _calibration_figure(buckets: pd.DataFrame, served: str) -> go.Figure:
    shown = buckets.loc[buckets["purchase_model"].isin([served, "naive"])]
    actual = shown.loc[shown["purchase_model"] == served]
    labels = [f"{b}+" if b == FREQUENCY_BUCKETS else str(b) for b in actual["frequency_bucket"]]
    fig = go.Figure(
        go.Bar(x=labels, y=actual["actual_purchases"], name="actual", marker_color="#4c78a8")
    )
    compared = [served] + (["naive"] if served != "naive" else [])
    for model, colour in zip(compared, ("#f58518", "#9d9d9d"), strict=False):
        rows = shown.loc[shown["purchase_model"] == model]
        fig.add_trace(
            go.Scatter(x=labels, y=rows["predicted_purchases"], mode="lines+markers",
                       name=f"predicted: {_model(model)}", line={"color": colour})
        )  # fmt: skip
    fig.update_layout(
        title="Purchase days in the holdout, per customer, by purchase days before it",
        xaxis_title="repeat purchase days before the holdout",
        yaxis_title="mean purchase days in the holdout",
        height=380,
    )
    return fig


def _segments_reading(segments: pd.DataFrame) -> str:
    if segments.empty:
        return "No segment has customers with a lifetime value yet."
    top = segments.sort_values("at_risk_predicted_clv", ascending=False).iloc[0]
    return (
        f"{top['segment_label']}: {int(top['n_at_risk']):,} customers at risk holding {top['at_risk_predicted_clv_share']:.0%} of the"
        f" store's predicted value, the most of any segment."
    )


def render(wh: Snapshot, store: str) -> None:
    st.header("Customer lifetime value")
    missing = data.missing_clv_marts(wh)
    if missing:
        ui.missing(missing[0])
        return
    evaluation = data.clv_evaluation(wh, store)
    if evaluation.empty:
        st.info(
            "This store has no lifetime value models: too few customers bought before its holdout."
        )
        return
    st.markdown(evaluation_reading(evaluation))
    customers = data.clv_customers(wh, store)
    served = evaluation.loc[evaluation["is_served"], "purchase_model"].iloc[0]
    total = customers["predicted_clv"].sum()
    top = customers.loc[customers["value_tier"] == "Top 5%", "predicted_clv"].sum()
    cols = st.columns(3)
    cols[0].metric("Predicted value, next year", ui.money(total))
    cols[1].metric("Held by the top 5% of customers", f"{top / total:.0%}" if total else "–")
    cols[2].metric("Customers at risk", f"{customers['is_at_risk'].mean():.0%}")

    tiers = customers.groupby("value_tier", as_index=False).agg(
        customers=("customer_id", "size"), predicted_clv=("predicted_clv", "sum")
    )
    tiers["share"] = tiers["predicted_clv"] / total if total else 0.0
    order = ["Top 5%", "High", "Medium", "Low"]
    tiers = tiers.set_index("value_tier").reindex(order).dropna(how="all").reset_index()
    fig = px.bar(tiers, x="value_tier", y="share", text=tiers["share"].map("{:.0%}".format),
                 labels={"value_tier": "value tier", "share": "share of predicted value"},
                 title="Where the predicted value is")  # fmt: skip
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "Customers ranked by predicted value over the next year: Top 5%, High (the next 15%), Medium (the next 30%), Low (the other half).",
        key="clv_tiers",
    )

    sample = customers.sample(min(len(customers), SCATTER_ROWS), random_state=0)
    fig = px.scatter(sample, x="recency_days", y="churn_risk", color="value_tier",
                     category_orders={"value_tier": order}, opacity=0.6,
                     labels={"recency_days": "days since the last purchase", "churn_risk": "churn risk"},
                     title="Churn risk against days since the last purchase")  # fmt: skip
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "Churn risk is the chance of no purchase in the coming period; at the same recency, customers who used to buy often are at higher risk when they stop.",
        key="clv_churn",
    )

    buckets = data.clv_buckets(wh, store)
    ui.chart(
        _calibration_figure(buckets, served),
        "Bars: what customers did in the holdout; lines: what the models fitted before it predicted. Close lines mean the model holds on this store's data.",
        key="clv_calibration",
    )

    at_risk = customers.loc[customers["is_at_risk"]].nlargest(data.TOP_AT_RISK, "predicted_clv")
    ui.table(at_risk.round({"predicted_clv": 2, "churn_risk": 3, "p_alive": 3, "expected_purchases_90d": 2, "expected_spend_per_purchase": 2}),
             "valuable customers at risk",
             f"The {data.TOP_AT_RISK} customers with the most predicted value among those at risk: who to win back first.")  # fmt: skip
    segments = data.segment_clv(wh, store)
    ui.table(segments.round(3), "lifetime value by segment", _segments_reading(segments))
    ui.table(
        evaluation.round(3),
        "holdout evaluation",
        "Every candidate model on the holdout; the served one first.",
    )
