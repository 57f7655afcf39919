"""Results through the database: small elections worked out by hand, for each rule and
each kind of ballot, with the explanation every project gets (budgeting.md's Result JSON).

Each election is one council-wide budget; its projects are entered in the order given
(the last tie-breaker), and its ballots are entered as paper ballots by the system, so the
results go through the same rows as online ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from moothall.budgeting import domain
from moothall.budgeting.models import (
    Budget,
    BudgetProcess,
    Phase,
    Project,
    Result,
)

pytestmark = pytest.mark.django_db


@dataclass
class Election:
    process: BudgetProcess
    budget: Budget
    ids: dict[str, int]
    result: Result

    def names(self, ids: list[int]) -> list[str]:
        by_id = {pk: name for name, pk in self.ids.items()}
        return [by_id[pk] for pk in ids]

    def why(self, name: str) -> dict[str, Any]:
        return self.result.explanations[str(self.ids[name])]

    def selected_titles(self) -> set[str]:
        return set(
            Project.objects.filter(budget=self.budget, is_selected=True).values_list(
                "title", flat=True
            )
        )


def run(
    council: Any,
    *,
    amount: int,
    costs: dict[str, int],
    ballots: list[Any],
    rule: str = "greedy",
    kind: str = "approval",
    **fields: Any,
) -> Election:
    """Set up, vote and publish; ballots name projects by their key in ``costs``."""
    process = domain.create_process(
        None, council, title="Test", rule=rule, ballot_kind=kind, vote_level=1, **fields
    )
    budget = domain.set_budget(None, process, amount=amount)
    domain.change_phase(None, process, Phase.IDEAS)
    domain.change_phase(None, process, Phase.REVIEW)
    ids = {
        name: domain.add_project(
            None, process, title=name, description=name, cost=cost, budget=budget
        ).pk
        for name, cost in costs.items()
    }
    domain.change_phase(None, process, Phase.VOTING)
    for n, ballot in enumerate(ballots):
        if isinstance(ballot, dict):
            choices: Any = {ids[name]: points for name, points in ballot.items()}
        else:
            choices = [ids[name] for name in ballot]
        domain.enter_paper_ballot(None, budget, choices, reference=f"B{n}")
    process = domain.change_phase(None, process, Phase.RESULTS)
    return Election(process, budget, ids, Result.objects.get(budget=budget))


# A: 3 votes, B: 2, C: 1, D: 1; £100 to share out.
GREEDY_COSTS = {"A": 60, "B": 50, "C": 30, "D": 10}
GREEDY_BALLOTS = [["A", "B"], ["A", "B", "C"], ["A", "D"]]


def test_greedy_takes_most_votes_first_and_skips_what_no_longer_fits(council):
    e = run(council, amount=100, costs=GREEDY_COSTS, ballots=GREEDY_BALLOTS)

    # A (£40 left); B does not fit; C and D tie on one vote: the cheaper first.
    assert e.names(e.result.selected) == ["A", "D", "C"]
    assert (e.result.spent, e.result.ballots, e.result.rule) == (100, 3, "greedy")
    assert e.selected_titles() == {"A", "C", "D"}
    assert {
        k: e.why("A")[k] for k in ("votes", "cost", "selected", "order", "reason", "remaining")
    } == {
        "votes": 3,
        "cost": 60,
        "selected": True,
        "order": 1,
        "reason": "won",
        "remaining": 100,
    }
    assert (e.why("B")["reason"], e.why("B")["remaining"], e.why("B")["order"]) == (
        "did_not_fit",
        40,
        None,
    )
    assert (e.why("D")["order"], e.why("D")["remaining"]) == (2, 40)
    assert (e.why("C")["order"], e.why("C")["remaining"], e.why("C")["reason"]) == (3, 30, "won")
    assert e.result.details["per_voter_budget"] is None
    assert e.result.details["completion"] is None
    assert e.result.details["greedy_fill"] == []


def test_greedy_without_skipping_stops_at_the_first_project_that_does_not_fit(council):
    e = run(council, amount=100, costs=GREEDY_COSTS, ballots=GREEDY_BALLOTS, rule="greedy-no-skip")

    assert e.names(e.result.selected) == ["A"]
    assert e.result.spent == 60
    assert e.selected_titles() == {"A"}
    assert (e.why("B")["reason"], e.why("B")["remaining"]) == ("did_not_fit", 40)
    for name in ("C", "D"):
        assert (e.why(name)["reason"], e.why(name)["selected"], e.why(name)["order"]) == (
            "stopped",
            False,
            None,
        )


# Four voters, £100, so £25 each under Equal Shares. P1 (£45) is backed by v1–v3, who pay
# £15 each; P3 (£40) by v1 and v2, who then have £10 each left; P2 (£40) by v4 alone.
MES_COSTS = {"P1": 45, "P2": 40, "P3": 40}
MES_BALLOTS = [["P1", "P3"], ["P1", "P3"], ["P1"], ["P2"]]


def test_equal_shares_funds_what_supporters_can_pay_for_together_and_says_why_not(council):
    e = run(council, amount=100, costs=MES_COSTS, ballots=MES_BALLOTS, rule="equalshares")

    assert e.names(e.result.selected) == ["P1"]
    assert e.result.spent == 45
    assert e.result.details["per_voter_budget"] == 25
    assert e.result.details["completion"] is None
    assert e.selected_titles() == {"P1"}
    won = e.why("P1")
    assert (won["reason"], won["order"], won["payers"], won["paid_all"]) == (
        "won_equal_shares",
        1,
        3,
        0,
    )
    assert (won["max_share"], won["typical_share"]) == (15, 15)
    lost = e.why("P3")
    assert (lost["reason"], lost["selected"], lost["votes"]) == ("not_enough_support", False, 2)
    assert lost["supporters_money"] == 20  # v1 and v2 have £10 each left
    assert (lost["went_to"], lost["went_to_amount"]) == (e.ids["P1"], 30)
    alone = e.why("P2")
    assert (alone["reason"], alone["supporters_money"], alone["went_to"]) == (
        "not_enough_support",
        25,
        None,
    )


def test_equal_shares_with_add1_raises_each_share_while_the_outcome_fits(council):
    # At £35 each v1 and v2 can pay for P3 too (£85 in all); at £40 v4 could pay for P2
    # and the outcome (£125) would not fit: the last share that fits is £39.
    e = run(council, amount=100, costs=MES_COSTS, ballots=MES_BALLOTS, rule="equalshares/add1")

    assert e.names(e.result.selected) == ["P1", "P3"]
    assert e.result.spent == 85
    assert e.result.details["per_voter_budget"] == 39
    assert e.result.details["completion"] == "add1"
    assert e.result.details["greedy_fill"] == []
    assert e.why("P3")["reason"] == "won_equal_shares"
    assert e.why("P2")["reason"] == "not_enough_support"
    assert e.selected_titles() == {"P1", "P3"}


def test_equal_shares_with_add1_comparison_records_the_comparison(council):
    e = run(
        council,
        amount=100,
        costs=MES_COSTS,
        ballots=MES_BALLOTS,
        rule="equalshares/add1-comparison",
    )

    # Greedy would fund the same (P1, then P3, then P2 no longer fits).
    assert e.names(e.result.selected) == ["P1", "P3"]
    assert e.result.details["completion"] == "add1-comparison"
    assert e.result.details["comparison"] == {
        "prefers_equalshares": 0,
        "prefers_greedy": 0,
        "chose": "equalshares",
    }


def test_a_points_ballot_is_counted_by_points(council):
    e = run(
        council,
        amount=100,
        costs={"C1": 70, "C2": 50, "C3": 30},
        ballots=[{"C1": 2, "C2": 8}, {"C2": 3, "C3": 7}, {"C1": 9, "C3": 1}],
        kind="cumulative",
        points=10,
    )

    # C1 and C2 both have 11 points: the cheaper C2 first (£50 left), C1 does not fit, C3 does.
    assert e.names(e.result.selected) == ["C2", "C3"]
    assert e.result.spent == 80
    assert (e.why("C1")["points"], e.why("C1")["votes"], e.why("C1")["reason"]) == (
        11,
        2,
        "did_not_fit",
    )
    assert e.why("C3")["points"] == 8


def test_a_ranking_gives_more_to_the_projects_ranked_higher(council):
    e = run(
        council,
        amount=100,
        costs={"K1": 60, "K2": 50, "K3": 40},
        ballots=[["K1", "K2", "K3"], ["K2", "K3"], ["K3"]],
        kind="ranking",
    )

    # Within a ballot ranking k projects the first gets k points: K1 3, K2 2+2, K3 1+1+1.
    assert e.names(e.result.selected) == ["K2", "K3"]
    assert e.result.spent == 90
    assert (e.why("K2")["points"], e.why("K1")["points"], e.why("K3")["points"]) == (4, 3, 3)
    assert e.why("K1")["reason"] == "did_not_fit"


def test_a_ranking_read_in_the_other_order_gives_another_result(council):
    e = run(
        council,
        amount=100,
        costs={"K1": 60, "K2": 50, "K3": 40},
        ballots=[["K3", "K2", "K1"], ["K2", "K3"], ["K3"]],
        kind="ranking",
    )

    assert e.names(e.result.selected) == ["K3", "K2"]


@pytest.mark.parametrize("rule", ["equalshares", "equalshares/add1", "equalshares/add1-comparison"])
def test_with_no_ballots_at_all_equal_shares_funds_nothing(council, rule):
    e = run(council, amount=100, costs={"A": 60, "B": 30}, ballots=[], rule=rule)

    assert (e.result.selected, e.result.spent, e.result.ballots) == ([], 0, 0)
    assert {e.why(name)["reason"] for name in ("A", "B")} == {"no_votes"}
    assert e.selected_titles() == set()


@pytest.mark.parametrize("rule", ["greedy", "greedy-no-skip"])
def test_with_no_ballots_at_all_greedy_funds_nothing(council, rule):
    e = run(council, amount=100, costs={"A": 60, "B": 30}, ballots=[], rule=rule)

    assert (e.result.selected, e.result.spent) == ([], 0)


@pytest.mark.parametrize(
    "rule",
    ["greedy", "greedy-no-skip", "equalshares", "equalshares/add1", "equalshares/add1-comparison"],
)
def test_a_project_nobody_voted_for_is_not_funded_and_is_explained_as_such(council, rule):
    e = run(
        council,
        amount=100,
        costs={"A": 60, "Z": 40},  # Z would fit beside A
        ballots=[["A"], ["A"]],
        rule=rule,
    )

    assert e.names(e.result.selected) == ["A"]
    assert (e.why("Z")["votes"], e.why("Z")["reason"], e.why("Z")["selected"]) == (
        0,
        "no_votes",
        False,
    )


def test_recomputing_replaces_the_result_and_who_is_selected(council):
    e = run(council, amount=100, costs=MES_COSTS, ballots=MES_BALLOTS, rule="greedy")
    assert e.selected_titles() == {"P1", "P3"}
    first = e.result.pk
    BudgetProcess.objects.filter(pk=e.process.pk).update(rule="equalshares")

    results = domain.publish_results(BudgetProcess.objects.get(pk=e.process.pk))

    assert Result.objects.filter(budget=e.budget).count() == 1
    again = Result.objects.get(budget=e.budget)
    assert again.pk != first
    assert [r.pk for r in results] == [again.pk]
    assert (again.rule, e.names(again.selected)) == ("equalshares", ["P1"])
    assert e.selected_titles() == {"P1"}


def test_every_project_on_the_ballot_has_every_documented_field(council):
    e = run(council, amount=100, costs=MES_COSTS, ballots=MES_BALLOTS, rule="equalshares/add1")
    fields = {
        "votes",
        "cost",
        "selected",
        "order",
        "reason",
        "remaining",
        "payers",
        "paid_all",
        "max_share",
        "typical_share",
        "supporters_money",
        "went_to",
        "went_to_amount",
    }
    assert set(e.result.explanations) == {str(pk) for pk in e.ids.values()}
    for explanation in e.result.explanations.values():
        assert fields <= set(explanation)
    assert {"per_voter_budget", "completion", "greedy_fill"} <= set(e.result.details)
