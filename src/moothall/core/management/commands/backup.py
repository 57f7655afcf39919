"""``python -m moothall backup PATH``: the database and the media in one archive."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.core import backup


class Command(BaseCommand):
    help = (
        "Write a backup to PATH: one archive with the database (SQLite's online backup, or "
        "pg_dump for PostgreSQL), every uploaded file under MEDIA_ROOT and a manifest of "
        "checksums. Safe while the site is running. Restore it with `restore PATH`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The archive to write (replaced if it exists).")
        parser.add_argument(
            "--database", default="default", help="The database alias (default: default)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.create_backup(options["path"], alias=options["database"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {options['path']}: {backup.describe(manifest)}.")
        )
