"""``python -m moothall run_schedule``: enqueue the periodic jobs when they are due."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from moothall.core import schedule


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs apps register (moothall.core.schedule) when they are due, "
        "for the task worker (db_worker) to run. Loops every 30 seconds; --once runs one "
        "pass. Several schedulers at once never enqueue the same run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=30.0,
            help="Seconds between passes (default 30).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError("--interval must be more than 0 seconds")
        if options["once"]:
            self._pass(quiet_when_idle=False)
            return
        jobs = schedule.registered_jobs()
        self.stdout.write(f"Scheduler: {len(jobs)} periodic jobs")
        for job in jobs:
            self.stdout.write(f"  {job.name}: {job.spec}")
        # Stop between passes on SIGTERM or Ctrl-C, never halfway through one.
        stop = threading.Event()
        previous = {
            signum: signal.signal(signum, lambda *_: stop.set())
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            while not stop.is_set():
                close_old_connections()  # a long-lived loop must not keep a dead connection
                self._pass(quiet_when_idle=True)
                stop.wait(options["interval"])
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            close_old_connections()
        self.stdout.write("Scheduler stopped.")

    def _pass(self, *, quiet_when_idle: bool) -> None:
        runs = schedule.run_due()
        stamp = f"{timezone.localtime():%Y-%m-%d %H:%M:%S}"
        for run in runs:
            next_at = f"{timezone.localtime(run.next_run_at):%Y-%m-%d %H:%M}"
            self.stdout.write(f"{stamp} enqueued {run.name} (task {run.task_id}; next {next_at})")
        if not runs and not quiet_when_idle:
            self.stdout.write(f"{stamp} nothing due")
