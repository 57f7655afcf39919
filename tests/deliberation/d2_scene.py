"""Small Polis folders and conversations for D2's tests (interchange, report, API)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from moothall.deliberation.models import Conversation, Participant, Statement, Vote

# A tiny conversation in the newer open-data layout: 3 statements (the last removed by a
# moderator), 4 participants, and one vote changed (participant 1 on statement 0:
# agree, then disagree a minute later).
COMMENTS = [
    [
        "timestamp",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "is-meta",
        "is-seed",
        "group-informed-consensus",
        "comment-body",
    ],
    ["1700000000000", "0", "0", "3", "1", "1", "false", "true", "0.5", "More benches in the park"],
    [
        "1700000001000",
        "1",
        "1",
        "1",
        "2",
        "1",
        "false",
        "false",
        "0.25",
        "Longer library hours,\nplease",
    ],
    ["1700000002000", "2", "2", "0", "0", "-1", "false", "false", "", "Something rude"],
]
VOTES = [
    ["timestamp", "datetime", "comment-id", "voter-id", "vote"],
    ["1700000000000", "x", "0", "0", "1"],
    ["1700000010000", "x", "0", "1", "1"],
    ["1700000070000", "x", "0", "1", "-1"],
    ["1700086400000", "x", "0", "2", "1"],
    ["1700000011000", "x", "1", "1", "1"],
    ["1700000012000", "x", "1", "0", "-1"],
    ["1700086500000", "x", "1", "3", "0"],
    ["1700086600000", "x", "1", "2", "-1"],
]
PARTICIPANTS = [
    ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", "0", "1"],
    ["0", "abc", "0", "1", "2", "1", "1", "1", "-1"],
    ["1", "", "0", "1", "2", "1", "1", "-1", "1"],
    ["2", "", "", "1", "2", "1", "1", "1", "-1"],
    ["3", "", "", "0", "1", "0", "0", "", "0"],
]
SUMMARY = [
    ["topic", "Our park"],
    ["url", "https://pol.is/example"],
    ["views", "10"],
    ["conversation-description", "What should the park have?"],
]
FILES = {
    "comments.csv": COMMENTS,
    "votes.csv": VOTES,
    "participants-votes.csv": PARTICIPANTS,
    "summary.csv": SUMMARY,
}


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_folder(folder: Path, files: dict[str, Any] | None = None) -> Path:
    """Write the tiny conversation (or ``files``: name → rows or text) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (files or FILES).items():
        text = content if isinstance(content, str) else csv_text(content)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def zip_bytes(entries: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tiny_zip(prefix: str = "") -> bytes:
    return zip_bytes({prefix + name: csv_text(rows) for name, rows in FILES.items()})


def conversation_with_votes(
    council: Any,
    *,
    status: str = "open",
    statements: list[tuple[str, str]] | None = None,
    votes: dict[tuple[int, int], int] | None = None,
    people: int = 0,
    slug: str = "park",
    **fields: Any,
) -> Conversation:
    """A conversation built straight in the database: ``statements`` as (text, state),
    ``people`` participants, ``votes`` as {(participant number, statement number): value}."""
    conversation = Conversation.objects.create(
        council=council, title=fields.pop("title", "Our park"), slug=slug, status=status, **fields
    )
    for number, (text, state) in enumerate(statements or []):
        Statement.objects.create(conversation=conversation, number=number, text=text, state=state)
    needed = max([people] + [p + 1 for p, _s in (votes or {})])
    for number in range(needed):
        Participant.objects.create(conversation=conversation, number=number)
    by_number = {p.number: p for p in conversation.participants.all()}
    by_statement = {s.number: s for s in conversation.statements.all()}
    for (p, s), value in (votes or {}).items():
        Vote.objects.create(
            conversation=conversation,
            participant=by_number[p],
            statement=by_statement[s],
            value=value,
        )
    return conversation
