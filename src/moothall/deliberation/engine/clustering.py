"""k-means, silhouettes and label matching on 2-D points, all vectorised with numpy.

Every function here is deterministic: ties (equal distances) go to the lowest index, and
the only randomness (k-means++ seeding) comes from a generator the caller seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment


@dataclass(frozen=True)
class KMeansResult:
    centers: np.ndarray  # (k, 2), non-empty clusters only, in their initial order
    labels: np.ndarray  # (n,) index into centers
    inertia: float  # weighted sum of squared distances to the assigned centre


def _distances(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Squared distances (n, k), coordinate by coordinate (2-D: cheaper than a product)."""
    distance = np.subtract.outer(points[:, 0], centers[:, 0])
    distance *= distance
    other = np.subtract.outer(points[:, 1], centers[:, 1])
    other *= other
    distance += other
    return distance


def nearest(points: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest centre of each point (lowest index on ties) and the squared
    distance to it."""
    distance = _distances(points, centers)
    labels = np.argmin(distance, axis=1)
    return labels, distance[np.arange(points.shape[0]), labels]


def _two_nearest(points: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, ...]:
    """Nearest centre (lowest index on ties), its distance and the second distance."""
    distance = _distances(points, centers)
    rows = np.arange(points.shape[0])
    labels = np.argmin(distance, axis=1)
    first = distance[rows, labels]
    if centers.shape[0] < 2:
        return labels, np.sqrt(first), np.full(points.shape[0], np.inf)
    distance[rows, labels] = np.inf
    second = distance.min(axis=1)
    return labels, np.sqrt(first), np.sqrt(second)


def kmeans(
    points: np.ndarray,
    init: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    max_iterations: int = 300,
) -> KMeansResult:
    """Lloyd's algorithm from the given centres: assign each point to its nearest centre,
    move each centre to the (weighted) mean of its points, drop centres left empty, until
    no assignment changes (or ``max_iterations``).

    Exact, but with Hamerly's bounds: each point keeps an upper bound on the distance to
    its centre and a lower bound on the distance to any other; when centres move by δ the
    bounds loosen by δ, and only points whose bounds cross are measured again. Late
    iterations, where a few points near boundaries move, then cost little."""
    points = np.asarray(points, dtype=np.float64)
    n = points.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    centers = np.array(init, dtype=np.float64, copy=True)
    if n == 0 or centers.shape[0] == 0:
        return KMeansResult(centers[:0], np.zeros(n, dtype=np.int64), 0.0)
    if n * centers.shape[0] <= 20_000:
        return _lloyd(points, centers, w, max_iterations)
    labels, upper, lower = _two_nearest(points, centers)
    # Bounds are widened by a hair so rounding can never make them claim too much.
    slack = 1e-9 * (1.0 + float(np.abs(points).max()))
    for _ in range(max_iterations):
        k = centers.shape[0]
        mass = np.bincount(labels, weights=w, minlength=k)
        sums = np.stack(
            [
                np.bincount(labels, weights=w * points[:, 0], minlength=k),
                np.bincount(labels, weights=w * points[:, 1], minlength=k),
            ],
            axis=1,
        )
        alive = mass > 0
        moved_centers = np.where(
            alive[:, None], sums / np.where(alive, mass, 1.0)[:, None], centers
        )
        if not alive.all():
            # An emptied cluster disappears (as in Polis); relabel the survivors and
            # measure everyone again.
            remap = np.cumsum(alive) - 1
            centers = moved_centers[alive]
            new_labels, upper, lower = _two_nearest(points, centers)
            changed = not np.array_equal(new_labels, remap[labels])
            labels = new_labels
            if not changed:
                break
            continue
        shift = np.sqrt(((moved_centers - centers) ** 2).sum(axis=1))
        centers = moved_centers
        upper += shift[labels] + slack
        lower -= shift.max() + slack
        if k > 1:
            between = np.sqrt(_distances(centers, centers))
            np.fill_diagonal(between, np.inf)
            half = between.min(axis=1) / 2.0
        else:
            half = np.full(k, np.inf)
        check = np.flatnonzero(upper >= np.maximum(lower, half[labels]))
        if check.size:
            gap = points[check] - centers[labels[check]]
            upper[check] = np.sqrt(np.einsum("ij,ij->i", gap, gap)) + slack
            check = check[upper[check] >= np.maximum(lower[check], half[labels[check]])]
        if check.size == 0:
            break
        new, near, second = _two_nearest(points[check], centers)
        changed = bool((new != labels[check]).any())
        labels[check], upper[check], lower[check] = new, near, second
        if not changed:
            break
    labels, distance = nearest(points, centers)
    return KMeansResult(centers=centers, labels=labels, inertia=float(np.dot(w, distance)))


def _lloyd(
    points: np.ndarray, centers: np.ndarray, w: np.ndarray, max_iterations: int
) -> KMeansResult:
    """Plain Lloyd iterations (for small inputs, where bounds cost more than they save)."""
    labels = np.full(points.shape[0], -1, dtype=np.int64)
    for _ in range(max_iterations):
        new_labels = np.argmin(_distances(points, centers), axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        k = centers.shape[0]
        mass = np.bincount(labels, weights=w, minlength=k)
        sums = np.stack(
            [
                np.bincount(labels, weights=w * points[:, 0], minlength=k),
                np.bincount(labels, weights=w * points[:, 1], minlength=k),
            ],
            axis=1,
        )
        alive = mass > 0
        centers = sums[alive] / mass[alive, None]
        if not alive.all():
            labels = np.full(points.shape[0], -1, dtype=np.int64)  # measure everyone again
    labels, distance = nearest(points, centers)
    return KMeansResult(centers=centers, labels=labels, inertia=float(np.dot(w, distance)))


def first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` distinct points in order (Polis' initial centres)."""
    _unique, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]]


def farthest_first(
    points: np.ndarray,
    k: int,
    weights: np.ndarray | None = None,
    *,
    initial: np.ndarray | None = None,
) -> np.ndarray:
    """Deterministic maximin initialisation: start at the point nearest the (weighted)
    mean (or from the ``initial`` centres), then repeatedly add the point farthest from
    every centre chosen so far (lowest index on ties), up to ``k`` centres. Independent of
    the points' order except for exact ties."""
    if initial is not None and initial.shape[0]:
        chosen_centers = list(np.asarray(initial, dtype=np.float64)[:k])
        closest = _distances(points, np.asarray(chosen_centers)).min(axis=1)
    else:
        w = np.ones(points.shape[0]) if weights is None else weights
        mean = (w[:, None] * points).sum(axis=0) / w.sum()
        start = int(np.argmin(((points - mean) ** 2).sum(axis=1)))
        chosen_centers = [points[start]]
        closest = ((points - points[start]) ** 2).sum(axis=1)
    while len(chosen_centers) < k:
        pick = int(np.argmax(closest))
        if closest[pick] <= 0.0:
            break  # every point already sits on a centre
        chosen_centers.append(points[pick])
        np.minimum(closest, ((points - points[pick]) ** 2).sum(axis=1), out=closest)
    return np.asarray(chosen_centers, dtype=np.float64).reshape(-1, 2)


def kmeans_plus_plus(
    points: np.ndarray, k: int, weights: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """k-means++ seeding (each next centre drawn with probability ∝ weight × squared
    distance to the nearest chosen centre)."""
    first = int(rng.choice(points.shape[0], p=weights / weights.sum()))
    chosen = [first]
    closest = ((points - points[first]) ** 2).sum(axis=1)
    for _ in range(1, k):
        mass = weights * closest
        total = mass.sum()
        if total <= 0.0:
            break
        pick = int(rng.choice(points.shape[0], p=mass / total))
        chosen.append(pick)
        np.minimum(closest, ((points - points[pick]) ** 2).sum(axis=1), out=closest)
    return points[chosen]


def silhouette(points: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """The mean silhouette of a clustering of weighted points, each point standing for
    ``weight`` members at the same place (so it equals the ordinary silhouette of the
    members). A member alone in its cluster scores 0, as usual. Needs 2 ≤ clusters."""
    k = int(labels.max()) + 1
    if k < 2:
        return 0.0
    distance = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    # Weighted distance sums from each point to each cluster: (n, k).
    one_hot = np.zeros((points.shape[0], k))
    one_hot[np.arange(points.shape[0]), labels] = weights
    to_cluster = distance @ one_hot
    mass = one_hot.sum(axis=0)
    own_mass = mass[labels] - 1.0  # the other members of one's own cluster
    own = to_cluster[np.arange(points.shape[0]), labels]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(own_mass > 0, own / np.maximum(own_mass, 1e-300), 0.0)
        mean_to = to_cluster / mass[None, :]
    mean_to[np.arange(points.shape[0]), labels] = np.inf
    b = mean_to.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(own_mass > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0.0)
    return float(np.dot(weights, s) / weights.sum())


def match_labels(new: np.ndarray, old: np.ndarray, n_new: int, n_old: int) -> np.ndarray:
    """A new index for each new cluster (array of length ``n_new``) that keeps the index
    of the old cluster sharing most members (Hungarian assignment on the overlap counts;
    ``new``/``old`` are labels of the same members, -1 for none). New clusters left
    unmatched take the lowest unused indices."""
    both = (new >= 0) & (old >= 0)
    overlap = np.zeros((n_new, max(n_old, 1)), dtype=np.int64)
    np.add.at(overlap, (new[both], old[both]), 1)
    rows, cols = linear_sum_assignment(-overlap)
    mapping = np.full(n_new, -1, dtype=np.int64)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        if overlap[r, c] > 0:
            mapping[r] = c
    used = set(mapping[mapping >= 0].tolist())
    spare = (i for i in range(n_new + n_old) if i not in used)
    for r in range(n_new):
        if mapping[r] < 0:
            mapping[r] = next(spare)
    return mapping


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    """Hubert and Arabie's adjusted Rand index of two labellings of the same items."""
    a = np.asarray(a)
    b = np.asarray(b)
    if a.size != b.size:
        raise ValueError("the two labellings must cover the same items")
    if a.size < 2:
        return 1.0
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1), dtype=np.float64)
    np.add.at(table, (ai, bi), 1)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * cols / pairs(np.array([a.size]))
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
