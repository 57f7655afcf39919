"""Background work for notifications. Tasks are thin: they take ids and call one function."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from moothall.core import schedule


@task()
def fan_out(notification_id: int) -> None:
    """Tell the followers of one notification (queued after commit by ``domain.notify``)."""
    from moothall.notifications.delivery import fan_out as run

    run(notification_id)


@schedule.daily(at=dt.time(7, 15))
@task()
def send_daily_digests() -> int:
    """Email each person with something waiting for their daily digest."""
    from moothall.notifications.delivery import send_digests

    return send_digests("daily").sent


@schedule.weekly(weekday=0, at=dt.time(7, 15))  # Monday morning
@task()
def send_weekly_digests() -> int:
    """Email each person with something waiting for their weekly digest."""
    from moothall.notifications.delivery import send_digests

    return send_digests("weekly").sent
