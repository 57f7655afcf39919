"""``python -m moothall import_polis DIR --council SLUG [--slug SLUG] [--mode polis|improved]``:
a closed conversation from a Polis open-data folder, with its opinion map worked out."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from moothall.councils.models import Council
from moothall.deliberation.interchange import (
    InterchangeError,
    import_conversation,
    refused_messages,
)
from moothall.deliberation.models import Mode


class Command(BaseCommand):
    help = (
        "Import a Polis open-data folder (comments.csv, votes.csv, participants-votes.csv, "
        "summary.csv) as a closed conversation of a council: its statements, participants "
        "and votes (the last vote of each person on each statement), then its opinion map. "
        "A malformed folder, an unknown council or a web address already used writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="The Polis open-data folder")
        parser.add_argument("--council", required=True, help="The council's slug")
        parser.add_argument(
            "--slug", default=None, help="The conversation's web address (default: from the topic)"
        )
        parser.add_argument(
            "--mode",
            default=Mode.POLIS,
            choices=Mode.values,
            help="How opinion groups are found (default: polis, to compare with Polis' own)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = Council.objects.filter(slug=options["council"]).first()
        if council is None:
            raise CommandError(f"There is no council {options['council']!r}.")
        folder = options["folder"]
        try:
            conversation = import_conversation(
                council, folder, by=None, slug=options["slug"], mode=options["mode"]
            )
        except InterchangeError as error:
            raise CommandError(f"{folder}: {error}") from None
        except ValidationError as error:
            raise CommandError(f"{folder}: {refused_messages(error)}") from None
        counts = (
            conversation.participants.count(),
            conversation.statements.count(),
            conversation.votes.count(),
        )
        report = reverse(
            "public:conversation_report",
            kwargs={"council": council.slug, "slug": conversation.slug},
        )
        self.stdout.write(
            f"Imported conversation {conversation.pk} ({conversation.title}): {counts[0]} "
            f"participants, {counts[1]} statements, {counts[2]} votes; opinion map in "
            f"{conversation.mode} mode. Report: {report}"
        )
