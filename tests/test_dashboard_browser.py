"""End to end: start the dashboard, open every page in headless Chromium, save a screenshot of each.

Chromium and its driver are Debian's packages, installed here when missing. Screenshots go to
test-output/dashboard/. A browser console error (level SEVERE) or an exception shown by the app
fails the test; no console message is filtered out.
"""

from __future__ import annotations

import pytest
from conftest import PROJECT_ROOT
from screenshot_dashboard import PAGES, capture_pages, dashboard_server, ensure_chromium

OUTPUT = PROJECT_ROOT / "test-output" / "dashboard"
CHART_PAGES = {"overview", "segments", "students"}


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
