"""Recomputation: the analysis is stored per conversation and mode, asked for at most once
per window, and votes never wait for it."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from moothall.deliberation import domain, tasks
from moothall.deliberation.models import Analysis, Conversation, Statement, Vote
from tests.deliberation.d1_scene import conversation, person

pytestmark = pytest.mark.django_db


def voted(made, people: int = 12, seed: int = 1):
    """``people`` participants in two camps voting on every statement (and a few more)."""
    for n in range(5):
        domain.add_statement(made, text=f"Extra statement number {n}")
    statements = list(Statement.objects.filter(conversation=made))
    rng = random.Random(seed)
    for n in range(people):
        me = domain.join(made, user=person(f"voter{n}@example.org"))
        camp = 1 if n % 2 else -1
        for s in statements:
            value = camp if s.number % 2 else -camp
            domain.cast_vote(me, s, value if rng.random() > 0.1 else 0)
    return statements


def test_run_analysis_stores_one_analysis_per_conversation_and_mode(council):
    made = conversation(council, mode="improved")
    voted(made)

    first = domain.run_analysis(made)
    again = domain.run_analysis(made)

    assert Analysis.objects.filter(conversation=made).count() == 1
    assert again.pk == first.pk
    assert (again.mode, again.votes_counted, again.participants_counted) == ("improved", 96, 12)
    assert again.statements_counted == 8
    assert set(again.data["participants"]) == {str(n) for n in range(12)}
    assert set(again.data["priority"]) == {str(n) for n in range(8)}
    assert len(again.data["groups"]) >= 2


def test_pending_and_removed_statements_are_left_out(council, moderator):
    made = conversation(council, mode="improved")
    statements = voted(made)
    domain.moderate_statement(statements[0], by=moderator, accept=False, reason="Spam")

    analysis = domain.run_analysis(made)

    assert "0" not in analysis.data["statements"]
    assert "0" not in analysis.data["priority"]


def test_the_analysis_follows_the_conversations_mode(council):
    made = conversation(council, mode="improved")
    voted(made)
    domain.run_analysis(made)
    domain.update_conversation(made, by=None, mode="polis")
    made.refresh_from_db()

    domain.run_analysis(made)

    assert sorted(Analysis.objects.values_list("mode", flat=True)) == ["improved", "polis"]
    assert domain.analysis_of(made).mode == "polis"  # type: ignore[union-attr]


def test_the_task_skips_a_conversation_whose_analysis_is_current(council):
    made = conversation(council)
    voted(made, people=4)
    assert tasks.analyse_conversation.call(made.pk) == 32
    Analysis.objects.update(computed_at=timezone.now() + dt.timedelta(minutes=1))

    assert tasks.analyse_conversation.call(made.pk) is None
    assert tasks.analyse_conversation.call(987654) is None  # gone: nothing to do


def test_the_sweep_recomputes_what_was_asked_for_but_never_ran(council):
    made = conversation(council)
    voted(made, people=4)
    Conversation.objects.filter(pk=made.pk).update(analysis_requested_at=timezone.now())

    assert tasks.sweep_analyses.call() == 1
    assert Analysis.objects.filter(conversation=made).exists()
    assert tasks.sweep_analyses.call() == 0


def test_routing_follows_the_stored_priority(council, resident):
    made = conversation(council)
    voted(made, people=4)
    analysis = domain.run_analysis(made)
    # Make statement 6 the only one worth showing.
    analysis.data["priority"] = {str(n): (1.0 if n == 6 else 0.0) for n in range(8)}
    analysis.save()
    me = domain.join(made, user=resident)

    assert domain.next_statement(me).number == 6  # type: ignore[union-attr]
    assert domain.next_statement(me).number == 6  # type: ignore[union-attr]  (stable on reload)


class DeferringBackend:
    """Stands for the database backend: it runs tasks later, so they are only counted."""

    supports_defer = True
    queued: list[tuple[dt.datetime | None, int]] = []


class Deferred:
    def __init__(self, run_after=None):
        self.run_after = run_after

    def enqueue(self, conversation_id):
        DeferringBackend.queued.append((self.run_after, conversation_id))


@pytest.fixture
def deferring(monkeypatch):
    task_type = type(tasks.analyse_conversation)
    DeferringBackend.queued = []
    monkeypatch.setattr(task_type, "get_backend", lambda self: DeferringBackend())
    monkeypatch.setattr(task_type, "using", lambda self, run_after=None, **kw: Deferred(run_after))
    monkeypatch.setattr(domain, "_analysis_runs_at", {})
    clock = [1000.0]
    monkeypatch.setattr(domain.time, "monotonic", lambda: clock[0])
    return clock


def test_one_analysis_is_asked_for_per_conversation_per_window(council, deferring):
    one, two = conversation(council, title="One"), conversation(council, title="Two")
    before = timezone.now()

    for _ in range(50):
        domain.request_analysis(one)
    domain.request_analysis(two.pk)

    assert [c for _when, c in DeferringBackend.queued] == [one.pk, two.pk]
    run_after = DeferringBackend.queued[0][0]
    assert run_after is not None
    assert run_after >= before + dt.timedelta(seconds=domain.ANALYSIS_DEBOUNCE)
    one.refresh_from_db()
    assert one.analysis_requested_at is not None
    assert one.analysis_requested_at >= before

    deferring[0] += domain.ANALYSIS_DEBOUNCE - 0.01  # before that task runs: it counts these
    domain.request_analysis(one)
    assert len(DeferringBackend.queued) == 2
    deferring[0] += 0.02  # it may have started: ask for another
    domain.request_analysis(one)
    assert len(DeferringBackend.queued) == 3


def test_votes_do_not_wait_for_the_analysis(
    council, resident, deferring, monkeypatch, django_capture_on_commit_callbacks
):
    made = conversation(council)
    me = domain.join(made, user=resident)

    def too_slow(*args, **kwargs):
        raise AssertionError("a vote ran the analysis")

    monkeypatch.setattr(domain, "run_analysis", too_slow)
    with django_capture_on_commit_callbacks(execute=True):
        for s in Statement.objects.filter(conversation=made):
            domain.cast_vote(me, s, 1)

    assert Vote.objects.filter(participant=me).count() == 3
    assert [c for _when, c in DeferringBackend.queued] == [made.pk]
    assert not Analysis.objects.exists()
