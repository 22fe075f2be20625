"""models_py.k_selection: metrics per k, the documented choice rule, forced k, small inputs."""

import numpy as np
import pandas as pd
import pytest
from segments_fixtures import blobs

from models_py import k_selection
from models_py.errors import SegmentationError

FOUR_CENTRES = [(0, 0, 0), (6, 0, 0), (0, 6, 0), (0, 0, 6)]


def test_well_separated_blobs_give_the_planted_k():
    x, _ = blobs(FOUR_CENTRES)
    table, choice = k_selection.k_selection_table(x)
    assert choice.k == 4
    assert choice.elbow_k == 4
    assert table["k"].tolist() == list(range(2, 11))
    assert table.loc[table["is_chosen"], "k"].tolist() == [4]
    assert table.set_index("k")["silhouette"].idxmax() == 4
    assert table.set_index("k")["davies_bouldin"].idxmin() == 4
    assert "elbow" in choice.reason and "k=4" in choice.reason
    assert table["silhouette_sample_size"].eq(len(x)).all()


def test_metrics_are_deterministic():
    x, _ = blobs(FOUR_CENTRES, per_blob=300, spread=1.0)
    first = k_selection.k_metrics(x, [2, 3, 4], silhouette_sample=100)
    second = k_selection.k_metrics(x, [2, 3, 4], silhouette_sample=100)
    pd.testing.assert_frame_equal(first, second)
    assert first["silhouette_sample_size"].eq(100).all()


def test_forced_k_wins_and_is_explained():
    x, _ = blobs(FOUR_CENTRES)
    table, choice = k_selection.k_selection_table(x, forced_k=3)
    assert choice.k == 3
    assert "forced" in choice.reason
    assert table.loc[table["is_chosen"], "k"].tolist() == [3]


def test_forced_k_out_of_range_is_a_clear_error():
    x, _ = blobs(FOUR_CENTRES)
    with pytest.raises(SegmentationError, match="outside"):
        k_selection.k_selection_table(x, forced_k=11)


def test_choice_rule_takes_best_silhouette_around_the_elbow():
    metrics = pd.DataFrame(
        {
            "k": [2, 3, 4, 5, 6, 7],
            "inertia": [100.0, 50.0, 30.0, 26.0, 24.0, 23.0],
            "silhouette": [0.9, 0.5, 0.6, 0.55, 0.4, 0.3],
        }
    )
    choice = k_selection.choose_k(metrics)
    assert choice.elbow_k == 4
    assert choice.k == 4  # best silhouette in 3..5, though k=2 is best overall
    assert "best overall: k=2" in choice.reason


def test_silhouette_ties_go_to_the_smaller_k():
    metrics = pd.DataFrame(
        {
            "k": [2, 3, 4, 5, 6],
            "inertia": [100.0, 50.0, 30.0, 26.0, 24.0],
            "silhouette": [0.1, 0.5, 0.5, 0.5, 0.1],
        }
    )
    assert k_selection.choose_k(metrics).k == 3


def test_no_elbow_falls_back_to_best_silhouette():
    metrics = pd.DataFrame({"k": [2, 3], "inertia": [10.0, 5.0], "silhouette": [0.3, 0.4]})
    choice = k_selection.choose_k(metrics)
    assert choice.elbow_k is None and choice.k == 3
    assert "no elbow" in choice.reason


def test_k_range_is_capped_by_distinct_customers():
    x = np.repeat(np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [5, 5, 5]]), 3, axis=0)
    assert k_selection.k_range(x) == [2, 3, 4]
    table, _ = k_selection.k_selection_table(x)
    assert table["k"].max() == 4


@pytest.mark.parametrize(
    "x",
    [np.zeros((1, 3)), np.zeros((20, 3)), np.array([[0.0, 0, 0], [1, 1, 1]] * 5)],
    ids=["single customer", "all identical", "two distinct"],
)
def test_too_few_distinct_customers_is_a_clear_error(x):
    with pytest.raises(SegmentationError, match="at least 3 distinct customers"):
        k_selection.k_range(x)
