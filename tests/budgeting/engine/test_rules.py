"""The result rules: the cities' declared outcomes, hand-checked examples, exactness
(float engine = rational engine) and the explanation's invariants."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.budgeting.engine import (
    RULES,
    Election,
    ElectionError,
    UnknownRule,
    compute,
    mes_winners,
    read_pb,
)
from moothall.budgeting.engine.rules import _Runner, add1_share, add1_share_stepwise

from .conftest import pb_files

# equalshares.net's explanation example: 11 voters, budget 1100.
BIKE, GYM, PARK, PLAYGROUND, LIBRARY = "bike", "gym", "park", "playground", "library"
EXAMPLE_COSTS = {BIKE: 700, GYM: 400, PARK: 250, PLAYGROUND: 200, LIBRARY: 100}
EXAMPLE_BALLOTS = [
    [BIKE, GYM],
    [BIKE, GYM, PARK],
    [BIKE, GYM],
    [BIKE, GYM, PARK],
    [BIKE, GYM, PARK],
    [BIKE, GYM],
    [PARK, PLAYGROUND, LIBRARY],
    [PLAYGROUND],
    [PLAYGROUND, LIBRARY],
    [PARK, PLAYGROUND, LIBRARY],
    [BIKE],
]


def example() -> Election:
    return Election(1100, EXAMPLE_COSTS, EXAMPLE_BALLOTS)


def test_equal_shares_on_equalshares_net_s_example():
    outcome = compute(example(), "equalshares")
    assert outcome.selected == [BIKE, PLAYGROUND, LIBRARY]
    assert outcome.spent == 1000
    bike = outcome.explanations[BIKE]
    assert bike.effective_votes == 7
    assert bike.supporters_paying == 7
    assert bike.share_max == pytest.approx(100)
    assert bike.paid_all_left == 0  # 100 each: exactly their share, not short of it
    library = outcome.explanations[LIBRARY]
    assert library.share_typical == pytest.approx(100 / 3)
    gym = outcome.explanations[GYM]
    assert not gym.selected
    assert gym.supporters_money_left == 0
    assert gym.money_went_to[0] == (BIKE, pytest.approx(600))


def test_greedy_and_greedy_no_skip_on_the_same_example():
    greedy = compute(example(), "greedy")
    assert greedy.selected == [BIKE, GYM]
    assert greedy.explanations[GYM].budget_left_before == 400
    assert greedy.explanations[PARK].budget_left_before == 0
    election = Election(1000, {"a": 600, "b": 500, "c": 100}, [["a", "b", "c"], ["a", "b"], ["a"]])
    assert compute(election, "greedy").selected == ["a", "c"]
    no_skip = compute(election, "greedy-no-skip")
    assert no_skip.selected == ["a"]
    assert no_skip.explanations["b"].budget_left_before == 400
    assert no_skip.explanations["c"].budget_left_before is None  # never had its turn


def test_ties_go_to_the_cheaper_project_then_the_more_voted_then_the_order():
    # Equal effective vote counts: the cheaper wins.
    election = Election(20, {"dear": 10, "cheap": 5}, [["dear", "cheap"], ["dear", "cheap"]])
    assert mes_winners(election)[0] == "cheap"
    # Same cost, same count: the order of the projects (where officials would draw lots).
    election = Election(10, {"x": 5, "y": 5}, [["x"], ["y"]])
    outcome = compute(election, "equalshares")
    assert outcome.selected == ["x", "y"]
    assert outcome.ties_by_lot == [["x", "y"]]


def test_add1_raises_each_share_by_one_unit_while_the_outcome_fits():
    # Share 10 per voter: only "a" (cost 20, 3 supporters) is affordable at first.
    election = Election(40, {"a": 20, "b": 25, "c": 15}, [["a"], ["a", "b"], ["a", "b"], ["c"]])
    share = add1_share(election, _Runner(election))
    plain = compute(election, "equalshares")
    assert plain.selected == ["a"]
    outcome = compute(election, "equalshares/add1")
    assert outcome.per_voter_budget == share
    assert outcome.spent <= 40
    exact = compute(election, "equalshares/add1", exact=True)
    assert exact.selected == outcome.selected
    assert exact.per_voter_budget == outcome.per_voter_budget


def test_cumulative_ballots_use_points_as_utilities():
    # Two voters, 3 points each: "big" gets 3+1, "small" 2; effective votes = cost / rho.
    election = Election(
        60, {"big": 40, "small": 20}, [{"big": 3}, {"big": 1, "small": 2}], vote_type="cumulative"
    )
    outcome = compute(election, "equalshares")
    assert outcome.selected[0] == "big"
    assert outcome.explanations["big"].score == 4
    assert compute(election, "greedy").selected == ["big", "small"]


def test_ordinal_ballots_are_scored_borda_within_the_ballot():
    election = Election(10, {"a": 6, "b": 6, "c": 4}, [["a", "b"], ["b", "c", "a"]], "ordinal")
    # a: 2 + 1 = 3; b: 1 + 3 = 4; c: 2
    assert list(election.score) == [3, 4, 2]
    assert compute(election, "greedy").selected == ["b", "c"]


def test_bad_data_and_unknown_rules_are_clear_errors():
    with pytest.raises(ElectionError, match="unknown project"):
        Election(10, {"a": 5}, [["b"]])
    with pytest.raises(ElectionError, match="must be positive"):
        Election(10, {"a": 0}, [])
    with pytest.raises(ElectionError, match="listed twice"):
        Election(10, [("a", 1), ("a", 2)], [])
    with pytest.raises(UnknownRule, match="unknown rule 'mes'"):
        compute(example(), "mes")


def test_no_voters_means_nothing_for_equal_shares():
    election = Election(10, {"a": 5}, [])
    for rule in RULES:
        outcome = compute(election, rule)
        assert outcome.spent <= 10


# ------------------------------------------------------------------ the shared files


@pytest.mark.parametrize("path", pb_files(), ids=lambda p: p.stem)
def test_the_city_s_rule_gives_the_declared_outcome(path: Path):
    pb = read_pb(path)
    election = Election.from_pb(pb)
    outcome = compute(election, pb.rule or "greedy", explain=False)
    assert outcome.spent <= election.budget
    declared = pb.selected()
    if declared is None:
        # Toulouse 2022 carries no `selected` column: check greedy's own definition.
        left = election.budget
        for c in sorted(
            range(election.n_projects), key=lambda c: (-election.votes[c], election.costs[c], c)
        ):
            if election.costs[c] <= left:
                left -= election.costs[c]
        assert outcome.spent == election.budget - left
        return
    assert sorted(outcome.selected) == sorted(declared)


def test_wieliczka_add1_share_and_comparison(pabulib_dir: Path):
    pb = read_pb(pabulib_dir / "Poland_Wieliczka_2023_Green_Budget.pb")
    outcome = compute(Election.from_pb(pb), "equalshares/add1-comparison")
    assert outcome.spent == 995079
    assert len(outcome.selected) == 30
    assert outcome.comparison is not None
    assert outcome.comparison["chose"] == "equalshares"
    # Every voter's share was raised by whole units from 1 000 000 / 6586.
    extra = outcome.per_voter_budget - Fraction(1000000, 6586)
    assert extra.denominator == 1
    assert extra > 0
    assert outcome.equalshares_selected is not None
    _check_invariants(Election.from_pb(pb), outcome)


# ------------------------------------------------------------------ invariants, exactness


def _check_invariants(election: Election, outcome) -> None:
    share = float(outcome.per_voter_budget)
    for c, pid in enumerate(election.ids):
        ex = outcome.explanations[pid]
        if ex.stage == "equalshares":
            assert ex.selected
            assert ex.supporters_paying <= ex.votes
            assert ex.paid_all_left <= ex.supporters_paying
            assert ex.share_typical <= ex.share_max + 1e-9
            assert ex.share_max <= share * float(np.max(election.points)) + 1e-6
            assert ex.effective_votes <= ex.score + 1e-9
            assert ex.rho * ex.effective_votes == pytest.approx(election.cost[c])
        elif not ex.selected and ex.supporters_money_left is not None:
            assert ex.supporters_money_left <= election.cost[c] * (1 + 1e-9)
            assert sum(amount for _, amount in ex.money_went_to) <= ex.votes * share + 1e-6
    assert outcome.spent <= outcome.budget


def _payments_add_up(election: Election, share: Fraction) -> None:
    run = _Runner(election).run(share, explain=True)
    left = np.full(election.n_voters, float(share))
    for c, (voters, amounts) in zip(run.winners, run.payments, strict=True):
        assert amounts.sum() == pytest.approx(election.cost[c], rel=1e-9)
        assert np.all(amounts <= left[voters] + 1e-9)  # nobody pays more than they had
        left[voters] -= amounts
    assert np.allclose(left, run.budgets, atol=1e-7)


@st.composite
def elections(draw, vote_type: str = "approval") -> Election:
    m = draw(st.integers(1, 6))
    costs = {f"p{i}": draw(st.integers(1, 30)) for i in range(m)}
    n = draw(st.integers(1, 9))
    ids = list(costs)
    ballots = []
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=m))
        if vote_type == "cumulative":
            ballots.append({pid: draw(st.integers(1, 3)) for pid in chosen})
        else:
            ballots.append(chosen)
    budget = draw(st.integers(1, 80))
    return Election(budget, costs, ballots, vote_type=vote_type)


@settings(max_examples=100, deadline=None)
@given(elections())
def test_the_float_engine_equals_the_rational_one_on_approval(election: Election):
    for rule in ("equalshares", "equalshares/add1", "equalshares/add1-comparison"):
        fast = compute(election, rule)
        slow = compute(election, rule, exact=True)
        assert fast.selected == slow.selected, rule
        assert fast.per_voter_budget == slow.per_voter_budget
        _check_invariants(election, fast)
    _payments_add_up(election, election.budget / election.n_voters)


@settings(max_examples=80, deadline=None)
@given(elections("cumulative"))
def test_the_float_engine_equals_the_rational_one_on_points(election: Election):
    for rule in ("equalshares", "equalshares/add1"):
        assert compute(election, rule).selected == compute(election, rule, exact=True).selected
    _payments_add_up(election, election.budget / election.n_voters)


@settings(max_examples=100, deadline=None)
@given(elections())
def test_greedy_never_overspends_and_no_skip_is_a_prefix(election: Election):
    greedy = compute(election, "greedy")
    no_skip = compute(election, "greedy-no-skip")
    assert greedy.spent <= election.budget
    assert greedy.selected[: len(no_skip.selected)] == no_skip.selected


# ------------------------------------------------------------------ the Add1 search


@st.composite
def large_budget_elections(draw, vote_type: str = "approval") -> Election:
    """Few voters, few projects, costs drawn from a few values (ties everywhere) and a budget
    that is often far above what one share pays: Add1 then climbs many units."""
    m = draw(st.integers(1, 5))
    scale = draw(st.sampled_from([1, 10, 50]))
    costs = {f"p{i}": draw(st.sampled_from([1, 2, 3, 5, 8, 13])) * scale for i in range(m)}
    n = draw(st.integers(1, 5))
    ids = list(costs)
    ballots = []
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=m))
        if vote_type == "cumulative":
            ballots.append({pid: draw(st.integers(1, 3)) for pid in chosen})
        else:
            ballots.append(chosen)
    budget = draw(st.integers(1, 20)) * scale + draw(st.integers(0, 99))
    return Election(budget, costs, ballots, vote_type=vote_type)


def _add1_agrees(election: Election, exact: bool = True) -> None:
    fast = add1_share(election, _Runner(election))
    assert fast == add1_share_stepwise(election, _Runner(election))
    if exact:
        assert fast == add1_share_stepwise(election, _Runner(election, exact=True))


@settings(max_examples=100, deadline=None)
@given(large_budget_elections())
def test_the_add1_search_equals_the_definition_on_approval(election: Election):
    _add1_agrees(election, exact=sum(election.costs) < 300)


@settings(max_examples=60, deadline=None)
@given(large_budget_elections("cumulative"))
def test_the_add1_search_equals_the_definition_on_points(election: Election):
    _add1_agrees(election, exact=sum(election.costs) < 300)


@settings(max_examples=100, deadline=None)
@given(elections())
def test_the_add1_search_equals_the_definition_on_small_elections(election: Election):
    _add1_agrees(election)


def test_a_tiny_election_with_a_large_budget_needs_few_runs():
    # 3 voters, £10,000: the definition climbs share by share from £3,333.33 (thousands of
    # runs); the certified runs cross the stretches where nothing changes.
    election = Election(
        10_000,
        {"a": 6_000, "b": 5_000, "c": 3_000, "d": 2_500},
        [["a", "b"], ["b", "c", "d"], ["a"]],
    )
    runner = _Runner(election)
    share = add1_share(election, runner)
    assert share == add1_share_stepwise(election, _Runner(election))
    assert runner.runs < 200


class _RecordingRunner(_Runner):
    def __init__(self, e: Election) -> None:
        super().__init__(e)
        self.jumps: list[tuple[Fraction, int, list[int]]] = []

    def run_certified(self, share: Fraction) -> tuple[list[int], int]:
        winners, steps = super().run_certified(share)
        if steps != 0:
            self.jumps.append((share, steps, winners))
        return winners, steps


@pytest.mark.parametrize("path", pb_files(), ids=lambda p: p.stem)
def test_every_certified_stretch_gives_the_same_run(path: Path):
    # Each stretch the search jumps over ends with a share giving the same winners in the
    # same order (the definition run at that share).
    election = Election.from_pb(read_pb(path))
    runner = _RecordingRunner(election)
    add1_share(election, runner)
    for share, steps, winners in runner.jumps:
        last = share + (steps if steps > 0 else 1000)
        assert _Runner(election).run(last).winners == winners
        assert _Runner(election).run(share + (steps + 1) // 2).winners == winners


def test_wieliczka_add1_share_is_the_definition_s(pabulib_dir: Path):
    election = Election.from_pb(read_pb(pabulib_dir / "Poland_Wieliczka_2023_Green_Budget.pb"))
    assert add1_share(election, _Runner(election)) == add1_share_stepwise(
        election, _Runner(election)
    )
