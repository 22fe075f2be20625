"""Start the dashboard on a warehouse, open each page in headless Chromium and save screenshots.

    python scripts/screenshot_dashboard.py --duckdb-path FILE --out DIR [--pages overview,segments]
        [--store STORE]

Uses the Debian `chromium` and `chromium-driver` packages (installed with apt-get when missing;
never a browser download). Exits 1 when a page logs a browser console error. The end-to-end test
(tests/integration/test_dashboard_browser.py) drives the same functions.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scripts.project_paths import PROJECT_ROOT

APP = PROJECT_ROOT / "apps" / "dashboard" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PAGES = (
    "overview",
    "segments",
    "profiles",
    "products",
    "recommendations",
    "migrations",
    "clv",
    "students",
    "score",
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
WINDOW_WIDTH = 1400

log = logging.getLogger(__name__)


def ensure_chromium() -> None:
    """Install Debian's chromium and chromium-driver when they are missing (needs root)."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    log.info("installing chromium and chromium-driver with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"], check=True, env=env
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard_server(duckdb_path: Path, port: int | None = None) -> Iterator[str]:
    """Run `streamlit run` on 127.0.0.1 against duckdb_path; yield its base URL."""
    port = port or free_port()
    env = dict(
        os.environ,
        DUCKDB_PATH=str(duckdb_path),
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        STREAMLIT_SERVER_HEADLESS="true",
    )
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--client.toolbarMode=minimal",
    ]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    raise RuntimeError(
                        "dashboard did not start:\n" + output.read().decode(errors="replace")
                    )
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class PageResult:
    page: str
    screenshot: Path
    console_errors: list[str] = field(default_factory=list)
    charts: int = 0
    metrics: list[str] = field(default_factory=list)
    app_exceptions: list[str] = field(default_factory=list)


def _browser(user_data_dir: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--window-size={WINDOW_WIDTH},1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))


# Charts Plotly has not drawn yet: no trace data, or no drawn trace (SVG trace groups, heat
# maps, WebGL canvases) in the plot
UNDRAWN_CHARTS = """
return [...document.querySelectorAll('.js-plotly-plot')].filter(plot =>
    !(plot._fullData && plot._fullData.length
      && plot.querySelector('g.trace, g.hm, canvas.gl-canvas, .heatmaplayer image'))).length;
"""


def _wait_for_page(driver, timeout: float = 60) -> None:
    """Until the script run finished, the charts stopped appearing and every one is drawn."""
    deadline = time.monotonic() + timeout
    last_count, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        ready = driver.execute_script(
            "const app = document.querySelector('[data-testid=\"stApp\"]');"
            "if (!app) return false;"
            "if (document.querySelector('[data-testid=\"stStatusWidget\"]')) return false;"
            'return !!document.querySelector(\'[data-testid="stHeading"], [data-testid="stAlert"]\');'
        )
        count = driver.execute_script("return document.querySelectorAll('.js-plotly-plot').length")
        if count != last_count:
            last_count, stable_since = count, time.monotonic()
        settled = ready and time.monotonic() - stable_since > 2.0
        if settled and driver.execute_script(UNDRAWN_CHARTS) == 0:
            return
        time.sleep(0.25)
    raise TimeoutError("the page did not finish rendering")


def capture_pages(
    url: str, out_dir: Path, pages: tuple[str, ...] = PAGES, store: str | None = None
) -> list[PageResult]:
    """Open each page (of `store`, default the dashboard's first), save `<page>.png` in out_dir and
    collect browser console errors."""
    out_dir.mkdir(parents=True, exist_ok=True)
    address = "" if store is None else "&" + urllib.parse.urlencode({"store": store})
    results = []
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        driver = _browser(profile)
        try:
            for page in pages:
                driver.set_window_size(WINDOW_WIDTH, 1000)
                driver.get(f"{url}/?page={page}{address}")
                _wait_for_page(driver)
                if page == "score":  # submit the form with its defaults: the answer is shown
                    driver.find_element(
                        "css selector", '[data-testid="stFormSubmitButton"] button'
                    ).click()
                    time.sleep(0.5)
                    _wait_for_page(driver)
                height = driver.execute_script(
                    "const main = document.querySelector('[data-testid=\"stMain\"]');"
                    "return Math.max(document.body.scrollHeight, main ? main.scrollHeight : 0);"
                )
                driver.set_window_size(WINDOW_WIDTH, min(int(height) + 120, 12_000))
                time.sleep(1.0)  # let Plotly re-lay out at the new size
                _wait_for_page(driver)
                result = PageResult(page, out_dir / f"{page}.png")
                driver.save_screenshot(str(result.screenshot))
                result.metrics = [
                    element.text
                    for element in driver.find_elements("css selector", '[data-testid="stMetric"]')
                ]
                result.charts = driver.execute_script(
                    "return document.querySelectorAll('.js-plotly-plot').length"
                )
                result.app_exceptions = [
                    element.text
                    for element in driver.find_elements(
                        "css selector", '[data-testid="stException"]'
                    )
                ]
                result.console_errors = [
                    entry["message"]
                    for entry in driver.get_log("browser")
                    if entry.get("level") == "SEVERE"
                ]
                results.append(result)
        finally:
            driver.quit()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb-path", required=True, type=Path)
    parser.add_argument("--out", default=PROJECT_ROOT / "test-output" / "dashboard", type=Path)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--store", help="the store of the commerce pages (default: the first)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    ensure_chromium()
    if not shutil.which("chromedriver") and not CHROMEDRIVER.exists():
        raise SystemExit("error: chromedriver not found")
    with dashboard_server(args.duckdb_path.resolve()) as url:
        results = capture_pages(url, args.out, tuple(args.pages.split(",")), args.store)
    failed = False
    for result in results:
        log.info("%s: %s (%d charts)", result.page, result.screenshot, result.charts)
        for message in result.console_errors + result.app_exceptions:
            failed = True
            log.error("%s: %s", result.page, message)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
