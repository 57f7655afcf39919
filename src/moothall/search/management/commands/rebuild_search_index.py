"""``python -m moothall rebuild_search_index [--council SLUG]``: recompute the search index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.councils.models import Council
from moothall.search.index import BATCH_SIZE, rebuild


class Command(BaseCommand):
    help = (
        "Recompute every search entry from the registered content (agenda items, "
        "documents, decisions, minutes…), in batches, and drop entries of anything gone "
        "or no longer public. Entries keep the time they were first indexed, so saved-"
        "search digests do not resend old results. Safe to run at any time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", metavar="SLUG", help="Only this council's content")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Objects per transaction (default {BATCH_SIZE})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = None
        if options["council"]:
            council = Council.objects.filter(slug=options["council"]).first()
            if council is None:
                raise CommandError(f"No council has the slug {options['council']!r}.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        done: dict[str, int] = {}
        verbose = options["verbosity"] > 1

        def progress(kind: str, count: int) -> None:
            done[kind] = done.get(kind, 0) + count
            if verbose:
                self.stderr.write(f"{kind}: {done[kind]} read")

        summary = rebuild(council=council, batch_size=options["batch_size"], progress=progress)
        counts = summary.counts
        kinds = ", ".join(f"{kind} {count}" for kind, count in summary.by_kind.items())
        self.stdout.write(
            f"Search index: {kinds} entries. {counts.created} created, {counts.updated} "
            f"updated, {counts.unchanged} unchanged, {counts.deleted} deleted."
        )
