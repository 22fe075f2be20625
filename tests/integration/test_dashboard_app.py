"""Every dashboard page through Streamlit's app test harness, on the session's generated warehouse
and on a copy of it with two stores."""

from __future__ import annotations

import base64
import json
import os
import shutil

import duckdb
import numpy as np
import pandas as pd
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
from apps.dashboard.views import clv as clv_view

APP = PROJECT_ROOT / "apps" / "dashboard" / "app.py"
MISSING_TABLE = "is not in the published warehouse"
# page slug -> (header, least number of charts)
EXPECTED = {
    "overview": ("Overview", 2),
    "segments": ("Segment explorer", 5),
    "profiles": ("Segment profiles by attribute", 1),
    "products": ("Products and interests", 6),
    "recommendations": ("Recommendations", 1),
    "migrations": ("Migrations", 0),
    "clv": ("Customer lifetime value", 3),
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


def test_segments_page_says_what_to_do_with_each_segment(monkeypatch, generated_warehouse):
    """One line per segment, above the wide table: its name, size, dominant RFM segment and the
    playbook's suggestion, as the mart has them."""
    at = open_app(monkeypatch, generated_warehouse.path, "segments")
    with duckdb.connect(str(generated_warehouse.path), read_only=True) as con:
        rows = con.execute(
            "select segment_label, customers, dominant_rfm_segment, suggested_action, suggestion"
            " from marts.segment_profiles where store = ? order by segment_id",
            [STORE],
        ).fetchall()
    lines = [m.value for m in at.markdown if " customers, " in m.value]
    assert len(lines) == len(rows)
    for line, (label, customers, rfm_segment, action, suggestion) in zip(lines, rows, strict=True):
        assert line.startswith(f"**{label}** ({customers:,} customers, ")
        assert f"mostly {rfm_segment}" in line
        assert f"**{action}.** {suggestion}" in line


def test_lifetime_value_page_names_the_served_model_and_the_customers_at_risk(
    monkeypatch, generated_warehouse
):
    at = open_app(monkeypatch, generated_warehouse.path, "clv")
    with duckdb.connect(str(generated_warehouse.path), read_only=True) as con:
        served, mae = con.execute(
            "select purchase_model, purchases_mae from marts.clv_holdout_evaluation where is_served"
        ).fetchone()
        at_risk = con.execute(
            "select customer_id from marts.customer_lifetime_value where is_at_risk"
            " order by predicted_clv desc limit 50"
        ).fetchall()
    reading = at.markdown[0].value
    assert f"**{clv_view.MODEL_NAMES[served]}**" in reading
    if served != "naive":
        assert f"{mae:.2f}" in reading
    shown = next(d.value for d in at.dataframe if "churn_risk" in d.value and len(d.value) <= 50)
    assert set(shown["customer_id"]) == {row[0] for row in at_risk}


def attribute_rows(warehouse_path, store: str, attribute: str) -> pd.DataFrame:
    """The rows of marts.segment_attribute_profiles of `store` and `attribute`, queried here."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(
            "select * from marts.segment_attribute_profiles where store = ? and attribute = ?",
            [store, attribute],
        ).df()


def assert_same_rows(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    """The same rows (in any order) with the same columns and values; run ids are shown by
    their first 8 characters."""
    assert list(shown.columns) == list(expected.columns)
    expected = expected.assign(model_run_id=expected["model_run_id"].str[:8])
    key = ["segment_id", "attribute_value"]
    pd.testing.assert_frame_equal(
        shown.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )


def heat_map(at: AppTest) -> dict:
    """The profile page's heat map: its values (columns), segments (rows) and shares."""
    (chart,) = at.get("plotly_chart")
    trace = json.loads(chart.proto.spec)["data"][0]
    assert trace["type"] == "heatmap"
    z = trace["z"]
    if isinstance(z, dict):  # plotly's typed array: base64 of the numpy array's bytes
        shape = [int(n) for n in z["shape"].split(",")]
        z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape).tolist()
    return {"x": list(trace["x"]), "y": list(trace["y"]), "z": z}


def test_profiles_by_country_of_the_generated_warehouse(monkeypatch, generated_warehouse):
    monkeypatch.setenv("DUCKDB_PATH", str(generated_warehouse.path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["page"] = "profiles"  # reachable from the address
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Segment profiles by attribute"]
    selector = at.selectbox(key="profiles_attribute")
    assert selector.options == ["country"] and selector.value == "country"
    table = at.dataframe[0].value
    assert_same_rows(table, attribute_rows(generated_warehouse.path, STORE, "country"))
    with duckdb.connect(str(generated_warehouse.path), read_only=True) as con:
        countries = con.execute(
            "select r.country, count(*) as customers, count(distinct s.segment_id) as segments"
            " from marts.customer_segments as s"
            " join marts.fct_customer_rfm as r using (store, customer_id)"
            " where s.store = ? and r.country is not null group by r.country"
            " order by customers desc, r.country",
            [STORE],
        ).df()
        segments = con.execute(
            "select segment_id, segment_label from marts.segment_profiles where store = ?"
            " order by segment_id",
            [STORE],
        ).fetchall()
    # one value per country of the segmented customers, each customer counted once
    assert set(table["attribute_value"]) == set(countries["country"])
    assert table["customers"].sum() == countries["customers"].sum()
    assert len(table) == countries["segments"].sum()
    # the heat map: segments by id (rows) x the 12 countries with the most customers, then "other"
    shown = heat_map(at)
    assert shown["y"] == [f"{segment_id} · {label}" for segment_id, label in segments]
    top = list(countries["country"][:12])
    assert shown["x"] == top + (["other"] if len(countries) > 12 else [])
    assert len(countries) > 12  # the generated data has enough countries to sum some as "other"
    for row, (segment_id, _) in zip(shown["z"], segments, strict=True):
        of_segment = table[table["segment_id"] == segment_id]
        expected = of_segment.set_index("attribute_value")["share_of_segment"]
        assert row[:12] == pytest.approx([expected.get(country, 0.0) for country in top])
        assert row[12] == pytest.approx(expected.drop(top, errors="ignore").sum())
    reading = at.caption[1].value
    assert reading.startswith("Each row is a segment's customers by country")
    assert "Most over-represented" in reading
    (download,) = at.get("download_button")
    assert download.proto.label == "Download segment profiles by country (CSV)"


def overview_figures(warehouse_path, store: str) -> dict[str, str]:
    """The overview's metrics of `store`, computed here in SQL."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        customers, revenue, as_of, k, currency = con.execute(
            "select count(*) filter (where has_purchases), sum(monetary), max(as_of_date),"
            " (select count(*) from marts.segment_profiles where store = $store),"
            " (select any_value(currency) from seeds.stores where store = $store)"
            " from marts.fct_customer_rfm where store = $store",
            {"store": store},
        ).fetchone()
    symbol = {"GBP": "£", "BRL": "R$", None: ""}[currency]
    return {
        "Customers with purchases": f"{customers:,}",
        "Net revenue": f"{symbol}{revenue:,.0f}",
        "As of": str(as_of),
        "Segments (k)": str(k),
    }


def test_overview_figures_match_the_warehouse(monkeypatch, generated_warehouse):
    at = open_app(monkeypatch, generated_warehouse.path)
    assert metrics(at) == overview_figures(generated_warehouse.path, STORE)


def test_overview_gives_the_model_age_and_last_refit(monkeypatch, rebuilt_generated_warehouse):
    """The second build scored with the first one's model: the overview says so, with the
    model's fit date, its age and why it was fitted."""
    at = open_app(monkeypatch, rebuilt_generated_warehouse.path)
    as_of = rebuilt_generated_warehouse.query_df(
        "select max(as_of_date) as d from marts.fct_customer_rfm"
    )["d"].iloc[0]
    [model] = [c.value for c in at.caption if c.value.startswith("Segment model fitted")]
    assert f"as of {as_of.date()} (0 days of data old)" in model
    assert "last refit: no stored model for this store" in model
    assert model.endswith("The latest build scored with it (no refit was due).")


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
    assert result["distance"] == pytest.approx(api["distance"], rel=5e-4)  # 4 digits in the API
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
        # the earlier run's segment 1 was retired by a refit: its customers moved to segment 1
        con.execute(
            "update marts.segment_migrations set from_segment_id = 99,"
            " from_segment_label = 'Retired label', is_move = true"
            " where from_run_id = ? and from_segment_id = 1",
            [earlier],
        )
        # and a refit renumbered segment 2 under the same label: its customers stayed
        con.execute(
            "update marts.segment_migrations set from_segment_id = 98"
            " where from_run_id = ? and from_segment_id = 2",
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
    matrix = at.dataframe[0].value.set_index("from \\ to")
    with duckdb.connect(str(path), read_only=True) as con:
        latest = con.execute(
            "select count(*) from marts.customer_segments where store = ?", [STORE]
        ).fetchone()[0]
        ids = con.execute(
            "select segment_id, any_value(segment_label), count(*) from marts.customer_segments"
            " where store = ? group by 1 order by 1",
            [STORE],
        ).fetchall()
    # square, every segment label of either run on both axes, the retired one included (the
    # renumbered segment 2 is one label: its customers are on the diagonal)
    labels = [label for _, label, _ in ids]
    assert (
        list(matrix.index) == list(matrix.columns) == [*labels, "Retired label", "(not segmented)"]
    )
    # every customer of the latest run is counted once, those new to it from "(not segmented)"
    assert matrix.to_numpy().sum() == latest
    assert "Older label" not in matrix.index  # the older pair is not shown
    # the retired segment's customers moved to segment 1; the others stayed on the diagonal
    first_label = ids[0][1]
    new_to_segmentation = matrix.loc["(not segmented)"].sum()
    assert matrix.loc["Retired label", first_label] == matrix.loc["Retired label"].sum() > 0
    assert matrix.loc[first_label].sum() == 0
    stayed = sum(matrix.loc[label, label] for label in labels)
    assert stayed + matrix.loc["Retired label"].sum() + new_to_segmentation == latest
    moved = matrix.loc["Retired label"].sum()
    assert (
        f"**{moved:,}** of the {latest - new_to_segmentation:,} customers" in at.markdown[0].value
    )
    assert f"({earlier[:8]})" in at.caption[0].value and earlier not in at.caption[0].value
    assert at.dataframe[1].value.empty  # no customer_segment_changes rows for this run


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
    matrix = second.dataframe[0].value.set_index("from \\ to")
    assert all(label.endswith(" (2nd)") for label in matrix.columns.drop("(not segmented)"))
    # the student page has no store: the selector stays, disabled
    students = open_app(monkeypatch, two_store_warehouse, "students")
    assert students.sidebar.selectbox(key="store").disabled


@pytest.fixture(scope="module")
def two_store_profiles(two_store_warehouse, tmp_path_factory):
    """The two-store copy whose second store has labels of its own in
    marts.segment_attribute_profiles and a second attribute, payment_type, like Olist's."""
    path = tmp_path_factory.mktemp("two_store_profiles") / "warehouse.duckdb"
    shutil.copy2(two_store_warehouse, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "update marts.segment_attribute_profiles set segment_label = segment_label || ' (2nd)'"
            " where store = ?",
            [SECOND_STORE],
        )
        con.execute(
            """
            insert into marts.segment_attribute_profiles
            select store, segment_id, segment_label, 'payment_type',
                   if(attribute_value = 'United Kingdom', 'credit_card', 'boleto'),
                   sum(customers), sum(share_of_segment), sum(revenue), min(model_run_id)
            from marts.segment_attribute_profiles
            where store = ? and attribute = 'country'
            group by all
            """,
            [SECOND_STORE],
        )
    return path


def test_profiles_follow_the_store_and_the_attribute(monkeypatch, two_store_profiles):
    path = two_store_profiles
    at = open_app(monkeypatch, path, "profiles")
    assert at.selectbox(key="profiles_attribute").options == ["country"]
    assert_same_rows(at.dataframe[0].value, attribute_rows(path, STORE, "country"))

    at.sidebar.selectbox(key="store").set_value(SECOND_STORE).run()
    assert not at.exception, [e.value for e in at.exception]
    selector = at.selectbox(key="profiles_attribute")
    assert selector.options == ["country", "payment_type"] and selector.value == "country"
    table = at.dataframe[0].value
    assert_same_rows(table, attribute_rows(path, SECOND_STORE, "country"))
    assert all(label.endswith(" (2nd)") for label in table["segment_label"])
    assert all(label.endswith(" (2nd)") for label in heat_map(at)["y"])

    selector.set_value("payment_type").run()
    assert not at.exception, [e.value for e in at.exception]
    expected = attribute_rows(path, SECOND_STORE, "payment_type")
    assert_same_rows(at.dataframe[0].value, expected)
    by_customers = expected.groupby("attribute_value")["customers"].sum().sort_values()
    assert heat_map(at)["x"] == list(by_customers.index[::-1])  # most customers first
    assert "by payment_type" in at.caption[1].value
    (download,) = at.get("download_button")
    assert download.proto.label == "Download segment profiles by payment_type (CSV)"

    # back to the first store, which has no payment_type: its country profile again
    at.sidebar.selectbox(key="store").set_value(STORE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="profiles_attribute").value == "country"
    assert_same_rows(at.dataframe[0].value, attribute_rows(path, STORE, "country"))


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
