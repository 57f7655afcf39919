"""Background work for participatory budgeting: thin tasks that call one verb each."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from moothall.budgeting import domain
from moothall.core import schedule


# After the outbox (03:30) and petitions (03:45) retention jobs.
@schedule.daily(at=dt.time(3, 55))
@task()
def purge_voters() -> int:
    """Unlink ballots from the people who cast them once a process's retention period
    after its results has passed (the choices stay, so results can be recomputed)."""
    return domain.purge_voters()
