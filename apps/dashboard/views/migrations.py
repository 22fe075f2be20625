"""Migrations: how customers moved between segments from the previous run to the latest one."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, ui


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


def render(wh: data.Warehouse) -> None:
    st.header("Migrations")
    if not wh.has_table("customer_segment_history"):
        ui.missing("customer_segment_history")
        return
    runs = data.history_runs(wh)
    if len(runs) < 2:
        st.info(
            "Only one segmentation run is in the warehouse so far: migrations appear after the "
            "next build (`make run` again, e.g. with new data)."
        )
        ui.table(runs, "segmentation runs")
        return
    latest, previous = runs.iloc[0], runs.iloc[1]
    st.caption(
        f"Previous run `{previous['model_run_id']}` (as of {str(previous['as_of_date'])[:10]}) → "
        f"latest run `{latest['model_run_id']}` (as of {str(latest['as_of_date'])[:10]})."
    )
    matrix = data.migration_matrix(wh, previous["model_run_id"], latest["model_run_id"])
    ui.chart(
        _matrix_figure(matrix),
        "Each row sums to 100%: the diagonal is customers who kept their segment label, "
        "off-diagonal cells are moves; segments are matched by label, not by number.",
        key="migrations_matrix",
    )
    ui.table(matrix, "migration matrix")
    if wh.has_table("segment_migrations"):
        ui.table(
            data.segment_migrations(wh),
            "segment moves",
            "marts.segment_migrations: customers whose segment number changed, by pair.",
        )
