"""Supports under load, on PostgreSQL (real concurrent transactions; SQLite takes one writer
at a time, so there is nothing to race there).

200 requests from one person to support one idea, all at once, leave exactly one support
and a count of one; many people at once leave an exact count; supports and withdrawals
interleaved by the same person never deadlock and the count always equals the rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from moothall.ideas import domain
from moothall.ideas.models import Idea, Support
from moothall.notifications.models import Subscription
from tests import factories
from tests.ideas.scene import live_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]

CALLS = 200
# Threads, each with its own connection: within PostgreSQL's default of 100 connections,
# with room for other test runs sharing the server.
WORKERS = 40


def run_at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run ``calls`` on WORKERS threads, released together; return results or exceptions."""
    gate = threading.Barrier(min(WORKERS, len(calls)))

    def run(call: Callable[[], object], n: int) -> object:
        try:
            if n < WORKERS:
                gate.wait(timeout=30)
            return call()
        except Exception as error:  # reported to the test, which expects none
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, calls, range(len(calls))))


@pytest.fixture
def idea(council, resident):
    live_in(council, resident)
    return domain.propose_idea(resident, council, title="Benches", body="By the pond.")


def test_two_hundred_supports_at_once_by_one_person_make_one(council, idea, resident):
    results = run_at_once([lambda: domain.support_idea(resident, idea)] * CALLS)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len({r.pk for r in results}) == 1  # type: ignore[attr-defined]
    assert Support.objects.filter(idea=idea).count() == 1
    assert Idea.objects.get(pk=idea.pk).support_count == 1
    assert Subscription.objects.filter(user=resident, kind="idea", object_id=idea.pk).count() == 1


def test_many_people_supporting_at_once_are_counted_exactly(council, idea):
    people = [factories.UserFactory(email=f"p{n}@example.org") for n in range(60)]
    live_in(council, *people)

    calls = [lambda p=p: domain.support_idea(p, idea) for p in people for _ in range(3)]
    results = run_at_once(calls)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Support.objects.filter(idea=idea).count() == 60
    assert Idea.objects.get(pk=idea.pk).support_count == 60


def test_supporting_and_withdrawing_at_once_keeps_the_count_equal_to_the_rows(
    council, idea, resident
):
    others = [factories.UserFactory(email=f"q{n}@example.org") for n in range(20)]
    live_in(council, *others)
    people = [resident, *others]
    calls: list[Callable[[], object]] = []
    for n in range(CALLS):
        someone = people[n % len(people)]
        if n % 3 == 2:
            calls.append(lambda p=someone: domain.withdraw_support(p, idea))
        else:
            calls.append(lambda p=someone: domain.support_idea(p, idea))

    results = run_at_once(calls)

    assert [r for r in results if isinstance(r, Exception)] == []
    rows = Support.objects.filter(idea=idea).count()
    assert Idea.objects.get(pk=idea.pk).support_count == rows


def test_supports_racing_a_merge_all_count_once_on_the_idea_merged_into(council, idea, officer):
    duplicate = domain.propose_idea(officer, council, title="Seats", body="By the pond.")
    people = [factories.UserFactory(email=f"r{n}@example.org") for n in range(40)]
    live_in(council, *people)
    calls: list[Callable[[], object]] = [
        lambda p=p, target=target: domain.support_idea(p, target)
        for p in people
        for target in (idea, duplicate)
    ]
    calls.insert(len(calls) // 2, lambda: domain.merge_ideas(officer, duplicate, idea))

    results = run_at_once(calls)

    # Supports that arrive after the merge are refused (the duplicate is merged); nothing else.
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(getattr(e, "code", "") == "merged" for e in errors), errors
    target = Idea.objects.get(pk=idea.pk)
    assert target.support_count == Support.objects.filter(idea=idea).count() == 40
    assert Support.objects.filter(idea=duplicate).count() == 0
