"""``python -m moothall receive_email [--recipient ADDRESS]`` (one email on stdin, from the
mail server's pipe) or ``python -m moothall receive_email --maildir DIR`` (every new one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from moothall.correspondence.inbound import MAX_BYTES, Outcome, receive

# sysexits.h: what a mail server makes of our answer. Refusals bounce to the writer with
# our sentence; a temporary failure (the database away) makes the server try again.
EX_DATAERR = 65
EX_NOUSER = 67
EX_TEMPFAIL = 75
EX_NOPERM = 77
_EXIT_CODES = {
    "no_relay_address": EX_NOUSER,
    "unknown_token": EX_NOUSER,
    "from_mismatch": EX_NOPERM,
    "not_allowed": EX_NOPERM,
    "unavailable": EX_NOPERM,
}


class Command(BaseCommand):
    help = (
        "Record a reply that came by email to a relay address reply+<token>@<reply domain>. "
        "Reads one RFC 5322 message from standard input (as a mail server's pipe delivers "
        "it), or with --maildir processes every message in DIR/new and moves each to DIR/cur "
        "(flagged when refused). The envelope recipient is taken from --recipient, else from "
        "ORIGINAL_RECIPIENT or RECIPIENT in the environment (Postfix sets both), else from "
        "the headers. Exit status for a pipe: 0 recorded or ignored (an automatic answer), "
        "67 unknown address, 77 not from the person written to, 65 anything else refused, "
        "75 try again later."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--maildir", default="", help="A maildir whose new/ to process")
        parser.add_argument(
            "--recipient", default="", help="The envelope recipient (the relay address)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["maildir"]:
            self._maildir(Path(options["maildir"]), options["verbosity"])
            return
        stream: BinaryIO = options.get("stdin") or sys.stdin.buffer
        raw = stream.read(MAX_BYTES + 1)
        recipient = (
            options["recipient"]
            or os.environ.get("ORIGINAL_RECIPIENT", "")
            or os.environ.get("RECIPIENT", "")
        )
        try:
            outcome = receive(raw, recipient=recipient)
        except Exception as error:
            raise CommandError(
                _("Temporary failure: try again later."), returncode=EX_TEMPFAIL
            ) from error
        if outcome.status == "refused":
            raise CommandError(outcome.detail, returncode=_EXIT_CODES.get(outcome.code, EX_DATAERR))
        if options["verbosity"] > 1:
            self.stdout.write(outcome.status)

    def _maildir(self, folder: Path, verbosity: int) -> None:
        new, cur = folder / "new", folder / "cur"
        if not new.is_dir():
            raise CommandError(f"{folder} is not a maildir (it has no new/ folder).")
        cur.mkdir(exist_ok=True)
        counts: dict[str, int] = {"recorded": 0, "ignored": 0, "refused": 0}
        for path in sorted(new.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
            outcome: Outcome = receive(raw)  # a database error stops the run: the rest wait
            counts[outcome.status] += 1
            # Maildir info: S seen; F flagged, for a person to look at what was refused.
            flags = "FS" if outcome.status == "refused" else "S"
            os.replace(path, cur / f"{path.name.split(':', 1)[0]}:2,{flags}")
            if verbosity > 1:
                self.stdout.write(f"{path.name}: {outcome.status} {outcome.code}".rstrip())
        self.stdout.write(
            f"{counts['recorded']} recorded, {counts['ignored']} ignored, "
            f"{counts['refused']} refused"
        )
