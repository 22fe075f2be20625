"""Superset, a real BI tool, on a published warehouse: its dashboard renders in Chromium, every
chart with data, and keeps rendering while a build publishes over the file it reads.

Marked `bi`; part of `make test` (which installs .venv-superset), alone `make test-bi`. Superset
runs from its own virtual environment (.venv-superset, `make superset-setup`), set up in a folder
of this test's own, on a free port of 127.0.0.1, read-only on a copy of the session's warehouse
rebuilt once (two segmentation runs, so migrations have rows). The screenshot goes to
test-output/superset/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator

import duckdb
import httpx
import pytest
from support import PROJECT_ROOT, build_warehouse, free_port

from scripts.screenshot_dashboard import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, ensure_chromium

pytestmark = pytest.mark.bi

SUPERSET_PYTHON = PROJECT_ROOT / ".venv-superset" / "bin" / "python"
SERVER = PROJECT_ROOT / "bi" / "superset" / "superset_server.py"
OUTPUT = PROJECT_ROOT / "test-output" / "superset"
DASHBOARD = "/superset/dashboard/customer-segments/"
CHART_COUNT = 9  # bi/superset/dashboard/charts/
# Superset's front end (built upstream) loads a usage pixel from an outside host, which this
# machine cannot reach: that one failed request is the only console error let through.
OUTSIDE_PIXEL = "gateway.scarf.sh"
PASSWORD = "test-admin-password"
CURRENCY_SYMBOLS = {"GBP": "£", "BRL": "R$"}

CHARTS_JS = """
return [...document.querySelectorAll('[data-test="chart-grid-component"]')].map(c => ({
  name: c.getAttribute('data-test-chart-name'),
  viz: c.getAttribute('data-test-viz-type'),
  loading: !!c.querySelector('[data-test="loading-indicator"], .loading'),
  text: c.innerText,
  canvases: c.querySelectorAll('canvas').length,
  rows: c.querySelectorAll('tbody tr').length,
  alerts: c.querySelectorAll('[role="alert"], .ant-alert-error, [data-test="error-alert"]').length,
}));
"""


def chart_problem(chart: dict) -> str | None:
    """Why a chart does not show data yet (None: it does)."""
    body = chart["text"].split("\n", 1)[1] if "\n" in chart["text"] else ""
    if chart["loading"]:
        return "loading"
    if chart["alerts"]:
        return f"shows an alert: {chart['text'][:300]!r}"
    for phrase in ("No results", "Unexpected error", "Error:"):
        if phrase in chart["text"]:
            return f"shows {phrase!r}: {chart['text'][:300]!r}"
    if chart["viz"] == "big_number_total":
        return None if any(ch.isdigit() for ch in body) else "no number"
    if chart["viz"] == "table":
        return None if chart["rows"] > 0 else "no rows"
    return None if chart["canvases"] > 0 else "nothing drawn"


@pytest.fixture(scope="module")
def superset_venv():
    if not SUPERSET_PYTHON.exists():
        pytest.skip("no Superset environment: `make superset-setup` (or `make test-bi`) makes it")
    ensure_chromium()
    return SUPERSET_PYTHON


@pytest.fixture(scope="module")
def warehouse(rebuilt_generated_warehouse, tmp_path_factory):
    """A copy of the rebuilt warehouse, which this module publishes over once more."""
    path = tmp_path_factory.mktemp("superset_warehouse") / "warehouse.duckdb"
    shutil.copy2(rebuilt_generated_warehouse.path, path)
    return rebuilt_generated_warehouse, path


@pytest.fixture(scope="module")
def superset_url(superset_venv, warehouse, tmp_path_factory):
    """Superset set up and served by bi/superset/superset_server.py, as `make superset` does."""
    home = tmp_path_factory.mktemp("superset_home")
    port = free_port()
    env = dict(os.environ, SUPERSET_ADMIN_PASSWORD=PASSWORD)
    log = home / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(superset_venv),
                str(SERVER),
                "--duckdb-path",
                str(warehouse[1]),
                "--port",
                str(port),
                "--home",
                str(home),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # a fresh metadata database: 1 to 3 minutes here
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("superset did not start:\n" + log.read_text()[-5000:])
            time.sleep(1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser(superset_url):
    """Chromium logged in to Superset."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        # tall enough for every chart to be in view (Superset draws charts as they scroll in)
        options.add_argument("--window-size=1400,2400")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(
            options=options, service=Service(executable_path=str(CHROMEDRIVER))
        )
        try:
            driver.get(f"{superset_url}/login/")
            wait_for(lambda: driver.find_elements("css selector", "#username"), 60)
            driver.find_element("css selector", "#username").send_keys("admin")
            driver.find_element("css selector", "#password").send_keys(PASSWORD + "\n")
            wait_for(lambda: "/login" not in driver.current_url, 60)
            yield driver
        finally:
            driver.quit()


def wait_for(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise TimeoutError("condition not met in time")


def open_dashboard(driver, url: str, timeout: float = 180) -> list[dict]:
    """Load the dashboard and wait until every chart shows data; the charts as last seen."""
    driver.get(f"{url}{DASHBOARD}?standalone=1")
    deadline = time.monotonic() + timeout
    while True:
        charts = driver.execute_script(CHARTS_JS)
        problems = {c["name"]: chart_problem(c) for c in charts}
        if len(charts) == CHART_COUNT and not any(problems.values()):
            return charts
        if time.monotonic() > deadline:
            pytest.fail(f"charts not rendered with data: {len(charts)} charts, {problems}")
        time.sleep(1)


def console_errors(driver) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry.get("level") == "SEVERE" and OUTSIDE_PIXEL not in entry["message"]
    ]


@contextlib.contextmanager
def admin_client(url: str, timeout: float) -> Iterator[httpx.Client]:
    """A client of Superset's REST API logged in as the admin (a bearer token), closed after use."""
    with httpx.Client(base_url=url, timeout=timeout) as client:
        token = client.post(
            "/api/v1/security/login",
            json={"username": "admin", "password": PASSWORD, "provider": "db", "refresh": True},
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def sql(url: str, query: str) -> list[dict]:
    """One query through Superset's SQL Lab API, as the admin: what Superset reads right now."""
    with admin_client(url, timeout=120) as client:
        csrf = client.get("/api/v1/security/csrf_token/").json()["result"]
        client.headers.update({"X-CSRFToken": csrf, "Referer": url})
        database = client.get("/api/v1/database/").json()["result"][0]["id"]
        response = client.post(
            "/api/v1/sqllab/execute/",
            json={"database_id": database, "sql": query, "runAsync": False, "schema": "marts"},
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]


RUNS = "select count(*) as runs from marts.segmentation_runs"


APPLY_DISABLED_JS = """
return document.querySelector('[data-test="filter-bar__apply-button"]').disabled;
"""
FILTER_BAR_JS = """
const bar = document.querySelector('[data-test="filter-bar"]');
return bar ? bar.innerText : null;
"""


def test_dashboard_renders_every_chart_with_data(browser, superset_url, warehouse):
    charts = open_dashboard(browser, superset_url)
    assert {chart["viz"] for chart in charts} >= {"pie", "heatmap_v2", "sankey_v2", "table"}
    # one store at a time (the first by default), its money in its own currency (seed stores)
    with duckdb.connect(str(warehouse[1]), read_only=True) as con:
        first_store, currency = con.execute(
            "select store, currency from seeds.stores where store in"
            " (select store from marts.segment_profiles) order by store limit 1"
        ).fetchone()
    filter_bar = browser.execute_script(FILTER_BAR_JS).split("\n")
    assert "Store" in filter_bar and first_store in filter_bar, filter_bar
    # and applied to the charts, not only shown: nothing left to apply
    assert browser.execute_script(APPLY_DISABLED_JS), "the Store filter is shown but not applied"
    # the total is text (the bar chart's axis, drawn on a canvas, shows it too: docs/bi.md)
    revenue = next(chart["text"] for chart in charts if chart["name"] == "Revenue")
    assert CURRENCY_SYMBOLS[currency] in revenue, revenue
    OUTPUT.mkdir(parents=True, exist_ok=True)
    time.sleep(2)  # let the charts' animations end before the picture
    browser.save_screenshot(str(OUTPUT / "dashboard.png"))
    assert (OUTPUT / "dashboard.png").stat().st_size > 50_000
    assert console_errors(browser) == []


def test_connection_is_read_only(superset_url, warehouse):
    with admin_client(superset_url, timeout=60) as client:
        listed = client.get("/api/v1/database/").json()["result"]
        assert len(listed) == 1
        database = client.get(f"/api/v1/database/{listed[0]['id']}/connection").json()["result"]
    assert database["sqlalchemy_uri"] == f"duckdb:///{warehouse[1]}?access_mode=read_only"
    assert database["allow_dml"] is False


def test_charts_keep_rendering_while_a_build_publishes(browser, superset_url, warehouse):
    built, path = warehouse
    runs_before = sql(superset_url, RUNS)[0]["runs"]
    result: dict = {}

    def publish():
        result["build"] = build_warehouse(
            built.retail_path, path, "--students-dir", str(built.students_dir)
        )

    build = threading.Thread(target=publish)
    build.start()
    renders_during_build = 0
    while build.is_alive():
        open_dashboard(browser, superset_url)
        renders_during_build += build.is_alive()
    build.join()
    completed = result["build"]
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert renders_during_build >= 1
    # the next queries read the file just published: one more segmentation run per store
    assert sql(superset_url, RUNS)[0]["runs"] > runs_before
    open_dashboard(browser, superset_url)
    assert console_errors(browser) == []
