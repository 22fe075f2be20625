"""Segment explorer of a store: profiles, R/F/M per segment, the PCA scatter, k selection and the rules."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, formats, ui
from apps.warehouse import Snapshot

FEATURE_TITLES = {
    "recency_days": "Recency (days since last purchase)",
    "frequency": "Frequency (purchase invoices)",
    "monetary": "Monetary (net value)",
}


def _distribution_figure(summary, feature: str) -> go.Figure:
    """Boxes drawn from percentiles computed in SQL (whiskers at the 5th and 95th)."""
    fig = go.Figure(
        go.Box(
            x=summary["segment_label"],
            q1=summary["p25"],
            median=summary["p50"],
            q3=summary["p75"],
            lowerfence=summary["p05"],
            upperfence=summary["p95"],
            mean=summary["mean"],
            name=feature,
            boxpoints=False,
        )
    )
    fig.update_layout(title=FEATURE_TITLES[feature], showlegend=False, height=360)
    if feature == "monetary":
        # powers of ten only, in the store's money: "£10, £100, £1,000"
        fig.update_yaxes(type="log", dtick=1, tickprefix=ui.currency(), tickformat=",.0f")
    return fig


def render(wh: Snapshot, store: str) -> None:
    st.header("Segment explorer")
    if not wh.has_table("segment_profiles"):
        ui.missing("segment_profiles")
        return
    profiles = data.segment_profiles(wh, store)
    st.subheader("What to do with each segment")
    for row in profiles.itertuples():
        advice = (
            f"**{row.suggested_action}.** {row.suggestion}"
            if isinstance(row.suggested_action, str)
            else "no suggestion in seed segment_playbook"
        )
        st.markdown(
            f"**{row.segment_label}** ({row.customers:,} customers, "
            f"{formats.percent(row.share_of_revenue)} of revenue; mostly "
            f"{row.dominant_rfm_segment}): {advice}"
        )
    st.subheader("Profiles")
    lead = ["segment_id", "segment_label", "customers", "share_of_customers", "revenue"]
    lead += ["share_of_revenue", "suggested_action", "dominant_rfm_segment", "segment_position"]
    ui.table(
        profiles[[c for c in lead if c in profiles] + [c for c in profiles if c not in lead]],
        "segment profiles",
        "One row per segment: size, revenue, typical R/F/M, and what marketing should do. "
        "A segment is named for the RFM segment most common among its customers "
        "(dominant RFM segment), in words of its own: Top customers are mostly Champions, "
        "and Champions alone means the RFM segment.",
    )

    st.subheader("Recency, frequency and monetary by segment")
    cols = st.columns(3)
    for col, feature in zip(cols, data.RFM_FEATURES, strict=True):
        with col:
            summary = data.feature_distribution(wh, store, feature)
            ui.chart(
                _distribution_figure(summary, feature),
                f"Box = middle half of the segment's customers, line = median, whiskers = 5th "
                f"to 95th percentile of {feature}.",
                key=f"segments_dist_{feature}",
            )
    st.download_button(
        "Download R/F/M percentiles by segment (CSV)",
        _distributions_csv(wh, store),
        file_name="rfm_percentiles_by_segment.csv",
        mime="text/csv",
        key="download_rfm_percentiles",
        on_click="ignore",
    )

    st.subheader("Customers on the first two principal components")
    sample = data.pca_sample(wh, store)
    total = data.segmented_customers(wh, store)
    fig = px.scatter(
        sample,
        x="pca_1",
        y="pca_2",
        color="segment_label",
        color_discrete_map=ui.segment_colours(profiles),
        hover_data=["customer_id", "recency_days", "frequency", "monetary"],
        opacity=0.6,
        render_mode="webgl",
        title=f"PCA of standardised log R, F, M ({len(sample):,} of {total:,} customers)",
    )
    fig.update_traces(marker={"size": 5})
    fig.update_layout(height=520, legend_title_text="segment")
    ui.chart(
        fig,
        "Each dot is a customer; well-separated colours mean segments that differ clearly in "
        f"R, F and M (a fixed-seed sample of at most {data.SCATTER_SAMPLE_ROWS:,}).",
        key="segments_pca",
    )

    st.subheader("How k was chosen")
    if wh.has_table("segment_k_selection"):
        k_frame = data.k_selection(wh, store)
        ui.chart(
            ui.k_selection_figure(k_frame, "Choosing the number of segments", height=380),
            "The star marks the k in use; the dotted line is the inertia elbow, and the chosen "
            "k is the best silhouette near it.",
            key="segments_k",
        )
        ui.table(k_frame, "k selection")
    else:
        ui.missing("segment_k_selection")

    st.subheader("Decision rules that explain the segments")
    if wh.has_table("segment_rules"):
        rules = data.segment_rules(wh, store)
        if not rules.empty:
            st.caption(
                f"A depth-3 tree on raw R, F and M reproduces "
                f"{float(rules['tree_agreement'].iloc[0]):.0%} of the segment assignments."
            )
        ui.table(
            rules, "segment rules", "Each row is one leaf of the tree: its conditions → segment."
        )
    else:
        ui.missing("segment_rules")


def _distributions_csv(wh: Snapshot, store: str) -> bytes:
    frames = []
    for feature in data.RFM_FEATURES:
        frame = data.feature_distribution(wh, store, feature)
        frame.insert(0, "feature", feature)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).to_csv(index=False).encode("utf-8")
