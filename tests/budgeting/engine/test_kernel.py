"""The compiled Equal Shares loop: its price of a point against the definition in rational
arithmetic, on both of its paths (a few rounds of "the rest share what is left", and the
sort it falls back to)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from moothall.budgeting.engine import Election, compute
from moothall.budgeting.engine.kernel import compiled, water_level
from moothall.budgeting.engine.rules import _Runner


def exact_level(b: list[Fraction], w: list[Fraction], cost: Fraction) -> Fraction:
    """The least rho with sum(min(b, rho * w)) >= cost, by sorting on money per point."""
    pairs = sorted(zip(b, w, strict=True), key=lambda p: p[0] / p[1])
    paid, rest = Fraction(0), sum(w, Fraction(0))
    for money, points in pairs:
        level = (cost - paid) / rest
        if level <= money / points:
            return level
        paid += money
        rest -= points
    raise AssertionError("not affordable")


def check(b: list[Fraction], w: list[Fraction], cost: Fraction) -> None:
    rho = water_level(
        np.array([float(x) for x in b]), np.array([float(x) for x in w]), len(b), float(cost)
    )
    expected = exact_level(b, w, cost)
    assert rho == pytest.approx(float(expected), rel=1e-11)  # the rules' tolerance: 1e-9


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 5)), min_size=1, max_size=40),
    st.fractions(min_value=0, max_value=1),
)
def test_the_price_of_a_point_is_the_definition_s(supporters, fraction):
    b = [Fraction(money) for money, _ in supporters]
    w = [Fraction(points) for _, points in supporters]
    if sum(b) == 0:
        return
    check(b, w, max(Fraction(1, 100), fraction) * sum(b))


def test_the_price_of_a_point_when_supporters_run_short_one_round_at_a_time():
    # Built so that each round of "those short of money pay all they have, the rest share
    # what is left" finds exactly one more of them (points halving from one supporter to
    # the next keep the steps from vanishing in float rounding): 19 rounds, more than the
    # loop takes before it sorts the supporters instead.
    k = 30
    w = [Fraction(2 ** (k - i)) for i in range(k)] + [Fraction(2**20)]
    cost = 1_000 * sum(w)
    previous = cost / sum(w)
    b = [previous * w[0] * Fraction(999, 1_000)]
    for i in range(1, k):
        level = (cost - sum(b)) / (sum(w) - sum(w[:i]))
        # Money per point just above the last level: short of money at this one only.
        b.append(w[i] * (previous + (level - previous) / 100))
        previous = level
    b.append(Fraction(10**15))
    check(b, w, cost)
    check(b, w, cost / 3)


def test_a_certified_run_crosses_every_share_that_gives_the_same_run():
    # One voter with 1,001 approves "a" (600) and "b" (500): "b" wins the tie (cheaper), and
    # "a" stays out of reach until the voter has 600 left, at a share of 1,100 exactly. So
    # the 98 shares after 1,001 give the same run, and no more do.
    election = Election(1_000, {"a": 600, "b": 500}, [["a", "b"]])
    runner = _Runner(election)
    assert runner.run_certified(Fraction(1_001)) == ([1], 98)
    assert runner.run(Fraction(1_099)).winners == [1]
    assert runner.run(Fraction(1_100)).winners == [1, 0]
    outcome = compute(election, "equalshares/add1")
    assert outcome.per_voter_budget == 1_099
    assert outcome.runs <= 3


def test_every_tie_decided_by_lot_is_reported_in_order():
    # x, y and z cost the same and have the same supporters, as do u and v: three ties the
    # projects' order decides, one after another.
    ballots = [["x", "y", "z"]] * 3 + [["u", "v"]] * 2
    election = Election(50, {"x": 10, "y": 10, "z": 10, "u": 5, "v": 5}, ballots)
    outcome = compute(election, "equalshares")
    assert outcome.selected == ["x", "y", "z", "u", "v"]
    assert outcome.ties_by_lot == [["x", "y", "z"], ["y", "z"], ["u", "v"]]


def test_a_loop_that_cannot_be_cached_is_still_compiled():
    # A function without a source file stands for a read-only install: numba finds nowhere
    # to cache it, and the loop is compiled for the process instead of failing to import.
    namespace: dict = {}
    exec("def twice(x):\n    return 2 * x\n", namespace)  # noqa: S102
    with pytest.raises(RuntimeError, match="no locator available"):
        njit(cache=True)(namespace["twice"])
    twice = compiled(namespace["twice"])
    assert twice(21) == 42
    assert type(twice._cache).__name__ == "NullCache"  # compiled, not cached
