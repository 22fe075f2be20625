"""Migrations of a store: how customers moved between segments from its previous run to the latest
one, as marts.segment_migrations counts them, and who moved (marts.customer_segment_changes)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, formats, ui
from apps.warehouse import Snapshot


def segment_names(matrix: pd.DataFrame) -> dict:
    """A name per segment id of the pair (None: not segmented): its label in the latest run, or
    in the earlier one for a retired segment; "#id" added where two ids would read the same."""
    labels = {}
    for side in ("from", "to"):  # the later run's label wins
        for segment_id, label in zip(
            matrix[f"{side}_segment_id"], matrix[f"{side}_segment_label"], strict=True
        ):
            if not pd.isna(segment_id):
                labels[int(segment_id)] = label
    repeated = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    names = {
        sid: f"{label} #{sid}" if label in repeated else label for sid, label in labels.items()
    }
    return {**names, None: data.NOT_SEGMENTED}


def square_counts(matrix: pd.DataFrame) -> pd.DataFrame:
    """Customers from (rows) to (columns) with every segment of either run on both axes, so the
    diagonal is the customers who stayed; named by segment_names."""
    names = segment_names(matrix)
    key = lambda column: matrix[column].map(lambda v: None if pd.isna(v) else int(v))  # noqa: E731
    counts = pd.DataFrame(
        {
            "from": key("from_segment_id").map(names),
            "to": key("to_segment_id").map(names),
            "customers": matrix["customers"],
        }
    ).pivot_table(index="from", columns="to", values="customers", aggfunc="sum")  # fmt: skip
    order = [names[sid] for sid in sorted(sid for sid in names if sid is not None)]
    order.append(data.NOT_SEGMENTED)
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
    moved = int(
        in_both.loc[in_both["from_segment_id"] != in_both["to_segment_id"], "customers"].sum()
    )
    st.markdown(
        f"**{moved:,}** of the {both:,} customers segmented in both runs changed segment"
        f" ({moved / both:.1%})."
        if both
        else "No customer was segmented in both runs."
    )
    ui.chart(
        _matrix_figure(counts),
        "Each row sums to 100%: the diagonal is customers who stayed in their segment, other "
        "cells are moves. A segment keeps its id across refits when a new segment continues it "
        "(the nearest centroid, or the same label), so a refit that renumbers is not a move.",
        key="migrations_matrix",
    )
    ui.table(counts.reset_index(names="from \\ to"), "migration matrix")
    if wh.has_table("customer_segment_changes"):
        ui.table(
            data.latest_segment_changes(wh, store, pair.to_run_id),
            "customers who changed segment",
            "marts.customer_segment_changes for the latest run: who moved, from where to where.",
        )
