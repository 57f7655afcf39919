"""``python -m moothall import_moderngov_meetings --council SLUG --from D --to D [SOURCE]``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.councils.importers.sources import TIMEOUT_SECONDS, is_url
from moothall.councils.models import Council
from moothall.meetings.importers import ImportFailed
from moothall.meetings.importers.moderngov import ImportSummary, import_meetings
from moothall.meetings.importers.sources import AnswerSource, SavedAnswers, Site, WebService


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value[:30]}” is not a date as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Create or update a council's bodies, meetings, agenda items, documents and "
        "attendance from ModernGov (GetCommittees, GetMeetings, GetMeeting) for meetings "
        "from --from to --to. Without SOURCE the council's configured ModernGov address is "
        "used; SOURCE may be another base URL or a folder of saved answers "
        "(GetCommittees.xml, GetMeetings_<committeeid>.xml, GetMeeting_<meetingid>.xml). "
        "Documents are downloaded only from the council's configured ModernGov host. "
        "Re-running updates rather than duplicates; a bad answer writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", required=True, help="The council's slug")
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument(
            "source",
            nargs="?",
            default="",
            help="A ModernGov base URL or a folder of saved answers (default: the council's)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=TIMEOUT_SECONDS,
            help=f"Seconds to wait for each answer or document (default {TIMEOUT_SECONDS:g})",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Fetch and check the answers and say what would change; save nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["council"]
        council = Council.objects.filter(slug=slug).first()
        if council is None:
            raise CommandError(f"No council has the slug “{slug}”.")
        date_from, date_to = _day(options["date_from"]), _day(options["date_to"])
        if date_to < date_from:
            raise CommandError("--to must not be before --from.")
        if options["timeout"] <= 0:
            raise CommandError("--timeout must be more than 0 seconds.")

        try:
            # Documents come only from the configured host, whatever SOURCE says.
            site = Site.from_url(council.moderngov_url) if council.moderngov_url else None
            source: AnswerSource
            pages = site
            if not options["source"]:
                if site is None:
                    raise CommandError(
                        f"{council} has no ModernGov address: set it, or give a SOURCE."
                    )
                source = WebService(site, timeout=options["timeout"])
            elif is_url(options["source"]):
                pages = pages or Site.from_url(options["source"])
                source = WebService(Site.from_url(options["source"]), timeout=options["timeout"])
            else:
                source = SavedAnswers(options["source"])
            summary = import_meetings(
                council,
                source,
                date_from=date_from,
                date_to=date_to,
                site=site,
                pages=pages,
                dry_run=options["dry_run"],
                timeout=options["timeout"],
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None

        for warning in summary.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(self._report(council, date_from, date_to, summary, options["dry_run"]))
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was saved or downloaded.")

    @staticmethod
    def _report(
        council: Council, date_from: dt.date, date_to: dt.date, s: ImportSummary, dry_run: bool
    ) -> str:
        meetings = s.meetings_created + s.meetings_updated + s.meetings_unchanged
        return "\n".join(
            [
                f"{council}: {s.bodies} bodies ({s.bodies_created} new, "
                f"{s.bodies_updated} updated).",
                f"Meetings {date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}: {meetings} "
                f"({s.meetings_created} new, {s.meetings_updated} updated, "
                f"{s.meetings_unchanged} unchanged).",
                f"Agenda items: {s.items_created} new, {s.items_updated} updated.",
                f"Documents: {s.documents_created} {'to download' if dry_run else 'downloaded'}, "
                f"{s.documents_skipped} not downloaded.",
                f"Meetings with attendance recorded: {s.attendance_recorded}.",
            ]
        )
