"""models_py.labelling: dominant RFM segment with ties, position words, labels never shared."""

import numpy as np

from models_py import labelling

FEATURES = ("recency_days", "frequency", "monetary")


def test_dominant_category_counts_and_breaks_ties_by_preference():
    segments = np.array([1, 1, 1, 2, 2, 2, 2])
    names = ["Loyal", "Loyal", "Champions", "At Risk", "Hibernating", "At Risk", "Hibernating"]
    dominant = labelling.dominant_category(
        segments, names, preference=["Champions", "Loyal", "At Risk", "Hibernating"]
    )
    assert dominant == {1: "Loyal", 2: "At Risk"}
    assert (
        labelling.dominant_category(segments, names)[2] == "At Risk"
    )  # alphabetical without preference


def test_dominant_category_ignores_nulls():
    assert labelling.dominant_category(np.array([1, 1, 1]), [None, None, "New"]) == {1: "New"}


def test_position_words():
    assert (
        labelling.describe_position(np.array([-1.0, 1.0, 2.0]), FEATURES)
        == "recent, frequent, high value"
    )
    assert (
        labelling.describe_position(np.array([1.0, -1.0, 0.0]), FEATURES)
        == "lapsed, infrequent, mid value"
    )


def test_unique_base_labels_are_kept():
    centroids = np.array([[-1.0, 1, 1], [1, -1, -1]])
    assert labelling.label_segments({1: "Champions", 2: "Hibernating"}, centroids, FEATURES) == {
        1: "Champions",
        2: "Hibernating",
    }


def test_shared_base_label_is_qualified_by_the_most_different_feature():
    centroids = np.array([[-1.0, 1, 1], [1, -1, 0.5], [1.1, -1, -1.5]])
    labels = labelling.label_segments(
        {1: "Champions", 2: "Hibernating", 3: "Hibernating"}, centroids, FEATURES
    )
    assert labels == {
        1: "Champions",
        2: "Hibernating (higher value)",
        3: "Hibernating (lower value)",
    }


def test_labels_are_never_shared_even_when_many_segments_have_one_base():
    centroids = np.array([[0.0, 0, float(v)] for v in range(5)])
    labels = labelling.label_segments(dict.fromkeys(range(1, 6), "Loyal"), centroids, FEATURES)
    assert len(set(labels.values())) == 5
    assert all(label.startswith("Loyal (") for label in labels.values())


def test_segment_without_base_label_gets_a_placeholder():
    labels = labelling.label_segments({1: "Loyal"}, np.array([[0.0, 0, 1], [0, 0, -1]]), FEATURES)
    assert labels == {1: "Loyal", 2: "Unlabelled"}
