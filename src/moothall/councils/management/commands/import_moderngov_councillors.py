"""``python -m moothall import_moderngov_councillors --council SLUG SOURCE``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.councils.importers import ImportFailed
from moothall.councils.importers.moderngov import import_councillors
from moothall.councils.importers.sources import MAX_BYTES, TIMEOUT_SECONDS, read_source
from moothall.councils.models import Council


class Command(BaseCommand):
    help = (
        "Create or update a council's wards and councillors from a ModernGov "
        "GetCouncillorsByWard answer (a file, or an http(s) URL such as "
        "https://moderngov.example.gov.uk/mgWebService.asmx/GetCouncillorsByWard). "
        "Re-running updates rather than duplicates; councillors no longer listed have "
        "their open terms ended. Home addresses are never read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", required=True, help="The council's slug")
        parser.add_argument("source", help="A file path or an http(s) URL")
        parser.add_argument(
            "--timeout",
            type=float,
            default=TIMEOUT_SECONDS,
            help=f"Seconds to wait for a URL (default {TIMEOUT_SECONDS:g})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["council"]
        council = Council.objects.filter(slug=slug).first()
        if council is None:
            raise CommandError(f"No council has the slug “{slug}”.")
        if options["timeout"] <= 0:
            raise CommandError("--timeout must be more than 0 seconds.")
        try:
            data = read_source(options["source"], max_bytes=MAX_BYTES, timeout=options["timeout"])
            summary = import_councillors(council, data, source=options["source"])
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None

        for warning in summary.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"{council}: {summary.wards} wards ({summary.wards_created} new). "
            f"Councillors: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.ended} ended."
        )
