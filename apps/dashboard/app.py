"""The dashboard's entry point: `make dashboard` (streamlit run apps/dashboard/app.py).

Reads the published warehouse ($DUCKDB_PATH, default warehouse.duckdb) read-only; the page is
picked in the sidebar or with `?page=<slug>` in the address, the store (commerce pages) likewise
with `?store=<store>`.
"""

from __future__ import annotations

import streamlit as st

from apps.dashboard import data, ui
from apps.dashboard.views import PAGES
from apps.warehouse import describe_reload_failure


def main() -> None:
    st.set_page_config(page_title="Customer segments", page_icon=":bar_chart:", layout="wide")
    path = data.warehouse_path()
    if not path.exists():
        st.error(f"Warehouse not found at {path}: build it first with `make run`.")
        st.stop()
    try:
        published = ui.published_warehouse(path)
    except Exception as exc:
        st.error(f"{describe_reload_failure(exc)}: {path}. Rebuild it with `make run`.")
        st.stop()
    wh = published.current()

    slugs = list(PAGES)
    requested = st.query_params.get("page", slugs[0])
    slug = st.sidebar.radio(
        "Page",
        slugs,
        index=slugs.index(requested) if requested in slugs else 0,
        format_func=lambda s: PAGES[s].title,
        key="page",
    )
    st.query_params["page"] = slug
    page = PAGES[slug]
    store = ui.store_selector(wh, enabled=page.per_store)
    ui.use_store_currency(wh, store)
    st.sidebar.caption(f"Warehouse: `{path}`  \nPublished {wh.published_at:%Y-%m-%d %H:%M:%S} UTC")
    if published.last_reload_error:
        st.sidebar.warning(f"Showing the previous publish: {published.last_reload_error}.")
    if page.per_store and store is None:
        st.header(page.title)
        st.info("The published warehouse has no store (seed `stores`): build it with `make run`.")
        return
    page.render(wh, store)


main()
