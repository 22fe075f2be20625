"""models_py.clustering: stable numbering, nearest-centroid assignment, determinism, PCA."""

import numpy as np
import pytest
from segments_fixtures import blobs

from models_py import clustering
from models_py.errors import SegmentationError

CENTRES = [(0, 0, 0), (6, 0, 0), (0, 6, 3), (0, 0, 9)]


def test_segments_are_numbered_by_descending_key_column():
    x, _ = blobs(CENTRES)
    fit = clustering.fit_segments(x, 4, key_columns=(2, 1))
    assert fit.centroids[:, 2].tolist() == sorted(fit.centroids[:, 2], reverse=True)
    assert sorted(np.unique(fit.labels)) == [1, 2, 3, 4]


def test_planted_blobs_are_recovered_exactly():
    x, y = blobs(CENTRES)
    fit = clustering.fit_segments(x, 4, key_columns=(2,))
    # each planted blob maps to exactly one segment
    pairs = {(a, b) for a, b in zip(y, fit.labels, strict=True)}
    assert len(pairs) == 4


def test_assignment_matches_kmeans_labels():
    x, _ = blobs(CENTRES, spread=1.5, per_blob=80)
    model = clustering.kmeans(x, 4)
    assigned, _ = clustering.nearest_centroids(x, model.cluster_centers_)
    np.testing.assert_array_equal(assigned, model.labels_ + 1)


def test_assignment_ties_go_to_the_lower_segment():
    centroids = np.array([[1.0, 0.0], [-1.0, 0.0]])
    segment, squared = clustering.nearest_centroids(np.array([[0.0, 5.0]]), centroids)
    assert segment.tolist() == [1]
    assert squared.tolist() == [26.0]


def test_same_input_same_labels_and_numbering():
    x, _ = blobs(CENTRES, spread=1.5, per_blob=80, seed=3)
    first = clustering.fit_segments(x, 4, key_columns=(2,))
    second = clustering.fit_segments(x, 4, key_columns=(2,))
    np.testing.assert_array_equal(first.labels, second.labels)
    np.testing.assert_array_equal(first.centroids, second.centroids)


def test_numbering_does_not_depend_on_the_random_state_when_clusters_are_clear():
    x, _ = blobs(CENTRES)
    a = clustering.fit_segments(x, 4, key_columns=(2,), random_state=1)
    b = clustering.fit_segments(x, 4, key_columns=(2,), random_state=99)
    np.testing.assert_array_equal(a.labels, b.labels)


def test_k_larger_than_distinct_points_is_a_clear_error():
    x = np.array([[0.0, 0], [0, 0], [1, 1]])
    with pytest.raises(SegmentationError, match="2 distinct"):
        clustering.kmeans(x, 3)
    with pytest.raises(SegmentationError, match="at least 2"):
        clustering.kmeans(x, 1)


def test_pca_coordinates_are_deterministic_and_two_dimensional():
    x, _ = blobs(CENTRES)
    first = clustering.pca_coordinates(x)
    assert first.shape == (len(x), 2)
    np.testing.assert_array_equal(first, clustering.pca_coordinates(x))
    one_feature = clustering.pca_coordinates(x[:, :1])
    assert one_feature.shape == (len(x), 2) and (one_feature[:, 1] == 0).all()
