"""Background work for petitions: thin tasks that call one verb each."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from moothall.core import schedule
from moothall.petitions import domain


@task()
def email_signers(petition_id: int, event: str, title: str, summary: str = "") -> int:
    """Email the petition's signers about a step in its life (queued by the verbs)."""
    return domain.email_signers(petition_id, event, title, summary)


@schedule.every(minutes=10)
@task()
def recount_petitions() -> int:
    """Exact recount of every petition still taking signatures (corrects any drift)."""
    return domain.recount_active_petitions()


# Just after midnight: petitions close once their closing date has passed.
@schedule.daily(at=dt.time(0, 10))
@task()
def close_due_petitions() -> int:
    """Close the open petitions whose closing date has passed."""
    return domain.close_due_petitions()


@schedule.daily(at=dt.time(3, 45))
@task()
def purge_personal_data() -> int:
    """Delete signers' personal data once their council's retention period has passed."""
    return domain.purge_personal_data()
