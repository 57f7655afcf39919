"""Background work for search. Tasks are thin: they call one function."""

from __future__ import annotations

from django_tasks import task


@task()
def send_search_digests() -> int:
    """Email new matches of every saved search (schedule it, e.g. daily from cron)."""
    from moothall.search.digests import send_digests

    return send_digests().sent
