"""``python -m moothall export_polis ID DIR``: a conversation as a Polis open-data folder
(comments.csv, votes.csv, participants-votes.csv, summary.csv)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.core.audit import record_export
from moothall.deliberation.interchange import InterchangeError, export_conversation
from moothall.deliberation.models import Conversation


class Command(BaseCommand):
    help = (
        "Export a conversation in the Polis open-data format: every statement (with its "
        "moderation, agrees, disagrees and group-informed consensus), every vote, each "
        "participant's votes and opinion group, and a summary. Participants are numbers only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="The conversation's id")
        parser.add_argument("folder", help="Where to write the four files (created if needed)")

    def handle(self, *args: Any, **options: Any) -> None:
        conversation = (
            Conversation.objects.select_related("council").filter(pk=options["id"]).first()
        )
        if conversation is None:
            raise CommandError(f"There is no conversation {options['id']}.")
        try:
            export = export_conversation(conversation, options["folder"])
        except InterchangeError as error:
            raise CommandError(str(error)) from None
        record_export(  # run by an operator, not a signed-in person: "the system"
            "deliberation.conversation_exported",
            actor=None,
            council=conversation.council,
            target=conversation,
            format="polis",
            rows=len(export.participants),
            votes=len(export.votes),
        )
        self.stdout.write(
            f"Wrote {options['folder']}: {len(export.comments)} statements, "
            f"{len(export.votes)} vote events, {len(export.participants)} participants."
        )
