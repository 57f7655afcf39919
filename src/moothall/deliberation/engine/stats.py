"""Statement statistics once groups are known: counts, representative statements,
consensus, group-informed consensus and the routing priority. Shared by both modes.

Notation (as in the Polis papers): for a group g and statement s, ``A`` agrees, ``D``
disagrees, ``S`` votes of any kind (agree, disagree or pass) by g's members. Proportions
are Laplace-smoothed, ``pa = (A + 1) / (S + 2)`` and ``pd = (D + 1) / (S + 2)``, so a
statement nobody voted on sits at 1/2 and small samples are pulled towards it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .table import VoteTable

# One-sided 90% confidence, Polis' threshold for "significant".
Z90 = 1.2815515655446004
PICK_MAX = 5  # representative statements per group, consensus statements per direction
META_PRIORITY = 7.0  # meta statements: a fixed weight (squared like the others)


@dataclass(frozen=True)
class Counts:
    """Agree / disagree / pass counts: ``total`` per statement (everyone), ``group`` per
    group and statement (members only), shape (groups, statements)."""

    agree: np.ndarray
    disagree: np.ndarray
    passes: np.ndarray
    group_agree: np.ndarray
    group_disagree: np.ndarray
    group_votes: np.ndarray  # agree + disagree + pass

    @property
    def votes(self) -> np.ndarray:
        return self.agree + self.disagree + self.passes


def count(table: VoteTable, groups: np.ndarray, n_groups: int) -> Counts:
    """``groups``: each participant's group (row order of the table), -1 for none."""
    n = table.n_statements
    agree = table.values == 1
    disagree = table.values == -1
    total = np.bincount(table.cols, minlength=n)
    a = np.bincount(table.cols, weights=agree, minlength=n).astype(np.int64)
    d = np.bincount(table.cols, weights=disagree, minlength=n).astype(np.int64)
    member = groups[table.rows]
    inside = member >= 0
    cell = member[inside] * n + table.cols[inside]
    size = n_groups * n
    ga = np.bincount(cell, weights=agree[inside], minlength=size).astype(np.int64)
    gd = np.bincount(cell, weights=disagree[inside], minlength=size).astype(np.int64)
    gv = np.bincount(cell, minlength=size).astype(np.int64)
    return Counts(
        agree=a,
        disagree=d,
        passes=total - a - d,
        group_agree=ga.reshape(n_groups, n),
        group_disagree=gd.reshape(n_groups, n),
        group_votes=gv.reshape(n_groups, n),
    )


def smoothed(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    return (successes + 1.0) / (trials + 2.0)


def proportion_test(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """z of the smoothed proportion against 1/2 (one-proportion z-test, ``S + 2`` trials
    counting the two pseudo-votes)."""
    return 2.0 * np.sqrt(trials + 2.0) * (smoothed(successes, trials) - 0.5)


def two_proportion_test(
    s_in: np.ndarray, n_in: np.ndarray, s_out: np.ndarray, n_out: np.ndarray
) -> np.ndarray:
    """z of the difference between a group's smoothed proportion and everyone else's
    (two-proportion z-test with the pooled proportion; 0 where it is undefined)."""
    p_in = smoothed(s_in, n_in)
    p_out = smoothed(s_out, n_out)
    pooled = (s_in + s_out + 2.0) / (n_in + n_out + 4.0)
    spread = np.sqrt(pooled * (1.0 - pooled) * (1.0 / (n_in + 2.0) + 1.0 / (n_out + 2.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p_in - p_out) / spread
    return np.where(spread > 0, z, 0.0)


def group_informed_consensus(counts: Counts) -> np.ndarray:
    """Per statement, the product over groups of ``(A_g + 1) / (S_g + 2)``: high only when
    every group agrees. With no groups, everyone is one group."""
    if counts.group_votes.shape[0] == 0:
        return smoothed(counts.agree, counts.votes)
    return np.prod(smoothed(counts.group_agree, counts.group_votes), axis=0)


def repness(counts: Counts, statements: np.ndarray, meta: np.ndarray) -> list[list[dict[str, Any]]]:
    """Representative statements of each group: those its members agree (disagree) with
    significantly more than the rest of the grouped participants.

    For each direction: ``p_success`` = pa (pd) of the group, ``p_test`` its z against 1/2,
    ``repness`` = the group's pa over the others' pa, ``repness_test`` the two-proportion z
    of that difference. A statement qualifies when both z exceed the 90% threshold; its
    better direction (higher ``repness_test``) is kept; at most five per group, by
    ``repness × repness_test × p_success × p_test``, agreements listed first. When none
    qualifies, the group's single best agreement (by ``repness_test``) with ``repness`` > 1
    is shown, so every group says something. Meta statements are never representative.
    """
    n_groups = counts.group_votes.shape[0]
    result: list[list[dict[str, Any]]] = []
    all_a = counts.group_agree.sum(axis=0)
    all_d = counts.group_disagree.sum(axis=0)
    all_s = counts.group_votes.sum(axis=0)
    for g in range(n_groups):
        a, d, s = counts.group_agree[g], counts.group_disagree[g], counts.group_votes[g]
        oa, od, os_ = all_a - a, all_d - d, all_s - s
        directions = []
        for name, mine, others in (("agree", a, oa), ("disagree", d, od)):
            p = smoothed(mine, s)
            p_test = proportion_test(mine, s)
            ratio = p / smoothed(others, os_)
            ratio_test = two_proportion_test(mine, s, others, os_)
            metric = ratio * ratio_test * p * p_test
            ok = (p_test > Z90) & (ratio_test > Z90) & (s > 0) & ~meta
            directions.append((name, mine, p, p_test, ratio, ratio_test, metric, ok))
        agree_better = directions[0][5] >= directions[1][5]
        chosen: list[tuple[float, int, int]] = []  # (metric, direction, statement index)
        for index in np.flatnonzero(directions[0][7] | directions[1][7]).tolist():
            first = 0 if (agree_better[index] and directions[0][7][index]) else 1
            if not directions[first][7][index]:
                first = 1 - first
            chosen.append((float(directions[first][6][index]), first, index))
        if not chosen:
            ratio_test = np.where(
                (s > 0) & ~meta & (directions[0][4] > 1), directions[0][5], -np.inf
            )
            if ratio_test.size and np.isfinite(ratio_test.max()):
                best = int(np.argmax(ratio_test))
                chosen = [(float(directions[0][6][best]), 0, best)]
        chosen.sort(key=lambda item: (-item[0], item[2]))
        chosen = sorted(chosen[:PICK_MAX], key=lambda item: (item[1], -item[0], item[2]))
        entries = []
        for _metric, which, index in chosen:
            name, mine, p, p_test, ratio, ratio_test, _m, _ok = directions[which]
            entries.append(
                {
                    "statement": int(statements[index]),
                    "direction": name,
                    "repness": float(ratio[index]),
                    "repness_test": float(ratio_test[index]),
                    "p_success": float(p[index]),
                    "p_test": float(p_test[index]),
                    "n_success": int(mine[index]),
                    "n_trials": int(s[index]),
                }
            )
        result.append(entries)
    return result


def consensus(
    counts: Counts, statements: np.ndarray, meta: np.ndarray
) -> dict[str, list[dict[str, Any]]]:
    """Statements most of the grouped participants agree (disagree) with: pa > 1/2 with a
    significant z, at most five per direction, by ``pa × z``. Meta statements excluded."""
    if counts.group_votes.shape[0]:
        a, d, s = (
            counts.group_agree.sum(axis=0),
            counts.group_disagree.sum(axis=0),
            counts.group_votes.sum(axis=0),
        )
    else:
        a, d, s = counts.agree, counts.disagree, counts.votes
    result: dict[str, list[dict[str, Any]]] = {}
    for name, mine in (("agree", a), ("disagree", d)):
        p = smoothed(mine, s)
        z = proportion_test(mine, s)
        ok = np.flatnonzero((p > 0.5) & (z > Z90) & ~meta)
        order = sorted(ok.tolist(), key=lambda i: (-(p[i] * z[i]), i))[:PICK_MAX]
        result[name] = [
            {"statement": int(statements[i]), "p_success": float(p[i]), "p_test": float(z[i])}
            for i in order
        ]
    return result


def priority(counts: Counts, extremity: np.ndarray, meta: np.ndarray) -> np.ndarray:
    """Routing weight of each statement (higher: show it sooner), after Polis' comment
    routing: ``(a × (1 − p) × (E + 1) × (1 + 8 × 2^(−S/5)))²`` with ``a`` the smoothed
    agree share, ``p`` the smoothed pass share, ``S`` the votes so far and ``E`` the
    statement's extremity on the opinion map. Statements people pass on sink; statements
    that divide the map rise; a new statement starts up to nine times higher and decays as
    votes arrive (halving its boost every five votes). Meta statements get a fixed 7²."""
    votes = counts.votes.astype(np.float64)
    a = smoothed(counts.agree, votes)
    p = smoothed(counts.passes, votes)
    novelty = 1.0 + 8.0 * np.power(2.0, -votes / 5.0)
    weight = (a * (1.0 - p) * (extremity + 1.0) * novelty) ** 2
    return np.where(meta, META_PRIORITY**2, weight)
