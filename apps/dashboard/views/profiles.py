"""Segment profiles by attribute of a store: how each segment's customers spread over the values of
one attribute (country, and what else the store records: state, city, payment type, ...), from
marts.segment_attribute_profiles."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, formats, ui
from apps.warehouse import Snapshot

ATTRIBUTE_KEY = "profiles_attribute"
# the reading names the most over-represented value among cells of at least this many customers
# (when there are such cells): a value of one customer in a small segment says little
READING_MIN_CUSTOMERS = 10


def _segment_name(segment_id, label) -> str:
    return f"{int(segment_id)} · {label}"


def _heatmap(cells: pd.DataFrame, attribute: str) -> go.Figure:
    """Segments (rows, by segment_id) x values (columns, most customers first, "other" last)."""
    rows = cells.drop_duplicates("segment_id").sort_values("segment_id")
    columns = cells.drop_duplicates("value_rank").sort_values("value_rank")
    share = cells.pivot(index="segment_id", columns="value_rank", values="share_of_segment")
    share = share.reindex(index=rows["segment_id"], columns=columns["value_rank"]).fillna(0.0)
    customers = cells.pivot(index="segment_id", columns="value_rank", values="customers")
    customers = customers.reindex(index=share.index, columns=share.columns).fillna(0)
    text = [
        [f"{s:.0%}" if n else "" for s, n in zip(s_row, n_row, strict=True)]
        for s_row, n_row in zip(share.to_numpy(), customers.to_numpy(), strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=share.to_numpy(),
            x=[str(value) for value in columns["attribute_value"]],
            y=[
                _segment_name(i, label)
                for i, label in zip(rows["segment_id"], rows["segment_label"], strict=True)
            ],
            text=text,
            texttemplate="%{text}",
            customdata=customers.to_numpy(),
            colorscale="Blues",
            zmin=0,
            colorbar={"title": "share of segment", "tickformat": ".0%"},
            hovertemplate=(
                "%{y}<br>"
                + attribute
                + " %{x}: %{z:.1%} of the segment (%{customdata:,} customers)<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title=f"Share of each segment's customers by {attribute}",
        xaxis_title=attribute,
        yaxis_title="segment",
        yaxis_autorange="reversed",
        xaxis_type="category",
        yaxis_type="category",
        height=260 + 45 * len(rows),
    )
    return fig


def _reading(cells: pd.DataFrame, attribute: str) -> str:
    """Which shown value is the most over-represented in which segment: the highest share in the
    segment / share overall, among cells of at least READING_MIN_CUSTOMERS customers if any."""
    shown = cells[~cells["is_other"]]
    summed = (
        f"the {data.PROFILE_TOP_VALUES} values with the most customers, "
        f'"{cells.loc[cells["is_other"], "attribute_value"].iloc[0]}" sums the rest'
        if cells["is_other"].any()
        else "every value"
    )
    supported = shown[shown["customers"] >= READING_MIN_CUSTOMERS]
    among = f" (cells of {READING_MIN_CUSTOMERS}+ customers)" if len(supported) < len(shown) else ""
    if supported.empty:
        supported, among = shown, ""
    if supported.empty or supported["lift"].max() <= 1.0 + 1e-9:
        return (
            f"Each row is a segment's customers by {attribute} ({summed}): every segment has the "
            "store's overall mix, no value is over-represented in any."
        )
    top = supported.loc[supported["lift"].idxmax()]
    return (
        f"Each row is a segment's customers by {attribute} ({summed}). Most over-represented"
        f"{among}: {attribute} {top['attribute_value']} in segment "
        f"{_segment_name(top['segment_id'], top['segment_label'])}, {top['share_of_segment']:.1%} "
        f"of its customers against {top['share_overall']:.1%} of all segmented customers "
        f"({top['lift']:.1f}× its overall share)."
    )


def render(wh: Snapshot, store: str) -> None:
    st.header("Segment profiles by attribute")
    if not wh.has_table("segment_attribute_profiles"):
        ui.missing("segment_attribute_profiles")
        return
    # the attribute kept from the previous run, unless this store does not have it
    profile = data.attribute_profile(wh, store, st.session_state.get(ATTRIBUTE_KEY))
    if profile.attribute is None:
        st.info("No segment of this store has an attribute profile in the published warehouse.")
        return
    if st.session_state.get(ATTRIBUTE_KEY) != profile.attribute:
        st.session_state[ATTRIBUTE_KEY] = profile.attribute
    st.selectbox(
        "Attribute",
        profile.attributes,
        key=ATTRIBUTE_KEY,
        help="The attributes this store's customers have in marts.segment_attribute_profiles.",
    )
    attribute = profile.attribute
    run = ", ".join(
        formats.run_label(run_id)
        for run_id in sorted(profile.rows["model_run_id"].dropna().unique())
    )
    st.caption(
        f"{profile.rows['attribute_value'].nunique():,} values of {attribute} across "
        f"{profile.rows['segment_id'].nunique():,} segments, from marts.segment_attribute_profiles"
        + (f" (model run {run})." if run else ".")
    )
    ui.chart(_heatmap(profile.cells, attribute), _reading(profile.cells, attribute), "profiles_map")
    ui.table(
        profile.rows,
        f"segment profiles by {attribute}",
        "Every value of the attribute per segment: its customers, their share of the segment "
        "and their revenue.",
    )
