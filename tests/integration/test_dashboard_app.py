"""Every dashboard page through Streamlit's app test harness, on the session's generated warehouse
and on a copy of it with two stores."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest
from fastapi.testclient import TestClient
from streamlit.testing.v1 import AppTest
from support import PROJECT_ROOT
from two_stores import (
    MONETARY_SCALE,
    SECOND_STORE,
    STORE,
    add_earlier_run,
    copy_as_two_stores,
)

from apps.api.app import create_app, open_warehouse
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


def open_app(
    monkeypatch, warehouse_path, page: str | None = None, store: str | None = None
) -> AppTest:
    monkeypatch.setenv("DUCKDB_PATH", str(warehouse_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page is not None:
        at.sidebar.radio(key="page").set_value(page).run()
        assert not at.exception, [e.value for e in at.exception]
    if store is not None:
        at.sidebar.selectbox(key="store").set_value(store).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


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


def overview_figures(warehouse_path, store: str) -> dict[str, str]:
    """The overview's metrics of `store`, computed here in SQL."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        customers, revenue, as_of, k = con.execute(
            "select count(*) filter (where has_purchases), sum(monetary), max(as_of_date),"
            " (select count(*) from marts.segment_profiles where store = $store)"
            " from marts.fct_customer_rfm where store = $store",
            {"store": store},
        ).fetchone()
    return {
        "Customers with purchases": f"{customers:,}",
        "Net revenue": f"{revenue:,.0f}",
        "As of": str(as_of),
        "Segments (k)": str(k),
    }


def test_overview_figures_match_the_warehouse(monkeypatch, generated_warehouse):
    at = open_app(monkeypatch, generated_warehouse.path)
    assert metrics(at) == overview_figures(generated_warehouse.path, STORE)


@pytest.mark.parametrize(
    ("recency", "frequency", "monetary"), [(64, 32, 100924.0), (3, 12, 4200.0), (300, 1, 35.5)]
)
def test_score_form_gives_the_api_answer(
    monkeypatch, generated_warehouse, recency, frequency, monetary
):
    at = open_app(monkeypatch, generated_warehouse.path, "score")
    submit_score_form(at, recency, frequency, monetary)
    with TestClient(create_app(open_warehouse(generated_warehouse.path))) as client:
        api = client.get(
            "/api/cluster",
            params={"recency": recency, "frequency": frequency, "monetary_value": monetary},
        ).json()
    assert_score_form_answers(at, api)


def assert_score_form_answers(at: AppTest, api: dict) -> None:
    """The score form's result is the API's answer `api`."""
    result = at.session_state["score_result"]
    assert result["segment_id"] == api["clusterId"]
    assert result["label"] == api["clusterLabel"]
    assert result["suggestion"] == api["suggestions"]
    assert result["store"] == api["store"]
    assert result["model_run_id"] == api["modelRunId"]
    assert result["distance"] == pytest.approx(api["distance"])
    assert metrics(at)["Segment"] == api["clusterLabel"]


def submit_score_form(at: AppTest, recency: int, frequency: int, monetary: float) -> None:
    at.number_input(key="score_recency").set_value(recency)
    at.number_input(key="score_frequency").set_value(frequency)
    at.number_input(key="score_monetary").set_value(monetary)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture(scope="module")
def two_run_warehouse(generated_warehouse, tmp_path_factory):
    """A copy of the generated warehouse with two earlier runs: older -> earlier -> the latest."""
    path = tmp_path_factory.mktemp("two_runs") / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        earlier = add_earlier_run(con, STORE)
        # earlier labels differ from the latest ones: the matrix matches segments by label
        con.execute(
            "update marts.segment_migrations set from_segment_label = 'Earlier label'"
            " where from_run_id = ? and from_segment_id = 1",
            [earlier],
        )
        con.execute(
            """
            insert into marts.segment_migrations
            select store, 'older-run', from_run_id, from_segment_id, 'Older label',
                   from_segment_id, from_segment_label, false, customers
            from marts.segment_migrations
            where from_run_id = ? and from_segment_id is not null
            """,
            [earlier],
        )
        con.execute(
            "insert into marts.segmentation_runs select * replace ('older-run' as model_run_id,"
            " run_started_at - interval 60 day as run_started_at) from marts.segmentation_runs"
            " where model_run_id = ?",
            [earlier],
        )
    return path, earlier


def test_migrations_matrix_of_the_latest_pair_of_runs(monkeypatch, two_run_warehouse):
    path, earlier = two_run_warehouse
    at = open_app(monkeypatch, path, "migrations")
    assert len(at.get("plotly_chart")) == 1
    matrix = at.dataframe[0].value
    with duckdb.connect(str(path), read_only=True) as con:
        latest = con.execute(
            "select count(*) from marts.customer_segments where store = ?", [STORE]
        ).fetchone()[0]
    # every customer of the latest run is counted once, those new to it from "(not segmented)"
    assert matrix["customers"].sum() == latest
    assert {"Earlier label", "(not segmented)"} <= set(matrix["from_segment"])
    assert "Older label" not in set(matrix["from_segment"])  # the older pair is not shown
    assert f"Previous run `{earlier}`" in at.caption[0].value
    moves = at.dataframe[1].value
    assert moves["customers"].sum() == latest and not moves["is_move"].all()


def test_missing_warehouse_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "make run" in at.error[0].value


def test_a_new_publish_is_picked_up_without_restarting(monkeypatch, generated_warehouse, tmp_path):
    published = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, published)
    at = open_app(monkeypatch, published)
    before = metrics(at)["Customers with purchases"]

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
    after = metrics(at)["Customers with purchases"]
    assert after == f"{expected:,}" != before


# --- Two stores: the sidebar's store selector drives every commerce page ------------------------


@pytest.fixture(scope="module")
def two_store_warehouse(generated_warehouse, tmp_path_factory):
    return copy_as_two_stores(
        generated_warehouse.path, tmp_path_factory.mktemp("two_stores") / "warehouse.duckdb"
    )


def test_one_store_needs_no_selector(monkeypatch, generated_warehouse):
    at = open_app(monkeypatch, generated_warehouse.path)
    assert not at.sidebar.selectbox
    assert any(c.value.startswith("Store: ") for c in at.sidebar.caption)


def test_the_store_selector_switches_the_overview_numbers(monkeypatch, two_store_warehouse):
    at = open_app(monkeypatch, two_store_warehouse)
    selector = at.sidebar.selectbox(key="store")
    assert len(selector.options) == 2 and selector.options[1] == "Second shop"
    assert selector.value == STORE and not selector.disabled
    shown = {STORE: metrics(at)}
    selector.set_value(SECOND_STORE).run()
    assert not at.exception, [e.value for e in at.exception]
    shown[SECOND_STORE] = metrics(at)
    for store, figures in shown.items():
        assert figures == overview_figures(two_store_warehouse, store)
    assert shown[SECOND_STORE]["Net revenue"] != shown[STORE]["Net revenue"]
    assert (
        shown[SECOND_STORE]["Customers with purchases"] != shown[STORE]["Customers with purchases"]
    )
    assert at.query_params["store"] == SECOND_STORE  # the address names the store


def test_the_store_in_the_address_is_selected(monkeypatch, two_store_warehouse):
    monkeypatch.setenv("DUCKDB_PATH", str(two_store_warehouse))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["store"] = SECOND_STORE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="store").value == SECOND_STORE
    assert metrics(at) == overview_figures(two_store_warehouse, SECOND_STORE)


def test_every_commerce_page_shows_the_chosen_store(monkeypatch, two_store_warehouse):
    segments = {
        store: open_app(monkeypatch, two_store_warehouse, "segments", store).dataframe[0].value
        for store in (STORE, SECOND_STORE)
    }
    assert all(label.endswith(" (2nd)") for label in segments[SECOND_STORE]["segment_label"])
    assert not any(label.endswith(" (2nd)") for label in segments[STORE]["segment_label"])
    assert list(segments[SECOND_STORE]["revenue"]) == pytest.approx(
        [MONETARY_SCALE * revenue for revenue in segments[STORE]["revenue"]]
    )
    # only the second store has an earlier run: only it has migrations
    first = open_app(monkeypatch, two_store_warehouse, "migrations", STORE)
    assert not first.get("plotly_chart")
    assert "Only one segmentation run" in first.info[0].value
    second = open_app(monkeypatch, two_store_warehouse, "migrations", SECOND_STORE)
    assert len(second.get("plotly_chart")) == 1
    assert all(label.endswith(" (2nd)") for label in second.dataframe[0].value["to_segment"])
    # the student page has no store: the selector stays, disabled
    students = open_app(monkeypatch, two_store_warehouse, "students")
    assert students.sidebar.selectbox(key="store").disabled


@pytest.mark.parametrize(("recency", "frequency", "monetary"), [(64, 32, 100924.0), (300, 1, 35.5)])
def test_score_form_gives_the_api_answer_of_the_chosen_store(
    monkeypatch, two_store_warehouse, recency, frequency, monetary
):
    params = {"recency": recency, "frequency": frequency, "monetary_value": monetary}
    answers = {}
    with TestClient(create_app(open_warehouse(two_store_warehouse))) as client:
        for store in (STORE, SECOND_STORE):
            at = open_app(monkeypatch, two_store_warehouse, "score", store)
            submit_score_form(at, recency, frequency, monetary)
            answers[store] = client.get("/api/cluster", params={**params, "store": store}).json()
            assert answers[store]["store"] == store
            assert_score_form_answers(at, answers[store])
    assert answers[STORE]["modelRunId"] != answers[SECOND_STORE]["modelRunId"]
