"""Background work for search. Tasks are thin: they call one function."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from moothall.core import schedule


@schedule.daily(at=dt.time(7, 0))
@task()
def send_search_digests() -> int:
    """Email new matches of every saved search (run daily by ``run_schedule``)."""
    from moothall.search.digests import send_digests

    return send_digests().sent
