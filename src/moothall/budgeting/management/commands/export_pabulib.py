"""``python -m moothall export_pabulib ID FILE [--budget BUDGET_ID]``: one budget of a
process whose results are published, as a Pabulib ``.pb`` file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.budgeting.engine import save_pb
from moothall.budgeting.interchange import InterchangeError, export_pabulib
from moothall.budgeting.models import BudgetProcess
from moothall.core.audit import record_export


class Command(BaseCommand):
    help = (
        "Export a participatory budgeting process (its results published) as a Pabulib "
        ".pb file: META, the projects with their votes and whether they were selected, "
        "and every ballot, named by its reference or number (never by who cast it). "
        "A process with several budgets needs --budget."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="The process's id")
        parser.add_argument("file", help="Where to write the .pb file")
        parser.add_argument("--budget", type=int, default=None, help="The budget's id")

    def handle(self, *args: Any, **options: Any) -> None:
        process = BudgetProcess.objects.select_related("council").filter(pk=options["id"]).first()
        if process is None:
            raise CommandError(f"There is no budgeting process {options['id']}.")
        try:
            pb = export_pabulib(process, options["budget"])
        except InterchangeError as error:
            raise CommandError(str(error)) from None
        try:
            save_pb(pb, options["file"])
        except OSError as error:
            raise CommandError(
                f"Cannot write {options['file']}: {error.strerror or error}"
            ) from None
        record_export(  # run by an operator, not a signed-in person: "the system"
            "budgeting.pabulib_exported",
            actor=None,
            council=process.council,
            target=process,
            format="pabulib",
            rows=len(pb.votes),
            projects=len(pb.projects),
        )
        self.stdout.write(
            f"Wrote {options['file']}: {len(pb.projects)} projects, {len(pb.votes)} votes."
        )
