"""Migrations of a store: how customers moved between segments from its previous run to the latest
one, as marts.segment_migrations counts them, and who moved (marts.customer_segment_changes)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, formats, ui
from apps.warehouse import Snapshot


def square_counts(matrix: pd.DataFrame) -> pd.DataFrame:
    """Customers from (rows) to (columns) by segment label, with every label of either run on
    both axes (in segment id order, "(not segmented)" last), so the diagonal is the customers
    who stayed: a move is a change of label, as in marts.segment_migrations."""
    sides = [
        matrix[[f"{side}_segment_id", f"{side}_segment_label"]].set_axis(["segment_id", "label"], axis=1)
        for side in ("to", "from")
    ]  # fmt: skip
    labels = pd.concat(sides).dropna().groupby("label")["segment_id"].min().sort_values()
    order = [*labels.index, data.NOT_SEGMENTED]
    counts = matrix.assign(
        from_label=matrix["from_segment_label"].fillna(data.NOT_SEGMENTED),
        to_label=matrix["to_segment_label"].fillna(data.NOT_SEGMENTED),
    ).pivot_table(index="from_label", columns="to_label", values="customers", aggfunc="sum")
    return counts.reindex(index=order, columns=order).fillna(0).astype("int64")


def _matrix_figure(counts: pd.DataFrame) -> go.Figure:
    totals = counts.sum(axis=1)
    share = counts.div(totals.where(totals > 0), axis=0).fillna(0)
    text = [
        [f"{int(n):,}<br>{s:.0%}" if n else "" for n, s in zip(n_row, s_row, strict=True)]
        for n_row, s_row in zip(counts.to_numpy(), share.to_numpy(), strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=share.to_numpy(),
            x=list(counts.columns),
            y=list(counts.index),
            text=text,
            texttemplate="%{text}",
            colorscale="Purples",
            zmin=0,
            zmax=1,
            colorbar={"title": "share of row", "tickformat": ".0%"},
            hovertemplate="from %{y}<br>to %{x}<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Segment in the previous run (rows) → segment in the latest run (columns)",
        xaxis_title="latest run",
        yaxis_title="previous run",
        yaxis_autorange="reversed",
        height=520,
    )
    return fig


def run_name(run_id: str, as_of) -> str:
    """A run as a person reads it: its as-of date and the start of its id."""
    return f"build as of {formats.day(as_of)} ({formats.run_label(run_id)})"


def render(wh: Snapshot, store: str) -> None:
    st.header("Migrations")
    if not wh.has_table("segment_migrations"):
        ui.missing("segment_migrations")
        return
    pair = data.latest_migration_pair(wh, store)
    if pair is None:
        st.info(
            "Only one segmentation run of this store is in the warehouse so far: migrations "
            "appear after the next build (`make run` again, e.g. with new data)."
        )
        if wh.has_table("segmentation_runs"):
            ui.table(data.segmentation_runs(wh, store), "segmentation runs")
        return
    st.caption(
        f"From the {run_name(pair.from_run_id, pair.from_as_of_date)} to the "
        f"{run_name(pair.to_run_id, pair.to_as_of_date)}, from marts.segment_migrations."
    )
    matrix = data.migration_matrix(wh, store, pair)
    counts = square_counts(matrix)
    in_both = matrix[matrix["from_segment_id"].notna() & matrix["to_segment_id"].notna()]
    both = int(in_both["customers"].sum())
    moved = int(in_both.loc[in_both["is_move"], "customers"].sum())
    st.markdown(
        f"**{moved:,}** of the {both:,} customers segmented in both runs changed segment"
        f" ({moved / both:.1%})."
        if both
        else "No customer was segmented in both runs."
    )
    ui.chart(
        _matrix_figure(counts),
        "Each row sums to 100%: the diagonal is customers who kept their segment, other cells "
        "are moves. A move is a change of segment (its label, what it means to you): a refit "
        "that renumbers a segment under the same label moves no one.",
        key="migrations_matrix",
    )
    ui.table(counts.reset_index(names="from \\ to"), "migration matrix")
    if wh.has_table("customer_segment_changes"):
        ui.table(
            data.latest_segment_changes(wh, store, pair.to_run_id),
            "customers who changed segment",
            "marts.customer_segment_changes for the latest run: who moved, from where to where.",
        )
