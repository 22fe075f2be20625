"""Overview of a store: customers, revenue, as-of date and model run; segment sizes; the named-RFM grid."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, formats, ui
from apps.segment_models import ModelLifecycle, model_lifecycles
from apps.warehouse import Snapshot


def model_age_text(lifecycle: ModelLifecycle) -> str:
    """The segment model's age and why it was last refitted, in one sentence."""
    age = lifecycle.age_days
    fitted = (
        f"Segment model fitted on data as of {lifecycle.fit_as_of_date}"
        + (f" ({age} day{'' if age == 1 else 's'} of data old)" if age is not None else "")
        + (
            f" by the build of {lifecycle.fitted_at:%Y-%m-%d %H:%M} UTC"
            if lifecycle.fitted_at
            else ""
        )
    )
    why = f"; last refit: {lifecycle.refit_decision}" if lifecycle.refit_decision else ""
    latest = (
        ""
        if lifecycle.latest_build_refitted is None
        else " The latest build refitted it."
        if lifecycle.latest_build_refitted
        else " The latest build scored with it (no refit was due)."
    )
    return f"{fitted}{why}.{latest}"


def _rfm_heatmap(grid) -> go.Figure:
    """R (rows, 5 on top) x F (columns) heat map of customer counts, cells named by segment."""
    scores = range(5, 0, -1), range(1, 6)
    counts = grid.pivot(index="r_score", columns="f_score", values="customers").reindex(
        index=scores[0], columns=scores[1]
    )
    names = grid.pivot(index="r_score", columns="f_score", values="rfm_segment").reindex(
        index=scores[0], columns=scores[1]
    )
    text = [
        [
            f"{name}<br>{int(n):,}" if n == n else "0"  # n != n: no customer in the cell
            for name, n in zip(name_row, count_row, strict=True)
        ]
        for name_row, count_row in zip(names.to_numpy(), counts.to_numpy(), strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=counts.to_numpy(),
            x=[f"F{int(f)}" for f in counts.columns],
            y=[f"R{int(r)}" for r in counts.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": "customers"},
            hovertemplate="%{y} %{x}: %{z:,} customers<extra></extra>",
        )
    )
    fig.update_layout(
        title="Named RFM segments: recency score × frequency score",
        height=480,
        yaxis_autorange="reversed",
    )
    return fig


def render(wh: Snapshot, store: str) -> None:
    st.header("Overview")
    if not wh.has_table("fct_customer_rfm"):
        ui.missing("fct_customer_rfm")
        return
    kpis = data.overview_kpis(wh, store)
    run = data.run_info(wh, store)
    cols = st.columns(4)
    cols[0].metric("Customers with purchases", f"{int(kpis['customers']):,}")
    cols[1].metric("Net revenue", ui.money(float(kpis["revenue"])))
    cols[2].metric("As of", str(kpis["as_of_date"])[:10])
    cols[3].metric("Segments (k)", "-" if run.k is None else str(run.k))
    st.caption(
        f"Model run {formats.run_label(run.model_run_id)}"
        + (f", started {run.run_started_at:%Y-%m-%d %H:%M} UTC" if run.run_started_at else "")
        + (f"; k chosen by: {run.k_choice_reason}" if run.k_choice_reason else "")
        + f". Warehouse published {wh.published_at:%Y-%m-%d %H:%M:%S} UTC."
    )
    lifecycle = model_lifecycles(wh).get(store)
    if lifecycle is not None:
        st.caption(model_age_text(lifecycle))

    if wh.has_table("segment_profiles"):
        sizes = data.segment_sizes(wh, store)
        long = sizes.melt(
            id_vars=["segment_id", "segment_label"],
            value_vars=["share_of_customers", "share_of_revenue"],
            var_name="measure",
            value_name="share",
        )
        long["measure"] = long["measure"].map(
            {"share_of_customers": "customers", "share_of_revenue": "revenue"}
        )
        fig = px.bar(
            long,
            x="share",
            y="segment_label",
            color="measure",
            barmode="group",
            orientation="h",
            title="Segment sizes: share of customers and of revenue",
            labels={"segment_label": "segment", "share": "share"},
        )
        fig.update_xaxes(tickformat=".0%")
        fig.update_yaxes(autorange="reversed")
        ui.chart(
            fig,
            "Where a segment's revenue bar is much longer than its customer bar, few customers "
            "carry much of the revenue.",
            key="overview_sizes",
        )
        ui.table(sizes, "segment sizes")
    else:
        ui.missing("segment_profiles")

    grid = data.rfm_grid(wh, store)
    if grid.empty:
        st.info("No customer of this store has purchases.")
        return
    ui.chart(
        _rfm_heatmap(grid),
        "Each cell counts the customers with that recency (R) and frequency (F) score, 5 = best; "
        "the name is the RFM segment the cell belongs to.",
        key="overview_rfm_grid",
    )
    ui.table(data.rfm_segments(wh, store), "named RFM segments")
