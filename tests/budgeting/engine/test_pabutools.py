"""Plain Equal Shares and greedy agree with pabutools (a test-only reference) on the shared
files and on generated elections. pabutools is slow: each shared file takes it seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from moothall.budgeting.engine import Election, compute, read_pb

from .conftest import pb_files
from .test_rules import elections

pabutools_election = pytest.importorskip("pabutools.election", reason="pabutools is not installed")
pabutools_rules = pytest.importorskip("pabutools.rules")
pabutools_tiebreaking = pytest.importorskip("pabutools.tiebreaking")


def _reference(election: Election) -> tuple[set[str], set[str]]:
    """(Equal Shares, greedy) by pabutools, with cost satisfaction (equalshares.net's
    utilities for approval) and this engine's tie order: lower cost, more votes, order."""
    pe = pabutools_election
    projects = [
        pe.Project(pid, int(cost) if cost.denominator == 1 else cost)
        for pid, cost in zip(election.ids, election.costs, strict=True)
    ]
    instance = pe.Instance(projects, budget_limit=election.budget)
    by_id = {p.name: p for p in projects}
    ballots: list[list[str]] = [[] for _ in range(election.n_voters)]
    for c, pid in enumerate(election.ids):
        for voter in election.supporters(c).tolist():
            ballots[voter].append(pid)
    profile = pe.ApprovalProfile(
        [pe.ApprovalBallot([by_id[pid] for pid in ballot]) for ballot in ballots], instance=instance
    )
    position = {pid: c for c, pid in enumerate(election.ids)}
    votes = {pid: int(election.votes[c]) for c, pid in enumerate(election.ids)}
    order = pabutools_tiebreaking.TieBreakingRule(
        lambda _instance, _profile, project: (
            project.cost,
            -votes[project.name],
            position[project.name],
        )
    )
    mes = pabutools_rules.method_of_equal_shares(
        instance, profile, sat_class=pe.Cost_Sat, tie_breaking=order
    )
    greedy = pabutools_rules.greedy_utilitarian_welfare(
        instance, profile, sat_class=pe.Cost_Sat, tie_breaking=order
    )
    return {p.name for p in mes}, {p.name for p in greedy}


@pytest.mark.parametrize("path", pb_files(), ids=lambda p: p.stem)
def test_the_shared_files_agree_with_pabutools(path: Path):
    election = Election.from_pb(read_pb(path))
    mes, greedy = _reference(election)
    assert set(compute(election, "equalshares", explain=False).selected) == mes
    assert set(compute(election, "greedy").selected) == greedy


@settings(max_examples=120, deadline=None)
@given(elections())
def test_generated_elections_agree_with_pabutools(election: Election):
    mes, greedy = _reference(election)
    assert set(compute(election, "equalshares").selected) == mes
    assert set(compute(election, "greedy").selected) == greedy
