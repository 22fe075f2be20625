"""Shared page parts: the published warehouse, the store selector, charts with their one-line
reading, downloadable tables."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from apps.dashboard import formats
from apps.stores import store_currencies, stores
from apps.warehouse import PublishedWarehouse, Snapshot

PLOTLY_CONFIG = {"displaylogo": False}
# One colour per segment id, the same on every chart: Okabe and Ito's palette, told apart with
# colour-blindness and in print (after eight ids it repeats)
SEGMENT_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)


@st.cache_resource(max_entries=4, show_spinner=False)
def _published(path: str) -> PublishedWarehouse:
    # one reader per file for the whole server; every run checks for a new publish (a stat)
    return PublishedWarehouse(Path(path), check_interval=0)


def published_warehouse(path: Path) -> PublishedWarehouse:
    """The reader of the warehouse published at `path`: `.current()` is the publish of now."""
    return _published(str(path))


def store_selector(wh: Snapshot, enabled: bool) -> str | None:
    """The store the commerce pages show: chosen in the sidebar (or `?store=`), which shows only its
    name when the warehouse has one store; None when it has none."""
    names = stores(wh)
    options = list(names)
    if len(options) <= 1:
        if options and enabled:
            st.sidebar.caption(f"Store: {names[options[0]]}")
        return options[0] if options else None
    requested = st.query_params.get("store")
    store = st.sidebar.selectbox(
        "Store",
        options,
        index=options.index(requested) if requested in options else 0,
        format_func=names.__getitem__,
        key="store",
        disabled=not enabled,
        help=None if enabled else "This page has no store.",
    )
    st.query_params["store"] = store
    return store


def use_store_currency(wh: Snapshot, store: str | None) -> None:
    """Money on this run's page is in the store's currency (per browser session)."""
    code = store_currencies(wh).get(store) if store else None
    st.session_state["currency_symbol"] = formats.currency_symbol(code)


def currency() -> str:
    """The symbol of the shown store's currency ("" when unknown)."""
    return st.session_state.get("currency_symbol", "")


def money(value: float, decimals: int = 0) -> str:
    return formats.money(value, currency(), decimals)


def segment_colours(segments: pd.DataFrame) -> dict[str, str]:
    """Segment label -> its colour (by segment id), for a chart's color_discrete_map."""
    return {
        label: SEGMENT_PALETTE[(int(segment_id) - 1) % len(SEGMENT_PALETTE)]
        for segment_id, label in zip(segments["segment_id"], segments["segment_label"], strict=True)
    }


def chart(fig: go.Figure, reading: str, key: str) -> None:
    """A Plotly chart followed by the one line that says how to read it."""
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG)
    st.caption(reading)


def table(frame: pd.DataFrame, name: str, reading: str | None = None) -> None:
    """A table as a person reads it (formats.for_display) with a CSV download of its rows, full
    values."""
    shown, config = formats.for_display(frame, currency())
    st.dataframe(shown, hide_index=True, column_config=config)
    if reading:
        st.caption(reading)
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    st.download_button(
        f"Download {name} (CSV)",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{slug}.csv",
        mime="text/csv",
        key=f"download_{slug}",
        on_click="ignore",
    )


def missing(table_name: str) -> None:
    """Say which table this part needs when the published warehouse does not have it (yet)."""
    st.info(f"`marts.{table_name}` is not in the published warehouse yet: rebuild with `make run`.")


def k_selection_figure(k_frame: pd.DataFrame, title: str, height: int = 340) -> go.Figure:
    """Inertia and silhouette per k tried, the k in use starred and the inertia elbow dotted: the
    chart of every k selection (customer segments, product categories, interest segments)."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Inertia (elbow)", "Silhouette (higher is better)")
    )
    chosen = k_frame[k_frame["is_chosen"].fillna(False).astype(bool)]
    for col, metric in ((1, "inertia"), (2, "silhouette")):
        fig.add_trace(
            go.Scatter(x=k_frame["k"], y=k_frame[metric], mode="lines+markers", name=metric),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=chosen["k"],
                y=chosen[metric],
                mode="markers",
                marker={"size": 16, "symbol": "star", "color": "crimson"},
                name="chosen k",
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
    elbow = k_frame[k_frame["is_elbow"].fillna(False).astype(bool)]
    if not elbow.empty:
        fig.add_vline(x=int(elbow["k"].iloc[0]), line_dash="dot", row=1, col=1)
    fig.update_xaxes(title_text="k", dtick=1 if len(k_frame) <= 12 else 2)
    fig.update_layout(title=title, height=height)
    return fig
