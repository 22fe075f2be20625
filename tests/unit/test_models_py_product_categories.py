"""models_py.product_categories: planted kinds recovered, overrides, determinism, totals, speed."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from models_py import product_categories
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

# kind: (core words, qualifiers); the kind words of a description are a core word and a
# qualifier of its kind: the signal
PLANTED_KINDS = {
    "bag": (["BAG"], ["LUNCH", "SHOPPER", "TOTE", "STORAGE", "CHARLOTTE", "JUMBO"]),
    "candle": (["T-LIGHT", "CANDLE"], ["HOLDER", "HANGING HOLDER", "LANTERN", "SCENTED"]),
    "mug": (["MUG", "CUP"], ["COFFEE", "TEA", "SAUCER", "ENAMEL", "CHILDRENS"]),
    "card": (["CARD", "WRAP"], ["GREETING", "BIRTHDAY", "GIFT", "ENVELOPE", "CHRISTMAS"]),
    "clock": (["CLOCK"], ["WALL", "ALARM", "KITCHEN", "MANTEL", "DOOR"]),
}
COLOURS = ["RED", "BLUE", "PINK", "WHITE", "BLACK", "GREEN", "IVORY", "CREAM"]
PATTERNS = ["RETROSPOT", "POLKADOT", "PAISLEY", "SPACEBOY", "VINTAGE", "FLORAL", "WOODLAND"]
NOISE = [
    "HEART",
    "ROSE",
    "BIRD",
    "DESIGN",
    "STAR",
    "GARDEN",
    "LOVE",
    "FRENCH",
    "ENGLISH",
    "BUTTERFLY",
    "REGENCY",
    "LONDON",
    "STRIPE",
    "DAISY",
    "OWL",
    "DOLLY",
]
SIZES = ["", "", "", "SMALL", "LARGE", "SET OF 3", "PACK OF 12", "MINI"]


def planted_products(per_kind: int = 120, seed: int = 0) -> pd.DataFrame:
    """Products of the planted kinds: colour + pattern + kind phrase + noise words (+ a size)."""
    rng = np.random.default_rng(seed)
    rows = []
    for kind, (cores, qualifiers) in PLANTED_KINDS.items():
        for _ in range(per_kind):
            words = [
                rng.choice(SIZES),
                rng.choice(COLOURS),
                rng.choice(PATTERNS),
                rng.choice(qualifiers),
                rng.choice(cores),
                *rng.choice(NOISE, size=rng.integers(1, 3), replace=False),
            ]
            rows.append((kind, " ".join(w for w in words if w)))
    order = rng.permutation(len(rows))
    return pd.DataFrame(
        {
            "product_id": [f"{20000 + i}" for i in range(len(rows))],
            "description": [rows[i][1] for i in order],
            "kind": [rows[i][0] for i in order],
            "revenue": np.round(rng.lognormal(4.0, 1.0, size=len(rows)), 2),
        }
    )


def no_overrides() -> pd.DataFrame:
    return pd.DataFrame(columns=["match_type", "match_value", "category_name"])


def overrides(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["match_type", "match_value", "category_name"])


def purity(kinds: pd.Series, categories: pd.Series) -> float:
    """Share of products whose category's majority planted kind is their own."""
    majority = pd.crosstab(categories, kinds).max(axis=1).sum()
    return float(majority / len(kinds))


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    return planted_products()


@pytest.fixture(scope="module")
def planted_selection(planted):
    return product_categories.category_k_selection(planted)


def test_normalisation_drops_digits_punctuation_colours_and_sizes():
    assert product_categories.normalise_description("SET OF 3 CAKE TINS PANTRY DESIGN") == (
        "cake tins pantry design"
    )
    assert product_categories.normalise_description("WHITE HANGING HEART T-LIGHT HOLDER") == (
        "hanging heart t-light holder"
    )
    assert product_categories.normalise_description("JUMBO BAG RED RETROSPOT") == "bag retrospot"
    assert product_categories.normalise_description("CHILDREN'S APRON 50'S W/ POCKET") == (
        "childrens apron pocket"
    )
    assert product_categories.normalise_description(None) == ""


def test_terms_of_one_product_only_are_dropped():
    products = pd.DataFrame(
        {
            "product_id": ["a", "b", "c"],
            "description": ["RED LUNCH BAG", "BLUE LUNCH BAG", "ZEBRA CLOCK"],
            "revenue": [1.0, 2.0, 3.0],
        }
    )
    features = product_categories.product_features(products)
    assert features.terms.tolist() == ["bag", "lunch", "lunch bag"]
    assert features.has_terms.tolist() == [True, True, False]
    norms = np.sqrt(np.asarray(features.x.multiply(features.x).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, [1.0, 1.0, 0.0])


def test_planted_kinds_are_recovered(planted, planted_selection):
    table, features = planted_selection
    chosen = int(table.loc[table["is_chosen"], "k"].iloc[0])
    log.info("planted kinds: chosen k=%d (%s)", chosen, table["choice_reason"].iloc[0])
    rows, _ = product_categories.categorise_products(planted, 5, no_overrides(), features=features)
    kinds = planted.set_index("product_id").loc[rows["product_id"], "kind"].to_numpy()
    # The customers' rule does not find 5 on text (the inertia curve has no sharp elbow and the
    # silhouette grows with k as pattern and noise words split the kinds): the brief's fallback
    # criterion, purity with k forced to 5, is the one asserted; the chosen k is logged.
    assert purity(pd.Series(kinds), rows["category_id"]) >= 0.9
    assert chosen in table["k"].tolist()


def test_k_selection_table_has_one_chosen_k_and_the_documented_columns(planted_selection):
    table, _ = planted_selection
    assert table.columns.tolist() == product_categories.SELECTION_COLUMNS
    assert table["k"].tolist() == list(range(4, 21))
    assert table["is_chosen"].sum() == 1
    assert table["is_elbow"].sum() <= 1
    assert table["n_products"].eq(600).all()
    assert table["random_state"].eq(42).all() and table["n_init"].eq(10).all()
    assert table["inertia"].is_monotonic_decreasing
    assert table["silhouette"].between(-1, 1).all()


def test_forced_k_is_respected(planted):
    table, _ = product_categories.category_k_selection(planted, forced_k=7, k_range=range(4, 9))
    assert table.loc[table["is_chosen"], "k"].tolist() == [7]
    assert table["choice_reason"].eq("k=7 forced").all()
    with pytest.raises(SegmentationError, match="outside"):
        product_categories.category_k_selection(planted, forced_k=30)


def test_categories_are_named_by_top_terms_and_numbered_by_revenue(planted):
    rows, categories = product_categories.categorise_products(planted, 5, no_overrides())
    assert categories["category_id"].tolist() == [1, 2, 3, 4, 5]
    assert categories["revenue"].is_monotonic_decreasing
    assert categories["category_name"].is_unique
    for category in categories.itertuples():
        terms = category.top_terms.split(", ")
        assert len(terms) == 10
        assert category.category_name == f"{terms[0].capitalize()}, {terms[1]} & {terms[2]}"
    assert not rows["is_override"].any() and not categories["is_override_category"].any()


def test_totals_add_up(planted):
    rows, categories = product_categories.categorise_products(
        planted, 5, overrides(("term", "owl", "Owls"))
    )
    assert categories["share_of_revenue"].sum() == pytest.approx(1.0)
    assert categories["n_products"].sum() == len(planted) == len(rows)
    assert categories["revenue"].sum() == pytest.approx(planted["revenue"].sum())
    counted = rows["category_id"].value_counts().sort_index()
    assert counted.tolist() == categories.set_index("category_id")["n_products"].tolist()
    assert rows["product_id"].tolist() == sorted(planted["product_id"])


def test_product_id_override_wins_over_clustering_and_term_override(planted):
    rows, _ = product_categories.categorise_products(planted, 5, no_overrides())
    target = rows.iloc[0]
    other = rows.loc[rows["category_id"] != target["category_id"]].iloc[0]
    description = planted.set_index("product_id").loc[target["product_id"], "description"]
    term = product_categories.clean_words(description)[-1]
    given = overrides(
        ("term", term, "By term"),
        ("product_id", target["product_id"], other["category_name"]),
    )
    rows, categories = product_categories.categorise_products(planted, 5, given)
    got = rows.set_index("product_id").loc[target["product_id"]]
    assert got["category_id"] == other["category_id"]
    assert got["category_name"] == other["category_name"]
    assert got["is_override"]
    # the clustered category it joined is not an override category; "By term" is
    joined = categories.set_index("category_name")
    assert not joined.loc[other["category_name"], "is_override_category"]
    assert joined.loc["By term", "is_override_category"]


def test_term_override_with_a_new_name_makes_a_new_category(planted):
    given = overrides(("term", "wall clock", "Wall clocks"), ("term", "clock", "Other clocks"))
    rows, categories = product_categories.categorise_products(planted, 5, given)
    described = rows.merge(planted[["product_id", "description"]], on="product_id")
    wall = described["description"].str.contains("WALL CLOCK")
    clock = described["description"].str.contains("CLOCK") & ~wall
    assert described.loc[wall, "category_name"].eq("Wall clocks").all()
    assert described.loc[clock, "category_name"].eq("Other clocks").all()  # first match wins
    assert described.loc[wall | clock, "is_override"].all()
    assert not described.loc[~(wall | clock), "is_override"].any()
    new = categories.loc[categories["is_override_category"]]
    assert sorted(new["category_name"]) == ["Other clocks", "Wall clocks"]
    assert sorted(new["category_id"]) == [6, 7]
    assert new["n_products"].sum() == (wall | clock).sum()
    assert all("clock" in terms for terms in new["top_terms"])


def test_terms_match_whole_words_only(planted):
    rows, _ = product_categories.categorise_products(planted, 5, overrides(("term", "bag", "B")))
    described = rows.merge(planted[["product_id", "description"]], on="product_id")
    assert (
        described.loc[described["category_name"].eq("B"), "description"]
        .str.contains(r"\bBAG\b")
        .all()
    )
    rows, _ = product_categories.categorise_products(planted, 5, overrides(("term", "ba", "B")))
    assert not rows["is_override"].any()


def test_override_name_of_a_clustered_category_joins_it(planted):
    rows, categories = product_categories.categorise_products(planted, 5, no_overrides())
    first = categories["category_name"].iloc[0]
    rows, joined = product_categories.categorise_products(
        planted, 5, overrides(("term", "owl", first))
    )
    assert len(joined) == 5 and not joined["is_override_category"].any()
    owls = rows.merge(planted, on="product_id")["description"].str.contains(r"\bOWL\b")
    assert rows.loc[owls.to_numpy(), "category_id"].eq(1).all()


def test_same_products_in_another_order_give_identical_outputs(planted):
    given = overrides(("term", "owl", "Owls"), ("product_id", "20003", "Special"))
    first = product_categories.categorise_products(planted, 5, given)
    shuffled = planted.sample(frac=1.0, random_state=7)
    second = product_categories.categorise_products(shuffled, 5, given)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])
    table_a, _ = product_categories.category_k_selection(planted, k_range=range(4, 8))
    table_b, _ = product_categories.category_k_selection(shuffled, k_range=range(4, 8))
    pd.testing.assert_frame_equal(table_a, table_b)


def test_products_without_a_shared_term_are_uncategorised(planted):
    odd = pd.DataFrame(
        {"product_id": ["zz1", "zz2"], "description": ["QWERTY", None], "revenue": [5.0, 1.0]}
    )
    products = pd.concat([planted, odd], ignore_index=True)
    rows, categories = product_categories.categorise_products(products, 5, no_overrides())
    last = categories.iloc[-1]
    assert last["category_name"] == product_categories.UNCATEGORISED
    assert last["category_id"] == 6 and last["n_products"] == 2
    assert not last["is_override_category"]
    assert rows.set_index("product_id").loc[["zz1", "zz2"], "category_id"].eq(6).all()


@pytest.mark.parametrize(
    ("products", "message"),
    [
        (pd.DataFrame({"product_id": ["a"], "description": ["BAG"]}), "lack the columns"),
        (
            pd.DataFrame({"product_id": ["a", "a"], "description": ["B", "B"], "revenue": [1, 2]}),
            "unique",
        ),
    ],
    ids=["missing revenue", "repeated id"],
)
def test_bad_products_are_a_clear_error(products, message):
    with pytest.raises(SegmentationError, match=message):
        product_categories.product_features(products)


def test_bad_overrides_and_k_are_a_clear_error(planted):
    with pytest.raises(SegmentationError, match="match_type"):
        product_categories.categorise_products(planted, 5, overrides(("stock", "x", "X")))
    with pytest.raises(SegmentationError, match="categories from"):
        product_categories.categorise_products(planted, 10_000, no_overrides())


@pytest.mark.parametrize(
    ("describe", "distinct", "category"),
    [
        (lambda i: f"THING {i}", 1, "Thing"),
        (lambda i: ["RED THING", "BLUE BOX", "BIG CUP"][i % 3], 3, "Box, cup & thing"),
        (lambda i: f"X{i}Y", 0, product_categories.UNCATEGORISED),
    ],
    ids=["one shared word", "three kinds", "nothing shared"],
)
def test_products_too_alike_to_cluster_make_one_category(describe, distinct, category):
    """A store whose descriptions cannot be clustered still builds: one category, and why."""
    products = pd.DataFrame(
        {
            "product_id": [f"p{i:03d}" for i in range(60)],
            "description": [describe(i) for i in range(60)],
            "revenue": 1.0,
        }
    )
    table, features = product_categories.category_k_selection(products)
    assert table["k"].tolist() == [1]
    assert table["is_chosen"].tolist() == [True]
    assert f"{distinct} distinct product description" in table["choice_reason"].iloc[0]
    rows, categories = product_categories.categorise_products(
        products, 1, no_overrides(), features=features
    )
    assert categories["category_name"].tolist() == [category]
    assert (rows["category_id"] == 1).all()
    assert categories["n_products"].tolist() == [60]
