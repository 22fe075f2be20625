"""End to end: start the dashboard, open every page in headless Chromium, save a screenshot of each;
and the commerce pages of the second store of a two-store warehouse.

Chromium and its driver are Debian's packages, installed here when missing. Screenshots go to
test-output/dashboard/ (the second store's to test-output/dashboard/second_shop/). A browser console error (level SEVERE) or an exception shown by the app
fails the test; no console message is filtered out.
"""

from __future__ import annotations

import duckdb
import pytest
from support import PROJECT_ROOT
from two_stores import SECOND_STORE, copy_as_two_stores

from scripts.screenshot_dashboard import PAGES, capture_pages, dashboard_server, ensure_chromium

OUTPUT = PROJECT_ROOT / "test-output" / "dashboard"
CHART_PAGES = {"overview", "segments", "profiles", "students"}
COMMERCE_PAGES = ("overview", "segments", "profiles", "migrations", "score")


@pytest.fixture(scope="module")
def page_results(generated_warehouse):
    ensure_chromium()
    for old in OUTPUT.glob("*.png"):
        old.unlink()
    with dashboard_server(generated_warehouse.path) as url:
        return {result.page: result for result in capture_pages(url, OUTPUT)}


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_in_chromium_without_errors(page_results, page):
    result = page_results[page]
    assert result.screenshot.exists() and result.screenshot.stat().st_size > 10_000
    assert result.console_errors == []
    assert result.app_exceptions == []
    if page in CHART_PAGES:
        assert result.charts > 0
    if page == "score":  # the form was submitted: the segment is shown
        assert any(metric.startswith("Segment\n") for metric in result.metrics), result.metrics


@pytest.fixture(scope="module")
def second_store_results(generated_warehouse, tmp_path_factory):
    ensure_chromium()
    warehouse = copy_as_two_stores(
        generated_warehouse.path, tmp_path_factory.mktemp("browser_two_stores") / "w.duckdb"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        revenue = con.execute(
            "select sum(monetary) from marts.fct_customer_rfm where store = ?", [SECOND_STORE]
        ).fetchone()[0]
    output = OUTPUT / SECOND_STORE
    for old in output.glob("*.png"):
        old.unlink()
    with dashboard_server(warehouse) as url:
        results = capture_pages(url, output, COMMERCE_PAGES, store=SECOND_STORE)
    return {result.page: result for result in results}, revenue


@pytest.mark.parametrize("page", COMMERCE_PAGES)
def test_second_store_page_opens_without_errors(second_store_results, page):
    results, revenue = second_store_results
    result = results[page]
    assert result.screenshot.exists() and result.screenshot.stat().st_size > 10_000
    assert result.console_errors == []
    assert result.app_exceptions == []
    if page in CHART_PAGES | {"migrations"}:  # the second store has a pair of runs
        assert result.charts > 0
    if page == "overview":  # the address chose the store: its numbers are shown
        assert f"Net revenue\n{revenue:,.0f}" in result.metrics, result.metrics
    if page == "score":
        assert any(metric.startswith("Segment\n") for metric in result.metrics), result.metrics
