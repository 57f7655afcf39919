"""Periodic jobs: apps register tasks with how often they run; the scheduler enqueues due runs."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from moothall.core import schedule
from moothall.core.models import ScheduledJob
from moothall.core.schedule import Job

LONDON = ZoneInfo("Europe/London")
RAN: list[str] = []


@task()
def tick() -> str:
    RAN.append("tick")
    return "tick"


@task()
def tock() -> str:
    RAN.append("tock")
    return "tock"


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clean_slate(monkeypatch):
    RAN.clear()
    schedule.registered_jobs()  # the apps' own jobs, discovered into the real registry
    # Registering in a test must not leave the job behind for the other tests.
    monkeypatch.setattr(schedule, "_registry", dict(schedule._registry))


EVERY_5 = Job("tick", tick, interval=dt.timedelta(minutes=5))


@pytest.mark.django_db
def test_an_interval_job_runs_when_first_seen_then_after_each_interval():
    now = london(2030, 3, 12, 10, 0)

    first = schedule.run_due(now, jobs=[EVERY_5])
    assert [(run.name, run.next_run_at) for run in first] == [
        ("tick", now + dt.timedelta(minutes=5))
    ]
    assert RAN == ["tick"]
    row = ScheduledJob.objects.get(name="tick")
    assert (row.schedule, row.last_run_at, row.next_run_at) == (
        "every 5 minutes",
        now,
        now + dt.timedelta(minutes=5),
    )
    assert row.last_task_id == first[0].task_id

    assert schedule.run_due(now + dt.timedelta(minutes=4), jobs=[EVERY_5]) == []
    assert len(schedule.run_due(now + dt.timedelta(minutes=5), jobs=[EVERY_5])) == 1
    assert RAN == ["tick", "tick"]


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_even_when_the_scheduler_runs_twice():
    now = london(2030, 3, 12, 10, 0)
    assert len(schedule.run_due(now, jobs=[EVERY_5])) == 1
    assert schedule.run_due(now, jobs=[EVERY_5]) == []
    assert schedule.run_due(now + dt.timedelta(seconds=30), jobs=[EVERY_5]) == []
    assert RAN == ["tick"]


@pytest.mark.django_db
def test_a_scheduler_that_read_the_job_before_another_claimed_it_does_not_enqueue_it_again():
    now = london(2030, 3, 12, 10, 0)
    schedule.run_due(now, jobs=[EVERY_5])
    later = now + dt.timedelta(minutes=5)
    seen_by_both = ScheduledJob.objects.get(name="tick")  # both schedulers read the row

    assert len(schedule.run_due(later, jobs=[EVERY_5])) == 1  # the first claims the run
    assert schedule._claim_and_enqueue(EVERY_5, seen_by_both, later) is None  # the second
    assert RAN == ["tick", "tick"]


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database answers 'table is locked' to a second thread "
    "at once instead of waiting, as a file database in WAL mode does; PostgreSQL runs it",
)
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_moment_enqueue_a_due_job_once():
    now = london(2030, 3, 12, 10, 0)
    schedule.run_due(now - dt.timedelta(minutes=5), jobs=[EVERY_5])  # the row exists
    RAN.clear()
    start = threading.Barrier(4)
    runs: list[schedule.Run] = []
    passes: list[str] = []

    def scheduler():
        try:
            start.wait()
            runs.extend(schedule.run_due(now, jobs=[EVERY_5]))
            passes.append("done")
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (passes, len(runs), RAN) == (["done"] * 4, 1, ["tick"])


@pytest.mark.django_db
def test_a_daily_job_first_runs_at_its_next_local_time_then_each_day():
    daily = Job("digest", tock, at=dt.time(7, 0))
    now = london(2030, 3, 12, 10, 0)

    assert schedule.run_due(now, jobs=[daily]) == []
    row = ScheduledJob.objects.get(name="digest")
    assert (row.schedule, row.next_run_at) == ("daily at 07:00", london(2030, 3, 13, 7, 0))

    runs = schedule.run_due(london(2030, 3, 13, 7, 0, 20), jobs=[daily])
    assert [run.next_run_at for run in runs] == [london(2030, 3, 14, 7, 0)]
    assert RAN == ["tock"]


def test_a_daily_time_is_kept_in_local_time_when_the_clocks_change():
    daily = Job("digest", tock, at=dt.time(7, 0))
    # British Summer Time begins at 01:00 GMT on Sunday 31 March 2030.
    before = daily.next_after(london(2030, 3, 30, 8, 0))
    assert before == london(2030, 3, 31, 7, 0)
    assert before.utcoffset() == dt.timedelta(hours=1)
    assert before.astimezone(dt.UTC).hour == 6
    assert daily.next_after(london(2030, 10, 26, 8, 0)).astimezone(dt.UTC).hour == 7


def test_a_weekly_job_runs_on_its_weekday():
    mondays = Job("weekly", tock, weekday=0, at=dt.time(6, 0))
    assert mondays.spec == "weekly on Monday at 06:00"
    wednesday = london(2030, 3, 13, 12, 0)
    assert mondays.next_after(wednesday) == london(2030, 3, 18, 6, 0)
    monday_early = london(2030, 3, 18, 5, 59)
    assert mondays.next_after(monday_early) == london(2030, 3, 18, 6, 0)
    assert mondays.next_after(london(2030, 3, 18, 6, 0)) == london(2030, 3, 25, 6, 0)


@pytest.mark.django_db
def test_runs_missed_while_no_scheduler_ran_are_made_up_once_not_one_by_one():
    now = london(2030, 3, 12, 10, 0)
    schedule.run_due(now, jobs=[EVERY_5])
    three_days_later = now + dt.timedelta(days=3)

    runs = schedule.run_due(three_days_later, jobs=[EVERY_5])

    assert [run.next_run_at for run in runs] == [three_days_later + dt.timedelta(minutes=5)]
    assert schedule.run_due(three_days_later + dt.timedelta(minutes=1), jobs=[EVERY_5]) == []


@pytest.mark.django_db
def test_a_job_whose_timing_changed_in_the_code_starts_again_from_the_new_timing():
    now = london(2030, 3, 12, 10, 0)
    schedule.run_due(now, jobs=[Job("tick", tick, at=dt.time(7, 0))])  # next: tomorrow 07:00

    runs = schedule.run_due(now, jobs=[EVERY_5])

    assert len(runs) == 1
    assert ScheduledJob.objects.get(name="tick").schedule == "every 5 minutes"


@pytest.mark.django_db
def test_a_job_that_cannot_be_enqueued_is_tried_again_next_pass(monkeypatch):
    now = london(2030, 3, 12, 10, 0)

    def broken(*args, **kwargs):
        raise ConnectionError("the task queue is unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(ImmediateBackend, "enqueue", broken)
        assert (
            schedule.run_due(now, jobs=[EVERY_5, Job("other", tock, interval=EVERY_5.interval)])
            == []
        )
    # The claim was rolled back with the failed enqueue.
    assert ScheduledJob.objects.get(name="tick").last_run_at is None

    assert len(schedule.run_due(now + dt.timedelta(seconds=30), jobs=[EVERY_5])) == 1


def test_tasks_register_with_a_decorator_or_a_call():
    assert schedule.every(minutes=10)(tick) is tick
    assert schedule.weekly(tock, weekday=6, at=dt.time(23, 30), name="late-sunday") is tock

    jobs = {job.name: job.spec for job in schedule.registered_jobs()}
    assert jobs["tests.core.test_schedule.tick"] == "every 10 minutes"
    assert jobs["late-sunday"] == "weekly on Sunday at 23:30"
    # Registering the same job again changes nothing; a different one under its name fails.
    schedule.every(tick, minutes=10)
    with pytest.raises(ImproperlyConfigured):
        schedule.every(tick, minutes=15)


def test_bad_registrations_are_refused():
    with pytest.raises(ValueError, match="at most once a minute"):
        schedule.every(tick, minutes=0.5)
    with pytest.raises(ValueError, match="without a time zone"):
        schedule.daily(tick, at=dt.time(7, 0, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="weekday"):
        schedule.weekly(tick, weekday=7, at=dt.time(7, 0))
    with pytest.raises(TypeError, match="django-tasks task"):
        schedule.every(minutes=5)(lambda: None)


def test_the_apps_register_the_outbox_sweep_and_the_daily_digests():
    jobs = {job.name: job.spec for job in schedule.registered_jobs()}
    assert jobs["moothall.core.tasks.sweep_outbox"] == "every 1 minute"
    assert jobs["moothall.core.tasks.purge_outbox"] == "daily at 03:30"
    assert jobs["moothall.search.tasks.send_search_digests"] == "daily at 07:00"


@pytest.mark.django_db
def test_run_schedule_once_enqueues_what_is_due_and_says_so():
    out = io.StringIO()
    call_command("run_schedule", "--once", stdout=out)
    assert " enqueued moothall.core.tasks.sweep_outbox (task " in out.getvalue()
    assert "send_search_digests" not in out.getvalue()  # first run tomorrow at 07:00
    sweep = ScheduledJob.objects.get(name="moothall.core.tasks.sweep_outbox")
    assert sweep.last_run_at is not None

    again = io.StringIO()
    call_command("run_schedule", "--once", stdout=again)
    assert again.getvalue().endswith(" nothing due\n")


@pytest.mark.django_db(transaction=True)
def test_run_schedule_loops_until_it_is_told_to_stop(monkeypatch):
    passes = []
    real = schedule.run_due

    def counted(*args, **kwargs):
        passes.append(1)
        if len(passes) == 3:
            os.kill(os.getpid(), signal.SIGTERM)  # as `make demo` does on exit
        return real(*args, jobs=[EVERY_5], **kwargs)

    monkeypatch.setattr(schedule, "run_due", counted)
    handler_before = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()

    call_command("run_schedule", "--interval", "0.01", stdout=out)

    assert len(passes) == 3
    assert out.getvalue().startswith("Scheduler: ")
    assert out.getvalue().count(" enqueued tick ") == 1
    assert out.getvalue().endswith("Scheduler stopped.\n")
    assert signal.getsignal(signal.SIGTERM) == handler_before
