"""Score a customer: the API's validation, the store's segment model and its scoring, as the API."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st
from pydantic import ValidationError

from apps.api.schemas import MAX_FREQUENCY, MAX_MONETARY, MAX_RECENCY_DAYS, ClusterRequest
from apps.dashboard import formats
from apps.segment_models import InvalidSegmentModel, score, store_models
from apps.warehouse import Snapshot

RESULT_KEY = "score_result"


def render(wh: Snapshot, store: str) -> None:
    st.header("Score a customer")
    st.caption(
        "Enter a customer's recency, frequency and monetary value to get the segment it belongs "
        "to in this store: the same model and code as the scoring API (`/api/cluster`)."
    )
    try:
        model = store_models(wh)[store]
    except InvalidSegmentModel as exc:
        st.info(f"The published warehouse has {exc}: run `make run`.")
        return
    with st.form("score_form"):
        recency = st.number_input(
            "Recency (days since the last purchase)",
            min_value=0,
            max_value=MAX_RECENCY_DAYS,
            value=30,
            step=1,
            key="score_recency",
        )
        frequency = st.number_input(
            "Frequency (purchase invoices)",
            min_value=1,
            max_value=MAX_FREQUENCY,
            value=5,
            step=1,
            key="score_frequency",
        )
        monetary = st.number_input(
            "Monetary value (net value of the purchases)",
            min_value=0.01,
            max_value=MAX_MONETARY,
            value=500.0,
            step=10.0,
            key="score_monetary",
        )
        submitted = st.form_submit_button("Score")
    if submitted:
        try:
            request = ClusterRequest(
                recency=int(recency),
                frequency=int(frequency),
                monetary_value=float(monetary),
                store=store,
            )
        except ValidationError as exc:
            st.error(f"Invalid input: {exc.errors()[0]['msg']}")
            return
        result = score(model, request.recency, request.frequency, request.monetary_value)
        st.session_state[RESULT_KEY] = {
            **asdict(result),
            "store": model.store,
            "model_run_id": model.model.run_id,
        }
    result = st.session_state.get(RESULT_KEY)
    if result and result["store"] == store:  # an answer for another store is not shown
        cols = st.columns([3, 1, 1])
        cols[0].metric("Segment", result["label"])
        cols[1].metric("Segment id", str(result["segment_id"]))
        cols[2].metric("Distance to centroid", f"{result['distance']:.3f}")
        st.success(result["suggestion"])
        st.caption(
            f"Store `{result['store']}`, model run {formats.run_label(result['model_run_id'])}."
        )
