"""Shared page parts: the cached warehouse, charts with their one-line reading, downloadable tables."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard.data import Warehouse, file_id

PLOTLY_CONFIG = {"displaylogo": False}


@st.cache_resource(max_entries=2, show_spinner=False)
def _open_warehouse(path: str, published: tuple[int, int]) -> Warehouse:
    # `published` is only part of the cache key: a new publish opens the new file.
    return Warehouse(Path(path))


def current_warehouse(path: Path) -> Warehouse:
    """The warehouse published at `path` now (reopened after each publish)."""
    return _open_warehouse(str(path), file_id(path))


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
