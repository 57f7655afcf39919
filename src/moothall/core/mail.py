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

Hot paths (a petition's confirmation email, thousands a minute) queue *compact*
messages instead (:func:`queue_compact_email`, or the verb's own SQL writing the same
row): the template's name, the language, and the ids its context is built from
(``builder``, a dotted path, turns them back into the context). Nothing is rendered in
the request; :func:`deliver` and :func:`drain` render the message when they send it (the
same templates, the same context: the same email) and store subject and body on the row.
After commit such a message asks for delivery with :func:`request_delivery`: with a task
backend that can run tasks later (the database backend), one ``deliver_outbox`` task per
process per :data:`DRAIN_DELAY` claims every due message in batches (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL) and sends them over one connection; with one that cannot (the
immediate backend of the tests), a ``deliver_email`` task per message, as above.

:func:`sweep` (run every minute by the scheduler) re-queues messages whose next attempt
is due and gives back messages a worker took but never finished (killed mid-send).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.module_loading import import_string

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
# after this long belongs to a worker that died, and goes back to pending. The settings
# OUTBOX_STUCK_AFTER_SECONDS and OUTBOX_REENQUEUE_AFTER_SECONDS override these two.
STUCK_AFTER = dt.timedelta(minutes=15)
# A queued delivery task normally runs within seconds; if it has not after this long
# (the task was lost, or enqueueing failed after commit), the sweep queues another.
REENQUEUE_AFTER = dt.timedelta(minutes=10)
SWEEP_BATCH = 500
# Sent mail is kept a while for support questions, then deleted: bodies hold personal
# data and confirmation links.
KEEP_SENT = dt.timedelta(days=30)
KEEP_FAILED = dt.timedelta(days=90)
# Compact messages: one ``deliver_outbox`` task per process at most this often (seconds);
# it runs this long after the first message that asked for it, and sends every message
# committed by then. DRAIN_BATCH messages are claimed and sent at a time.
DRAIN_DELAY = 2.0
DRAIN_BATCH = 500
GONE = "Not sent: what it was about was deleted before it could be sent."


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
    subject, body = render_email(template, context, unsubscribe_url)
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


def render_email(
    template: str, context: dict[str, Any], unsubscribe_url: str = ""
) -> tuple[str, str]:
    """The subject (on one line) and body of ``template`` in the current language."""
    context = {"site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe_url, **context}
    subject = " ".join(render_text(f"{template}_subject.txt", context).split())
    body = render_text(f"{template}_body.txt", context)
    return subject, body


def queue_compact_email(
    to: str, template: str, *, builder: str, context: dict[str, Any]
) -> OutboxMessage:
    """Queue one email to be rendered when it is sent (see the module's docstring).

    ``builder`` is the dotted path of a function that takes a list of such ``context``
    dicts (ids, JSON) and returns, for each, the template's context, or None when what the
    email is about is gone (the message is then failed, not sent): a batch of messages
    is built with one call (a query or two, not one per message).

    Side effects: one ``OutboxMessage`` in the caller's transaction; after commit,
    :func:`request_delivery`."""
    _refuse_line_breaks(to)
    if not to:
        raise ValueError("a compact email needs an address")
    now = timezone.now()
    message = OutboxMessage.objects.create(
        template=template,
        to=to,
        subject="",
        body="",
        builder=builder,
        context=context,
        language=translation.get_language() or "",
        next_attempt_at=now,
        enqueued_at=now,
    )
    message_ids = [message.pk]
    transaction.on_commit(lambda: request_delivery(message_ids), robust=True)
    return message


def request_delivery(message_ids: list[int]) -> None:
    """After commit: have these (compact) messages sent soon.

    With a task backend that runs tasks later (``supports_defer``), at most one
    ``deliver_outbox`` task per process per :data:`DRAIN_DELAY`, set to run
    :data:`DRAIN_DELAY` after it was asked for: a message committed before then is sent
    by it (the sweep covers a lost task, as for any message). Otherwise (the immediate
    backend), one ``deliver_email`` task per message, at once."""
    from moothall.core.tasks import deliver_outbox

    if not deliver_outbox.get_backend().supports_defer:
        _enqueue(message_ids)
        return
    _drain_soon()


_drain_lock = threading.Lock()
_drain_runs_at = 0.0  # time.monotonic() at which this process's last drain task runs


def _drain_soon() -> None:
    global _drain_runs_at
    from moothall.core.tasks import deliver_outbox

    now = time.monotonic()
    with _drain_lock:
        if now < _drain_runs_at:
            return  # a drain asked for earlier runs after this commit: it sends this one
        _drain_runs_at = now + DRAIN_DELAY
    try:
        deliver_outbox.using(run_after=timezone.now() + dt.timedelta(seconds=DRAIN_DELAY)).enqueue()
    except Exception:
        with _drain_lock:
            _drain_runs_at = 0.0  # the next message asks again
        raise


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
        if not _materialise(message):
            mine.update(status=Status.FAILED, last_error=GONE)
            return "failed"
        _send(message)
    except Exception as exc:
        return _failed(message, mine, now, exc)
    if not mine.update(status=Status.SENT, sent_at=timezone.now(), **_rendered(message)):
        # Taken back by the sweep while we were sending (we took longer than STUCK_AFTER).
        logger.warning("Outbox message %s was sent after it had been reclaimed", message_id)
    return "sent"


def _failed(
    message: OutboxMessage, mine: QuerySet[OutboxMessage], now: dt.datetime, exc: Exception
) -> str:
    """Record a failed attempt: another one later (:data:`BACKOFF`), or none left."""
    logger.warning("Outbox message %s: attempt %s failed", message.pk, message.attempts)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        mine.update(status=Status.FAILED, last_error=error)
        logger.error("Outbox message %s failed after %s attempts", message.pk, MAX_ATTEMPTS)
        return "failed"
    mine.update(
        status=Status.PENDING,
        last_error=error,
        next_attempt_at=now + BACKOFF[message.attempts - 1],
    )
    return "retry"


def _materialise(message: OutboxMessage, context: Any = None) -> bool:
    """Render a compact message's subject and body (in its language) onto the instance,
    from ``context`` (built already, see :func:`_contexts`) or its builder. False when
    what it is about is gone. Other messages are as they were stored."""
    if not message.builder or message.subject:
        return True
    if context is None:
        context = _contexts([message]).get(message.pk)
    if context is None:
        return False
    with translation.override(message.language or settings.LANGUAGE_CODE):
        message.subject, message.body = render_email(
            message.template, context, message.unsubscribe_url
        )
    return True


def _contexts(messages: list[OutboxMessage]) -> dict[int, dict[str, Any] | None]:
    """The template contexts of compact messages still to render, by message id: one call
    of each builder for all its messages."""
    by_builder: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        if message.builder and not message.subject:
            by_builder.setdefault(message.builder, []).append(message)
    found: dict[int, dict[str, Any] | None] = {}
    for builder, group in by_builder.items():
        built = import_string(builder)([m.context for m in group])
        found.update((m.pk, context) for m, context in zip(group, built, strict=True))
    return found


def _rendered(message: OutboxMessage) -> dict[str, str]:
    """The fields to store once a compact message is sent (what was sent, for the record)."""
    if not message.builder:
        return {}
    return {"subject": message.subject, "body": message.body}


def drain(*, batch: int = DRAIN_BATCH) -> int:
    """Send every pending message that is due, ``batch`` at a time, over one connection to
    the email backend per batch; return how many were sent.

    Each batch is claimed in one statement (pending and due → sending, as :func:`deliver`
    claims one): on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so drains running at once
    share the work and never send one message twice; elsewhere message by message with a
    conditional update. Failures follow :func:`deliver`'s rules (retry with backoff, or
    failed), message by message."""
    sent = 0
    while True:
        now = timezone.now()
        claimed = _claim(now, batch)
        if not claimed:
            return sent
        messages = list(
            OutboxMessage.objects.filter(pk__in=claimed).only(*_SENDING_FIELDS).order_by("pk")
        )
        done: list[OutboxMessage] = []
        connection = get_connection(fail_silently=False)
        try:
            contexts = _contexts(messages)
            for message in messages:
                try:
                    if not _materialise(message, contexts.get(message.pk)):
                        _claimed(message, now).update(status=Status.FAILED, last_error=GONE)
                        continue
                    _send(message, connection)
                except Exception as exc:
                    _failed(message, _claimed(message, now), now, exc)
                    continue
                done.append(message)
        finally:
            connection.close()
        _mark_sent(done, now)
        sent += len(done)
        if len(claimed) < batch:
            return sent


# What a drain reads of a message to render, send and record it: not its timestamps or
# status (the claim has them), which are most of the row's decoding.
_SENDING_FIELDS = (
    *("template", "to", "subject", "body", "reply_to", "unsubscribe_url", "headers"),
    *("attempts", "builder", "context", "language"),
)


def _claimed(message: OutboxMessage, now: dt.datetime) -> QuerySet[OutboxMessage]:
    """The message, as long as it is still the claim made at ``now``."""
    return OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=now)


def _claim(now: dt.datetime, batch: int) -> list[int]:
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    claim = {"status": Status.SENDING, "claimed_at": now, "attempts": F("attempts") + 1}
    if db_connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                due.select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:batch]
            )
            if ids:
                OutboxMessage.objects.filter(pk__in=ids).update(**claim)
        return ids
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:batch])
    return [pk for pk in ids if due.filter(pk=pk).update(**claim)]


def _mark_sent(messages: list[OutboxMessage], claimed_at: dt.datetime) -> None:
    """Mark sent the messages still claimed by this drain (the sweep may have taken one
    back), storing what compact ones were rendered to: one statement per batch."""
    if not messages:
        return
    sent_at = timezone.now()
    table = OutboxMessage._meta.db_table
    ids = [m.pk for m in messages]
    subjects = [m.subject for m in messages]
    bodies = [m.body for m in messages]
    with db_connection.cursor() as cursor:
        if db_connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS m SET status = %s, sent_at = %s, "  # noqa: S608 - our table
                "subject = v.subject, body = v.body "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, subject, body) "
                "WHERE m.id = v.id AND m.status = %s AND m.claimed_at = %s",
                [Status.SENT, sent_at, ids, subjects, bodies, Status.SENDING, claimed_at],
            )
        else:
            adapt = db_connection.ops.adapt_datetimefield_value
            at, claim = adapt(sent_at), adapt(claimed_at)  # as the ORM stores them
            cursor.executemany(
                f"UPDATE {table} SET status = %s, sent_at = %s, subject = %s, body = %s "  # noqa: S608
                "WHERE id = %s AND status = %s AND claimed_at = %s",
                [
                    (Status.SENT, at, subject, body, pk, Status.SENDING, claim)
                    for pk, subject, body in zip(ids, subjects, bodies, strict=True)
                ],
            )


def _send(message: OutboxMessage, connection: Any = None) -> None:
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
        connection=connection or get_connection(fail_silently=False),
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
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - _stuck_after())
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
        | Q(enqueued_at__lt=now - _reenqueue_after())  # the last task never ran
    )


def _stuck_after() -> dt.timedelta:
    seconds = getattr(settings, "OUTBOX_STUCK_AFTER_SECONDS", 0)
    return dt.timedelta(seconds=seconds) if seconds else STUCK_AFTER


def _reenqueue_after() -> dt.timedelta:
    seconds = getattr(settings, "OUTBOX_REENQUEUE_AFTER_SECONDS", 0)
    return dt.timedelta(seconds=seconds) if seconds else REENQUEUE_AFTER


def purge(*, now: dt.datetime | None = None) -> int:
    """Delete sent messages past :data:`KEEP_SENT` and failed ones past :data:`KEEP_FAILED`."""
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(
        Q(status=Status.SENT, created_at__lt=now - KEEP_SENT)
        | Q(status=Status.FAILED, created_at__lt=now - KEEP_FAILED)
    ).delete()
    return deleted
