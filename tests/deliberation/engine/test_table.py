"""The vote table: one vote per participant and statement, the last one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.deliberation.engine import VoteTable

votes = st.lists(
    st.tuples(
        st.integers(0, 30), st.integers(0, 12), st.sampled_from([-1, 0, 1]), st.integers(0, 5)
    ),
    max_size=120,
)


def _as_dict(table: VoteTable) -> dict[tuple[int, int], int]:
    return {
        (int(table.participants[r]), int(table.statements[c])): int(v)
        for r, c, v in zip(table.rows, table.cols, table.values, strict=True)
    }


@settings(max_examples=150, deadline=None)
@given(votes, st.booleans())
def test_the_last_vote_of_each_pair_counts(events, with_time):
    pids = [e[0] for e in events]
    tids = [e[1] for e in events]
    values = [e[2] for e in events]
    stamps = [e[3] for e in events]
    table = VoteTable.from_arrays(pids, tids, values, stamps if with_time else None)
    expected: dict[tuple[int, int], tuple[int, int, int]] = {}
    for order, (pid, tid, value, stamp) in enumerate(events):
        key = (stamp if with_time else 0, order)
        if (pid, tid) not in expected or key >= expected[(pid, tid)][:2]:
            expected[(pid, tid)] = (*key, value)
    assert _as_dict(table) == {pair: v[2] for pair, v in expected.items()}
    assert table.participants.tolist() == sorted({p for p, _ in expected})
    assert table.statements.tolist() == sorted({t for _, t in expected})
    # Canonical order: by participant, then statement.
    keys = table.rows * max(table.n_statements, 1) + table.cols
    assert np.all(np.diff(keys) > 0)


def test_a_changed_vote_replaces_the_first_by_time_not_by_position():
    table = VoteTable.from_arrays([7, 7], [3, 3], [1, -1], timestamps=[20, 10])
    assert _as_dict(table) == {(7, 3): 1}
    table = VoteTable.from_arrays([7, 7], [3, 3], [1, -1])
    assert _as_dict(table) == {(7, 3): -1}


def test_large_ids_are_indexed_too():
    table = VoteTable.from_arrays([10**12, 5], [2**40, 1], [1, 0])
    assert table.participants.tolist() == [5, 10**12]
    assert table.statements.tolist() == [1, 2**40]
    assert _as_dict(table) == {(10**12, 2**40): 1, (5, 1): 0}


def test_matrices_keep_passes_as_votes():
    table = VoteTable.from_arrays([0, 0, 1], [0, 1, 1], [1, 0, -1])
    assert table.matrix().toarray().tolist() == [[1.0, 0.0], [0.0, -1.0]]
    assert table.voted().toarray().tolist() == [[1.0, 1.0], [0.0, 1.0]]
    assert table.votes_per_participant().tolist() == [2, 1]
    assert table.votes_by_participant() == {0: {0: 1, 1: 0}, 1: {1: -1}}
    assert repr(table) == "VoteTable(2 participants, 2 statements, 3 votes)"


def test_without_statements_drops_their_votes_and_the_people_left_with_none():
    table = VoteTable.from_arrays([0, 0, 1], [0, 1, 1], [1, 0, -1])
    assert _as_dict(table.without_statements([1])) == {(0, 0): 1}
    assert table.without_statements([9]) is table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([0, 1], [0], [1]), "the same length"),
        (([0], [0], [2]), "votes must be -1"),
        (([0.5], [0], [1]), "participants must be integers"),
        (([[0]], [0], [1]), "flat sequence"),
        (([0], [0], [1], [1, 2]), "timestamps must have one entry per vote"),
    ],
)
def test_bad_arrays_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        VoteTable.from_arrays(*args)


def test_an_empty_table():
    table = VoteTable.from_arrays([], [], [])
    assert table.shape == (0, 0)
    assert table.n_votes == 0
    assert VoteTable.empty().shape == (0, 0)
