"""Periodic jobs: apps register a task and how often it runs; a scheduler enqueues due runs.

Register on the task itself, in the app's ``tasks.py`` (every installed app's
``tasks`` module is imported before the scheduler looks at the registry)::

    from moothall.core import schedule

    @schedule.every(minutes=5)
    @task()
    def sweep_outbox() -> int: ...

    @schedule.daily(at=dt.time(7, 0))          # local time (TIME_ZONE)
    @task()
    def send_search_digests() -> int: ...

    @schedule.weekly(weekday=0, at=dt.time(6, 0))   # 0 = Monday
    @task()
    def recount() -> int: ...

The call form works too: ``schedule.every(some_task, minutes=5)``. A job is named after
its task's module path unless given ``name=``; the task takes no arguments.

``python -m moothall run_schedule`` calls :func:`run_due` every 30 seconds. Each job's
state is a :class:`~moothall.core.models.ScheduledJob` row; a run is claimed by moving
its ``next_run_at`` on with a conditional update, in the same transaction as the enqueue,
so two schedulers never enqueue the same run twice and a failed enqueue is tried again.
A job missed while no scheduler ran runs once when one starts, not once per missed slot.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks.base import Task

from moothall.core.models import ScheduledJob

logger = logging.getLogger(__name__)

TaskT = TypeVar("TaskT", bound=Task[Any, Any])
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Job:
    """A task and when it runs: every ``interval``, or daily/weekly at ``at`` (local time)."""

    name: str
    task: Task[Any, Any]
    interval: dt.timedelta | None = None
    at: dt.time | None = None
    weekday: int | None = None  # 0 = Monday, as datetime.weekday()

    @property
    def spec(self) -> str:
        """How often it runs, in words (kept on the job's row; a change resets the row)."""
        if self.interval is not None:
            return f"every {_in_words(self.interval)}"
        assert self.at is not None
        if self.weekday is None:
            return f"daily at {self.at:%H:%M}"
        return f"weekly on {WEEKDAYS[self.weekday]} at {self.at:%H:%M}"

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The next run after one that ran at ``moment``."""
        if self.interval is not None:
            return moment + self.interval
        assert self.at is not None
        zone = timezone.get_default_timezone()
        day = moment.astimezone(zone).date()
        if self.weekday is not None:
            day += dt.timedelta(days=(self.weekday - day.weekday()) % 7)
        step = dt.timedelta(days=1 if self.weekday is None else 7)
        # Combine date and wall-clock time each time, so 07:00 stays 07:00 across
        # the clocks changing.
        candidate = dt.datetime.combine(day, self.at, tzinfo=zone)
        while candidate <= moment:
            day += step
            candidate = dt.datetime.combine(day, self.at, tzinfo=zone)
        return candidate

    def first_run(self, now: dt.datetime) -> dt.datetime:
        """When a newly registered job first runs: interval jobs at once, others at their time."""
        return now if self.interval is not None else self.next_after(now)


def _in_words(interval: dt.timedelta) -> str:
    minutes = interval.total_seconds() / 60
    for unit, size in (("day", 24 * 60), ("hour", 60)):
        if minutes % size == 0:
            count = int(minutes // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"


_registry: dict[str, Job] = {}
_discovered = False


def register(job: Job) -> Job:
    """Add a job to the registry (the decorators below call this)."""
    existing = _registry.get(job.name)
    if existing is not None and (
        existing.task.module_path != job.task.module_path or existing.spec != job.spec
    ):
        raise ImproperlyConfigured(f"Two periodic jobs are named {job.name!r}")
    _registry[job.name] = job
    return job


def _registrar(
    task: TaskT | None, make: Callable[[Task[Any, Any]], Job]
) -> TaskT | Callable[[TaskT], TaskT]:
    def decorate(t: TaskT) -> TaskT:
        if not isinstance(t, Task):
            raise TypeError("schedule a django-tasks task (put @task() below the schedule)")
        register(make(t))
        return t

    return decorate(task) if task is not None else decorate


@overload
def every(
    task: TaskT, /, *, minutes: float = ..., hours: float = ..., days: float = ..., name: str = ...
) -> TaskT: ...
@overload
def every(
    task: None = None,
    /,
    *,
    minutes: float = ...,
    hours: float = ...,
    days: float = ...,
    name: str = ...,
) -> Callable[[TaskT], TaskT]: ...
def every(
    task: TaskT | None = None,
    /,
    *,
    minutes: float = 0,
    hours: float = 0,
    days: float = 0,
    name: str = "",
) -> TaskT | Callable[[TaskT], TaskT]:
    """Run ``task`` every so often (at least a minute apart; the scheduler wakes every 30 s)."""
    interval = dt.timedelta(minutes=minutes, hours=hours, days=days)
    if interval < dt.timedelta(minutes=1):
        raise ValueError("a periodic job runs at most once a minute")
    return _registrar(task, lambda t: Job(name or t.module_path, t, interval=interval))


@overload
def daily(task: TaskT, /, *, at: dt.time, name: str = ...) -> TaskT: ...
@overload
def daily(task: None = None, /, *, at: dt.time, name: str = ...) -> Callable[[TaskT], TaskT]: ...
def daily(
    task: TaskT | None = None, /, *, at: dt.time, name: str = ""
) -> TaskT | Callable[[TaskT], TaskT]:
    """Run ``task`` once a day at ``at``, local time (``TIME_ZONE``)."""
    _check_time(at)
    return _registrar(task, lambda t: Job(name or t.module_path, t, at=at))


@overload
def weekly(task: TaskT, /, *, weekday: int, at: dt.time, name: str = ...) -> TaskT: ...
@overload
def weekly(
    task: None = None, /, *, weekday: int, at: dt.time, name: str = ...
) -> Callable[[TaskT], TaskT]: ...
def weekly(
    task: TaskT | None = None, /, *, weekday: int, at: dt.time, name: str = ""
) -> TaskT | Callable[[TaskT], TaskT]:
    """Run ``task`` once a week on ``weekday`` (0 = Monday) at ``at``, local time."""
    _check_time(at)
    if weekday not in range(7):
        raise ValueError("weekday is 0 (Monday) to 6 (Sunday)")
    return _registrar(task, lambda t: Job(name or t.module_path, t, at=at, weekday=weekday))


def _check_time(at: dt.time) -> None:
    if at.tzinfo is not None:
        raise ValueError("give the time of day without a time zone: it is read as TIME_ZONE")


def registered_jobs() -> list[Job]:
    """Every registered job, after importing each installed app's ``tasks`` module."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return sorted(_registry.values(), key=lambda job: job.name)


@dataclass(frozen=True)
class Run:
    """One run :func:`run_due` enqueued."""

    name: str
    task_id: str
    next_run_at: dt.datetime


def run_due(now: dt.datetime | None = None, *, jobs: Iterable[Job] | None = None) -> list[Run]:
    """Enqueue every job that is due at ``now``; return the runs enqueued.

    ``jobs`` defaults to the registry. Side effects: a ``ScheduledJob`` row per job
    (created when first seen); for each due job, in one transaction, its row moved on
    to the next run (a conditional update: a run another scheduler claimed is skipped)
    and its task enqueued. A job whose enqueue fails is logged and tried next pass.
    """
    now = now or timezone.now()
    jobs = list(registered_jobs() if jobs is None else jobs)
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(name=j.name, schedule=j.spec, next_run_at=j.first_run(now)) for j in jobs],
        ignore_conflicts=True,
    )
    rows = {row.name: row for row in ScheduledJob.objects.filter(name__in=[j.name for j in jobs])}
    runs = []
    for job in jobs:
        row = rows[job.name]
        if row.schedule != job.spec:
            # Its timing changed in the code: start again from the new timing.
            ScheduledJob.objects.filter(
                pk=row.pk, schedule=row.schedule, next_run_at=row.next_run_at
            ).update(schedule=job.spec, next_run_at=job.first_run(now))
            row.refresh_from_db()
        if row.next_run_at > now:
            continue
        try:
            run = _claim_and_enqueue(job, row, now)
        except Exception:
            logger.exception("Could not enqueue the periodic job %s", job.name)
            continue
        if run is not None:
            runs.append(run)
    return runs


def _claim_and_enqueue(job: Job, row: ScheduledJob, now: dt.datetime) -> Run | None:
    next_run_at = job.next_after(now)
    with transaction.atomic():
        claimed = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=next_run_at, last_run_at=now
        )
        if not claimed:
            return None  # another scheduler took this run
        result = job.task.enqueue()
        ScheduledJob.objects.filter(pk=row.pk).update(last_task_id=str(result.id)[:64])
    return Run(name=job.name, task_id=str(result.id), next_run_at=next_run_at)
