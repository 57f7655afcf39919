"""A budget's result: its ballots handed to :mod:`moothall.budgeting.engine`, the outcome
kept as a :class:`~moothall.budgeting.models.Result` with a plain explanation per project.

The explanation fields are documented in ``docs/participatory-budgeting.md``; the pages
word them (translatably). Money is whole pounds in the database; Equal Shares' shares can
be fractions of a pound, kept as floats for display only (the choice of winners is exact).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from moothall.budgeting.engine import Election, Outcome, ProjectExplanation, compute
from moothall.budgeting.models import BallotChoice, BallotKind, Budget, Project, Result

COMPLETIONS = {"equalshares/add1": "add1", "equalshares/add1-comparison": "add1-comparison"}
VOTE_TYPES = {
    BallotKind.APPROVAL: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.RANKING: "ordinal",
}


def election_for(budget: Budget) -> Election | None:
    """The budget's ballot projects that anyone voted for and every ballot cast in it, as
    an engine election (None when nobody voted).

    Projects are in id order (the engine's last tie-breaker, in place of drawing lots):
    the order they were entered."""
    process = budget.process
    projects = list(
        Project.objects.filter(budget=budget).on_ballot().order_by("id").values_list("id", "cost")
    )
    kind = process.ballot_kind
    ballots: dict[int, list[tuple[str, int, int | None]]] = defaultdict(list)
    rows = (
        BallotChoice.objects.filter(ballot__budget=budget)
        .order_by("ballot_id", "rank", "id")
        .values_list("ballot_id", "project_id", "points", "rank")
    )
    on_ballot = {pk for pk, _cost in projects}
    for ballot_id, project_id, points, rank in rows.iterator(chunk_size=5000):
        if project_id in on_ballot:
            ballots[ballot_id].append((str(project_id), points, rank))
    # A project nobody chose is never funded, whatever money is left: it is left out of
    # the election (its explanation says "no_votes").
    chosen = {pid for choices in ballots.values() for pid, _points, _rank in choices}
    projects = [(pk, cost) for pk, cost in projects if str(pk) in chosen]
    cast: list[Any] = []
    for ballot_id in sorted(ballots):
        choices = ballots[ballot_id]
        if kind == BallotKind.CUMULATIVE:
            cast.append({pid: points for pid, points, _rank in choices})
        else:
            cast.append([pid for pid, _points, _rank in choices])
    if not projects:
        return None
    return Election(
        budget.amount,
        [(str(pk), cost) for pk, cost in projects],
        cast,
        vote_type=VOTE_TYPES[BallotKind(kind)],
    )


def _reason(rule: str, e: ProjectExplanation, stopped: bool) -> str:
    """``rule`` is the rule whose outcome was taken (for add1-comparison, "greedy" when
    the comparison chose the greedy outcome)."""
    if e.selected:
        if e.stage == "equalshares":
            return "won_equal_shares"
        if e.stage == "completion" or rule.startswith("equalshares"):
            return "won_fill"
        return "won"
    if e.votes == 0:
        return "no_votes"
    if rule.startswith("equalshares") and e.supporters_money_left is not None:
        return "not_enough_support"
    return "stopped" if stopped else "did_not_fit"


def explanation(rule: str, e: ProjectExplanation, *, stopped: bool = False) -> dict[str, Any]:
    """One project's explanation in the shape the pages read (see the module doc)."""
    went_to = e.money_went_to[0] if e.money_went_to else None
    return {
        "votes": e.votes,
        "points": e.score,
        "cost": int(e.cost),
        "selected": e.selected,
        "order": e.order,
        "reason": _reason(rule, e, stopped),
        "remaining": None if e.budget_left_before is None else float(e.budget_left_before),
        "payers": e.supporters_paying,
        "paid_all": e.paid_all_left,
        "max_share": e.share_max,
        "typical_share": e.share_typical,
        "supporters_money": e.supporters_money_left,
        "went_to": int(went_to[0]) if went_to else None,
        "went_to_amount": float(went_to[1]) if went_to else None,
    }


def _no_votes(cost: int | None) -> dict[str, Any]:
    return {
        "votes": 0,
        "points": 0.0,
        "cost": cost or 0,
        "selected": False,
        "order": None,
        "reason": "no_votes",
        "remaining": None,
        "payers": None,
        "paid_all": None,
        "max_share": None,
        "typical_share": None,
        "supporters_money": None,
        "went_to": None,
        "went_to_amount": None,
    }


def _stopped(rule: str, outcome: Outcome) -> set[str]:
    """greedy-no-skip: the projects after the first one that did not fit never had a turn."""
    if rule != "greedy-no-skip":
        return set()
    losers = [pid for pid, e in outcome.explanations.items() if not e.selected]
    first_miss = next(
        (pid for pid in losers if outcome.explanations[pid].budget_left_before is not None),
        None,
    )
    return {pid for pid in losers if pid != first_miss}


def compute_result(budget: Budget, rule: str) -> Result:
    """The result of ``budget`` under ``rule`` (unsaved)."""
    election = election_for(budget)
    unvoted = {
        str(pk): cost
        for pk, cost in Project.objects.filter(budget=budget).on_ballot().values_list("pk", "cost")
    }
    if election is None:
        return Result(
            budget=budget,
            rule=rule,
            selected=[],
            spent=0,
            ballots=0,
            explanations={pid: _no_votes(cost) for pid, cost in unvoted.items()},
            details={
                "per_voter_budget": None,
                "completion": COMPLETIONS.get(rule),
                "greedy_fill": [],
                "comparison": None,
                "ties_by_lot": [],
            },
        )
    outcome = compute(election, rule)
    stopped = _stopped(rule, outcome)
    taken = rule
    if (outcome.comparison or {}).get("chose") == "greedy":
        taken = "greedy"  # Wieliczka's comparison preferred the greedy outcome
    explanations = {
        pid: explanation(taken, e, stopped=pid in stopped)
        for pid, e in outcome.explanations.items()
    }
    for pid, cost in unvoted.items():
        explanations.setdefault(pid, _no_votes(cost))
    fill = []
    if outcome.equalshares_selected is not None and taken != "greedy":
        fill = [int(pid) for pid in outcome.selected if pid not in outcome.equalshares_selected]
    return Result(
        budget=budget,
        rule=rule,
        selected=[int(pid) for pid in outcome.selected],
        spent=int(outcome.spent),
        ballots=election.n_voters,
        explanations=explanations,
        details={
            "per_voter_budget": None
            if outcome.per_voter_budget is None
            else float(outcome.per_voter_budget),
            "completion": COMPLETIONS.get(rule),
            "greedy_fill": fill,
            "comparison": outcome.comparison,
            "ties_by_lot": [[int(pid) for pid in tie] for tie in outcome.ties_by_lot],
        },
    )
