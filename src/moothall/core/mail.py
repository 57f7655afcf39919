"""The email outbox: verbs queue email in their transaction; a task sends it after commit.

A verb calls :func:`queue_email` inside its transaction. The subject and body are
rendered there and then (in the current language) and stored as one
:class:`~moothall.core.models.OutboxMessage` per recipient, in the verb's transaction:
if it rolls back, nothing is sent. After commit, a ``deliver_email`` task per message
claims it with a conditional update (pending and due → sending), sends it through
Django's configured email backend and marks it sent. A failure is recorded on the row
and the message is tried again later (:data:`BACKOFF`), up to :data:`MAX_ATTEMPTS`
times, then left ``failed`` for platform staff to see in the admin. The request that
queued the email never waits on the provider, and never fails because of it.

:func:`sweep` (run every minute by the scheduler) re-queues messages whose next attempt
is due and gives back messages a worker took but never finished (killed mid-send).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone

from moothall.core.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# Wait after the 1st, 2nd, … failed attempt. After the last one the message is failed:
# about a day and a half of trying, enough to ride out a provider's bad day.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
    dt.timedelta(hours=24),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A send takes seconds (SMTP and Notify time out after 30 s): a message still "sending"
# after this long belongs to a worker that died, and goes back to pending.
STUCK_AFTER = dt.timedelta(minutes=15)
# A queued delivery task normally runs within seconds; if it has not after this long
# (the task was lost, or enqueueing failed after commit), the sweep queues another.
REENQUEUE_AFTER = dt.timedelta(minutes=10)
SWEEP_BATCH = 500
# Sent mail is kept a while for support questions, then deleted: bodies hold personal
# data and confirmation links.
KEEP_SENT = dt.timedelta(days=30)
KEEP_FAILED = dt.timedelta(days=90)


def render_text(name: str, context: dict[str, Any]) -> str:
    """Render a plain-text email template without HTML escaping: an email is not a web page,
    so "Parks & gardens" must not arrive as "Parks &amp; gardens"."""
    template = get_template(name).template  # type: ignore[attr-defined]
    return str(template.render(Context(context, autoescape=False)))


def queue_email(
    to: str | Iterable[str],
    template: str,
    context: dict[str, Any],
    *,
    unsubscribe_url: str = "",
    reply_to: str = "",
    headers: dict[str, str] | None = None,
) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and queue them.

    One message per distinct recipient (nobody sees anyone else's address). The
    templates see ``site_url`` and ``unsubscribe_url`` beside the caller's context.
    ``unsubscribe_url`` may be site-relative ("/…"); it is made absolute with
    ``SITE_URL``, and the message carries RFC 8058 one-click unsubscribe headers.

    Side effects: one ``OutboxMessage`` row per recipient in the caller's transaction;
    after commit, one ``deliver_email`` task per row.
    """
    recipients = list(dict.fromkeys([to] if isinstance(to, str) else to))
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    extra_headers = dict(headers or {})
    _refuse_line_breaks(reply_to, *recipients, *extra_headers, *extra_headers.values())
    if unsubscribe_url.startswith("/"):
        unsubscribe_url = settings.SITE_URL + unsubscribe_url
    _refuse_line_breaks(unsubscribe_url)
    context = {"site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe_url, **context}
    subject = " ".join(render_text(f"{template}_subject.txt", context).split())
    body = render_text(f"{template}_body.txt", context)
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            template=template,
            to=address,
            subject=subject,
            body=body,
            reply_to=reply_to,
            unsubscribe_url=unsubscribe_url,
            headers=extra_headers,
            next_attempt_at=now,
            enqueued_at=now,  # the on-commit task below; the sweep covers it if that is lost
        )
        for address in recipients
    )
    # robust: a failure to enqueue is logged, never raised into the committed request;
    # the sweep queues the message again after REENQUEUE_AFTER.
    message_ids = [m.pk for m in messages]
    transaction.on_commit(lambda: _enqueue(message_ids), robust=True)


def _refuse_line_breaks(*values: str) -> None:
    # A line break in a header would let text become headers of its own; refuse it now,
    # in the verb, rather than store a message that can never be sent.
    for value in values:
        if "\n" in value or "\r" in value:
            raise ValueError(f"line break in an email header value: {value!r}")


def _enqueue(message_ids: list[int]) -> None:
    from moothall.core.tasks import deliver_email

    for message_id in message_ids:
        deliver_email.enqueue(message_id)


def deliver(message_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one outbox message if it is pending and due; return what happened.

    ``"skipped"`` (gone, already sent or being sent, not due yet), ``"sent"``,
    ``"retry"`` (failed; another attempt is scheduled) or ``"failed"`` (no attempts left).
    The claim is a conditional update, so of two workers given the same message only
    one sends it. Provider errors are recorded on the row, never raised.
    """
    now = now or timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:  # deleted in the instant since the claim
        return "skipped"
    mine = OutboxMessage.objects.filter(pk=message_id, status=Status.SENDING, claimed_at=now)
    try:
        _send(message)
    except Exception as exc:
        logger.warning("Outbox message %s: attempt %s failed", message_id, message.attempts)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            mine.update(status=Status.FAILED, last_error=error)
            logger.error("Outbox message %s failed after %s attempts", message_id, MAX_ATTEMPTS)
            return "failed"
        mine.update(
            status=Status.PENDING,
            last_error=error,
            next_attempt_at=now + BACKOFF[message.attempts - 1],
        )
        return "retry"
    if not mine.update(status=Status.SENT, sent_at=timezone.now()):
        # Taken back by the sweep while we were sending (we took longer than STUCK_AFTER).
        logger.warning("Outbox message %s was sent after it had been reclaimed", message_id)
    return "sent"


def _send(message: OutboxMessage) -> None:
    headers = dict(message.headers)
    if message.unsubscribe_url:
        # RFC 8058 one-click unsubscribe: mail clients POST to the URL, no page to visit.
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
        connection=get_connection(fail_silently=False),
    )
    if email.send() != 1:
        raise RuntimeError("the email backend reported nothing sent")


@dataclass
class SweepSummary:
    reclaimed: int = 0
    failed: int = 0
    enqueued: int = 0


def sweep(*, now: dt.datetime | None = None) -> SweepSummary:
    """Give back stuck sends and queue a delivery task for every message now due.

    Side effects: messages in ``sending`` for longer than :data:`STUCK_AFTER` go back to
    pending (or to failed, when that was their last attempt); up to :data:`SWEEP_BATCH`
    due messages get a ``deliver_email`` task each (claimed first, so two sweeps at once
    never both queue the same message).
    """
    from moothall.core.tasks import deliver_email

    now = now or timezone.now()
    summary = SweepSummary()
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER)
    interrupted = "Interrupted: the worker stopped while sending (it may have been sent)."
    summary.failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, last_error=interrupted
    )
    summary.reclaimed = stuck.update(
        status=Status.PENDING, next_attempt_at=now, last_error=interrupted
    )
    due = _due(now)
    for message_id in due.order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH]:
        if _due(now).filter(pk=message_id).update(enqueued_at=now):
            deliver_email.enqueue(message_id)
            summary.enqueued += 1
    return summary


def _due(now: dt.datetime) -> QuerySet[OutboxMessage]:
    """Pending messages whose attempt is due and that have no delivery task waiting."""
    return OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).filter(
        Q(enqueued_at__isnull=True)
        | Q(enqueued_at__lt=F("next_attempt_at"))  # a retry came due after the last task
        | Q(enqueued_at__lt=now - REENQUEUE_AFTER)  # the last task never ran
    )


def purge(*, now: dt.datetime | None = None) -> int:
    """Delete sent messages past :data:`KEEP_SENT` and failed ones past :data:`KEEP_FAILED`."""
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(
        Q(status=Status.SENT, created_at__lt=now - KEEP_SENT)
        | Q(status=Status.FAILED, created_at__lt=now - KEEP_FAILED)
    ).delete()
    return deleted
