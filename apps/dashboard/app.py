"""The dashboard's entry point: `make dashboard` (streamlit run apps/dashboard/app.py).

Reads the published warehouse ($DUCKDB_PATH, default warehouse.duckdb) read-only; the page is
picked in the sidebar or with `?page=<slug>` in the address.
"""

from __future__ import annotations

import logging

import streamlit as st

from apps.dashboard import data, ui
from apps.dashboard.views import PAGES

log = logging.getLogger(__name__)


def main() -> None:
    st.set_page_config(page_title="Customer segments", page_icon=":bar_chart:", layout="wide")
    path = data.warehouse_path()
    if not path.exists():
        st.error(f"Warehouse not found at {path}: build it first with `make run`.")
        st.stop()
    wh = ui.current_warehouse(path)

    slugs = list(PAGES)
    requested = st.query_params.get("page", slugs[0])
    slug = st.sidebar.radio(
        "Page",
        slugs,
        index=slugs.index(requested) if requested in slugs else 0,
        format_func=lambda s: PAGES[s][0],
        key="page",
    )
    st.query_params["page"] = slug
    st.sidebar.caption(f"Warehouse: `{path}`  \nPublished {wh.published_at:%Y-%m-%d %H:%M:%S} UTC")
    PAGES[slug][1](wh)


main()
