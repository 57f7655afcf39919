"""Ballots under load, on PostgreSQL (real concurrent transactions; SQLite takes one writer
at a time, so there is nothing to race there).

One person voting from many tabs at once ends with one ballot holding exactly one of the
sets of choices they sent (never a mix); two officers entering the same paper ballot at
once enter it once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from moothall.budgeting import domain
from moothall.budgeting.models import Ballot, BallotChoice
from tests.budgeting.scene import build_scene

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]

# Threads, each with its own connection: well within PostgreSQL's 100 connections, with
# room for other test runs sharing the server.
WORKERS = 20


def run_at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run ``calls`` on WORKERS threads, released together; return results or exceptions."""
    gate = threading.Barrier(min(WORKERS, len(calls)))

    def run(call: Callable[[], object], n: int) -> object:
        try:
            if n < WORKERS:
                gate.wait(timeout=30)
            return call()
        except Exception as error:  # reported to the test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, calls, range(len(calls))))


def test_one_person_voting_from_many_tabs_at_once_has_one_consistent_ballot(council):
    scene = build_scene(council)
    p = scene.projects
    ids = [p["library"].pk, p["trees"].pk, p["skatepark"].pk]
    sets = [[ids[0]], [ids[1]], [ids[2]], ids[:2], ids[1:], ids]
    calls = [
        lambda c=choices: domain.cast_ballot(scene.moot_resident, scene.whole, c)
        for _round in range(10)
        for choices in sets
    ]

    results = run_at_once(calls)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len({r.pk for r in results}) == 1  # type: ignore[attr-defined]
    ballot = Ballot.objects.get(voter=scene.moot_resident, budget=scene.whole)
    held = sorted(BallotChoice.objects.filter(ballot=ballot).values_list("project_id", flat=True))
    assert held in [sorted(s) for s in sets]
    assert BallotChoice.objects.count() == len(held)


def test_points_sent_at_once_by_one_person_are_never_mixed(council):
    scene = build_scene(council, ballot_kind="cumulative", points=10)
    p = scene.projects
    a, b = p["library"].pk, p["trees"].pk
    sets = [{a: 10}, {b: 10}, {a: 3, b: 7}, {a: 7, b: 3}]
    calls = [
        lambda c=choices: domain.cast_ballot(scene.hill_resident, scene.whole, c)
        for _round in range(10)
        for choices in sets
    ]

    results = run_at_once(calls)

    assert [r for r in results if isinstance(r, Exception)] == []
    ballot = Ballot.objects.get(voter=scene.hill_resident, budget=scene.whole)
    held = dict(BallotChoice.objects.filter(ballot=ballot).values_list("project_id", "points"))
    assert held in sets


def test_voting_and_withdrawing_at_once_leaves_at_most_one_ballot(council):
    scene = build_scene(council)
    trees = scene.projects["trees"].pk
    calls: list[Callable[[], object]] = []
    for n in range(60):
        if n % 3 == 2:
            calls.append(lambda: domain.withdraw_ballot(scene.moot_resident, scene.whole))
        else:
            calls.append(lambda: domain.cast_ballot(scene.moot_resident, scene.whole, [trees]))

    results = run_at_once(calls)

    assert [r for r in results if isinstance(r, Exception)] == []
    ballots = Ballot.objects.filter(voter=scene.moot_resident, budget=scene.whole)
    assert ballots.count() <= 1
    assert BallotChoice.objects.count() == ballots.count()


def test_two_officers_entering_the_same_paper_ballot_at_once_enter_it_once(
    council, officer, council_admin
):
    scene = build_scene(council)
    trees = scene.projects["trees"].pk
    calls = [
        lambda who=who: domain.enter_paper_ballot(who, scene.whole, [trees], reference="P-0042")
        for _round in range(15)
        for who in (officer, council_admin)
    ]

    results = run_at_once(calls)

    entered = [r for r in results if isinstance(r, Ballot)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(entered) == 1
    assert len(refused) == len(calls) - 1
    assert all(
        e.message_dict["reference"] == ["A ballot with reference P-0042 was already entered."]
        for e in refused
    )
    assert Ballot.objects.filter(budget=scene.whole, reference="P-0042").count() == 1
    assert BallotChoice.objects.count() == 1
