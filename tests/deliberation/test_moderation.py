"""Moderation: the queue under pre-moderation, removals under post-moderation, reasons."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from moothall.core.models import AuditEntry
from moothall.deliberation import domain
from moothall.deliberation.models import Statement
from tests.deliberation.d1_scene import conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(council, resident):
    made = conversation(council, moderation="pre")
    author = domain.join(made, user=resident)
    return domain.add_statement(made, text="Open the lido in winter", author=author)


def test_the_queue_holds_pending_statements_oldest_first(pending):
    later = domain.add_statement(
        pending.conversation, text="Another thought", author=pending.author
    )

    assert domain.moderation_queue(pending.conversation) == [pending, later]


def test_a_moderator_accepts_a_statement_and_it_is_shown(pending, moderator):
    domain.moderate_statement(pending, by=moderator, accept=True)

    pending.refresh_from_db()
    assert (pending.state, pending.moderated_by) == ("accepted", moderator)
    assert domain.moderation_queue(pending.conversation) == []
    entry = AuditEntry.objects.get(action="deliberation.statement_accepted")
    assert (entry.actor, entry.details["was"]) == (moderator, "pending")


def test_rejecting_needs_a_reason_from_a_person(pending, moderator):
    with pytest.raises(ValidationError) as refused:
        domain.moderate_statement(pending, by=moderator, accept=False, reason="  ")
    assert refused.value.error_dict["reason"][0].code == "reason_required"

    domain.moderate_statement(pending, by=moderator, accept=False, reason="Personal attack")
    pending.refresh_from_db()
    assert (pending.state, pending.reject_reason) == ("rejected", "Personal attack")
    entry = AuditEntry.objects.get(action="deliberation.statement_rejected")
    assert entry.details["reason"] == "Personal attack"


def test_a_resident_or_a_moderator_elsewhere_cannot_moderate(pending, resident, outsider):
    for person in (resident, outsider):
        with pytest.raises(domain.StepRefused):
            domain.moderate_statement(pending, by=person, accept=True)
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_post_moderation_removes_a_shown_statement_and_can_put_it_back(council, moderator):
    made = conversation(council, moderation="post")
    shown = Statement.objects.get(conversation=made, number=1)

    domain.moderate_statement(shown, by=moderator, accept=False, reason="Duplicate of 0")
    assert Statement.objects.get(pk=shown.pk).state == "rejected"
    domain.moderate_statement(shown, by=moderator, accept=True)
    shown.refresh_from_db()
    assert (shown.state, shown.reject_reason) == ("accepted", "")


def test_moderating_to_the_same_state_again_writes_nothing(pending, moderator):
    domain.moderate_statement(pending, by=moderator, accept=True)
    domain.moderate_statement(pending, by=moderator, accept=True)

    assert AuditEntry.objects.filter(action="deliberation.statement_accepted").count() == 1


def test_moderation_asks_for_a_new_analysis_after_commit(
    pending, moderator, django_capture_on_commit_callbacks, monkeypatch
):
    asked: list[int] = []
    monkeypatch.setattr(domain, "request_analysis", lambda c: asked.append(c))

    with django_capture_on_commit_callbacks(execute=True):
        domain.moderate_statement(pending, by=moderator, accept=True)

    assert asked == [pending.conversation_id]
