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
``float64``, compiled (:mod:`.kernel`); a project is affordable when its supporters' money
reaches its cost within a relative ``kernel.TOLERANCE`` (exactly, when none of them has paid
yet), and effective vote counts within that tolerance of each other are a tie, broken by the
tie order (a count is the whole score, exactly, when nobody is short of money). Rounding
errors are many orders of magnitude below the tolerance; ``compute(..., exact=True)`` runs
the same rule in rational arithmetic, and the tests check that both give the same outcome.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from . import kernel
from .election import Election

RULES = (
    "greedy",
    "greedy-no-skip",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-comparison",
)


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
    """Equal Shares runs on one election: compiled (:mod:`.kernel`), or in rational
    arithmetic with ``exact``. Counts its runs."""

    def __init__(self, e: Election, exact: bool = False) -> None:
        self.e = e
        self.exact = exact
        self.runs = 0
        m = e.n_projects
        order = sorted(range(m), key=e.tie_key)
        self.rank = np.empty(m, dtype=np.int64)
        self.rank[order] = np.arange(m)
        classes: dict[tuple[Fraction, int], int] = {}
        self.tie_class = np.array(
            [classes.setdefault((e.costs[c], int(e.votes[c])), len(classes)) for c in range(m)],
            dtype=np.int64,
        )
        # The share from which a project's supporters can afford it before anyone has paid.
        self.threshold = [e.costs[c] / int(e.votes[c]) if e.votes[c] else None for c in range(m)]
        self.threshold_f = np.array([math.inf if t is None else float(t) for t in self.threshold])

    def run(self, share: Fraction, explain: bool = False) -> _Run:
        self.runs += 1
        if self.exact:
            return _exact_run(self.e, share)
        return self._compiled(share, certify=False, explain=explain)[0]

    def run_certified(self, share: Fraction) -> tuple[list[int], int]:
        """The winners at ``share`` and how many further whole units of share give the
        same run (-1: any number)."""
        self.runs += 1
        run, delta = self._compiled(share, certify=True, explain=False)
        if delta <= 1:
            return run.winners, 0
        if math.isinf(delta):
            return run.winners, -1
        return run.winners, math.ceil(delta) - 1

    def _compiled(self, share: Fraction, certify: bool, explain: bool) -> tuple[_Run, float]:
        e = self.e
        s = float(share)
        t = self.threshold_f
        # Affordable at the start: n * share >= cost, exactly where floats are too close.
        afford = s >= t
        for c in np.flatnonzero(np.abs(t - s) <= 1e-12 * t).tolist():
            threshold = self.threshold[c]
            afford[c] = threshold is not None and share >= threshold
        gap = t * (1 - 1e-9) - s  # below the share's growth that would make it affordable
        winners, rhos, effs, budgets, flat, delta = kernel.run(
            e.indptr, e.voters, e.points, e.cost, e.score, self.rank, self.tie_class,
            afford, gap, s, e.n_voters, certify,
        )  # fmt: skip
        ties: list[list[int]] = []
        i = 0
        while i < len(flat):
            size = int(flat[i])
            ties.append(flat[i + 1 : i + 1 + size].tolist())
            i += 1 + size
        payments: list[tuple[np.ndarray, np.ndarray]] = []
        if explain:
            # What each winner's supporters paid: the run's payments, replayed.
            money = np.full(e.n_voters, s)
            for c, rho in zip(winners.tolist(), rhos.tolist(), strict=True):
                v = e.supporters(c)
                b = money[v]
                due = rho * e.points[e.indptr[c] : e.indptr[c + 1]]
                pay = np.minimum(b, due)
                money[v] = np.where(due >= b, 0.0, b - pay)
                payments.append((v, pay))
        run = _Run(winners.tolist(), effs.tolist(), rhos.tolist(), payments, budgets, ties)
        return run, float(delta)


def mes_winners(e: Election, share: Fraction | None = None, exact: bool = False) -> list[str]:
    """Plain Equal Shares (each voter gets budget / voters, or ``share``): ids in order."""
    if e.n_voters == 0:
        return []
    run = _Runner(e, exact).run(share if share is not None else e.budget / e.n_voters)
    return [e.ids[c] for c in run.winners]


def warm_up() -> None:
    """Build (or read from numba's cache) the compiled loop: a tiny election with the Add1
    completion runs it with and without its certificate."""
    compute(Election(10, {"a": 6, "b": 5}, [["a"], ["a", "b"]]), "equalshares/add1")


# ---------------------------------------------------------------- completion


def _cost(e: Election, chosen: list[int]) -> Fraction:
    units = e.cost_units
    return Fraction(sum(units[c] for c in chosen), e.unit)


def _exhaustive(e: Election, chosen: list[int]) -> bool:
    left = e.budget - _cost(e, chosen)
    taken = set(chosen)
    return all(e.costs[c] > left for c in range(e.n_projects) if c not in taken)


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

    Each share is run with a certificate (:func:`.kernel.run`) of how many further whole
    units of share give exactly the same run (same winners, same order), and the search
    jumps past them: where the winners do not change for hundreds of units, one run
    crosses them all.
    """
    if runner.exact:
        return add1_share_stepwise(e, runner)
    start = _add1_start(e)
    if start is None:
        return e.budget / e.n_voters
    share, total, supported = start
    while True:
        following, steps = runner.run_certified(share + 1)
        if _cost(e, following) > e.budget:
            return share
        share += 1
        if set(following) >= supported or share >= total:
            return share
        # Every share up to ``share + steps`` gives ``following`` too (-1: every share).
        if steps < 0 or share + steps >= total:
            return share + max(0, math.ceil(total - share))  # the first reaching the total
        share += steps


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
