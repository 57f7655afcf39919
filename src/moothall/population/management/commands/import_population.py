"""``python -m moothall import_population CSV --council SLUG``: a council's ward population
figures by age band and sex, from a census-style CSV (see docs/representativeness.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.councils.models import Council
from moothall.population.domain import import_population


class Command(BaseCommand):
    help = (
        "Load a council's ward population by age band and sex from a CSV with the columns "
        "ward_code and/or ward_name, age_band, sex and count. The whole file is checked "
        "first: any bad row writes nothing. The council's earlier figures are replaced "
        "unless --keep is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", help="The CSV file")
        parser.add_argument("--council", required=True, help="The council's slug")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep figures the file does not mention (default: replace them all)",
        )
        parser.add_argument("--source", default="", help="Where the figures come from")
        parser.add_argument("--year", type=int, default=None, help="The year they count")

    def handle(self, *args: Any, **options: Any) -> None:
        council = Council.objects.filter(slug=options["council"]).first()
        if council is None:
            raise CommandError(f"There is no council {options['council']!r}.")
        path = Path(options["csv"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        try:
            summary = import_population(
                council,
                data,
                by=None,
                replace=not options["keep"],
                source_name=options["source"],
                year=options["year"],
            )
        except ValidationError as error:
            raise CommandError(
                f"{path} was not loaded; nothing was written:\n" + "\n".join(error.messages)
            ) from None
        self.stdout.write(
            f"Loaded {_n(summary.rows, 'figure')} for {_n(summary.wards, 'ward')} of {council}: "
            f"{summary.residents:,} residents"
            + (" (earlier figures replaced)." if summary.replaced else " (other figures kept).")
        )
        if summary.wards_without_figures:
            self.stdout.write(
                f"{_n(len(summary.wards_without_figures), 'ward')} without figures: "
                + ", ".join(summary.wards_without_figures)
            )


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
