"""``python -m moothall import_postcodes PATH``: load an ONS postcode-directory style CSV."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from moothall.councils.importers import ImportFailed
from moothall.councils.importers.postcodes import DEFAULT_BATCH_SIZE, import_postcodes


class _RawStream:
    """Lets tqdm redraw its bar in place: Django's wrapper would end each write with a newline."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> int:
        self._wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self._wrapper.flush()


class Command(BaseCommand):
    help = (
        "Create or update the postcode directory from an ONS postcode-directory style CSV. "
        "Header (any order, case-insensitive, other columns ignored): "
        "postcode, ward, district, county, and optionally parish and division "
        "(county electoral division). ONSPD names (pcds or pcd, osward, oslaua, oscty, "
        "parish, ced), NSPL names (pcds or pcd, ward, laua, cty, parish, ced) and ONS's "
        "year-coded names (pcd7, wd25cd, lad25cd, cty25cd, ced25cd, parncp25cd) are "
        "accepted too. Terminated postcodes are kept: ONS places them in today's areas. "
        "Values are GSS codes; ONS placeholders such as E99999999 are stored "
        "as blank. Malformed rows are skipped and reported. Re-running is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Path to the CSV file")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = None if options["no_progress"] else _RawStream(self.stderr)
        try:
            summary = import_postcodes(
                options["path"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None

        message = (
            f"Postcodes: {summary.rows} rows read, {summary.created} created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.skipped} skipped."
        )
        if summary.terminated:
            # Kept on purpose: ONS places terminated postcodes in today's areas.
            message += f" {summary.terminated} of them terminated postcodes, kept."
        if summary.skipped:
            lines = ", ".join(str(n) for n in summary.skipped_lines)
            more = " …" if summary.skipped > len(summary.skipped_lines) else ""
            message += f" Skipped lines: {lines}{more}."
        self.stdout.write(message)
