"""models_py.explain: readable leaf rules with integer, number and flag formatting."""

import numpy as np

from models_py import explain

FORMATS = {
    "recency_days": explain.FeatureFormat("recency", "days", "integer"),
    "frequency": explain.FeatureFormat("frequency", "orders", "integer"),
    "country=US": explain.FeatureFormat("country=US", kind="flag"),
}


def test_integer_thresholds_read_as_whole_numbers():
    # segment 1: recent and frequent; 0: the rest
    recency = np.array([5, 10, 20, 30, 31, 33, 60, 90, 200, 10, 15, 25])
    frequency = np.array([8, 6, 9, 7, 8, 6, 9, 6, 7, 1, 5, 5])
    y = ((recency <= 30) & (frequency >= 6)).astype(int)
    x = np.column_stack([recency, frequency]).astype(float)
    tree = explain.fit_tree(x, y, max_depth=2)
    leaves = explain.tree_leaves(tree, ["recency_days", "frequency"], FORMATS)
    texts = {leaf.text for leaf in leaves}
    assert "recency ≤ 30 days and frequency ≥ 6 orders" in texts or (
        "frequency ≥ 6 orders and recency ≤ 30 days" in texts
    )
    assert (tree.predict(x) == y).all()


def test_leaves_partition_the_data_and_bounds_agree_with_the_tree():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 100, size=(300, 2))
    y = (x[:, 0] > 40).astype(int) + (x[:, 1] > 70).astype(int)
    tree = explain.fit_tree(x, y, max_depth=3)
    leaves = explain.tree_leaves(tree, ["a", "b"])
    leaf_of = tree.apply(x)
    for leaf in leaves:
        inside = np.ones(len(x), dtype=bool)
        for j, f in enumerate(["a", "b"]):
            if f in leaf.lower:
                inside &= x[:, j] > leaf.lower[f]
            if f in leaf.upper:
                inside &= x[:, j] <= leaf.upper[f]
        np.testing.assert_array_equal(inside, leaf_of == leaf.node_id)


def test_flags_read_as_equal_or_not_equal():
    assert explain._condition("country=US", None, 0.5, FORMATS["country=US"]) == "country ≠ US"
    assert explain._condition("country=US", 0.5, None, FORMATS["country=US"]) == "country = US"
    assert explain._condition("frequency", 2.5, 3.5, FORMATS["frequency"]) == "frequency = 3 orders"
    assert explain._condition("frequency", 1.5, 5.5, FORMATS["frequency"]) == "frequency 2–5 orders"
    assert (
        explain._condition("m", None, 12.345, explain.FeatureFormat("monetary"))
        == "monetary ≤ 12.35"
    )


def test_depth_is_capped_at_four():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(500, 3))
    y = rng.integers(0, 2, 500)
    assert explain.fit_tree(x, y, max_depth=10).get_depth() <= 4


def test_a_tree_with_one_leaf_reads_all():
    tree = explain.fit_tree(np.zeros((4, 1)), np.array([1, 1, 1, 1]), max_depth=2)
    assert [leaf.text for leaf in explain.tree_leaves(tree, ["a"])] == ["all"]


def test_flags_of_one_variable_merge():
    fmt = {c: explain.FeatureFormat(c, kind="flag") for c in ["c=US", "c=CO", "t=one_off"]}
    merged = explain._merge_flags(
        [
            ("c=US", None, 0.5, fmt["c=US"]),
            ("t=one_off", 0.5, None, fmt["t=one_off"]),
            ("c=CO", None, 0.5, fmt["c=CO"]),
        ]
    )
    assert merged == ["c not in (US, CO)", "t = one_off"]
    assert explain._merge_flags(
        [("c=US", None, 0.5, fmt["c=US"]), ("c=CO", 0.5, None, fmt["c=CO"])]
    ) == ["c = CO"]


def test_sibling_leaves_predicting_the_same_class_read_as_one_rule():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 100, size=(2000, 2))
    # a <= 50: class 0, though b > 50 mixes in 30% of class 1 (the tree splits there, same majority)
    y = np.where(x[:, 0] > 50, 1, np.where((x[:, 1] > 50) & (rng.random(2000) < 0.3), 1, 0))
    tree = explain.fit_tree(x, y, max_depth=2)
    assert tree.get_n_leaves() > 2
    leaves = explain.tree_leaves(tree, ["a", "b"])
    assert (
        len(leaves) == 2 and leaves[0].text.startswith("a ≤ ") and leaves[1].text.startswith("a > ")
    )
    covered = sum(explain.rule_members(tree, x, leaf.node_id).sum() for leaf in leaves)
    assert covered == len(x)
    assert next(explain.rule_class(tree, leaf.node_id) for leaf in leaves) == 0
