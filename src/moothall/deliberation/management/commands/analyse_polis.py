"""``python -m moothall analyse_polis DIR [--mode polis|improved] --out FILE.json``: the
opinion groups of a Polis open-data folder, computed by the engine, without a database::

    {"mode": "polis",
     "groups": {"0": 0, "1": 1, "2": null, ...},            # participant id → group
     "group_informed_consensus": {"0": 0.68, ...},           # statement id → value
     "consensus": [{"statement": 4, "direction": "agree", "p_success": 0.9, "p_test": 7.1}],
     "repness": {"0": [{"statement": 12, "direction": "agree", "repness": 2.1, ...}]}}

Statements moderated out (``moderated`` -1) are left out; ``is-meta`` statements are not
used for the groups. Nothing is written when the folder is missing or malformed: one line
on stderr and a non-zero exit instead.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.deliberation.engine import MODES, PolisDataError, analyse, read_polis_folder


class Command(BaseCommand):
    help = (
        "Analyse a Polis open-data folder (comments.csv, votes.csv, …): opinion groups, "
        "group-informed consensus, consensus and representative statements, as JSON."
    )
    # Pure computation: no system checks, no database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="A Polis open-data folder")
        parser.add_argument("--mode", choices=MODES, default="polis")
        parser.add_argument("--out", required=True, help="Where to write the JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["folder"]
        try:
            export = read_polis_folder(folder)
            table = export.vote_table()
        except (PolisDataError, ValueError) as error:
            raise CommandError(f"{folder}: {error}") from None
        result = analyse(
            table,
            options["mode"],
            meta_statements=export.meta_statements(),
            excluded_statements=export.moderated_out(),
        )
        data = result.to_json()
        consensus = [
            {"direction": direction, **entry}
            for direction in ("agree", "disagree")
            for entry in data["consensus"][direction]
        ]
        output = {
            "mode": result.mode,
            "groups": {pid: entry["group"] for pid, entry in data["participants"].items()},
            "group_informed_consensus": data["group_informed_consensus"],
            "consensus": consensus,
            "repness": {str(group["index"]): group["repness"] for group in data["groups"]},
        }
        _write(options["out"], json.dumps(output, ensure_ascii=False) + "\n")
        sizes = ", ".join(str(group["size"]) for group in data["groups"])
        self.stdout.write(
            f"{result.mode}: {data['n_participants']} participants, {data['n_votes']} votes, "
            f"{len(data['groups'])} groups ({sizes or 'none'})."
        )


def _write(out: str, text: str) -> None:
    """Write all or nothing (a temporary file beside the target, then renamed)."""
    target = Path(out)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".analyse_polis-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise CommandError(f"Cannot write {out}: {error.strerror or error}") from None
