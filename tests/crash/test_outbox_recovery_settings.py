"""The two outbox recovery times the crash test shortens are real settings, and the sweep
honours them (OUTBOX_STUCK_AFTER_SECONDS, OUTBOX_REENQUEUE_AFTER_SECONDS)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from moothall.core import mail
from moothall.core.models import OutboxMessage

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


def message(**fields) -> OutboxMessage:
    return OutboxMessage.objects.create(to="a@example.org", subject="S", body="B", **fields)


def test_the_defaults_are_fifteen_and_ten_minutes():
    from django.conf import settings

    assert settings.OUTBOX_STUCK_AFTER_SECONDS == 15 * 60
    assert settings.OUTBOX_REENQUEUE_AFTER_SECONDS == 10 * 60


def test_a_send_left_longer_than_the_setting_is_taken_back(settings, mailoutbox):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 30
    now = timezone.now()
    dead = message(status=Status.SENDING, attempts=1, claimed_at=now - dt.timedelta(seconds=31))
    busy = message(status=Status.SENDING, attempts=1, claimed_at=now - dt.timedelta(seconds=29))

    summary = mail.sweep(now=now)

    assert summary.reclaimed == 1
    dead.refresh_from_db()
    busy.refresh_from_db()
    assert "Interrupted" in dead.last_error
    assert dead.status != Status.SENDING
    assert busy.status == Status.SENDING


def test_a_due_message_whose_task_was_lost_is_queued_again_after_the_setting(settings, mailoutbox):
    settings.OUTBOX_REENQUEUE_AFTER_SECONDS = 30
    now = timezone.now()
    earlier = now - dt.timedelta(minutes=1)
    lost = message(next_attempt_at=earlier, enqueued_at=now - dt.timedelta(seconds=31))
    waiting = message(next_attempt_at=earlier, enqueued_at=now - dt.timedelta(seconds=29))

    summary = mail.sweep(now=now)

    assert summary.enqueued == 1
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.enqueued_at == now
    assert waiting.enqueued_at == now - dt.timedelta(seconds=29)
