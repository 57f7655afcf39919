"""One run of Equal Shares in float64, compiled with numba: the inner loop of the rules.

The Add1 completion runs Equal Shares hundreds of times (once per per-voter share it has to
try), each run a hundred or so rounds over small arrays, where an interpreter spends far more
time than the arithmetic needs; compiled, a run on a real city's file takes a fraction of a
millisecond. :mod:`.rules` prepares the arrays (exact decisions that need ``Fraction`` are
made there) and turns the result back into its own types.

The rule (the same as :mod:`.rules` documents): every voter starts with ``share``; each round,
every project still in play whose supporters can afford it gets a price per point ``rho``
(each supporter pays ``min(money left, rho * points)``, all together exactly its cost) and
an *effective vote count* ``cost / rho``; the highest count wins (counts within TOLERANCE of
each other are a tie, broken by the tie order: ``rank``), its supporters pay, and the next
round starts. Counts only fall from round to round, so each project keeps an upper bound (its
last count) and only the projects that could still come first are priced again.

With ``certify``, the run also returns ``delta``: every share in ``[share, share + delta)``
gives the same decisions, hence the same winners in the same order. Within one run every
voter's money left is affine in the share's increase ``d`` (``budgets + slope * d``), and
each decision is an affine (or convex) inequality in ``d``, checked with margins far above
float rounding; see ``_certify_pay``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit


def compiled(function: Callable[..., Any]) -> Any:
    """``function`` compiled by numba on its first call, the machine code cached on disk (in
    ``__pycache__`` beside this module, numba's user cache, or ``NUMBA_CACHE_DIR``, which
    Moothall's settings point into ``MOOTHALL_VAR_DIR``). Where none of them can be written
    (a read-only install), it is compiled once per process instead of failing."""
    try:
        return njit(cache=True)(function)
    except RuntimeError:  # numba: "cannot cache function …: no locator available"
        return njit(function)


TOLERANCE = 1e-9
CLOSE = 1e-7  # relative margin for "a rival stays behind the winner"
EDGE = 1e-9  # relative margin for "short of money" and a dropped project's money


@compiled
def water_level(b: np.ndarray, w: np.ndarray, n: int, cost: float) -> float:
    """rho with ``sum(min(b, rho * w)) == cost`` over the first ``n`` entries.

    From ``cost / points``, "those short of money pay all they have, the rest share what is
    left per point" is Newton's method from below on a concave function: it only rises and
    settles in a few rounds; past 16 of them, sort the supporters by money per point."""
    total_w = 0.0
    for i in range(n):
        total_w += w[i]
    rho = cost / total_w
    for _ in range(16):
        poor_b = 0.0
        others = 0.0
        anyone = False
        for i in range(n):
            if b[i] < rho * w[i]:
                poor_b += b[i]
                anyone = True
            else:
                others += w[i]
        if not anyone:
            return rho
        if others <= 0.0:  # affordable only within the tolerance: everyone pays all they have
            best = 0.0
            for i in range(n):
                best = max(best, b[i] / w[i])
            return best
        new = (cost - poor_b) / others
        if new <= rho:
            return rho
        rho = new
    ratio = b[:n] / w[:n]
    order = np.argsort(ratio)
    rest = 0.0
    for i in range(n):
        rest += w[i]
    paid = 0.0
    for j in range(n):
        k = order[j]
        level = (cost - paid) / rest
        if level <= ratio[k]:
            return level
        paid += b[k]
        rest -= w[k]
    return ratio[order[n - 1]]


@compiled
def run(
    indptr: np.ndarray,
    voters: np.ndarray,
    points: np.ndarray,
    cost: np.ndarray,
    score: np.ndarray,
    rank: np.ndarray,
    tie_class: np.ndarray,
    afford0: np.ndarray,
    gap0: np.ndarray,
    share: float,
    n_voters: int,
    certify: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """One run at ``share``.

    Per project: ``rank`` its place in the tie order, ``tie_class`` equal for projects equal
    in cost and votes (a tie decided by lot), ``afford0`` whether its supporters can afford
    it at the start (decided exactly by the caller), ``gap0`` a lower bound of how much the
    share must grow before they can (for those that cannot).

    Returns (winners, rhos, effective counts, money left per voter, ties, delta): ``ties`` is
    flat, each group of projects tied by lot as its length then its members in tie order;
    ``delta`` is ``inf`` without ``certify``."""
    m = len(cost)
    budgets = np.full(n_voters, share)
    touched = np.zeros(n_voters, dtype=np.bool_)
    slope = np.ones(n_voters)
    longest = 0
    for c in range(m):
        longest = max(longest, indptr[c + 1] - indptr[c])
    bbuf = np.empty(longest)
    wbuf = np.empty(longest)

    alive = np.zeros(m, dtype=np.bool_)
    bound = np.empty(m)  # upper bound of the effective count (fresh: the count itself)
    fresh_round = np.full(m, -1)
    fresh_rho = np.zeros(m)
    line_rho = np.full(m, np.inf)  # a tangent below the price, for the certificate
    line_slope = np.zeros(m)
    for c in range(m):
        if indptr[c + 1] > indptr[c]:
            alive[c] = True
            bound[c] = score[c]
            line_rho[c] = cost[c] / score[c]
        else:
            bound[c] = -np.inf

    winners = np.empty(m, dtype=np.int64)
    rhos = np.empty(m)
    effs = np.empty(m)
    ties = []
    delta = np.inf if certify else 0.0
    rnd = 0
    while True:
        # The project with the highest bound; priced again until the highest is fresh.
        best = -1
        while True:
            best = -1
            for c in range(m):
                if alive[c] and (
                    best < 0
                    or bound[c] > bound[best]
                    or (bound[c] == bound[best] and rank[c] < rank[best])
                ):
                    best = c
            if best < 0 or fresh_round[best] == rnd:
                break
            delta = _price(
                best, rnd, indptr, voters, points, cost, score, afford0, gap0, share,
                budgets, touched, slope, alive, bound, fresh_round, fresh_rho, line_rho,
                line_slope, bbuf, wbuf, delta,
            )  # fmt: skip
        if best < 0:
            break
        # Near-ties: every close contender fresh; the first of them in the tie order wins.
        floor = bound[best] * (1 - TOLERANCE)
        for c in range(m):
            if alive[c] and c != best and bound[c] >= floor and fresh_round[c] != rnd:
                delta = _price(
                    c, rnd, indptr, voters, points, cost, score, afford0, gap0, share,
                    budgets, touched, slope, alive, bound, fresh_round, fresh_rho, line_rho,
                    line_slope, bbuf, wbuf, delta,
                )  # fmt: skip
        winner = best
        for c in range(m):
            if alive[c] and bound[c] >= floor and rank[c] < rank[winner]:
                winner = c
        # Level with it and equal in cost and votes: a tie only lots could decide (counted
        # first: the list is made only for such a tie, not every round).
        same = 0
        for c in range(m):
            if alive[c] and bound[c] >= floor and tie_class[c] == tie_class[winner]:
                same += 1
        if same > 1:
            level = np.array(
                [
                    c
                    for c in range(m)
                    if alive[c] and bound[c] >= floor and tie_class[c] == tie_class[winner]
                ]
            )
            ties.append(same)
            for member in level[np.argsort(rank[level])]:
                ties.append(int(member))
        rho = fresh_rho[winner]
        winners[rnd] = winner
        rhos[rnd] = rho
        effs[rnd] = bound[winner]
        alive[winner] = False
        if delta > 1:
            delta = _certify_pay(
                winner, rho, indptr, voters, points, cost, rank, budgets, slope, alive,
                line_rho, line_slope, delta,
            )  # fmt: skip
        lo, hi = indptr[winner], indptr[winner + 1]
        for i in range(lo, hi):
            v = voters[i]
            b = budgets[v]
            due = rho * points[i]
            budgets[v] = 0.0 if due >= b else b - min(b, due)
            touched[v] = True
        rnd += 1
    flat = np.empty(len(ties), dtype=np.int64)
    for i in range(len(ties)):
        flat[i] = ties[i]
    return winners[:rnd], rhos[:rnd], effs[:rnd], budgets, flat, delta if certify else np.inf


@compiled
def _price(
    c, rnd, indptr, voters, points, cost, score, afford0, gap0, share, budgets, touched,
    slope, alive, bound, fresh_round, fresh_rho, line_rho, line_slope, bbuf, wbuf, delta,
):  # fmt: skip
    """Price project ``c`` on this round's money: fresh bound and rho, or dropped for the rest
    of the run when its supporters cannot afford it. Returns the certificate's ``delta``."""
    lo, hi = indptr[c], indptr[c + 1]
    n = hi - lo
    money = 0.0
    gain = 0.0
    any_touched = False
    for i in range(n):
        v = voters[lo + i]
        bbuf[i] = budgets[v]
        wbuf[i] = points[lo + i]
        money += bbuf[i]
        gain += slope[v]
        if touched[v]:
            any_touched = True
    affordable = afford0[c] if not any_touched else money >= cost[c] * (1 - TOLERANCE)
    if not affordable:
        alive[c] = False
        if delta > 1:
            if not any_touched:
                delta = min(delta, gap0[c])
            else:
                room = cost[c] * (1 - TOLERANCE) - money - EDGE * cost[c]
                limit = (room / gain if gain > 0 else np.inf) if room > 0 else 0.0
                delta = min(delta, limit)
        return delta
    rho = cost[c] / score[c]
    clear = True
    for i in range(n):
        if bbuf[i] < rho * wbuf[i]:
            clear = False
            break
    if clear:
        bound[c] = score[c]
    else:
        rho = water_level(bbuf, wbuf, n, cost[c])
        bound[c] = cost[c] / rho
    fresh_round[c] = rnd
    fresh_rho[c] = rho
    if delta > 1:
        short_gain = 0.0
        others = 0.0
        for i in range(n):
            if bbuf[i] <= rho * wbuf[i] * (1 + EDGE):
                short_gain += slope[voters[lo + i]]
            else:
                others += wbuf[i]
        line_rho[c] = rho
        line_slope[c] = -short_gain / others if others > 0 else -np.inf
    return delta


@compiled
def _certify_pay(
    c, rho, indptr, voters, points, cost, rank, budgets, slope, alive, line_rho, line_slope,
    delta,
):  # fmt: skip
    """The certificate's checks when ``c`` wins at ``rho`` (before its supporters pay), and
    the new slopes of their money. Returns ``delta``.

    - Its price ``rho(d) = (cost - money of those short of it) / points of the others`` keeps
      the same supporters short of money (``rho`` only falls as ``d`` grows, so only those
      short of money can stop being so);
    - every project still in play stays behind it: a project's price is convex in ``d``, so
      the tangent at its last pricing is a lower bound for every later round (at first
      ``cost / score``); against a winner ahead of it in the tie order it may come level;
    - (in ``_price``) a project found unaffordable stays so."""
    lo, hi = indptr[c], indptr[c + 1]
    others = 0.0
    short_gain = 0.0
    for i in range(lo, hi):
        v = voters[i]
        b = budgets[v]
        due = rho * points[i]
        if due >= b:
            short_gain += slope[v]
        else:
            others += points[i]
        # Too close to call whether a supporter is short of money: certify nothing.
        if b > 0 and abs(b - due) <= EDGE * max(b, due):
            delta = 0.0
    q = 0.0
    if others <= 0:
        delta = 0.0
    else:
        q = -short_gain / others  # rho(d) = rho + q * d, q <= 0
        # Those short of money stay so while b + g d < (rho + q d) w.
        for i in range(lo, hi):
            v = voters[i]
            b = budgets[v]
            due = rho * points[i]
            if due >= b and b > 0:
                rate = slope[v] - q * points[i]
                if rate > 0:
                    delta = min(delta, (due - b) / rate * (1 - 1e-6))
    for r in range(len(alive)):
        if not alive[r]:
            continue
        margin = -1e-11 if rank[r] > rank[c] else CLOSE
        h0 = line_rho[r] / cost[r] - (1 + margin) * rho / cost[c]
        if h0 < 0:
            delta = 0.0
            break
        h1 = line_slope[r] / cost[r] - (1 + margin) * q / cost[c]
        if h1 < 0:
            limit = h0 / -h1
            if math.isnan(limit):
                limit = 0.0
            delta = min(delta, limit * (1 - 1e-6))
    for i in range(lo, hi):
        v = voters[i]
        if rho * points[i] >= budgets[v]:
            slope[v] = 0.0
        else:
            slope[v] = slope[v] - q * points[i]
    return delta
