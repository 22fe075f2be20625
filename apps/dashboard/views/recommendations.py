"""Recommendations of a store: a customer's next-best products, how well the recommender predicted
what customers bought next against two popularity baselines, and the products most often bought
together; from the recommendation marts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, ui
from apps.warehouse import Snapshot

CUSTOMER_PARAM = "customer"  # ?customer=<id> in the address
# customer ids are BIGINTs in the warehouse
MIN_CUSTOMER_ID, MAX_CUSTOMER_ID = -(2**63), 2**63 - 1
METRICS = {
    "precision_at_10": "precision@10",
    "recall_at_10": "recall@10",
    "hit_rate_at_10": "hit rate@10",
    "catalogue_coverage": "catalogue coverage",
}
METHOD_NAMES = {
    "model": "recommender",
    "global_popularity": "global popularity (baseline)",
    "segment_popularity": "segment popularity (baseline)",
}
# the customer's table: the mart's columns, as shown
TABLE_COLUMNS = {
    "recommendation_rank": "rank",
    "product_id": "product",
    "description": "description",
    "category_name": "category",
    "score": "score",
    "reason": "reason",
}
EVALUATION_TITLE = "Recommendations against what customers bought next"


def _method_name(method: str) -> str:
    return METHOD_NAMES.get(method, method)


def _baseline_name(method: str) -> str:
    return _method_name(method).removesuffix(" (baseline)")


def parse_customer_id(text: str | None) -> int | None:
    """A customer id typed or given in the address, None when it is not a 64-bit whole number."""
    try:
        value = int(str(text).strip())
    except ValueError:
        return None
    return value if MIN_CUSTOMER_ID <= value <= MAX_CUSTOMER_ID else None


# --- the customer's recommendations --------------------------------------------------------------


def reason_counts(rows: pd.DataFrame) -> tuple[int, int, int]:
    """How many recommendations come from the rules, the segment and the category."""
    reasons = rows["reason"].astype(str)
    return (
        int(reasons.str.startswith(data.BOUGHT_WITH).sum()),
        int((reasons == "popular_in_segment").sum()),
        int((reasons == "popular_in_category").sum()),
    )


def customer_caption(customer_id: int, rows: pd.DataFrame) -> str:
    first = rows.iloc[0]
    segment = (
        "no segment"
        if pd.isna(first["segment_id"])
        else f"segment {int(first['segment_id'])} · {first['segment_label']}"
    )
    rules, segment_popular, category_popular = reason_counts(rows)
    return (
        f"Customer {customer_id} ({segment}): of the {len(rows)} recommendations, {rules} are "
        f"bought with products of theirs, {segment_popular} popular in their segment and "
        f"{category_popular} popular in the category they spend most on."
    )


def _choose_customer(wh: Snapshot, store: str) -> int | None:
    """The customer shown: typed in, else from the address, else the one with the most
    recommendations from products bought together."""
    default = data.showcase_customer(wh, store)
    if default is None:
        st.info("The published warehouse has no recommendations for this store.")
        return None
    key = f"recommendations_customer_{store}"
    if key not in st.session_state:
        requested = parse_customer_id(st.query_params.get(CUSTOMER_PARAM))
        st.session_state[key] = str(default if requested is None else requested)
    text = st.text_input(
        "Customer id",
        key=key,
        help=f"Any customer of the store; {default} has the most recommendations from products "
        "bought together.",
    )
    customer_id = parse_customer_id(text)
    if customer_id is None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        st.info(f"`{shown}` is not a customer id: enter a whole number, e.g. {default}.")
        return None
    st.query_params[CUSTOMER_PARAM] = str(customer_id)
    return customer_id


def _customer_section(wh: Snapshot, store: str) -> None:
    st.subheader("A customer's next-best products")
    customer_id = _choose_customer(wh, store)
    if customer_id is None:
        return
    rows = data.customer_recommendations(wh, store, customer_id)
    if rows.empty:
        st.info(
            f"Customer {customer_id} has no recommendations in this store: not one of its "
            "customers, or no purchase to recommend from."
        )
        return
    st.caption(customer_caption(customer_id, rows))
    ui.table(
        rows[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS),
        "customer recommendations",
        "Ten products the customer has not bought, strongest first. bought_with:<product>: "
        "bought with that product of theirs, the score the share of its baskets that hold this "
        "one too (confidence); popular_in_segment / popular_in_category: the share of their "
        "segment's (of all) customers who bought it.",
    )


# --- the evaluation ------------------------------------------------------------------------------


def _evaluation_figure(evaluation: pd.DataFrame) -> go.Figure:
    """One group of bars per measure, one bar per method."""
    fig = go.Figure(
        [
            go.Bar(
                x=list(METRICS.values()),
                y=[row[metric] for metric in METRICS],
                name=_method_name(row["method"]),
                text=[f"{row[metric]:.2f}" for metric in METRICS],
                textposition="outside",
                hovertemplate="%{x}: %{y:.3f}<extra>%{fullData.name}</extra>",
            )
            for _, row in evaluation.iterrows()
        ]
    )
    fig.update_layout(
        title=EVALUATION_TITLE,
        barmode="group",
        yaxis={"title": "score (1 = best)", "range": [0, 1.1]},
        legend_title_text="method",
        height=380,
    )
    return fig


def _verb(model: float, baseline: float) -> str:
    return "beats" if model > baseline else "trails" if model < baseline else "ties with"


def evaluation_reading(evaluation: pd.DataFrame) -> str:
    """One sentence from the numbers: the recommender's hit rate against each baseline's, then
    precision and catalogue coverage."""
    by_method = evaluation.set_index("method", drop=False)
    if "model" not in by_method.index:
        return "The evaluation has no row for the recommender."
    model = by_method.loc["model"]
    baselines = [by_method.loc[m] for m in data.RECOMMENDATION_METHODS[1:] if m in by_method.index]
    hit_rate = model["hit_rate_at_10"]
    if not baselines:
        return f"The recommender's hit rate@10 is {hit_rate:.2f}; there is no baseline."
    verbs = [_verb(hit_rate, b["hit_rate_at_10"]) for b in baselines]
    clauses = [f"{_baseline_name(b['method'])}'s {b['hit_rate_at_10']:.2f}" for b in baselines]
    if len(set(verbs)) == 1:  # "beats a and b"
        against = f"{verbs[0]} {' and '.join(clauses)}"
    else:  # "beats a but trails b"
        against = " but ".join(f"{v} {c}" for v, c in zip(verbs, clauses, strict=True))
    precision = " and ".join(f"{b['precision_at_10']:.3f}" for b in baselines)
    coverage = " and ".join(f"{b['catalogue_coverage']:.0%}" for b in baselines)
    return (
        f"The recommender's hit rate@10 {hit_rate:.2f} {against}: {hit_rate:.0%} of the evaluated "
        f"customers bought at least one of its ten products within {int(model['holdout_days'])} "
        f"days. Precision@10: {model['precision_at_10']:.3f} against {precision}; catalogue "
        f"coverage: {model['catalogue_coverage']:.0%} against {coverage}."
    )


def _evaluation_section(wh: Snapshot, store: str) -> None:
    st.subheader("How well the recommendations predict the next purchases")
    evaluation = data.recommendation_evaluation(wh, store)
    if evaluation.empty:
        st.info("The published warehouse has no evaluation of the recommendations for this store.")
        return
    first = evaluation.iloc[0]
    cutoff = str(first["cutoff_date"])[:10]
    holdout = int(first["holdout_days"])
    evaluated = int(evaluation["customers_evaluated"].max())
    if evaluated == 0 or evaluation[list(METRICS)].isna().all(axis=None):
        st.info(
            f"No customer of this store bought a product new to them in the {holdout} days from "
            f"the evaluation's cutoff ({cutoff}): there is nothing to evaluate the "
            "recommendations on."
        )
        return
    st.caption(
        f"Trained on the baskets before {cutoff} ({int(first['training_customers']):,} "
        f"customers, {int(first['training_products']):,} products), scored on the {evaluated:,} "
        f"of those customers who bought a product new to them in the {holdout} days from it: "
        "each method's ten products against those. Baselines: the most popular products overall, "
        "and in the customer's segment."
    )
    ui.chart(
        _evaluation_figure(evaluation),
        evaluation_reading(evaluation),
        "recommendations_evaluation",
    )
    evaluation["cutoff_date"] = pd.to_datetime(evaluation["cutoff_date"]).dt.date
    ui.table(evaluation, "recommendation evaluation")


# --- the associations ----------------------------------------------------------------------------


def _associations_section(wh: Snapshot, store: str) -> None:
    st.subheader("Products bought together")
    top = data.top_associations(wh, store)
    if top.empty:
        st.info(
            "No pair of this store's products was bought together in "
            f"{data.ASSOCIATION_MIN_BASKETS} baskets or more."
        )
        return
    ui.table(
        top,
        "top associations",
        f"The {len(top)} rules with the highest lift among the pairs bought together in at least "
        f"{data.ASSOCIATION_MIN_BASKETS} baskets. Lift: how many times more often a basket with "
        "the first product holds the second than any basket does; confidence: the share of the "
        "first product's baskets that hold the second; support: the share of all baskets that "
        "hold both. A pair comes both ways, each with its own confidence.",
    )


# --- the page ------------------------------------------------------------------------------------


def render(wh: Snapshot, store: str) -> None:
    st.header("Recommendations")
    missing = data.missing_recommendation_marts(wh)
    if missing:
        tables = ", ".join(f"`marts.{name}`" for name in missing)
        verb = "is" if len(missing) == 1 else "are"
        st.info(f"{tables} {verb} not in the published warehouse yet: rebuild with `make run`.")
        return
    _customer_section(wh, store)
    _evaluation_section(wh, store)
    _associations_section(wh, store)
