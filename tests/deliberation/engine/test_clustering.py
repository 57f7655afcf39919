"""k-means, silhouettes, label matching and the adjusted Rand index."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from moothall.deliberation.engine import adjusted_rand_index, clustering
from moothall.deliberation.engine.analysis import _top_components


def _plain_lloyd(points, init, weights):
    """The textbook algorithm, for comparison."""
    centers = init.copy()
    labels = None
    for _ in range(500):
        distance = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        new = distance.argmin(axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        mass = np.bincount(labels, weights=weights, minlength=len(centers))
        alive = mass > 0
        sums = np.stack(
            [
                np.bincount(labels, weights=weights * points[:, d], minlength=len(centers))
                for d in (0, 1)
            ],
            axis=1,
        )
        centers = sums[alive] / mass[alive, None]
        if not alive.all():
            labels = None
    distance = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    return distance.argmin(axis=1), centers


@pytest.mark.parametrize("seed", range(8))
def test_kmeans_with_bounds_equals_plain_lloyd(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 1200))
    points = np.concatenate([rng.normal(size=(n, 2)), rng.normal(size=(n // 3, 2)) * 0.3 + 2])
    k = int(rng.integers(2, 100))
    weights = rng.integers(1, 5, len(points)).astype(float) if seed % 2 else np.ones(len(points))
    init = clustering.first_distinct(points, k)
    result = clustering.kmeans(points, init, weights)
    labels, centers = _plain_lloyd(points, init, weights)
    np.testing.assert_array_equal(result.labels, labels)
    np.testing.assert_allclose(result.centers, centers, rtol=1e-12, atol=1e-12)


def test_initialisations():
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [5.0, 5.0], [1.0, 0.0]])
    assert clustering.first_distinct(points, 2).tolist() == [[0.0, 0.0], [1.0, 0.0]]
    far = clustering.farthest_first(points, 3)
    assert far.tolist() == [[1.0, 0.0], [5.0, 5.0], [0.0, 0.0]]
    # Topping up given centres; never more centres than distinct points.
    assert clustering.farthest_first(points, 9, initial=np.array([[5.0, 5.0]])).shape == (3, 2)


def _member_silhouette(points, labels):
    distance = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
    scores = []
    for i in range(len(points)):
        own = labels == labels[i]
        if own.sum() == 1:
            scores.append(0.0)
            continue
        a = distance[i, own].sum() / (own.sum() - 1)
        b = min(distance[i, labels == c].mean() for c in set(labels.tolist()) if c != labels[i])
        scores.append((b - a) / max(a, b))
    return float(np.mean(scores))


def test_weighted_silhouette_is_the_silhouette_of_the_members():
    rng = np.random.default_rng(3)
    centers = rng.normal(size=(12, 2))
    weights = rng.integers(1, 6, 12).astype(float)
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0])
    members = np.repeat(centers, weights.astype(int), axis=0)
    member_labels = np.repeat(labels, weights.astype(int))
    assert clustering.silhouette(centers, labels, weights) == pytest.approx(
        _member_silhouette(members, member_labels), abs=1e-12
    )


def test_match_labels_keeps_the_previous_names():
    old = np.array([0, 0, 1, 1, 2, 2, -1])
    new = np.array([2, 2, 0, 0, 1, 1, 1])
    assert clustering.match_labels(new, old, 3, 3).tolist() == [1, 2, 0]
    # A new group without a counterpart takes the lowest free label.
    new = np.array([0, 0, 1, 1, 2, 3, 3])
    mapping = clustering.match_labels(new, np.array([0, 0, 1, 1, 1, -1, -1]), 4, 2)
    assert mapping.tolist()[:2] == [0, 1]
    assert sorted(mapping.tolist()) == [0, 1, 2, 3]


def test_adjusted_rand_index():
    assert adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0]) == 1.0
    # By hand: pairs together in both 2, expected 6 × 3 / 15 = 1.2, maximum 4.5.
    a = [0, 0, 0, 1, 1, 1]
    b = [0, 0, 1, 1, 2, 2]
    assert adjusted_rand_index(a, b) == pytest.approx(0.24242424242424246)
    assert adjusted_rand_index([0, 1, 2, 3], [0, 0, 0, 0]) == 0.0
    with pytest.raises(ValueError, match="same items"):
        adjusted_rand_index([0], [0, 1])


def test_the_sparse_svd_is_the_exact_pca():
    rng = np.random.default_rng(8)
    dense = np.where(rng.random((300, 80)) < 0.3, rng.choice([-1.0, 0.0, 1.0], (300, 80)), 0.0)
    matrix = sp.csr_matrix(dense)
    ours = _top_components(matrix, 80)
    _u, _s, vt = np.linalg.svd(dense, full_matrices=False)
    for c in range(2):
        assert abs(float(np.dot(ours[c], vt[c]))) == pytest.approx(1.0, abs=1e-12)
