"""The result rules, by their Pabulib names, and their per-project explanations.

- ``greedy``: projects by votes (approval) or points (other ballots), best first; each one
  that still fits in what is left of the budget is funded, one that does not is skipped.
- ``greedy-no-skip``: the same, but stop at the first project that does not fit.
- ``equalshares``: the Method of Equal Shares (equalshares.net), no completion.
- ``equalshares/add1``: Equal Shares with the Add1 completion: every voter's share is raised
  by one currency unit at a time while the outcome stays within the real budget (no early
  stop when an outcome is exhaustive: that is what reproduces Wieliczka's declared outcome),
  then greedy by votes for any money left.
- ``equalshares/add1-comparison``: ``equalshares/add1``, then the comparison step that
  Wieliczka used: if more voters prefer the greedy outcome (more of their projects funded)
  than prefer the Equal Shares one, the greedy outcome is taken.

Equal Shares, as equalshares.net computes it: each voter gets an equal share of the budget;
a project's cost is split among its supporters as equally as possible (each pays
``min(money left, ρ × points)``, where ρ is the price of one point: one vote for approval);
a project is affordable when its supporters have its cost between them; the affordable
project with the highest *effective vote count* ``cost / ρ`` is funded next. Ties: lower
cost first, then more votes, then (where officials would draw lots) the projects' order —
reported in ``Outcome.ties_by_lot``.

Exactness: money outside Equal Shares' rounds is exact (``Fraction``): costs, budget,
shares, spending, the greedy rules and every "does it fit" test. The rounds run in
``float64`` with numpy; a project is affordable when its supporters' money reaches its cost
within a relative TOLERANCE (exactly, when none of them has paid yet), and effective vote
counts within TOLERANCE of each other are a tie, broken by the tie order (a count is the
whole score, exactly, when nobody is short of money). Rounding errors are many orders of
magnitude below the tolerance; ``compute(..., exact=True)`` runs the same rule in rational
arithmetic, and the tests check that both give the same outcome.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from .election import Election

RULES = (
    "greedy",
    "greedy-no-skip",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-comparison",
)
TOLERANCE = 1e-9


class UnknownRule(ValueError):
    pass


@dataclass
class ProjectExplanation:
    """Why a project won or lost; numbers only (the pages word them)."""

    project_id: str
    cost: float
    votes: int  # supporters
    score: float  # points (= votes for approval)
    selected: bool = False
    order: int | None = None  # 1-based position in the selection order
    stage: str | None = None  # "greedy", "equalshares", "completion", or None if lost
    # greedy (and the greedy completion): money left in the budget when its turn came
    budget_left_before: float | None = None
    # Equal Shares, for a funded project
    effective_votes: float | None = None  # cost / rho when chosen
    rho: float | None = None  # price of one point (one vote) when chosen
    supporters_paying: int | None = None  # supporters who paid something
    paid_all_left: int | None = None  # of those, how many paid all the money they had left
    share_max: float | None = None  # largest payment
    share_typical: float | None = None  # median payment among payers
    # Equal Shares, for a project that lost
    supporters_money_left: float | None = None  # its supporters' money left at the end
    money_went_to: list[tuple[str, float]] = field(default_factory=list)
    # ^ funded projects its supporters paid for, most first: (project_id, amount)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["money_went_to"] = [[pid, amount] for pid, amount in self.money_went_to]
        return data


@dataclass
class Outcome:
    rule: str
    selected: list[str]  # project ids in the order they were chosen
    spent: Fraction
    budget: Fraction
    explanations: dict[str, ProjectExplanation]
    per_voter_budget: Fraction | None = None  # share per voter in the final Equal Shares run
    equalshares_selected: list[str] | None = None  # before the greedy completion
    comparison: dict[str, Any] | None = None  # prefers_equalshares, prefers_greedy, chose
    ties_by_lot: list[list[str]] = field(default_factory=list)
    runs: int = 0  # Equal Shares runs computed (the completion tries several shares)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "spent": _num(self.spent),
            "budget": _num(self.budget),
            "per_voter_budget": None
            if self.per_voter_budget is None
            else float(self.per_voter_budget),
            "equalshares_selected": self.equalshares_selected,
            "comparison": self.comparison,
            "ties_by_lot": self.ties_by_lot,
            "projects": {pid: e.as_dict() for pid, e in self.explanations.items()},
        }


def _num(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


# ---------------------------------------------------------------- greedy


def greedy_order(e: Election) -> list[int]:
    return sorted(range(e.n_projects), key=lambda c: (-e.score_exact[c], *e.tie_key(c)))


def _greedy(
    e: Election,
    skip: bool,
    already: list[int] | None = None,
    explanations: dict[str, ProjectExplanation] | None = None,
    stage: str = "greedy",
) -> list[int]:
    chosen = list(already or [])
    taken = set(chosen)
    left = e.budget - sum((e.costs[c] for c in chosen), Fraction(0))
    for c in greedy_order(e):
        if c in taken:
            continue
        if explanations is not None:
            explanations[e.ids[c]].budget_left_before = float(left)
        if e.costs[c] <= left:
            chosen.append(c)
            taken.add(c)
            left -= e.costs[c]
            if explanations is not None:
                ex = explanations[e.ids[c]]
                ex.selected, ex.stage = True, stage
        elif not skip:
            break
    return chosen


# ---------------------------------------------------------------- Equal Shares, one run


@dataclass
class _Run:
    winners: list[int]
    effs: list[float]
    rhos: list[float]
    payments: list[tuple[np.ndarray, np.ndarray]]  # (voters, amounts) per winner
    budgets: np.ndarray  # money left per voter at the end
    ties_by_lot: list[list[int]]
    exact: bool = False


class _Evaluator:
    """Float64 Equal Shares for one per-voter share."""

    def __init__(self, e: Election, share: Fraction) -> None:
        self.e = e
        self.share = share
        self.budgets = np.full(e.n_voters, float(share), dtype=np.float64)
        self.touched = np.zeros(e.n_voters, dtype=bool)

    def evaluate(self, c: int) -> tuple[float, float] | None:
        """(effective votes, rho), or None when the supporters cannot afford the cost."""
        e = self.e
        lo, hi = e.indptr[c], e.indptr[c + 1]
        v = e.voters[lo:hi]
        cost = e.cost[c]
        w = e.points[lo:hi]
        if not self.touched[v].any():
            # Everyone has the untouched share: affordability is decided exactly.
            if (hi - lo) * self.share < e.costs[c]:
                return None
            b = np.full(hi - lo, float(self.share))
        else:
            b = self.budgets[v]
            if float(b.sum()) < cost * (1 - TOLERANCE):
                return None
        score = e.score[c]
        rho = cost / score
        clear = bool(np.all(b >= rho * w)) if e.weighted else float(b.min()) >= rho
        if clear:
            return float(score), rho
        rho = _water_level(b, w, cost)
        return cost / rho, rho

    def start(self) -> None:
        e = self.e
        # entries: (-eff upper bound, cost, -votes, position, round evaluated)
        self.heap: list[tuple[float, Fraction, int, int, int]] = [
            (-float(e.score[c]), e.costs[c], -int(e.votes[c]), c, -1)
            for c in range(e.n_projects)
            if e.votes[c] > 0
        ]
        heapq.heapify(self.heap)
        self.fresh: dict[int, tuple[float, float]] = {}
        self.round = 0
        self.ties: list[list[int]] = []

    def select(self) -> tuple[int, float, float] | None:
        """This round's winner (c, effective votes, rho), or None when none is affordable.
        Counts within TOLERANCE of each other are a tie, broken by the tie order."""
        heap, rnd = self.heap, self.round
        while heap:
            top = heap[0]
            c = top[3]
            if top[4] != rnd:
                heapq.heappop(heap)
                result = self.evaluate(c)
                if result is not None:
                    self.fresh[c] = result
                    heapq.heappush(heap, (-result[0], top[1], top[2], c, rnd))
                continue
            heapq.heappop(heap)
            eff, rho = self.fresh[c]
            if not heap or -heap[0][0] < eff * (1 - TOLERANCE):
                return c, eff, rho
            # Near-ties: make every close contender fresh, then take the first in tie order.
            group = [top]
            while heap and -heap[0][0] >= eff * (1 - TOLERANCE):
                other = heapq.heappop(heap)
                oc = other[3]
                if other[4] != rnd:
                    result = self.evaluate(oc)
                    if result is not None:
                        self.fresh[oc] = result
                        heapq.heappush(heap, (-result[0], other[1], other[2], oc, rnd))
                    continue
                group.append(other)
            group.sort(key=lambda entry: entry[1:4])
            best = group[0]
            for entry in group[1:]:
                heapq.heappush(heap, entry)
            if len(group) > 1:
                same = [g[3] for g in group if g[1:3] == best[1:3]]
                if len(same) > 1:
                    self.ties.append(same)
            eff, rho = self.fresh[best[3]]
            return best[3], eff, rho
        return None

    def pop_above(self, floor: float) -> tuple[int, float, float] | None:
        """Remove and return the best remaining project if its (fresh) effective vote count
        is at least ``floor``; None otherwise."""
        heap, rnd = self.heap, self.round
        while heap and -heap[0][0] >= floor:
            top = heap[0]
            c = top[3]
            heapq.heappop(heap)
            if top[4] != rnd:
                result = self.evaluate(c)
                if result is not None:
                    self.fresh[c] = result
                    heapq.heappush(heap, (-result[0], top[1], top[2], c, rnd))
                continue
            eff, rho = self.fresh[c]
            return c, eff, rho
        return None

    def run(self, explain: bool) -> _Run:
        self.start()
        winners: list[int] = []
        effs: list[float] = []
        rhos: list[float] = []
        payments: list[tuple[np.ndarray, np.ndarray]] = []
        while True:
            chosen = self.select()
            if chosen is None:
                break
            c, eff, rho = chosen
            winners.append(c)
            effs.append(eff)
            rhos.append(rho)
            self._pay(c, rho, payments if explain else None)
        return _Run(winners, effs, rhos, payments, self.budgets, self.ties)

    def _pay(self, c: int, rho: float, record: list | None) -> None:
        e = self.e
        lo, hi = e.indptr[c], e.indptr[c + 1]
        v = e.voters[lo:hi]
        b = self.budgets[v]
        due = rho * e.points[lo:hi]
        pay = np.minimum(b, due)
        self.budgets[v] = np.where(due >= b, 0.0, b - pay)
        self.touched[v] = True
        self.round += 1
        if record is not None:
            record.append((v, pay))


class _ParametricEvaluator(_Evaluator):
    """The same run as :class:`_Evaluator` (every float operation that decides the outcome is
    the same), plus a certificate: the largest ``delta`` such that every share in
    ``[share, share + delta)`` gives the same decisions, hence the same winners in the same
    order.

    Within one run every voter's money left is affine in the share's increase ``d``:
    ``budgets + slope * d`` (``slope`` is 1 at the start; 0 once a voter has paid all they
    had; a voter paying ``rho * points`` gains ``-rho'(d) * points``). Three kinds of decision
    are checked, each an affine inequality in ``d``, with margins far above float rounding:

    - the winner's price ``rho(d) = (cost - money of those short of it) / points of the
      others`` keeps the same supporters short of money (``rho`` only falls as ``d`` grows,
      so only those short of money can stop being so);
    - every project still in play stays behind the winner: a project's price is a *convex*
      function of ``d`` (the least ``rho`` with ``sum(min(money, rho * points)) >= cost``,
      money affine in ``d``), so the tangent at its last evaluation is a lower bound for
      every later round; the initial bound is ``cost / score``. Against a winner ahead of it
      in the tie order it may come level (a tie the tie order decides the same way);
    - a project found unaffordable (dropped for the rest of the run) stays unaffordable
      (exactly, when none of its supporters has paid).

    Any decision too close to call at ``d = 0`` gives ``delta = 0`` (nothing certified).
    """

    CLOSE = 1e-7  # relative margin for "stays behind"
    EDGE = 1e-9  # relative margin for "short of money" and a dropped project's money

    def __init__(self, e: Election, share: Fraction) -> None:
        super().__init__(e, share)
        self.slope = np.ones(e.n_voters, dtype=np.float64)
        m = e.n_projects
        self.line_rho = np.array(
            [e.cost[c] / e.score[c] if e.votes[c] > 0 else np.inf for c in range(m)]
        )
        self.line_slope = np.zeros(m, dtype=np.float64)
        self.alive = np.asarray(e.votes > 0, dtype=bool).copy()
        order = sorted(range(m), key=e.tie_key)
        self.rank = np.empty(m, dtype=np.int64)
        self.rank[order] = np.arange(m)
        self.delta = math.inf

    def evaluate(self, c: int) -> tuple[float, float] | None:
        result = super().evaluate(c)
        if self.delta <= 1:  # nothing left to certify: a plain run from here on
            return result
        e = self.e
        lo, hi = e.indptr[c], e.indptr[c + 1]
        v = e.voters[lo:hi]
        w = e.points[lo:hi]
        g = self.slope[v]
        if result is None:
            self.alive[c] = False
            if not self.touched[v].any():
                # Exactly: n * (share + d) < cost while d < cost / n - share.
                bound = float(e.costs[c] / (hi - lo) - self.share)
            else:
                money = float(self.budgets[v].sum())
                gain = float(g.sum())
                room = e.cost[c] * (1 - TOLERANCE) - money - self.EDGE * e.cost[c]
                bound = (room / gain if gain > 0 else math.inf) if room > 0 else 0.0
            self.delta = min(self.delta, bound)
            return None
        _, rho = result
        b = self.budgets[v] if self.touched[v].any() else np.full(hi - lo, float(self.share))
        short = b <= rho * w * (1 + self.EDGE)
        others = float(w[~short].sum())
        self.line_rho[c] = rho
        self.line_slope[c] = -float(g[short].sum()) / others if others > 0 else -math.inf
        return result

    def _pay(self, c: int, rho: float, record: list | None) -> None:
        if self.delta <= 1:  # nothing left to certify: a plain run from here on
            super()._pay(c, rho, record)
            return
        e = self.e
        lo, hi = e.indptr[c], e.indptr[c + 1]
        v = e.voters[lo:hi]
        w = e.points[lo:hi]
        b = self.budgets[v]
        due = rho * w
        g = self.slope[v]
        short = due >= b
        live = b > 0
        # Too close to call whether a supporter is short of money: certify nothing.
        if np.any(live & (np.abs(b - due) <= self.EDGE * np.maximum(b, due))):
            self.delta = 0.0
        others = float(w[~short].sum())
        if others <= 0:
            self.delta = 0.0
            q = 0.0
        else:
            q = -float(g[short].sum()) / others  # rho(d) = rho + q * d, q <= 0
            # Those short of money stay so while b + g d < (rho + q d) w.
            k = short & live
            if k.any():
                gap = due[k] - b[k]
                rate = g[k] - q * w[k]
                with np.errstate(divide="ignore"):
                    limits = np.where(rate > 0, gap / rate, math.inf)
                self.delta = min(self.delta, float(limits.min()) * (1 - 1e-6))
        # Everything still in play stays behind (or level, if behind in the tie order).
        self.alive[c] = False
        rivals = np.flatnonzero(self.alive)
        if len(rivals):
            cost_w = e.cost[c]
            margin = np.where(self.rank[rivals] > self.rank[c], -1e-11, self.CLOSE)
            cost_r = e.cost[rivals]
            h0 = self.line_rho[rivals] / cost_r - (1 + margin) * rho / cost_w
            with np.errstate(invalid="ignore"):
                h1 = self.line_slope[rivals] / cost_r - (1 + margin) * q / cost_w
            if np.any(h0 < 0):
                self.delta = 0.0
            else:
                falling = h1 < 0
                if falling.any():
                    with np.errstate(invalid="ignore", divide="ignore"):
                        limits = h0[falling] / -h1[falling]
                    limits = np.nan_to_num(limits, nan=0.0)
                    self.delta = min(self.delta, float(limits.min()) * (1 - 1e-6))
        self.slope[v] = np.where(short, 0.0, g - q * w)
        super()._pay(c, rho, record)

    def certified_steps(self) -> int:
        """How many further whole units of share provably give the same run."""
        if self.delta <= 1:
            return 0
        if math.isinf(self.delta):
            return -1  # unbounded
        return math.ceil(self.delta) - 1


def _water_level(b: np.ndarray, w: np.ndarray, cost: float) -> float:
    """rho such that sum(min(b, rho * w)) == cost (supporters can afford the cost).

    A few rounds of "those short of money pay all they have, the rest share what is left
    equally per point" usually settle it; otherwise sort the supporters by money per point:
    the first ``j`` pay all they have and the others ``rho * w`` with
    rho = (cost - paid by the first j) / (points of the others)."""
    rho = cost / float(w.sum())
    for _ in range(6):
        poor = b < rho * w
        if not poor.any():
            return rho
        others = float(w[~poor].sum())
        if others <= 0:  # affordable only within the tolerance: everyone pays all they have
            return float((b / w).max())
        new = (cost - float(b[poor].sum())) / others
        if new <= rho:
            return rho
        rho = new
    ratio = b / w
    order = np.argsort(ratio)
    rs = ratio[order]
    paid = np.cumsum(b[order])
    rest = np.cumsum(w[order][::-1])[::-1]
    levels = np.empty(len(rs))
    levels[0] = cost / rest[0]
    levels[1:] = (cost - paid[:-1]) / rest[1:]
    fits = np.flatnonzero(levels <= rs)
    return float(levels[fits[0]]) if len(fits) else float(rs[-1])


def _exact_run(e: Election, share: Fraction) -> _Run:
    """The same rule in rational arithmetic, pure Python (``exact=True``: the reference
    the tests compare the float engine with)."""
    budgets = [share] * e.n_voters
    points = e.points_exact
    one = Fraction(1)

    def evaluate(c: int) -> tuple[Fraction, Fraction] | None:
        lo, hi = int(e.indptr[c]), int(e.indptr[c + 1])
        vs = e.voters[lo:hi].tolist()
        ws = points[lo:hi] if points is not None else [one] * (hi - lo)
        cost = e.costs[c]
        if sum((budgets[i] for i in vs), Fraction(0)) < cost:
            return None
        pairs = list(zip(vs, ws, strict=True))
        paid, rest = Fraction(0), e.score_exact[c]
        rho = cost / rest
        while True:
            poor = [(i, wi) for i, wi in pairs if budgets[i] < rho * wi]
            if not poor:
                return cost / rho, rho
            pairs = [(i, wi) for i, wi in pairs if budgets[i] >= rho * wi]
            paid += sum((budgets[i] for i, _ in poor), Fraction(0))
            rest -= sum((wi for _, wi in poor), Fraction(0))
            rho = (cost - paid) / rest

    heap: list[tuple[Fraction, Fraction, int, int, int]] = [
        (-e.score_exact[c], e.costs[c], -int(e.votes[c]), c, -1)
        for c in range(e.n_projects)
        if e.votes[c] > 0
    ]
    heapq.heapify(heap)
    fresh: dict[int, tuple[Fraction, Fraction]] = {}
    winners: list[int] = []
    effs: list[float] = []
    rhos: list[float] = []
    payments: list[tuple[np.ndarray, np.ndarray]] = []
    ties: list[list[int]] = []
    rnd = 0
    while heap:
        top = heapq.heappop(heap)
        c = top[3]
        if top[4] != rnd:
            result = evaluate(c)
            if result is not None:
                fresh[c] = result
                heapq.heappush(heap, (-result[0], top[1], top[2], c, rnd))
            continue
        eff, rho = fresh[c]
        same = [c]
        for other in heap:
            if other[4] == rnd and other[0] == -eff and other[1:3] == top[1:3]:
                same.append(other[3])
        if len(same) > 1:
            ties.append(sorted(same))
        lo, hi = int(e.indptr[c]), int(e.indptr[c + 1])
        vs = e.voters[lo:hi].tolist()
        ws = points[lo:hi] if points is not None else [one] * (hi - lo)
        amounts = []
        for i, wi in zip(vs, ws, strict=True):
            pay = min(budgets[i], rho * wi)
            budgets[i] -= pay
            amounts.append(float(pay))
        payments.append((np.asarray(vs, dtype=np.int64), np.asarray(amounts, dtype=np.float64)))
        winners.append(c)
        effs.append(float(eff))
        rhos.append(float(rho))
        rnd += 1
    final = np.array([float(b) for b in budgets], dtype=np.float64)
    return _Run(winners, effs, rhos, payments, final, ties, exact=True)


class _Runner:
    def __init__(self, e: Election, exact: bool = False) -> None:
        self.e = e
        self.exact = exact
        self.runs = 0

    def run(self, share: Fraction, explain: bool = False) -> _Run:
        self.runs += 1
        if self.exact:
            return _exact_run(self.e, share)
        return _Evaluator(self.e, share).run(explain)

    def run_certified(self, share: Fraction) -> tuple[list[int], int]:
        """The winners at ``share`` and how many further whole units of share give the
        same run (-1: any number)."""
        self.runs += 1
        evaluator = _ParametricEvaluator(self.e, share)
        run = evaluator.run(False)
        return run.winners, evaluator.certified_steps()


def mes_winners(e: Election, share: Fraction | None = None, exact: bool = False) -> list[str]:
    """Plain Equal Shares (each voter gets budget / voters, or ``share``): ids in order."""
    if e.n_voters == 0:
        return []
    run = _Runner(e, exact).run(share if share is not None else e.budget / e.n_voters)
    return [e.ids[c] for c in run.winners]


# ---------------------------------------------------------------- completion


def _cost(e: Election, chosen: list[int]) -> Fraction:
    return sum((e.costs[c] for c in chosen), Fraction(0))


def _exhaustive(e: Election, chosen: list[int]) -> bool:
    left = e.budget - _cost(e, chosen)
    taken = set(chosen)
    return all(e.costs[c] > left for c in range(e.n_projects) if c not in taken)


def _afford(b: np.ndarray, w: np.ndarray, cost: float) -> tuple[float, float] | None:
    """(effective votes, rho) for supporters with money ``b`` and points ``w``, or None."""
    if float(b.sum()) < cost * (1 - TOLERANCE):
        return None
    rho = _water_level(b, w, cost)
    return cost / rho, rho


def _certify(e: Election, low: Fraction, high: Fraction) -> list[int] | None:
    """The Equal Shares winners shared by every per-voter share in [low, high], or None if
    that cannot be shown cheaply.

    Keep two vectors of money left, ``lower`` and ``upper``, that bound every voter's money
    left in the run of every share of the interval (at the start: the shares ``low`` and
    ``high``). A project's effective vote count only grows with its supporters' money, so it
    lies between its count on ``lower`` and on ``upper``. Each round, take the project with
    the highest count on ``upper``, and every project whose count on ``upper`` reaches the
    lowest *worst-case* count of those taken (repeat until none does): for every share the
    next picks are exactly this group, in some order, as nothing outside it can catch up
    with any of its members. The worst case of a member is its count when every other
    member has been paid first at its own worst (highest) price — a fixed point, reached
    from below. Then ``upper`` drops by each member's best (lowest) price and ``lower`` by
    each member's worst price, and the next round starts. At the end nothing may be
    affordable on ``upper``. Margins within the float tolerance fail the proof (the caller
    then runs single shares).
    """
    lo_side, hi_side = _Evaluator(e, low), _Evaluator(e, high)
    hi_side.start()
    lower = lo_side.budgets
    drain = np.zeros(e.n_voters, dtype=np.float64)
    winners: list[int] = []
    while True:
        chosen = hi_side.select()
        if chosen is None:
            return winners
        group = [chosen]
        prices: dict[int, float] = {}
        while True:
            worst = _worst_prices(e, lower, [g[0] for g in group], prices, drain)
            if worst is None:
                return None
            prices = worst
            floor = min(e.cost[c] / rho for c, rho in prices.items())
            following = hi_side.pop_above(floor * (1 - TOLERANCE))
            if following is None:
                break
            group.append(following)
        for c, _, rho in group:
            winners.append(c)
            hi_side._pay(c, rho, None)
            lo, hi = e.indptr[c], e.indptr[c + 1]
            drain[e.voters[lo:hi]] += prices[c] * e.points[lo:hi]
        for c, _, _ in group:
            v = e.voters[e.indptr[c] : e.indptr[c + 1]]
            lower[v] = np.maximum(lower[v] - drain[v], 0.0)
            drain[v] = 0.0


def _worst_prices(
    e: Election, lower: np.ndarray, group: list[int], start: dict[int, float], drain: np.ndarray
) -> dict[int, float] | None:
    """Each member's highest possible price (per point) whatever the order the group is
    paid in, or None if some order could leave a member unaffordable."""
    prices: dict[int, float] = {}
    for c in group:
        if c in start:
            prices[c] = start[c]
            continue
        lo, hi = e.indptr[c], e.indptr[c + 1]
        result = _afford(lower[e.voters[lo:hi]], e.points[lo:hi], e.cost[c])
        if result is None:
            return None
        prices[c] = result[1]
    if len(group) == 1:
        return prices
    for _ in range(20):
        for c in group:
            lo, hi = e.indptr[c], e.indptr[c + 1]
            drain[e.voters[lo:hi]] += prices[c] * e.points[lo:hi]
        changed = False
        updated = {}
        for c in group:
            lo, hi = e.indptr[c], e.indptr[c + 1]
            v, w = e.voters[lo:hi], e.points[lo:hi]
            others = drain[v] - prices[c] * w
            result = _afford(np.maximum(lower[v] - others, 0.0), w, e.cost[c])
            if result is None:
                break
            updated[c] = max(prices[c], result[1])
            if updated[c] > prices[c] * (1 + 1e-12):
                changed = True
        for c in group:
            drain[e.voters[e.indptr[c] : e.indptr[c + 1]]] = 0.0
        if len(updated) < len(group):
            return None
        prices = updated
        if not changed:
            return {c: rho * (1 + 1e-12) for c, rho in prices.items()}
    return None


def _add1_start(e: Election) -> tuple[Fraction, Fraction, set[int]] | None:
    """(first share, total cost of all projects, projects with a supporter), or None when
    everything fits in the budget (no completion needed)."""
    total = sum(e.costs, Fraction(0))
    if total <= e.budget:
        return None
    return e.budget / e.n_voters, total, {c for c in range(e.n_projects) if e.votes[c] > 0}


def add1_share_stepwise(e: Election, runner: _Runner) -> Fraction:
    """Add1 by its definition, one Equal Shares run per share: start from budget / voters and
    add one currency unit per voter while the outcome stays within the budget; the share
    is the last whose outcome fits before the first that does not. Two guards where the
    definition would never end: every project with a supporter is funded, or the share
    has reached the total cost of all projects (nothing can change any more).

    The reference :func:`add1_share` is tested against (slow: hundreds of runs)."""
    start = _add1_start(e)
    if start is None:
        return e.budget / e.n_voters
    share, total, supported = start
    while True:
        following = runner.run(share + 1).winners
        if _cost(e, following) > e.budget:
            return share
        share += 1
        if set(following) >= supported or share >= total:
            return share


def add1_share(e: Election, runner: _Runner) -> Fraction:
    """The per-voter share the Add1 completion ends with: the same as
    :func:`add1_share_stepwise` (the definition, share by share), faster.

    Stretches of shares whose outcome is provably the same are crossed at once, in two ways:
    a single share is run with a certificate (:class:`_ParametricEvaluator`) of how many
    further whole units of share give exactly the same run, and the search jumps past them;
    after that, stretches are tried with :func:`_certify`, doubling after a success and
    halving after a failure (down to a single certified share); where even two shares fail,
    intervals are tried again only after 1, 2, 4, … (at most 64) certified runs.
    """
    share = e.budget / e.n_voters
    total = sum(e.costs, Fraction(0))
    if total <= e.budget:
        return share
    supported = {c for c in range(e.n_projects) if e.votes[c] > 0}

    def settled(winners: list[int], at: Fraction) -> bool:
        # Every project with a supporter is funded: a larger share cannot add anything
        # (and past the total cost of all projects, each voter could pay for everything).
        return set(winners) >= supported or at >= total

    if runner.exact:
        return add1_share_stepwise(e, runner)
    stride = 1
    wait, patience = 0, 1  # certified runs before the next interval is tried
    while True:
        if stride > 1 and wait > 0:
            wait -= 1
            stride = 1
        if stride > 1:
            runner.runs += 1
            winners = _certify(e, share + 1, share + stride)
            if winners is None:
                if stride == 2:  # intervals fail here: try them less often for a while
                    wait, patience = patience, min(2 * patience, 64)
                stride //= 2
                continue
            patience = 1
            if _cost(e, winners) > e.budget:
                return share  # the very next share already overspends
            if set(winners) >= supported:
                return share + 1  # settled from the first share of the stretch
            if share + stride >= total:  # settled from the first share reaching the total
                return share + max(1, math.ceil(total - share))
            share += stride
            stride *= 2
            continue
        following, steps = runner.run_certified(share + 1)
        if _cost(e, following) > e.budget:
            return share
        share += 1
        if settled(following, share):
            return share
        # Every share up to ``share + steps`` gives ``following`` too (-1: every share).
        if steps < 0 or share + steps >= total:
            return share + max(0, math.ceil(total - share))  # the first reaching the total
        share += steps
        stride = 2


# ---------------------------------------------------------------- compute


def compute(election: Election, rule: str, explain: bool = True, exact: bool = False) -> Outcome:
    """The outcome of ``rule`` (a Pabulib rule name) on ``election``.

    ``explain=False`` skips the per-project explanation of Equal Shares (faster);
    ``exact=True`` computes Equal Shares in rational arithmetic, share by share (slow: a
    check of the float engine, for small elections).
    """
    e = election
    if rule not in RULES:
        raise UnknownRule(f"unknown rule {rule!r} (known: {', '.join(RULES)})")
    explanations = {
        pid: ProjectExplanation(
            project_id=pid,
            cost=float(e.costs[c]),
            votes=int(e.votes[c]),
            score=float(e.score[c]),
        )
        for c, pid in enumerate(e.ids)
    }
    if rule in ("greedy", "greedy-no-skip"):
        chosen = _greedy(e, rule == "greedy", explanations=explanations)
        return _finish(e, rule, chosen, explanations)
    runner = _Runner(e, exact)
    if e.n_voters == 0:
        return _finish(e, rule, [], explanations)
    share = e.budget / e.n_voters if rule == "equalshares" else add1_share(e, runner)
    run = runner.run(share, explain=explain)
    chosen = list(run.winners)
    if explain:
        _explain_mes(e, run, explanations)
    else:
        for c in chosen:
            explanations[e.ids[c]].selected = True
            explanations[e.ids[c]].stage = "equalshares"
    mes_ids = [e.ids[c] for c in chosen]
    if rule != "equalshares":
        chosen = _greedy(e, True, already=chosen, explanations=explanations, stage="completion")
    comparison = None
    if rule == "equalshares/add1-comparison":
        greedy = _greedy(e, True)
        prefers_mes, prefers_greedy = _compare(e, chosen, greedy)
        took_greedy = prefers_greedy > prefers_mes
        comparison = {
            "prefers_equalshares": prefers_mes,
            "prefers_greedy": prefers_greedy,
            "chose": "greedy" if took_greedy else "equalshares",
        }
        if took_greedy:
            for ex in explanations.values():
                ex.selected, ex.order, ex.stage = False, None, None
            chosen = _greedy(e, True, explanations=explanations)
    outcome = _finish(e, rule, chosen, explanations)
    outcome.per_voter_budget = share
    outcome.equalshares_selected = mes_ids
    outcome.comparison = comparison
    outcome.ties_by_lot = [[e.ids[c] for c in tie] for tie in run.ties_by_lot]
    outcome.runs = runner.runs
    return outcome


def _finish(
    e: Election, rule: str, chosen: list[int], explanations: dict[str, ProjectExplanation]
) -> Outcome:
    for position, c in enumerate(chosen, start=1):
        explanations[e.ids[c]].order = position
        explanations[e.ids[c]].selected = True
    return Outcome(
        rule=rule,
        selected=[e.ids[c] for c in chosen],
        spent=_cost(e, chosen),
        budget=e.budget,
        explanations=explanations,
    )


def _compare(e: Election, mes: list[int], greedy: list[int]) -> tuple[int, int]:
    """Voters with more funded projects under each outcome (Wieliczka's comparison)."""
    mes_count = np.zeros(e.n_voters, dtype=np.int64)
    greedy_count = np.zeros(e.n_voters, dtype=np.int64)
    for chosen, count in ((mes, mes_count), (greedy, greedy_count)):
        for c in chosen:
            count[e.supporters(c)] += 1
    return int((mes_count > greedy_count).sum()), int((greedy_count > mes_count).sum())


def _explain_mes(e: Election, run: _Run, explanations: dict[str, ProjectExplanation]) -> None:
    for c, eff, rho, (_, pay) in zip(run.winners, run.effs, run.rhos, run.payments, strict=True):
        ex = explanations[e.ids[c]]
        ex.selected, ex.stage = True, "equalshares"
        ex.effective_votes, ex.rho = eff, rho
        lo, hi = e.indptr[c], e.indptr[c + 1]
        due = rho * e.points[lo:hi]
        payers = pay > 0
        ex.supporters_paying = int(payers.sum())
        ex.paid_all_left = int((payers & (pay < due * (1 - 1e-12))).sum())
        ex.share_max = float(pay.max()) if len(pay) else 0.0
        ex.share_typical = float(np.median(pay[payers])) if payers.any() else 0.0
    # Money left behind each project, and where its supporters' money went.
    entry_project = np.repeat(np.arange(e.n_projects), np.diff(e.indptr))
    left = np.bincount(entry_project, weights=run.budgets[e.voters], minlength=e.n_projects)
    won = set(run.winners)
    losers = [c for c in range(e.n_projects) if c not in won]
    if not losers:
        return
    spent_on = _spent_by_supporters(e, run, losers)
    for row, c in zip(spent_on, losers, strict=True):
        ex = explanations[e.ids[c]]
        ex.supporters_money_left = float(left[c])
        order = np.argsort(-row, kind="stable")
        ex.money_went_to = [
            (e.ids[run.winners[s]], float(row[s])) for s in order.tolist() if row[s] > 0
        ]


def _spent_by_supporters(e: Election, run: _Run, losers: list[int]) -> np.ndarray:
    """(losers × winners): what each losing project's supporters paid towards each winner."""
    k = len(run.winners)
    out = np.zeros((len(losers), k))
    if k == 0 or not losers:
        return out
    rows = np.repeat(np.arange(len(losers)), [int(e.votes[c]) for c in losers])
    voters = np.concatenate([e.supporters(c) for c in losers])
    paid = np.zeros(e.n_voters)
    for s, (payers, amounts) in enumerate(run.payments):
        paid[payers] = amounts
        out[:, s] = np.bincount(rows, weights=paid[voters], minlength=len(losers))
        paid[payers] = 0.0
    return out
