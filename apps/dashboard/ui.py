"""Shared page parts: the published warehouse, the store selector, charts with their one-line
reading, downloadable tables."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps.stores import stores
from apps.warehouse import PublishedWarehouse, Snapshot

PLOTLY_CONFIG = {"displaylogo": False}


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
        if options:
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


def chart(fig: go.Figure, reading: str, key: str) -> None:
    """A Plotly chart followed by the one line that says how to read it."""
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG)
    st.caption(reading)


def table(frame: pd.DataFrame, name: str, reading: str | None = None) -> None:
    """A table with a CSV download of exactly what is shown."""
    st.dataframe(frame, hide_index=True)
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
