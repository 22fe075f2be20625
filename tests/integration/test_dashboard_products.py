"""The "Products and interests" dashboard page through Streamlit's app test harness: its charts and
tables against the product marts queried here, a store with categories of its own (many of them),
and warehouses without the product marts or without rows for the store."""

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

from apps.dashboard.views import PAGES

APP = PROJECT_ROOT / "apps" / "dashboard" / "app.py"
PAGE = "products"
STORE = "online_retail"
OWN_STORE = "olist"  # in seed stores; given categories of its own by the fixture below
PRODUCT_MARTS = (
    "product_categories",
    "product_category_k_selection",
    "customer_interest_segments",
    "interest_segment_profiles",
    "interest_k_selection",
    "interest_rfm_cross",
    "interest_prediction_evaluation",
)
METRICS = ("accuracy", "balanced_accuracy", "macro_f1")
TITLES = {
    "categories": "Share of the store's product revenue by category",
    "category_k": "Choosing the number of categories",
    "sizes": "Customers per interest segment",
    "interests": "Mean share of each interest segment's spend by category",
    "interest_k": "Choosing the number of interest segments",
    "cross": "Customers by interest segment and RFM segment",
    "evaluation": "Predicting a new customer's main category from their first order",
}
# the fixed scores the own-categories store gets: the model beats the majority category on every
# measure, the first basket only on balanced accuracy
OWN_SCORES = {
    "model": (0.80, 0.70, 0.60),
    "majority_category": (0.20, 0.10, 0.05),
    "first_basket": (0.90, 0.50, 0.65),
}


@pytest.fixture(autouse=True)
def quiet_streamlit(monkeypatch):
    monkeypatch.setenv("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    monkeypatch.setenv("STREAMLIT_SERVER_HEADLESS", "true")


def open_page(monkeypatch, warehouse_path, store: str | None = None) -> AppTest:
    """The products page, reached from the address (`?page=products[&store=...]`)."""
    monkeypatch.setenv("DUCKDB_PATH", str(warehouse_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["page"] = PAGE
    if store is not None:
        at.query_params["store"] = store
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Products and interests"]
    return at


def query(warehouse_path, sql: str, params=()) -> pd.DataFrame:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def plain(values):
    """A Plotly array as a list: typed arrays are base64 of a numpy array's bytes."""
    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        if "shape" in values:
            array = array.reshape([int(n) for n in str(values["shape"]).split(",")])
        return array.tolist()
    return list(values)


def figures(at: AppTest) -> dict[str, dict]:
    """The page's figures by title, in page order: their traces ("data", arrays as lists) and
    layout."""
    found = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        spec["data"] = [
            {key: plain(value) if key in ("x", "y", "z") else value for key, value in t.items()}
            for t in spec["data"]
        ]
        found[spec["layout"]["title"]["text"]] = spec
    return found


def charts(at: AppTest) -> dict[str, list[dict]]:
    """The page's figures by title: their traces."""
    return {title: figure["data"] for title, figure in figures(at).items()}


def bar_order(at: AppTest) -> list[str]:
    """The category bars from top to bottom: the y axis' category order."""
    return list(figures(at)[TITLES["categories"]]["layout"]["yaxis"]["categoryarray"])


def bars(traces: list[dict]) -> dict[str, tuple[float, str]]:
    """Horizontal bars of all traces: bar name -> (value, trace name)."""
    return {
        name: (value, trace.get("name"))
        for trace in traces
        for value, name in zip(trace["x"], trace["y"], strict=True)
    }


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def expected_clause(model: pd.Series, baseline: pd.Series, name: str) -> str:
    wins = [
        label
        for metric, label in zip(
            METRICS, ("accuracy", "balanced accuracy", "macro-F1"), strict=True
        )
        if model[metric] > baseline[metric]
    ]
    if len(wins) == 3:
        return f"beats {name} on all three measures"
    if not wins:
        return f"does not beat {name} on any measure"
    return f"beats {name} only on {' and '.join(wins)}"


def assert_evaluation(at: AppTest, warehouse_path, store: str) -> None:
    """The grouped bars are the evaluation mart's numbers; the caption gives the split, the reading
    says whether the model beats each baseline."""
    mart = query(
        warehouse_path,
        "select * from marts.interest_prediction_evaluation where store = ?",
        [store],
    ).set_index("method")
    traces = charts(at)[TITLES["evaluation"]]
    shown = {trace["name"]: trace["y"] for trace in traces}
    names = {
        "model": "model",
        "basket_ranker": "basket ranker",
        "majority_category": "majority category (baseline)",
        "first_basket": "first basket (baseline)",
    }
    assert set(shown) == {names[method] for method in mart.index}
    for method, row in mart.iterrows():
        assert shown[names[method]] == pytest.approx([row[m] for m in METRICS])
    assert all(trace["x"] == ["accuracy", "balanced accuracy", "macro-F1"] for trace in traces)
    split = next(c for c in captions(at) if c.startswith("Trained on"))
    first = mart.iloc[0]
    assert f"{int(first['n_train']):,} customers" in split
    assert f"{int(first['n_test']):,} new customers" in split
    assert str(first["cutoff"])[:10] in split
    reading = next(c for c in captions(at) if c.startswith("On new customers the model"))
    model = mart.loc["model"]
    majority = expected_clause(
        model, mart.loc["majority_category"], "the majority-category baseline"
    )
    first_basket = expected_clause(model, mart.loc["first_basket"], "the first-basket baseline")
    assert f"the model {majority}" in reading
    assert first_basket in reading
    table = at.dataframe[-1].value
    assert list(table["method"]) == [m for m in names if m in mart.index]
    assert list(table["macro_f1"]) == pytest.approx(list(mart.loc[table["method"], "macro_f1"]))
    assert_served_sentence(at, warehouse_path, store)


# how the sentence names each served method
SERVED_WORDS = {
    "model": "the logistic regression",
    "basket_ranker": "the basket ranker",
    "majority_category": "the majority-category baseline",
    "first_basket": "the first-basket baseline",
}


def assert_served_sentence(at: AppTest, warehouse_path, store: str) -> None:
    """One sentence names the method marts.interest_model serves for the store and its reason."""
    served = query(
        warehouse_path, "select method, reason from marts.interest_model where store = ?", [store]
    )
    texts = [m.value for m in at.markdown]
    if served.empty:
        assert any(t.startswith("The published warehouse stores no interest model") for t in texts)
        return
    method, reason = served.iloc[0]
    (sentence,) = [t for t in texts if t.startswith("The API predicts a new customer's")]
    assert SERVED_WORDS[method] in sentence
    assert sentence.endswith(reason.removeprefix("served: ") + ".")


def test_the_page_is_listed_after_the_profiles():
    slugs = list(PAGES)
    assert slugs[slugs.index("profiles") + 1] == PAGE
    assert PAGES[PAGE].title == "Products and interests" and PAGES[PAGE].per_store


def test_products_page_of_the_generated_store(monkeypatch, generated_warehouse):
    path = generated_warehouse.path
    at = open_page(monkeypatch, path)
    assert [s.value for s in at.subheader] == [
        "Product categories",
        "Interest segments",
        "Interest segments and RFM segments",
        "Predicting a new customer's interest",
    ]
    assert not at.info  # every product mart has rows for the store
    found = charts(at)
    assert list(found) == list(TITLES.values())
    # every chart has its reading, every table its CSV download
    assert len(at.caption) >= len(found)
    assert len(at.get("download_button")) == len(at.dataframe) == 5

    # categories: one bar per category (16 of them: none summed), its revenue share
    categories = query(
        path,
        "select * from marts.product_categories where store = ? order by category_id",
        [STORE],
    )
    assert len(categories) <= 31
    shown = bars(found[TITLES["categories"]])
    assert set(shown) == set(categories["category_name"])
    for name, share, override in zip(
        categories["category_name"],
        categories["share_of_revenue"],
        categories["is_override_category"],
        strict=True,
    ):
        assert shown[name][0] == pytest.approx(share)
        assert shown[name][1] == ("override" if override else "clustered")
    by_share = categories.sort_values(["share_of_revenue", "category_id"], ascending=[False, True])
    assert bar_order(at) == list(by_share["category_name"])  # largest share on top
    table = at.dataframe[0].value
    assert list(table["category_id"]) == list(categories["category_id"])
    assert list(table["top_terms"]) == list(categories["top_terms"])
    assert list(table["share_of_revenue"]) == pytest.approx(list(categories["share_of_revenue"]))
    assert table["share_of_revenue"].sum() == pytest.approx(1.0)
    assert set(table["origin"]) <= {"clustered", "override", "uncategorised"}

    # the category k selection: the star is the chosen k
    k_chosen = query(
        path,
        "select k from marts.product_category_k_selection where store = ? and is_chosen",
        [STORE],
    )["k"]
    stars = [t for t in found[TITLES["category_k"]] if t["name"] == "chosen k"]
    assert [t["x"] for t in stars] == [list(k_chosen)] * 2
    assert any(
        c.startswith(f"The star marks the k in use ({k_chosen.iloc[0]})") for c in captions(at)
    )

    # interest segment sizes: counted from customer_interest_segments
    counts = query(
        path,
        "select interest_segment_id, min(interest_segment_label) as label, count(*) as customers"
        " from marts.customer_interest_segments where store = ? group by 1 order by 1",
        [STORE],
    )
    (sizes,) = found[TITLES["sizes"]]
    assert sizes["y"] == [
        f"#{i} {label}"
        for i, label in zip(counts["interest_segment_id"], counts["label"], strict=True)
    ]
    assert sizes["x"] == list(counts["customers"])

    # the heat map: segments x every category (by overall mean share), the mart's mean shares
    profiles = query(
        path,
        "select * from marts.interest_segment_profiles where store = ?",
        [STORE],
    )
    by_overall = profiles.drop_duplicates("category_id").sort_values(
        ["overall_mean_share", "category_id"], ascending=[False, True]
    )
    (heat,) = found[TITLES["interests"]]
    assert heat["x"] == list(by_overall["category_name"])
    assert heat["y"] == sizes["y"]
    expected = profiles.pivot(
        index="interest_segment_id", columns="category_id", values="mean_share"
    )
    expected = expected.reindex(
        index=counts["interest_segment_id"], columns=by_overall["category_id"]
    )
    assert np.array(heat["z"]) == pytest.approx(expected.to_numpy())
    assert np.array(heat["z"]).sum(axis=1) == pytest.approx(1.0, abs=1e-6)  # shares of spend

    # interests x RFM segments: the customers in both, counted here from the two segmentations
    both = query(
        path,
        "select i.interest_segment_id, s.segment_id, count(*) as customers"
        " from marts.customer_interest_segments as i"
        " join marts.customer_segments as s using (store, customer_id)"
        " where i.store = ? group by all",
        [STORE],
    )
    expected = both.pivot(index="interest_segment_id", columns="segment_id", values="customers")
    (cross,) = found[TITLES["cross"]]
    assert cross["y"] == [y for y in sizes["y"] if int(y[1:].split()[0]) in expected.index]
    assert np.array(cross["z"]) == pytest.approx(expected.fillna(0).to_numpy())
    reading = next(c for c in captions(at) if c.startswith("Each cell counts"))
    assert f"{both['customers'].sum():,} of the {counts['customers'].sum():,} customers" in reading

    assert_evaluation(at, path, STORE)


@pytest.fixture(scope="module")
def own_categories_warehouse(generated_warehouse, tmp_path_factory):
    """A copy of the generated warehouse with a second store, OWN_STORE, whose categories are its
    own (no k selection): each online_retail category split in two (32 of them, named like
    Olist's), the interest marts copied with labels of their own, fixed evaluation scores."""
    path = tmp_path_factory.mktemp("own_categories") / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        if not con.execute(
            "select count(*) from seeds.stores where store = ?", [OWN_STORE]
        ).fetchone()[0]:
            con.execute(
                "insert into seeds.stores by name select ? as store, 'Own shop' as display_name",
                [OWN_STORE],
            )
        # listed as a store: it has a segment model
        con.execute(
            "insert into marts.segment_model select * replace (? as store)"
            " from marts.segment_model where store = ?",
            [OWN_STORE, STORE],
        )
        split = "cross join (values (0), (1)) as half(h)"
        own_name = "replace(category_name, ' ', '_') || if(h = 0, '_a', '_b')"
        con.execute(
            f"""
            insert into marts.product_categories
            select $1, 2 * category_id - 1 + h, {own_name}, {own_name}, false,
                   n_products, revenue / 2, share_of_revenue / 2
            from marts.product_categories {split}
            where store = $2
            """,
            [OWN_STORE, STORE],
        )
        con.execute(
            f"""
            insert into marts.interest_segment_profiles
            select p.* replace (
                $1 as store, interest_segment_label || ' (own)' as interest_segment_label,
                2 * category_id - 1 + h as category_id, {own_name} as category_name,
                mean_share / 2 as mean_share, overall_mean_share / 2 as overall_mean_share
            )
            from marts.interest_segment_profiles as p {split}
            where store = $2
            """,
            [OWN_STORE, STORE],
        )
        for table, label in (
            ("customer_interest_segments", "interest_segment_label"),
            ("interest_rfm_cross", "interest_segment_label"),
            ("interest_k_selection", None),
        ):
            relabel = f", {label} || ' (own)' as {label}" if label else ""
            con.execute(
                f"insert into marts.{table} select * replace ($1 as store{relabel})"
                f" from marts.{table} where store = $2",
                [OWN_STORE, STORE],
            )
        for method, (accuracy, balanced, f1) in OWN_SCORES.items():
            con.execute(
                """
                insert into marts.interest_prediction_evaluation
                select * replace ($1 as store, $3 as accuracy, $4 as balanced_accuracy,
                                  $5 as macro_f1)
                from marts.interest_prediction_evaluation
                where store = $2 and method = $6
                """,
                [OWN_STORE, STORE, accuracy, balanced, f1, method],
            )
    return path


def test_a_store_with_its_own_categories(monkeypatch, own_categories_warehouse):
    path = own_categories_warehouse
    at = open_page(monkeypatch, path, OWN_STORE)
    assert at.sidebar.selectbox(key="store").value == OWN_STORE
    # no k selection for its categories: one line says why, no chart
    assert [i.value for i in at.info] == [
        "This store's categories are its own, so no number of categories was chosen."
    ]
    found = charts(at)
    assert TITLES["category_k"] not in found
    assert len(found) == len(TITLES) - 1

    # 32 categories: the 30 largest shares, then "other" summing the 2 left
    categories = query(
        path,
        "select * from marts.product_categories where store = ?"
        " order by share_of_revenue desc, category_id",
        [OWN_STORE],
    )
    assert len(categories) == 32
    shown = bars(found[TITLES["categories"]])
    assert bar_order(at) == [*categories["category_name"][:30], "other (2 categories)"]
    assert {name: origin for name, (_, origin) in shown.items()} == {
        **dict.fromkeys(categories["category_name"][:30], "store's own"),
        "other (2 categories)": "other",
    }
    values = [shown[name][0] for name in bar_order(at)]
    assert values[:30] == pytest.approx(list(categories["share_of_revenue"][:30]))
    assert values[30] == pytest.approx(categories["share_of_revenue"][30:].sum())
    assert sum(values) == pytest.approx(1.0)
    table = at.dataframe[0].value
    assert len(table) == 32 and set(table["origin"]) == {"store's own"}

    # the heat map: the 15 categories with the largest overall mean share, then "other"
    profiles = query(
        path, "select * from marts.interest_segment_profiles where store = ?", [OWN_STORE]
    )
    by_overall = profiles.drop_duplicates("category_id").sort_values(
        ["overall_mean_share", "category_id"], ascending=[False, True]
    )
    (heat,) = found[TITLES["interests"]]
    assert heat["x"] == [*by_overall["category_name"][:15], "other (17 categories)"]
    assert all(y.endswith(" (own)") for y in heat["y"])
    shares = profiles.pivot(index="interest_segment_id", columns="category_id", values="mean_share")
    top = list(by_overall["category_id"][:15])
    z = np.array(heat["z"])
    assert z[:, :15] == pytest.approx(shares[top].to_numpy())
    assert z[:, 15] == pytest.approx(shares.drop(columns=top).sum(axis=1).to_numpy())
    assert any("other (17 categories) summed" in c for c in captions(at))

    sizes = query(
        path,
        "select count(*) as n from marts.customer_interest_segments where store = ?"
        " group by interest_segment_id order by interest_segment_id",
        [OWN_STORE],
    )["n"]
    assert found[TITLES["sizes"]][0]["x"] == list(sizes)

    assert_evaluation(at, path, OWN_STORE)
    reading = next(c for c in captions(at) if c.startswith("On new customers"))
    assert reading.startswith(
        "On new customers the model beats the majority-category baseline on all three measures"
        " but beats the first-basket baseline only on balanced accuracy"
    )

    # back to the first store from the sidebar: its own numbers again
    at.sidebar.selectbox(key="store").set_value(STORE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.info
    first = query(
        path,
        "select category_name, share_of_revenue from marts.product_categories where store = ?",
        [STORE],
    )
    shown = bars(charts(at)[TITLES["categories"]])
    assert {name: value for name, (value, _) in shown.items()} == pytest.approx(
        dict(zip(first["category_name"], first["share_of_revenue"], strict=True))
    )
    assert TITLES["category_k"] in charts(at)


def copy_with(generated_warehouse, tmp_path, *statements: str):
    path = tmp_path / "warehouse.duckdb"
    shutil.copy2(generated_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


def assert_only_rebuild_line(at: AppTest, *names: str) -> None:
    (info,) = at.info
    assert "make run" in info.value
    assert all(f"`marts.{name}`" in info.value for name in names)
    assert not at.get("plotly_chart") and not at.dataframe and not at.subheader


def test_a_warehouse_without_the_product_marts(monkeypatch, generated_warehouse, tmp_path):
    path = copy_with(
        generated_warehouse, tmp_path, *(f"drop table marts.{name}" for name in PRODUCT_MARTS)
    )
    at = open_page(monkeypatch, path)
    assert_only_rebuild_line(at, *PRODUCT_MARTS)
    assert at.info[0].value.endswith(
        "are not in the published warehouse yet: rebuild with `make run`."
    )


def test_a_warehouse_missing_one_product_mart(monkeypatch, generated_warehouse, tmp_path):
    path = copy_with(
        generated_warehouse, tmp_path, "drop table marts.interest_prediction_evaluation"
    )
    at = open_page(monkeypatch, path)
    assert_only_rebuild_line(at, "interest_prediction_evaluation")
    assert at.info[0].value == (
        "`marts.interest_prediction_evaluation` is not in the published warehouse yet: "
        "rebuild with `make run`."
    )


def test_a_store_without_product_rows(monkeypatch, generated_warehouse, tmp_path):
    path = copy_with(
        generated_warehouse,
        tmp_path,
        *(f"delete from marts.{name} where store = '{STORE}'" for name in PRODUCT_MARTS),
    )
    at = open_page(monkeypatch, path)
    assert_only_rebuild_line(at)
    assert "no product categories for this store" in at.info[0].value
