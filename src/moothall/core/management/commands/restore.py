"""``python -m moothall restore PATH``: put back the database and media of a backup."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from moothall.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup PATH`: replaces the whole database and the media "
        "directory. The archive is checked first (checksums, database engine, migrations); "
        "if anything is wrong nothing is changed. Stop the site and the task worker first. "
        "Run `migrate` afterwards when the backup came from an older Moothall."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The backup archive to restore.")
        parser.add_argument(
            "--database", default="default", help="The database alias (default: default)."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        try:
            manifest = backup.read_manifest(options["path"])
        except backup.BackupError as error:
            raise CommandError(f"{error} Nothing was changed.") from None
        if options["interactive"]:
            name = connections[alias].settings_dict["NAME"]
            answer = input(
                f"This replaces the database {name} and the media in {settings.MEDIA_ROOT} "
                f"with the backup: {backup.describe(manifest)}.\nType 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled: nothing was changed.")
        try:
            manifest = backup.restore_backup(options["path"], alias=alias, manifest=manifest)
        except backup.BackupError as error:
            raise CommandError(f"{error} Nothing was changed.") from None
        self.stdout.write(
            self.style.SUCCESS(f"Restored {options['path']}: {backup.describe(manifest)}.")
        )
