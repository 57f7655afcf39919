"""``python -m moothall pb_results FILE.pb [--rule RULE] --out FILE.json``: the result of a
Pabulib file under a rule (by default the file's own ``rule`` line), as JSON::

    {"rule": "equalshares/add1", "selected": ["24", "41", ...], "spent": 995079,
     "budget": 1000000}

``selected`` lists project ids as in the file, in the order the rule chose them. Nothing is
written when the file is missing or malformed or the rule unknown: one line on stderr and a
non-zero exit instead.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moothall.budgeting.engine import (
    RULES,
    Election,
    ElectionError,
    PabulibError,
    compute,
    read_pb,
)


class Command(BaseCommand):
    help = (
        "Compute the result of a Pabulib .pb file (greedy, greedy-no-skip, equalshares, "
        "equalshares/add1, equalshares/add1-comparison) and write it as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .pb file")
        parser.add_argument(
            "--rule", default=None, help=f"One of {', '.join(RULES)} (default: the file's rule)"
        )
        parser.add_argument("--out", required=True, help="Where to write the JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            pb = read_pb(path)
            election = Election.from_pb(pb)
        except (PabulibError, ElectionError) as error:
            raise CommandError(f"{path}: {error}") from None
        rule = options["rule"] or pb.rule
        if not rule:
            raise CommandError(f"{path} has no rule line: give --rule ({', '.join(RULES)})")
        if rule not in RULES:
            raise CommandError(f"Unknown rule {rule!r}: use one of {', '.join(RULES)}")
        outcome = compute(election, rule, explain=False)
        data = {
            "rule": rule,
            "selected": outcome.selected,
            "spent": _number(outcome.spent),
            "budget": _number(outcome.budget),
        }
        _write(options["out"], json.dumps(data, ensure_ascii=False) + "\n")
        self.stdout.write(
            f"{rule}: {len(outcome.selected)} projects selected, "
            f"{data['spent']} of {data['budget']} spent."
        )


def _number(value: Any) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _write(out: str, text: str) -> None:
    """Write all or nothing (a temporary file beside the target, then renamed)."""
    target = Path(out)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".pb_results-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise CommandError(f"Cannot write {out}: {error.strerror or error}") from None
