"""Migrations of a store: how customers moved between segments from its previous run to the latest
one, as marts.segment_migrations counts them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, ui
from apps.warehouse import Snapshot


def _matrix_figure(matrix) -> go.Figure:
    counts = matrix.pivot(index="from_segment", columns="to_segment", values="customers").fillna(0)
    share = counts.div(counts.sum(axis=1), axis=0)
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


def _as_of(value) -> str:
    return "unknown" if value is None or pd.isna(value) else str(value)[:10]


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
        f"Previous run `{pair.from_run_id}` (as of {_as_of(pair.from_as_of_date)}) → "
        f"latest run `{pair.to_run_id}` (as of {_as_of(pair.to_as_of_date)}), "
        "from marts.segment_migrations."
    )
    matrix = data.migration_matrix(wh, store, pair)
    ui.chart(
        _matrix_figure(matrix),
        "Each row sums to 100%: the diagonal is customers who kept their segment label, "
        "off-diagonal cells are moves; segments are matched by label, not by number.",
        key="migrations_matrix",
    )
    ui.table(matrix, "migration matrix")
    ui.table(
        data.segment_migrations(wh, store, pair),
        "segment migrations",
        "marts.segment_migrations for this pair of runs: customers per (from, to) segment, "
        "is_move false for those who stayed.",
    )
