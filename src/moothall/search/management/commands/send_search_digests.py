"""``python -m moothall send_search_digests``: email new matches of saved searches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from moothall.search.digests import send_digests


class Command(BaseCommand):
    help = (
        "Email each person what has newly matched their saved searches since the last "
        "digest (nothing is sent when nothing is new). run_schedule already runs it daily "
        "(07:00); run it by hand to send now."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = send_digests()
        self.stdout.write(f"Saved searches: {summary.searches} run, {summary.sent} digests queued.")
