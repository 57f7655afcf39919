"""Choosing the next statement to show."""

from __future__ import annotations

import random
from collections import Counter

from moothall.deliberation.engine import choose_next


def test_nothing_left_to_show():
    assert choose_next({1: 2.0}, []) is None


def test_without_randomness_the_highest_priority_then_the_lowest_number():
    assert choose_next({1: 1.0, 2: 5.0, 3: 5.0}, [3, 1, 2]) == 2
    assert choose_next({1: 1.0}, [1]) == 1


def test_a_statement_the_analysis_has_not_seen_comes_first():
    assert choose_next({1: 1.0, 2: 5.0}, [1, 2, 9]) == 2  # ties with the top: lower number
    assert choose_next({1: 1.0, 2: 5.0}, [1, 9]) == 9
    assert choose_next({}, [4, 3]) == 3


def test_json_keys_are_accepted():
    assert choose_next({"1": 1.0, "2": 0.5}, [1, 2]) == 1


def test_with_randomness_the_choice_follows_the_weights():
    rng = random.Random(7)
    picks = Counter(choose_next({1: 1.0, 2: 3.0}, [1, 2], rng) for _ in range(4000))
    assert 0.7 < picks[2] / 4000 < 0.8
    assert set(picks) == {1, 2}


def test_with_randomness_and_all_weights_zero_any_candidate_can_come():
    rng = random.Random(1)
    picks = {choose_next({1: 0.0, 2: 0.0}, [1, 2], rng) for _ in range(50)}
    assert picks == {1, 2}
