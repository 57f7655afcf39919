"""``python -m moothall import_pabulib FILE --council SLUG``: a finished process from a
Pabulib ``.pb`` file, with its ballots and published results."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.budgeting.engine import PabulibError, read_pb
from moothall.budgeting.interchange import InterchangeError, import_pabulib
from moothall.councils.models import Council


class Command(BaseCommand):
    help = (
        "Import a Pabulib .pb file (pabulib.org) as a finished participatory budgeting "
        "process of a council: its projects, every ballot and the results computed with "
        "the file's rule. A malformed file or an unknown council writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .pb file")
        parser.add_argument("--council", required=True, help="The council's slug")
        parser.add_argument(
            "--title", default=None, help="The process's title (default: from META)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = Council.objects.filter(slug=options["council"]).first()
        if council is None:
            raise CommandError(f"There is no council {options['council']!r}.")
        try:
            pb = read_pb(options["file"])
            process = import_pabulib(None, council, pb, title=options["title"])
        except PabulibError as error:
            raise CommandError(f"{options['file']}: {error}") from None
        except InterchangeError as error:
            raise CommandError(f"{options['file']}: {error}") from None
        ballots = sum(r.ballots for r in (b.result for b in process.budgets.all()))
        self.stdout.write(
            f"Imported process {process.pk} ({process.title}): {process.projects.count()} "
            f"projects, {ballots} ballots, results by {process.rule}. "
            f"{process.get_absolute_url()}"
        )
