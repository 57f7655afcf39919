"""The opinion map of a conversation: projection, groups and statement statistics.

One pipeline, two modes (docs/deliberation.md explains every step and why):

1. Votes on excluded (moderated-out) statements are dropped. Participants with at least
   ``min(7, statements)`` votes are *in the conversation* (and stay in once grouped;
   polis mode: with the first 15 to vote, as Polis keeps at least 15 in).
2. PCA of the vote matrix of in-conversation participants over the non-meta statements,
   a missing vote imputed by the statement's mean vote. Centring after mean-imputation
   makes every missing cell exactly 0, so the matrix stays sparse and its top two right
   singular vectors are computed exactly (LAPACK for small tables, ARPACK on the CSR
   matrix for large ones) without ever densifying it.
3. Every participant is projected onto the two components, the sum over the statements
   they voted on scaled by ``sqrt(statements / their votes)`` so sparse voters are not
   pulled to the centre.
4. Up to 100 *base clusters* (k-means on the in-conversation points), then *groups*:
   weighted k-means on the base clusters for k = 2 … 5, the k with the best silhouette.
5. Per group and statement: counts, representative statements, consensus, group-informed
   consensus and a routing priority (:mod:`.stats`).

``polis`` follows Polis' published method: k-means initialised from the first distinct
points in participant order. ``improved`` is deterministic and invariant to participant
numbering (farthest-first base clusters, seeded k-means++ restarts for the groups), fixes
the sign of each component, and given the previous analysis keeps the number of groups,
the map's orientation and the group labels unless the data clearly changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from . import clustering, stats
from .table import VoteTable

MODES = ("polis", "improved")
MIN_VOTES = 7  # votes needed to be placed in a group (or every statement, if fewer)
GREEDY_FLOOR = 15  # polis mode: the first voters, placed whatever their votes (Polis)
BASE_CLUSTERS = 100
MAX_GROUPS = 5
GROUP_RESTARTS = 12  # improved mode: seeded k-means++ starts per k
STAY_MARGIN = 0.02  # improved mode: silhouette a new k must gain before k changes
K_BUFFER = 4  # polis mode: analyses in a row a new k must win before it is used
WARM_TOLERANCE = 0.05  # improved mode: inertia a fresh start must save before groups change


@dataclass(frozen=True, eq=False)
class Analysis:
    """The result of :func:`analyse`. Arrays are in the order of ``participants`` (ids,
    sorted) and ``statements`` (ids, sorted); ``groups`` is -1 for ungrouped people."""

    mode: str
    participants: np.ndarray
    n_votes: np.ndarray
    coordinates: np.ndarray
    in_conversation: np.ndarray
    groups: np.ndarray
    n_groups: int
    statements: np.ndarray
    meta: np.ndarray
    counts: stats.Counts
    repness: list[list[dict[str, Any]]]
    consensus: dict[str, list[dict[str, Any]]]
    group_informed_consensus: np.ndarray
    priority: np.ndarray
    components: np.ndarray  # (2, statements): the PCA loadings (0 for meta statements)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def n_participants(self) -> int:
        return int(self.participants.size)

    @property
    def n_statements(self) -> int:
        return int(self.statements.size)

    def groups_by_participant(self) -> dict[int, int | None]:
        return {
            pid: (None if g < 0 else g)
            for pid, g in zip(self.participants.tolist(), self.groups.tolist(), strict=True)
        }

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in ``deliberation.models.Analysis.data`` (see the contract
        in docs/deliberation.md)."""
        xs = self.coordinates[:, 0].tolist()
        ys = self.coordinates[:, 1].tolist()
        participants = {
            str(pid): {
                "x": x,
                "y": y,
                "group": None if g < 0 else g,
                "n_votes": n,
            }
            for pid, x, y, g, n in zip(
                self.participants.tolist(),
                xs,
                ys,
                self.groups.tolist(),
                self.n_votes.tolist(),
                strict=True,
            )
        }
        sizes = np.bincount(self.groups[self.groups >= 0], minlength=self.n_groups)
        groups = [
            {"index": g, "size": int(sizes[g]), "repness": self.repness[g]}
            for g in range(self.n_groups)
        ]
        c = self.counts
        tids = [str(t) for t in self.statements.tolist()]
        agree, disagree, passes = c.agree.tolist(), c.disagree.tolist(), c.passes.tolist()
        ga, gd, gv = c.group_agree.tolist(), c.group_disagree.tolist(), c.group_votes.tolist()
        statements = {}
        for j, tid in enumerate(tids):
            statements[tid] = {
                "agree": agree[j],
                "disagree": disagree[j],
                "pass": passes[j],
                "groups": {
                    str(g): {
                        "agree": ga[g][j],
                        "disagree": gd[g][j],
                        "pass": gv[g][j] - ga[g][j] - gd[g][j],
                    }
                    for g in range(self.n_groups)
                },
            }
        return {
            "mode": self.mode,
            "n_participants": self.n_participants,
            "n_statements": self.n_statements,
            "n_votes": int(self.n_votes.sum()),
            "participants": participants,
            "groups": groups,
            "consensus": self.consensus,
            "group_informed_consensus": dict(
                zip(tids, self.group_informed_consensus.tolist(), strict=True)
            ),
            "statements": statements,
            "priority": dict(zip(tids, self.priority.tolist(), strict=True)),
            # Not part of the report: lets the next analysis start from these clusters.
            "base_clusters": self.extras.get("base_clusters", []),
            **({"k_smoother": self.extras["k_smoother"]} if "k_smoother" in self.extras else {}),
        }


def _ids(values: Iterable[int]) -> np.ndarray:
    return np.fromiter((int(v) for v in values), dtype=np.int64)


def analyse(
    table: VoteTable,
    mode: str = "polis",
    *,
    meta_statements: Iterable[int] = frozenset(),
    excluded_statements: Iterable[int] = frozenset(),
    previous: Mapping[str, Any] | None = None,
) -> Analysis:
    """Analyse a vote table (see the module docstring). ``meta_statements`` are counted
    but not used for the map or groups; ``excluded_statements`` (moderated out) are
    ignored entirely; ``previous`` is an earlier ``Analysis.to_json()`` of the same
    conversation, used to keep people in the conversation once grouped, the map's
    orientation, the base clusters (warm start) and the group labels, and the number of
    groups (improved mode: unless another is clearly better; polis mode: Polis' k
    smoother). Raises ValueError for an unknown mode."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    everyone = table.participants
    excluded = _ids(excluded_statements)
    kept = table.without_statements(excluded) if excluded.size else table
    meta = np.isin(kept.statements, _ids(meta_statements))
    # Participants who voted only on excluded statements stay in the output, unplaced.
    row_of = np.searchsorted(everyone, kept.participants)
    n_everyone = everyone.size
    n_votes = np.zeros(n_everyone, dtype=np.int64)
    n_votes[row_of] = kept.votes_per_participant()

    prev = _Previous.read(previous, everyone, mode)
    if mode == "polis":
        # Polis counts every vote, moderated-out statements included, towards the
        # threshold, and zeroes (rather than drops) the columns of moderated-out and meta
        # statements: they count as statements, and as votes of everyone, in the sparse
        # voters' scaling sqrt(statements / votes).
        counted, n_counted = table.votes_per_participant(), table.n_statements
        zeroed = int(excluded.size and np.isin(table.statements, excluded).sum()) + int(meta.sum())
    else:
        counted, n_counted = n_votes, kept.n_statements
        zeroed = 0
    threshold = min(MIN_VOTES, n_counted)
    in_conv = (counted >= threshold) & (n_votes > 0)
    if mode == "polis":
        # Polis tops the participants in the conversation up to 15 with the best voters
        # whenever fewer are in, at every update, and keeps them in: an update after
        # every vote would have taken the first 15 to vote.
        in_conv |= _first_voters(table, GREEDY_FLOOR) & (n_votes > 0)
    in_conv |= prev.grouped & (n_votes > 0)

    coordinates, components = _project(kept, row_of, n_everyone, in_conv, meta, mode, prev, zeroed)
    groups, n_groups, extras = _group(coordinates, in_conv, everyone, mode, prev)

    local_groups = groups[row_of]
    counts = stats.count(kept, local_groups, n_groups)
    n_pca = int((~meta).sum())
    extremity = np.sqrt(max(n_pca, 1)) * np.sqrt((components**2).sum(axis=0))
    return Analysis(
        mode=mode,
        participants=everyone,
        n_votes=n_votes,
        coordinates=coordinates,
        in_conversation=in_conv,
        groups=groups,
        n_groups=n_groups,
        statements=kept.statements,
        meta=meta,
        counts=counts,
        repness=stats.repness(counts, kept.statements, meta),
        consensus=stats.consensus(counts, kept.statements, meta),
        group_informed_consensus=stats.group_informed_consensus(counts),
        priority=stats.priority(counts, extremity, meta),
        components=components,
        extras=extras,
    )


def group_informed_consensus(
    table: VoteTable, membership: Mapping[int, int | None]
) -> dict[int, float]:
    """Group-informed consensus of every statement in ``table`` for given groups
    (``{participant id: group or None}``; group ids any integers)."""
    labels = sorted({g for g in membership.values() if g is not None})
    index = {g: i for i, g in enumerate(labels)}
    groups = np.array(
        [index.get(membership.get(pid), -1) for pid in table.participants.tolist()],  # type: ignore[arg-type]
        dtype=np.int64,
    )
    counts = stats.count(table, groups, len(labels))
    values = stats.group_informed_consensus(counts)
    return dict(zip(table.statements.tolist(), values.tolist(), strict=True))


def _first_voters(table: VoteTable, count: int) -> np.ndarray:
    """Mask of the first ``count`` participants to vote (earliest vote; without
    timestamps, or on equal ones, the lowest id: Polis numbers participants as they
    arrive)."""
    first = np.zeros(table.n_participants, dtype=np.int64)
    if table.timestamps is not None and table.n_votes:
        # Votes are sorted by participant: one reduction per participant's run.
        indptr = table.indptr()
        voted = indptr[1:] > indptr[:-1]
        first[~voted] = np.iinfo(np.int64).max
        first[voted] = np.minimum.reduceat(table.timestamps, indptr[:-1][voted])
    mask = np.zeros(table.n_participants, dtype=bool)
    mask[np.argsort(first, kind="stable")[:count]] = True
    return mask


# Previous analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Previous:
    grouped: np.ndarray  # bool per participant: had a group before
    groups: np.ndarray  # previous group per participant, -1 none / unknown
    xy: np.ndarray  # previous coordinates (nan unknown)
    n_groups: int
    base_centers: np.ndarray  # (m, 2) previous base-cluster centres (same mode only)
    smoother: dict[str, int]  # polis mode: the k smoother's state

    @classmethod
    def read(cls, data: Mapping[str, Any] | None, participants: np.ndarray, mode: str) -> _Previous:
        n = participants.size
        groups = np.full(n, -1, dtype=np.int64)
        xy = np.full((n, 2), np.nan)
        base = np.zeros((0, 2))
        if not data or not isinstance(data.get("participants"), Mapping):
            return cls(groups >= 0, groups, xy, 0, base, {})
        position = {pid: i for i, pid in enumerate(participants.tolist())}
        for key, entry in data["participants"].items():
            try:
                i = position.get(int(key))
            except (TypeError, ValueError):
                continue
            if i is None or not isinstance(entry, Mapping):
                continue
            group = entry.get("group")
            if isinstance(group, int) and group >= 0:
                groups[i] = group
            with contextlib.suppress(KeyError, TypeError, ValueError):
                xy[i] = (float(entry["x"]), float(entry["y"]))
        n_groups = int(groups.max()) + 1 if (groups >= 0).any() else 0
        if data.get("mode") == mode:
            try:
                base = np.asarray(data.get("base_clusters") or [], dtype=np.float64).reshape(-1, 2)
                base = base[np.isfinite(base).all(axis=1)]
            except (TypeError, ValueError):
                base = np.zeros((0, 2))
        smoother: dict[str, int] = {}
        state = data.get("k_smoother")
        if data.get("mode") == mode and isinstance(state, Mapping):
            smoother = {
                key: value
                for key, value in state.items()
                if key in ("last_k", "count", "k") and isinstance(value, int)
            }
        return cls(groups >= 0, groups, xy, n_groups, base, smoother)


# Projection -------------------------------------------------------------------------------


def _project(
    kept: VoteTable,
    row_of: np.ndarray,
    n_everyone: int,
    in_conv: np.ndarray,
    meta: np.ndarray,
    mode: str,
    prev: _Previous,
    zeroed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``(coordinates of everyone (n, 2), components (2, statements))``. ``zeroed``
    statements count in the scaling as statements everyone voted 0 on (Polis)."""
    n_statements = kept.n_statements
    components = np.zeros((2, n_statements))
    coordinates = np.zeros((n_everyone, 2))
    use = ~meta[kept.cols]
    rows = row_of[kept.rows[use]]
    cols = kept.cols[use]
    values = kept.values[use].astype(np.float64)
    n_pca = int((~meta).sum())
    if n_pca == 0 or rows.size == 0:
        return coordinates, components
    # Mean vote on each statement among in-conversation voters (missing votes are imputed
    # with it, so after centring they are exactly zero and the matrix stays sparse).
    inside = in_conv[rows]
    total = np.bincount(cols[inside], weights=values[inside], minlength=n_statements)
    voters = np.bincount(cols[inside], minlength=n_statements)
    mean = np.divide(total, voters, out=np.zeros(n_statements), where=voters > 0)
    centred = values - mean[cols]
    matrix = _csr(rows, cols, centred, (n_everyone, n_statements))
    members = np.flatnonzero(in_conv)
    if members.size >= 2:
        loadings = _top_components(matrix[members], n_pca)
        components = _orient(loadings, matrix, prev)
    votes = np.bincount(rows, minlength=n_everyone) + zeroed
    scale = np.sqrt((n_pca + zeroed) / np.maximum(votes, 1))
    coordinates = np.asarray(matrix @ components.T) * scale[:, None]
    return coordinates, components


def _csr(
    rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """A CSR matrix from entries already sorted by (row, col), without a sort."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sp.csr_matrix((data, cols, indptr), shape=shape)


def _top_components(matrix: sp.csr_matrix, n_pca: int) -> np.ndarray:
    """The two leading right singular vectors (2, columns) of a centred sparse matrix."""
    n_rows, n_cols = matrix.shape
    wanted = min(2, n_rows, n_pca)
    out = np.zeros((2, n_cols))
    if min(n_rows, n_cols) <= 3:
        _u, _s, vt = np.linalg.svd(matrix.toarray(), full_matrices=False)
        out[:wanted] = vt[:wanted]
        return out
    # ARPACK on the implicit normal matrix: only sparse products, converged to machine
    # precision (tol=0); a fixed start vector makes it reproducible bit for bit. (Also for
    # small tables: LAPACK's dense SVD goes through multi-threaded BLAS, which on a busy
    # server is ten times slower than these single-threaded sparse products.)
    start = np.linspace(1.0, 2.0, min(n_rows, n_cols))
    _u, s, vt = svds(matrix, k=wanted, tol=0, v0=start, solver="arpack")
    order = np.argsort(-s, kind="stable")
    out[:wanted] = vt[order]
    return out


def _orient(loadings: np.ndarray, matrix: sp.csr_matrix, prev: _Previous) -> np.ndarray:
    """Fix the arbitrary sign of each component: the largest loading positive, or, given a
    previous map, whichever sign keeps people where they were (Polis gets the same from
    warm-starting its power iteration with the previous components)."""
    out = loadings.copy()
    for c in range(out.shape[0]):
        vector = out[c]
        if not vector.any():
            continue
        peak = int(np.argmax(np.abs(vector)))
        if vector[peak] < 0:
            out[c] = -vector
    known = ~np.isnan(prev.xy[:, 0])
    if known.sum() >= 2:
        now = np.asarray(matrix[np.flatnonzero(known)] @ out.T)
        before = prev.xy[known]
        for c in range(out.shape[0]):
            if float(np.dot(now[:, c], before[:, c])) < 0:
                out[c] = -out[c]
    return out


# Groups -----------------------------------------------------------------------------------


def _max_groups(n_members: int, n_base: int) -> int:
    # Small conversations get fewer groups (Polis: 2 + one per 12 participants), and a
    # silhouette needs fewer groups than base clusters.
    return min(MAX_GROUPS, 2 + n_members // 12, max(n_base - 1, 2))


def _group(
    coordinates: np.ndarray,
    in_conv: np.ndarray,
    participants: np.ndarray,
    mode: str,
    prev: _Previous,
) -> tuple[np.ndarray, int, dict[str, Any]]:
    """Each participant's group (-1 none), the number of groups, and diagnostics."""
    n = coordinates.shape[0]
    groups = np.full(n, -1, dtype=np.int64)
    members = np.flatnonzero(in_conv)
    points = coordinates[members]
    if members.size == 0:
        return groups, 0, {"silhouettes": {}}
    if prev.base_centers.shape[0]:
        # Warm start from the previous base clusters (as Polis does), topped up to 100.
        init = clustering.farthest_first(points, BASE_CLUSTERS, initial=prev.base_centers)
    elif mode == "polis":
        init = clustering.first_distinct(points, BASE_CLUSTERS)
    else:
        init = clustering.farthest_first(points, BASE_CLUSTERS)
    base = clustering.kmeans(points, init)
    centers = base.centers
    sizes = np.bincount(base.labels, minlength=centers.shape[0]).astype(np.float64)
    n_base = centers.shape[0]
    if n_base < 2:
        groups[members] = 0
        return groups, 1, {"silhouettes": {}, "base_clusters": centers.tolist()}
    previous_groups = prev.groups[members]
    best: tuple[float, int, np.ndarray] | None = None
    silhouettes: dict[int, float] = {}
    labellings: dict[int, np.ndarray] = {}
    for k in range(2, _max_groups(members.size, n_base) + 1):
        labels = _group_clusters(centers, sizes, k, mode, base.labels, previous_groups)
        if labels is None:
            continue
        labellings[k] = labels
        silhouettes[k] = clustering.silhouette(centers, labels, sizes)
        if best is None or silhouettes[k] > best[0]:
            best = (silhouettes[k], k, labels)
    if best is None:
        groups[members] = 0
        return groups, 1, {"silhouettes": silhouettes, "base_clusters": centers.tolist()}
    _score, k, labels = best
    smoother: dict[str, int] = {}
    if mode == "polis":
        # Polis' smoother: a new best k replaces the current one only once it has been
        # the best K_BUFFER analyses in a row.
        last = prev.smoother
        count = last.get("count", 0) + 1 if last.get("last_k") == k else 1
        current = last.get("k")
        chosen = k if count >= K_BUFFER or current not in labellings else current
        smoother = {"last_k": k, "count": count, "k": chosen}
        k, labels = chosen, labellings[chosen]
    elif prev.n_groups in labellings and silhouettes[prev.n_groups] >= best[0] - STAY_MARGIN:
        # Keep the previous number of groups unless another k is clearly better.
        k, labels = prev.n_groups, labellings[prev.n_groups]
    member_groups = labels[base.labels]
    n_groups = int(member_groups.max()) + 1
    if mode == "improved":
        member_groups = _canonical_order(member_groups, points, n_groups)
    if (previous_groups >= 0).any():
        mapping = clustering.match_labels(
            member_groups, previous_groups, n_groups, max(prev.n_groups, 1)
        )
        mapping = np.argsort(np.argsort(mapping, kind="stable"), kind="stable")
        member_groups = mapping[member_groups]
    groups[members] = member_groups
    extras = {"silhouettes": silhouettes, "base_clusters": centers.tolist()}
    if smoother:
        extras["k_smoother"] = smoother
    return groups, n_groups, extras


def _group_clusters(
    centers: np.ndarray,
    sizes: np.ndarray,
    k: int,
    mode: str,
    base_labels: np.ndarray,
    previous_groups: np.ndarray,
) -> np.ndarray | None:
    """Labels (per base cluster) of the best weighted k-means into exactly k groups."""
    warm = _warm_start(centers, base_labels, previous_groups, k)
    if mode == "polis":
        # Polis: from the previous groups when there were k of them, else from the first
        # k base clusters.
        start = warm if warm is not None else centers[:k]
        result = clustering.kmeans(centers, start, sizes)
        return result.labels if result.centers.shape[0] == k else None
    rng = np.random.default_rng(20240917 + k)
    candidates = [
        clustering.kmeans(centers, clustering.kmeans_plus_plus(centers, k, sizes, rng), sizes)
        for _ in range(GROUP_RESTARTS)
    ]
    full = [c for c in candidates if c.centers.shape[0] == k]
    best = min(full, key=lambda c: c.inertia, default=None)  # first of equals: seeded order
    if warm is not None:
        kept = clustering.kmeans(centers, warm, sizes)
        # The previous groups stay unless a fresh start is clearly tighter.
        if kept.centers.shape[0] == k and (
            best is None or kept.inertia <= best.inertia * (1 + WARM_TOLERANCE)
        ):
            best = kept
    return None if best is None else best.labels


def _warm_start(
    centers: np.ndarray,
    base_labels: np.ndarray,
    previous_groups: np.ndarray,
    k: int,
) -> np.ndarray | None:
    """Initial group centres from the previous groups' members in the new map (so the
    warm start survives rotations of the map), when there were k previous groups."""
    known = previous_groups >= 0
    if not known.any() or int(previous_groups[known].max()) + 1 != k:
        return None
    member_xy = centers[base_labels[known]]
    labels = previous_groups[known]
    mass = np.bincount(labels, minlength=k).astype(np.float64)
    if (mass == 0).any():
        return None
    return np.stack(
        [np.bincount(labels, weights=member_xy[:, d], minlength=k) / mass for d in range(2)],
        axis=1,
    )


def _canonical_order(labels: np.ndarray, points: np.ndarray, n_groups: int) -> np.ndarray:
    """Renumber groups by size (largest first), then by centre (x, then y)."""
    size = np.bincount(labels, minlength=n_groups)
    cx = np.bincount(labels, weights=points[:, 0], minlength=n_groups) / np.maximum(size, 1)
    cy = np.bincount(labels, weights=points[:, 1], minlength=n_groups) / np.maximum(size, 1)
    order = np.lexsort((cy, cx, -size))
    rank = np.empty(n_groups, dtype=np.int64)
    rank[order] = np.arange(n_groups)
    return rank[labels]
