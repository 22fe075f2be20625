"""Every dashboard page through Streamlit's app test harness, on the session's generated warehouse."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest
from conftest import PROJECT_ROOT
from fastapi.testclient import TestClient
from streamlit.testing.v1 import AppTest

from apps.api.app import create_app
from apps.api.model_store import ModelStore
from apps.dashboard.views import PAGES

APP = PROJECT_ROOT / "apps" / "dashboard" / "app.py"
MISSING_TABLE = "is not in the published warehouse"
# page slug -> (header, least number of charts)
EXPECTED = {
    "overview": ("Overview", 2),
    "segments": ("Segment explorer", 5),
    "migrations": ("Migrations", 0),
    "students": ("Students", 8),
    "score": ("Score a customer", 0),
}


@pytest.fixture(autouse=True)
def quiet_streamlit(monkeypatch):
    monkeypatch.setenv("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    monkeypatch.setenv("STREAMLIT_SERVER_HEADLESS", "true")


def open_app(monkeypatch, warehouse_path, page: str | None = None) -> AppTest:
    monkeypatch.setenv("DUCKDB_PATH", str(warehouse_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page is not None:
        at.sidebar.radio(key="page").set_value(page).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_page_is_listed():
    assert set(PAGES) == set(EXPECTED)


@pytest.mark.parametrize("page", list(EXPECTED))
def test_page_renders_with_its_charts_and_downloadable_tables(
    monkeypatch, generated_warehouse, page
):
    at = open_app(monkeypatch, generated_warehouse.path, page)
    header, least_charts = EXPECTED[page]
    assert [h.value for h in at.header] == [header]
    assert not [i.value for i in at.info if MISSING_TABLE in i.value]
    charts = at.get("plotly_chart")
    assert len(charts) >= least_charts
    # every chart is followed by its one-line reading
    assert len(at.caption) >= len(charts)
    # every table can be downloaded as CSV
    assert len(at.get("download_button")) >= len(at.dataframe)


def test_overview_figures_match_the_warehouse(monkeypatch, generated_warehouse):
    at = open_app(monkeypatch, generated_warehouse.path)
    metrics = {m.label: m.value for m in at.metric}
    customers, as_of, k = (
        generated_warehouse.connect()
        .execute(
            "select count(*) filter (where has_purchases), max(as_of_date),"
            " (select count(*) from marts.segment_profiles) from marts.fct_customer_rfm"
        )
        .fetchone()
    )
    assert metrics["Customers with purchases"] == f"{customers:,}"
    assert metrics["As of"] == str(as_of)
    assert metrics["Segments (k)"] == str(k)


@pytest.mark.parametrize(
    "recency, frequency, monetary", [(64, 32, 100924.0), (3, 12, 4200.0), (300, 1, 35.5)]
)
def test_score_form_gives_the_api_answer(
    monkeypatch, generated_warehouse, recency, frequency, monetary
):
    at = open_app(monkeypatch, generated_warehouse.path, "score")
    at.number_input(key="score_recency").set_value(recency)
    at.number_input(key="score_frequency").set_value(frequency)
    at.number_input(key="score_monetary").set_value(monetary)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["score_result"]
    with TestClient(create_app(ModelStore(generated_warehouse.path))) as client:
        api = client.get(
            "/api/cluster",
            params={"recency": recency, "frequency": frequency, "monetary_value": monetary},
        ).json()
    assert result["segment_id"] == api["clusterId"]
    assert result["label"] == api["clusterLabel"]
    assert result["suggestion"] == api["suggestions"]
    assert result["model_run_id"] == api["modelRunId"]
    assert result["distance"] == pytest.approx(api["distance"])
    assert {m.label: m.value for m in at.metric}["Segment"] == api["clusterLabel"]


@pytest.fixture(scope="module")
def two_run_warehouse(generated_warehouse, tmp_path_factory):
    """A copy of the generated warehouse with a second, shifted run appended to the history."""
    path = tmp_path_factory.mktemp("two_runs") / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            insert into marts.customer_segment_history
            select 'previous-run', run_started_at - interval 30 day, as_of_date - 30, customer_id,
                   segment_id, case when customer_id % 3 = 0 then 'Earlier label' else segment_label end,
                   rfm_segment
            from marts.customer_segment_history
            where customer_id % 5 <> 0
            """
        )
    return path


def test_migrations_matrix_between_the_last_two_runs(monkeypatch, two_run_warehouse):
    at = open_app(monkeypatch, two_run_warehouse, "migrations")
    assert len(at.get("plotly_chart")) == 1
    matrix = at.dataframe[0].value
    with duckdb.connect(str(two_run_warehouse), read_only=True) as con:
        latest = con.execute(
            "select count(*) from marts.customer_segment_history where model_run_id <> 'previous-run'"
        ).fetchone()[0]
    # every customer of either run is counted once: those new in the latest run come from "(not segmented)"
    assert matrix["customers"].sum() == latest
    assert "Earlier label" in set(matrix["from_segment"])
    assert "(not segmented)" in set(matrix["from_segment"])


def test_missing_warehouse_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "make run" in at.error[0].value


def test_a_new_publish_is_picked_up_without_restarting(monkeypatch, generated_warehouse, tmp_path):
    published = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, published)
    at = open_app(monkeypatch, published)
    before = {m.label: m.value for m in at.metric}["Customers with purchases"]

    # a "build": a new file beside the published one, renamed over it while the app holds it open
    new_build = tmp_path / "build" / "warehouse.duckdb"
    new_build.parent.mkdir()
    shutil.copy2(generated_warehouse.path, new_build)
    with duckdb.connect(str(new_build)) as con:
        con.execute("delete from marts.fct_customer_rfm where customer_id % 2 = 0")
        expected = con.execute(
            "select count(*) filter (where has_purchases) from marts.fct_customer_rfm"
        ).fetchone()[0]
    os.replace(new_build, published)

    at.run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}["Customers with purchases"]
    assert after == f"{expected:,}" != before
