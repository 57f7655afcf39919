"""``python -m moothall import_councils PATH``: load the UK council register."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.councils.importers import ImportFailed
from moothall.councils.importers.register import REQUIRED_COLUMNS, import_register_file


class Command(BaseCommand):
    help = (
        "Create or update councils from the UK council register CSV "
        "(mySociety uk_local_authorities.csv). Only current authorities are loaded; "
        "re-running updates rather than duplicates. Columns read: "
        + ", ".join(REQUIRED_COLUMNS)
        + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Path to uk_local_authorities.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = import_register_file(options["path"])
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Councils: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged."
        )
