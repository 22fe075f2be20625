"""The "Recommendations" dashboard page through Streamlit's app test harness: the customer's table
against marts.customer_recommendations, the evaluation's bars against
marts.recommendation_evaluation, the associations against marts.product_associations (all queried
here), the customer picker and the address, and warehouses without the marts or without an
evaluation."""

from __future__ import annotations

import base64
import json
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support import PROJECT_ROOT
from two_stores import SECOND_STORE, copy_as_two_stores

from apps.dashboard.views import PAGES

APP = PROJECT_ROOT / "apps" / "dashboard" / "app.py"
PAGE = "recommendations"
STORE = "online_retail"
SUBHEADERS = [
    "A customer's next-best products",
    "How well the recommendations predict the next purchases",
    "Products bought together",
]
EVALUATION_TITLE = "Recommendations against what customers bought next"
METRICS = ("precision_at_10", "recall_at_10", "hit_rate_at_10", "catalogue_coverage")
METRIC_LABELS = ["precision@10", "recall@10", "hit rate@10", "catalogue coverage"]
METHOD_NAMES = {
    "model": "recommender",
    "global_popularity": "global popularity (baseline)",
    "segment_popularity": "segment popularity (baseline)",
}
TABLE_COLUMNS = ["rank", "product", "description", "category", "score", "reason"]
RECOMMENDATION_MARTS = (
    "customer_recommendations",
    "recommendation_evaluation",
    "product_associations",
)
MIN_BASKETS = 10
TOP_ASSOCIATIONS = 20


@pytest.fixture(autouse=True)
def quiet_streamlit(monkeypatch):
    monkeypatch.setenv("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    monkeypatch.setenv("STREAMLIT_SERVER_HEADLESS", "true")


def open_page(
    monkeypatch, warehouse_path, store: str | None = None, customer: str | None = None
) -> AppTest:
    """The recommendations page, reached from the address (`?page=recommendations[&store=...]
    [&customer=...]`)."""
    monkeypatch.setenv("DUCKDB_PATH", str(warehouse_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["page"] = PAGE
    if store is not None:
        at.query_params["store"] = store
    if customer is not None:
        at.query_params["customer"] = customer
    at.run()
    assert_ran(at)
    return at


def assert_ran(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Recommendations"]


def query(warehouse_path, sql: str, params=()) -> pd.DataFrame:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def plain(values):
    """A Plotly array as a list: typed arrays are base64 of a numpy array's bytes."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def charts(at: AppTest) -> dict[str, list[dict]]:
    """The page's figures by title: their traces, arrays as lists."""
    found = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        found[spec["layout"]["title"]["text"]] = [
            {key: plain(value) if key in ("x", "y") else value for key, value in trace.items()}
            for trace in spec["data"]
        ]
    return found


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def customer_input(at: AppTest, store: str = STORE):
    return at.text_input(key=f"recommendations_customer_{store}")


def showcase_customer(path, store: str = STORE) -> int:
    """The customer with the most recommendations from association rules, ties to the lower id."""
    return int(
        query(
            path,
            """
            select customer_id
            from marts.customer_recommendations
            where store = ?
            group by customer_id
            order by sum(case when reason like 'bought_with:%' then 1 else 0 end) desc,
                customer_id
            limit 1
            """,
            [store],
        ).iloc[0, 0]
    )


def assert_customer_table(at: AppTest, path, customer_id: int, store: str = STORE) -> None:
    """The first table is the customer's rows of the mart, in rank order, as shown; the caption
    counts their reasons."""
    rows = query(
        path,
        "select * from marts.customer_recommendations where store = ? and customer_id = ?"
        " order by recommendation_rank",
        [store, customer_id],
    )
    assert len(rows) == 10
    table = at.dataframe[0].value
    assert list(table.columns) == TABLE_COLUMNS
    assert list(table["rank"]) == list(range(1, 11))
    assert list(table["product"]) == list(rows["product_id"])
    assert list(table["description"]) == list(rows["description"])
    assert list(table["category"]) == list(rows["category_name"])
    assert list(table["score"]) == pytest.approx(list(rows["score"]))
    assert list(table["reason"]) == list(rows["reason"])
    reasons = rows["reason"]
    counts = (
        int(reasons.str.startswith("bought_with:").sum()),
        int((reasons == "popular_in_segment").sum()),
        int((reasons == "popular_in_category").sum()),
    )
    caption = next(c for c in captions(at) if c.startswith(f"Customer {customer_id} ("))
    first = rows.iloc[0]
    assert f"segment {int(first['segment_id'])} · {first['segment_label']}" in caption
    assert (
        f"of the 10 recommendations, {counts[0]} are bought with products of theirs, "
        f"{counts[1]} popular in their segment and {counts[2]} popular in the category"
    ) in caption


def expected_reading(mart: pd.DataFrame) -> str:
    """The evaluation's reading, from the mart's numbers."""
    model = mart.loc["model"]
    baselines = [mart.loc[m] for m in ("global_popularity", "segment_popularity")]
    names = ["global popularity", "segment popularity"]
    hit = model["hit_rate_at_10"]
    verbs = [
        "beats"
        if hit > b["hit_rate_at_10"]
        else "trails"
        if hit < b["hit_rate_at_10"]
        else "ties with"
        for b in baselines
    ]
    clauses = [f"{n}'s {b['hit_rate_at_10']:.2f}" for n, b in zip(names, baselines, strict=True)]
    against = (
        f"{verbs[0]} {clauses[0]} and {clauses[1]}"
        if verbs[0] == verbs[1]
        else f"{verbs[0]} {clauses[0]} but {verbs[1]} {clauses[1]}"
    )
    return (
        f"The recommender's hit rate@10 {hit:.2f} {against}: {hit:.0%} of the evaluated customers"
        f" bought at least one of its ten products within {int(model['holdout_days'])} days."
        f" Precision@10: {model['precision_at_10']:.3f} against"
        f" {baselines[0]['precision_at_10']:.3f} and {baselines[1]['precision_at_10']:.3f};"
        f" catalogue coverage: {model['catalogue_coverage']:.0%} against"
        f" {baselines[0]['catalogue_coverage']:.0%} and {baselines[1]['catalogue_coverage']:.0%}."
    )


def assert_evaluation(at: AppTest, path, store: str = STORE) -> None:
    """The grouped bars are the evaluation mart's numbers; the caption gives the split, the reading
    compares the recommender with the baselines."""
    mart = query(
        path, "select * from marts.recommendation_evaluation where store = ?", [store]
    ).set_index("method")
    assert (mart["customers_evaluated"] > 0).all()
    traces = charts(at)[EVALUATION_TITLE]
    assert [t["name"] for t in traces] == [METHOD_NAMES[m] for m in METHOD_NAMES]
    for trace in traces:
        method = next(m for m, name in METHOD_NAMES.items() if name == trace["name"])
        assert trace["x"] == METRIC_LABELS
        assert trace["y"] == pytest.approx([mart.loc[method, m] for m in METRICS])
    split = next(c for c in captions(at) if c.startswith("Trained on the baskets before"))
    first = mart.iloc[0]
    assert f"before {str(first['cutoff_date'])[:10]}" in split
    assert f"the {int(first['customers_evaluated']):,} of those customers" in split
    assert f"in the {int(first['holdout_days'])} days" in split
    assert expected_reading(mart) in captions(at)
    table = at.dataframe[1].value
    assert list(table["method"]) == list(METHOD_NAMES)
    assert list(table["hit_rate_at_10"]) == pytest.approx(
        list(mart.loc[list(METHOD_NAMES), "hit_rate_at_10"])
    )


def assert_associations(at: AppTest, path, store: str = STORE) -> None:
    """The last table: the rules of pairs in at least 10 baskets with the highest lift."""
    rules = query(
        path,
        "select * from marts.product_associations where store = ? and baskets >= ?",
        [store, MIN_BASKETS],
    )
    expected = rules.sort_values(
        ["lift", "baskets", "antecedent_product_id", "consequent_product_id"],
        ascending=[False, False, True, True],
    ).head(TOP_ASSOCIATIONS)
    table = at.dataframe[-1].value
    assert len(table) == min(TOP_ASSOCIATIONS, len(rules)) > 0
    assert (table["baskets"] >= MIN_BASKETS).all()
    assert list(table["antecedent_product_id"]) == list(expected["antecedent_product_id"])
    assert list(table["consequent_product_id"]) == list(expected["consequent_product_id"])
    assert list(table["consequent_description"]) == list(expected["consequent_description"])
    assert list(table["lift"]) == pytest.approx(list(expected["lift"]))
    assert list(table["confidence"]) == pytest.approx(list(expected["confidence"]))
    # none left out has a higher lift than the last shown
    assert rules["lift"].nlargest(TOP_ASSOCIATIONS + 1).iloc[-1] <= table["lift"].iloc[-1]


def test_the_page_is_listed_after_the_products():
    slugs = list(PAGES)
    assert slugs[slugs.index("products") + 1] == PAGE
    assert PAGES[PAGE].title == "Recommendations" and PAGES[PAGE].per_store


def test_recommendations_page_of_the_generated_store(monkeypatch, generated_warehouse):
    path = generated_warehouse.path
    at = open_page(monkeypatch, path)
    assert [s.value for s in at.subheader] == SUBHEADERS
    assert not at.info
    # the customer with the most recommendations from association rules, in the address too
    customer_id = showcase_customer(path)
    assert customer_input(at).value == str(customer_id)
    assert at.query_params["customer"] == str(customer_id)
    assert_customer_table(at, path, customer_id)
    assert_evaluation(at, path)
    assert_associations(at, path)
    # every chart has its reading, every table its CSV download
    assert len(at.dataframe) == len(at.get("download_button")) == 3


def test_the_customer_comes_from_the_address_and_the_picker(monkeypatch, generated_warehouse):
    path = generated_warehouse.path
    customers = query(
        path,
        "select distinct customer_id from marts.customer_recommendations where store = ?"
        " order by customer_id",
        [STORE],
    )["customer_id"]
    first, other = int(customers.iloc[0]), int(customers.iloc[-1])
    at = open_page(monkeypatch, path, customer=str(first))
    assert customer_input(at).value == str(first)
    assert_customer_table(at, path, first)
    customer_input(at).set_value(f" {other} ").run()
    assert_ran(at)
    assert_customer_table(at, path, other)
    assert at.query_params["customer"] == str(other)
    assert not at.info


def test_an_unknown_or_invalid_customer_says_so(monkeypatch, generated_warehouse):
    path = generated_warehouse.path
    at = open_page(monkeypatch, path, customer="999999999")
    (info,) = at.info
    assert info.value == (
        "Customer 999999999 has no recommendations in this store: not one of its customers, or "
        "no purchase to recommend from."
    )
    # the rest of the page is still there
    assert [s.value for s in at.subheader] == SUBHEADERS
    assert EVALUATION_TITLE in charts(at)
    customer_input(at).set_value("twelve").run()
    assert_ran(at)
    (info,) = at.info
    assert info.value.startswith("`twelve` is not a customer id: enter a whole number")
    assert str(showcase_customer(path)) in info.value
    # an id the address cannot hold as a customer falls back to the default
    at = open_page(monkeypatch, path, customer=str(2**64))
    assert customer_input(at).value == str(showcase_customer(path))


def copy_with(generated_warehouse, tmp_path, *statements: str):
    path = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


def test_a_warehouse_without_the_recommendation_marts(monkeypatch, generated_warehouse, tmp_path):
    path = copy_with(
        generated_warehouse,
        tmp_path,
        *(f"drop table marts.{name}" for name in RECOMMENDATION_MARTS),
    )
    at = open_page(monkeypatch, path)
    (info,) = at.info
    assert info.value == (
        "`marts.customer_recommendations`, `marts.recommendation_evaluation`, "
        "`marts.product_associations` are not in the published warehouse yet: rebuild with "
        "`make run`."
    )
    assert not at.get("plotly_chart") and not at.dataframe and not at.subheader


def test_a_store_without_evaluated_customers_or_associations(
    monkeypatch, generated_warehouse, tmp_path
):
    """As the Olist sample: no customer bought a new product after the cutoff, no pair in enough
    baskets."""
    path = copy_with(
        generated_warehouse,
        tmp_path,
        "update marts.recommendation_evaluation set precision_at_10 = null,"
        " recall_at_10 = null, hit_rate_at_10 = null, catalogue_coverage = null,"
        " customers_evaluated = 0",
        f"delete from marts.product_associations where baskets >= {MIN_BASKETS}",
    )
    evaluation = query(path, "select * from marts.recommendation_evaluation").iloc[0]
    at = open_page(monkeypatch, path)
    assert [i.value for i in at.info] == [
        f"No customer of this store bought a product new to them in the "
        f"{int(evaluation['holdout_days'])} days from the evaluation's cutoff "
        f"({str(evaluation['cutoff_date'])[:10]}): there is nothing to evaluate the "
        "recommendations on.",
        "No pair of this store's products was bought together in 10 baskets or more.",
    ]
    assert not at.get("plotly_chart")
    # the customer's recommendations are still shown
    assert len(at.dataframe) == 1
    assert_customer_table(at, path, showcase_customer(path))


def test_each_store_shows_its_own_customers(monkeypatch, generated_warehouse, tmp_path):
    path = copy_as_two_stores(generated_warehouse.path, tmp_path / "two_stores.duckdb")
    at = open_page(monkeypatch, path, store=SECOND_STORE)
    assert at.sidebar.selectbox(key="store").value == SECOND_STORE
    second = showcase_customer(path, SECOND_STORE)
    assert customer_input(at, SECOND_STORE).value == str(second)
    assert_customer_table(at, path, second, SECOND_STORE)
    assert_evaluation(at, path, SECOND_STORE)
    assert_associations(at, path, SECOND_STORE)
    # the first store: its own picker, from the address's customer
    at.sidebar.selectbox(key="store").set_value(STORE).run()
    assert_ran(at)
    assert customer_input(at).value == str(second)
    assert_customer_table(at, path, second, STORE)
