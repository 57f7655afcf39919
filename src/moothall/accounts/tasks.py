"""Background work for accounts and privacy: thin tasks that call one verb each."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from moothall.accounts import retention
from moothall.core import schedule


# After the outbox (03:30), petitions (03:45) and budgeting (03:55) retention jobs.
@schedule.daily(at=dt.time(4, 5))
@task()
def purge_respondents() -> int:
    """Unlink survey respondents and deliberation participants from their accounts once
    their council's retention period after closing has passed (results stay exact)."""
    return retention.purge_respondents()
