"""Background work for core: the email outbox. Tasks are thin: they call one function."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from moothall.core import mail, schedule


@task()
def deliver_email(message_id: int) -> str:
    """Send one outbox message (queued after commit by ``mail.queue_email``)."""
    return mail.deliver(message_id)


@schedule.every(minutes=1)
@task()
def sweep_outbox() -> dict[str, int]:
    """Queue due retries and give back sends a dead worker left unfinished."""
    summary = mail.sweep()
    return {
        "reclaimed": summary.reclaimed,
        "failed": summary.failed,
        "enqueued": summary.enqueued,
    }


@schedule.daily(at=dt.time(3, 30))
@task()
def purge_outbox() -> int:
    """Delete old sent and failed messages from the outbox."""
    return mail.purge()


@task()
def deliver_outbox() -> int:
    """Send every due outbox message, in batches (queued by ``mail.request_delivery``)."""
    return mail.drain()
