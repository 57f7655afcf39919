"""Polis open-data import and export: a finished Polis conversation in, any conversation out.

:func:`import_conversation` turns a Polis open-data folder (``comments.csv``,
``votes.csv``, ``participants-votes.csv``, ``summary.csv``; read by the engine's
:func:`~moothall.deliberation.engine.read_polis_folder`) into a **closed** conversation of a
council. Closed, because an export is an archive of something that happened elsewhere:
nobody can join it or vote any more, and its report (map, groups, consensus) is public at
once. Staff who want to carry on can open it again like any closed conversation.

What goes where:

- ``summary.csv``: ``topic`` becomes the title, ``conversation-description`` the
  description; every row is kept, in order, as ``Conversation.imported_meta`` (key → text);
- ``comments.csv``: one statement per row, its number the ``comment-id``, its text exactly
  as written, its author the participant numbered ``author-id``; ``moderated`` 1 is
  shown, -1 removed, 0 waiting; ``is-meta`` and ``is-seed`` as given (newer exports);
  the ``timestamp`` is when it was written;
- participants: everyone in ``participants-votes.csv``, ``votes.csv`` or an ``author-id``,
  numbered as in Polis, with ``xid`` as ``Participant.external_id``; they joined when they
  first voted or wrote;
- ``votes.csv``: the last vote of each participant on each statement (by timestamp; equal
  timestamps, the later row) is the vote; it was first cast at the pair's first timestamp.
  Polis also lists votes later changed, and counts them in ``agrees``/``disagrees``:
  those superseded events are kept under the one reserved key :data:`KEPT` of
  ``imported_meta``, so an export gives back the same ``votes.csv`` and the same counts.

Everything is checked before anything is written, and a problem is refused with an
:class:`InterchangeError` naming the file and the line. The import is one transaction and
is audited ("deliberation.imported"). The opinion map is then worked out at once for the
conversation's mode (``polis`` unless asked otherwise, so the groups can be set against
the ones Polis found).

:func:`export_conversation` writes any conversation in the newer open-data layout (with
``is-meta``, ``is-seed``, ``group-informed-consensus`` and ``xid``): the group of each
participant and each statement's group-informed consensus come from the stored analysis
in the conversation's mode (empty when there is none). Exports name nobody: a participant
is a number, and their ``xid`` only when one was imported.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import stat
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from moothall.core.audit import record
from moothall.councils.models import Council
from moothall.deliberation import domain
from moothall.deliberation.engine import (
    PolisDataError,
    PolisExport,
    VoteTable,
    participants_rows,
    polis_datetime,
    read_polis_folder,
    write_polis_folder,
)
from moothall.deliberation.engine.polisdata import SUMMARY_KEYS
from moothall.deliberation.models import (
    Analysis,
    Conversation,
    Mode,
    Participant,
    Statement,
    Status,
    Vote,
)

logger = logging.getLogger(__name__)

# imported_meta's one key that is not a summary row: what an export needs to give back
# the votes.csv it came from (vote events later changed: [timestamp, comment-id, voter-id,
# vote], timestamp null when the file had none).
KEPT = "_polis"
BATCH = 5_000
ROWS_PER_INSERT = 1_000  # votes per INSERT statement
MAX_ID = 2_147_483_647  # the largest PositiveIntegerField value on every database
MAX_TEXT = 10_000  # a statement's text (Polis' own limit is far lower)
XID_LIMIT = 200  # Participant.external_id
TITLE_LIMIT = domain.TITLE_LIMIT
DESCRIPTION_LIMIT = domain.DESCRIPTION_LIMIT
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Timestamps are milliseconds since 1970; anything outside these years is not one.
EARLIEST_MS = int((dt.datetime(1990, 1, 1, tzinfo=dt.UTC) - EPOCH).total_seconds() * 1000)
LATEST_MS = int((dt.datetime(2100, 1, 1, tzinfo=dt.UTC) - EPOCH).total_seconds() * 1000)
STATES: dict[str, str] = {
    "1": Statement.State.ACCEPTED,
    "-1": Statement.State.REJECTED,
    "0": Statement.State.PENDING,
}
MODERATED: dict[str, str] = {str(value): key for key, value in STATES.items()}
TRUTH = {"true": True, "false": False, "": False}
COMMENTS, VOTES, PARTICIPANTS = "comments.csv", "votes.csv", "participants-votes.csv"


class InterchangeError(ValueError):
    """A folder the app cannot import, or a conversation it cannot export. ``str()`` is one
    line, for people, naming the file and line where there is one."""


def moment(milliseconds: int) -> dt.datetime:
    """A Polis timestamp (milliseconds since 1970, UTC) as an aware datetime, exactly."""
    return EPOCH + dt.timedelta(milliseconds=int(milliseconds))


def millis(when: dt.datetime) -> int:
    """An aware datetime as a Polis timestamp (milliseconds since 1970), exactly."""
    return (when - EPOCH) // dt.timedelta(milliseconds=1)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Checking a folder ---------------------------------------------------------------


@dataclass
class _Statement:
    number: int
    author: int | None
    text: str
    state: str
    is_seed: bool
    is_meta: bool
    written: int | None  # ms


@dataclass
class _Plan:
    """Everything an import writes, checked."""

    summary: dict[str, str]
    statements: list[_Statement]
    xids: dict[int, str]
    participants: list[int]
    first_seen: dict[int, int]  # participant → ms
    # The kept votes: participant, statement, value, first and last timestamp (ms or -1).
    vote_pid: np.ndarray
    vote_tid: np.ndarray
    vote_value: np.ndarray
    vote_first: np.ndarray
    vote_last: np.ndarray
    superseded: list[list[int | None]]
    vote_events: int
    times: list[int] = field(default_factory=list)  # every timestamp seen, ms


def _where(name: str, index: int) -> str:
    # The engine's reader counts lines the same way: the header is line 1.
    return f"{name} line {index + 2}"


def _whole(text: str, what: str, where: str, *, low: int = 0, high: int = MAX_ID) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InterchangeError(
            _("%(where)s: %(what)s “%(value)s” is not a whole number.")
            % {"where": where, "what": what, "value": text[:40]}
        ) from None
    if not low <= value <= high:
        raise InterchangeError(
            _("%(where)s: %(what)s %(value)s is out of range (%(low)s to %(high)s).")
            % {"where": where, "what": what, "value": value, "low": low, "high": high}
        )
    return value


def _timestamp(text: str, where: str) -> int | None:
    if not text.strip():
        return None
    value = _whole(text, "timestamp", where, low=-(2**62), high=2**62)
    if not EARLIEST_MS <= value <= LATEST_MS:
        raise InterchangeError(
            _("%(where)s: timestamp %(value)s is not a time in milliseconds since 1970.")
            % {"where": where, "value": value}
        )
    return value


def _flag(row: dict[str, str], column: str, where: str) -> bool:
    text = row.get(column, "").strip().lower()
    if text not in TRUTH:
        raise InterchangeError(
            _("%(where)s: %(column)s must be true or false (not “%(value)s”).")
            % {"where": where, "column": column, "value": text[:20]}
        )
    return TRUTH[text]


def _statement_text(text: str, where: str) -> str:
    if "\x00" in text:
        raise InterchangeError(
            _("%(where)s: the comment holds a character that cannot be stored (NUL).")
            % {"where": where}
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InterchangeError(
            _("%(where)s: the comment holds characters that cannot be stored.") % {"where": where}
        ) from None
    if not text.strip():
        raise InterchangeError(_("%(where)s: the comment is empty.") % {"where": where})
    if len(text) > MAX_TEXT:
        raise InterchangeError(
            _("%(where)s: the comment is longer than %(limit)s characters.")
            % {"where": where, "limit": MAX_TEXT}
        )
    return text


def _plan(export: PolisExport) -> _Plan:
    times: list[int] = []
    if export.comments and "comment-body" not in export.comments[0]:
        raise InterchangeError(_("%(file)s: no column comment-body.") % {"file": COMMENTS})
    statements = []
    for index, row in enumerate(export.comments):
        where = _where(COMMENTS, index)
        number = _whole(row["comment-id"], "comment-id", where)
        author_text = row.get("author-id", "").strip()
        author = _whole(author_text, "author-id", where) if author_text else None
        written = _timestamp(row.get("timestamp", ""), where)
        if written is not None:
            times.append(written)
        statements.append(
            _Statement(
                number=number,
                author=author,
                text=_statement_text(row["comment-body"], where),
                state=STATES[row["moderated"].strip()],
                is_seed=_flag(row, "is-seed", where),
                is_meta=_flag(row, "is-meta", where),
                written=written,
            )
        )

    xids: dict[int, str] = {}
    listed: list[int] = []
    for index, row in enumerate(export.participants):
        where = _where(PARTICIPANTS, index)
        number = _whole(row["participant"], "participant", where)
        if number in xids:
            raise InterchangeError(
                _("%(where)s: participant %(number)s appears twice.")
                % {"where": where, "number": number}
            )
        xid = row.get("xid", "").strip()
        if len(xid) > XID_LIMIT or "\x00" in xid:
            raise InterchangeError(
                _("%(where)s: the xid is longer than %(limit)s characters or unreadable.")
                % {"where": where, "limit": XID_LIMIT}
            )
        xids[number] = xid
        listed.append(number)

    try:
        pids, tids, values, stamps = export.vote_arrays()
    except (ValueError, OverflowError) as error:  # the reader checked each value already
        raise InterchangeError(f"{VOTES}: {error}") from None
    n = len(pids)
    for what, array in (("voter-id", pids), ("comment-id", tids)):
        bad = np.flatnonzero((array < 0) | (array > MAX_ID))
        if bad.size:
            index = int(bad[0])
            raise InterchangeError(
                _("%(where)s: %(what)s %(value)s is out of range (0 to %(high)s).")
                % {
                    "where": _where(VOTES, index),
                    "what": what,
                    "value": int(array[index]),
                    "high": MAX_ID,
                }
            )
    if stamps is not None:
        bad = np.flatnonzero((stamps < EARLIEST_MS) | (stamps > LATEST_MS))
        if bad.size:
            index = int(bad[0])
            raise InterchangeError(
                _("%(where)s: timestamp %(value)s is not a time in milliseconds since 1970.")
                % {"where": _where(VOTES, index), "value": int(stamps[index])}
            )
        if n:
            times += [int(stamps.min()), int(stamps.max())]
    order_stamps = stamps if stamps is not None else np.zeros(n, dtype=np.int64)
    # Sorted by participant, statement, time, then place in the file: the last of each
    # pair's run is the vote that counts.
    order = np.lexsort((np.arange(n), order_stamps, tids, pids))
    sp, st = pids[order], tids[order]
    if n:
        boundary = np.ones(n, dtype=bool)
        boundary[1:] = (sp[1:] != sp[:-1]) | (st[1:] != st[:-1])
        firsts = np.flatnonzero(boundary)
        lasts = np.append(firsts[1:] - 1, n - 1)
    else:
        firsts = lasts = np.zeros(0, dtype=np.int64)
    kept, first = order[lasts], order[firsts]
    is_last = np.zeros(n, dtype=bool)
    is_last[kept] = True
    superseded = [
        [int(stamps[i]) if stamps is not None else None, int(tids[i]), int(pids[i]), int(values[i])]
        for i in np.flatnonzero(~is_last)
    ]
    missing_stamp = np.full(len(kept), -1, dtype=np.int64)

    first_seen: dict[int, int] = {}
    if stamps is not None and n:
        for pid, stamp in zip(pids[first].tolist(), stamps[first].tolist(), strict=True):
            if pid not in first_seen or stamp < first_seen[pid]:
                first_seen[pid] = stamp
    for statement in statements:
        if statement.author is not None and statement.written is not None:
            before = first_seen.get(statement.author)
            if before is None or statement.written < before:
                first_seen[statement.author] = statement.written

    everyone = set(listed) | set(np.unique(pids).tolist())
    everyone |= {s.author for s in statements if s.author is not None}
    return _Plan(
        summary=dict(export.summary),
        statements=statements,
        xids=xids,
        participants=sorted(everyone),
        first_seen=first_seen,
        vote_pid=pids[kept],
        vote_tid=tids[kept],
        vote_value=values[kept],
        vote_first=stamps[first] if stamps is not None else missing_stamp,
        vote_last=stamps[kept] if stamps is not None else missing_stamp,
        superseded=superseded,
        vote_events=n,
        times=times,
    )


# --- Import --------------------------------------------------------------------------


def _insert_votes(rows: Iterable[tuple[Any, ...]]) -> None:
    """Write votes (conversation, participant, statement, value, created, updated) in bulk:
    COPY on PostgreSQL, INSERTs of many rows each elsewhere. Tens of thousands of model
    instances, or of one-row statements, would take most of an import's time."""
    meta = Vote._meta
    quote = connection.ops.quote_name
    names = ("conversation", "participant", "statement", "value", "created_at", "updated_at")
    fields = [meta.get_field(name) for name in names]
    columns = ", ".join(quote(f.column) for f in fields if isinstance(f, Field))
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        most = connection.features.max_query_params or 30_000
        per_statement = max(1, min(ROWS_PER_INSERT, most // len(names)))
        head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        one = "(" + ", ".join(["%s"] * len(names)) + ")"
        batch: list[Any] = []
        count = 0
        for row in rows:
            batch.extend(
                connection.ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v
                for v in row
            )
            count += 1
            if count == per_statement:
                cursor.execute(head + ", ".join([one] * count), batch)
                batch, count = [], 0
        if count:
            cursor.execute(head + ", ".join([one] * count), batch)


def import_conversation(
    council: Council,
    folder: str | PathLike[str],
    *,
    by: Any,
    slug: str | None = None,
    mode: str = Mode.POLIS,
    title: str | None = None,
) -> Conversation:
    """A closed conversation of ``council`` holding the Polis open-data folder at
    ``folder``: its statements, participants and votes, then its opinion map worked out in
    ``mode``. ``by`` (None: the system) must run consultations at the council. Everything
    is checked before anything is written: a malformed folder raises InterchangeError (file
    and line), a slug already used or a bad title ValidationError (keyed by field), a
    person who may not StepRefused. Side effects: audit ("deliberation.imported"), and the
    analysis stored (a failure there is logged; the import stands and the report says no
    analysis yet)."""
    try:
        export = read_polis_folder(folder)
    except PolisDataError as error:
        raise InterchangeError(str(error)) from None
    if mode not in Mode.values:
        raise InterchangeError(
            _("Unknown mode “%(mode)s”: use %(modes)s.")
            % {"mode": mode, "modes": ", ".join(Mode.values)}
        )
    plan = _plan(export)
    conversation = _write(council, plan, by=by, slug=slug, mode=mode, title=title)
    try:
        domain.run_analysis(conversation)
    except Exception:  # the archive is in; its map can be worked out again later
        logger.exception("analysis of imported conversation %s failed", conversation.pk)
    conversation.refresh_from_db()
    return conversation


@transaction.atomic
def _write(
    council: Council, plan: _Plan, *, by: Any, slug: str | None, mode: str, title: str | None
) -> Conversation:
    summary = plan.summary
    name = _clip(title or summary.get("topic", ""), TITLE_LIMIT) or _("Imported Polis conversation")
    description = summary.get("conversation-description", "").strip()[:DESCRIPTION_LIMIT]
    meta: dict[str, Any] = {key: value for key, value in summary.items() if key != KEPT}
    meta[KEPT] = {"superseded_votes": plan.superseded}
    now = timezone.now()
    begun = moment(min(plan.times)) if plan.times else now
    ended = moment(max(plan.times)) if plan.times else now
    conversation = domain.create_conversation(
        council,
        by=by,
        title=name,
        slug=slug or None,
        description=description,
        mode=mode,
        imported_meta=meta,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Status.CLOSED,
        opens_at=begun,
        opened_at=begun,
        closes_at=ended if ended > begun else None,
        closed_at=ended,
        created_at=now,
    )
    conversation.refresh_from_db()

    Participant.objects.bulk_create(
        (
            Participant(
                conversation=conversation,
                number=number,
                external_id=plan.xids.get(number, ""),
                joined_at=moment(plan.first_seen[number]) if number in plan.first_seen else begun,
            )
            for number in plan.participants
        ),
        batch_size=BATCH,
    )
    people = dict(Participant.objects.filter(conversation=conversation).values_list("number", "id"))
    Statement.objects.bulk_create(
        (
            Statement(
                conversation=conversation,
                number=s.number,
                author_id=people.get(s.author) if s.author is not None else None,
                text=s.text,
                state=s.state,
                is_seed=s.is_seed,
                is_meta=s.is_meta,
                created_at=moment(s.written) if s.written is not None else begun,
            )
            for s in plan.statements
        ),
        batch_size=BATCH,
    )
    numbers = dict(Statement.objects.filter(conversation=conversation).values_list("number", "id"))
    _insert_votes(
        (
            conversation.pk,
            people[pid],
            numbers[tid],
            value,
            moment(first) if first >= 0 else now,
            moment(last) if last >= 0 else now,
        )
        for pid, tid, value, first, last in zip(
            plan.vote_pid.tolist(),
            plan.vote_tid.tolist(),
            plan.vote_value.tolist(),
            plan.vote_first.tolist(),
            plan.vote_last.tolist(),
            strict=True,
        )
    )
    record(
        "deliberation.imported",
        actor=by,
        council=council,
        target=conversation,
        source=summary.get("url", ""),
        participants=len(plan.participants),
        statements=len(plan.statements),
        votes=len(plan.vote_pid),
        vote_events=plan.vote_events,
        mode=mode,
    )
    return conversation


# --- Export --------------------------------------------------------------------------


def _number_text(value: Any) -> str:
    """A float as Polis writes it (shortest round-trip form); integers without a point."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    number = float(value)
    return repr(number) if np.isfinite(number) else ""


def _stored_analysis(conversation: Conversation) -> dict[str, Any]:
    data = (
        Analysis.objects.filter(conversation=conversation, mode=conversation.mode)
        .values_list("data", flat=True)
        .first()
    )
    return data if isinstance(data, dict) else {}


def polis_export(conversation: Conversation) -> PolisExport:
    """The conversation as a Polis open-data export (not yet written)."""
    imported = conversation.imported_meta if isinstance(conversation.imported_meta, dict) else {}
    found = imported.get(KEPT)
    kept: dict[str, Any] = found if isinstance(found, dict) else {}
    analysis = _stored_analysis(conversation)

    statements = list(
        Statement.objects.filter(conversation=conversation)
        .order_by("number")
        .values_list(
            "number", "author__number", "text", "state", "is_seed", "is_meta", "created_at"
        )
    )
    known_statements = {row[0] for row in statements}
    participants = dict(
        Participant.objects.filter(conversation=conversation).values_list("number", "external_id")
    )
    # (tid, pid, ts, vote, 1 for the vote that counts / 0 for one it replaced)
    events: list[tuple[int, int, int | None, int, int]] = []
    pids: list[int] = []
    tids: list[int] = []
    values: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.number, s.number, v.value, v.updated_at FROM deliberation_vote v "
            "JOIN deliberation_participant p ON p.id = v.participant_id "
            "JOIN deliberation_statement s ON s.id = v.statement_id "
            "WHERE v.conversation_id = %s",
            [conversation.pk],
        )
        converter = _datetime_converter()
        for pid, tid, value, updated in cursor.fetchall():
            pids.append(pid)
            tids.append(tid)
            values.append(value)
            events.append((tid, pid, millis(converter(updated)), value, 1))
    for stamp, tid, pid, value in kept.get("superseded_votes") or []:
        if tid in known_statements and pid in participants:
            events.append((tid, pid, stamp, value, 0))
    # By statement, voter and time; at equal times the vote that counts comes last, as a
    # reader takes the later row (the replaced ones stay in their file order: a stable sort).
    events.sort(key=lambda e: (e[0], e[1], e[2] if e[2] is not None else -1, e[4]))

    agrees: Counter[int] = Counter()
    disagrees: Counter[int] = Counter()
    for tid, _pid, _stamp, value, _counts in events:
        if value == 1:
            agrees[tid] += 1
        elif value == -1:
            disagrees[tid] += 1
    gic = analysis.get("group_informed_consensus") or {}
    comments = [
        {
            "timestamp": str(millis(created)),
            "comment-id": str(number),
            "author-id": "" if author is None else str(author),
            "agrees": str(agrees[number]),
            "disagrees": str(disagrees[number]),
            "moderated": MODERATED[state],
            "is-meta": "true" if is_meta else "false",
            "is-seed": "true" if is_seed else "false",
            "group-informed-consensus": _number_text(gic.get(str(number))),
            "comment-body": text,
        }
        for number, author, text, state, is_seed, is_meta, created in statements
    ]
    votes = [
        {
            "timestamp": "" if stamp is None else str(stamp),
            "datetime": "" if stamp is None else polis_datetime(stamp),
            "comment-id": str(tid),
            "voter-id": str(pid),
            "vote": str(value),
        }
        for tid, pid, stamp, value, _counts in events
    ]

    table = VoteTable.from_arrays(
        np.array(pids, dtype=np.int64), np.array(tids, dtype=np.int64), np.array(values)
    )
    authored = Counter(author for _n, author, *_rest in statements if author is not None)
    people = sorted(set(pids) | set(authored))
    groups = {
        int(pid): entry.get("group")
        for pid, entry in (analysis.get("participants") or {}).items()
        if isinstance(entry, dict)
    }
    rows = participants_rows(
        table,
        sorted(set(tids)),
        groups=groups,
        authored=authored,
        xids={pid: participants.get(pid, "") for pid in people},
        participants=people,
    )
    return PolisExport(
        summary=_summary(
            conversation,
            imported,
            analysis,
            voters=len(set(pids)),
            commenters=len(authored),
            # Polis counts the statements in its vote matrix (those voted on): the three
            # open-data conversations all agree with that.
            comments=len(set(tids)),
        ),
        comments=comments,
        votes=votes,
        participants=rows,
    )


def _datetime_converter() -> Any:
    """Raw SQL gives SQLite's datetimes as text: turn them into aware datetimes."""
    from django.utils.dateparse import parse_datetime

    def convert(value: Any) -> dt.datetime:
        if isinstance(value, str):
            parsed = parse_datetime(value)
            assert parsed is not None
            value = parsed
        if timezone.is_naive(value):
            value = value.replace(tzinfo=dt.UTC)
        return value

    return convert


def _summary(
    conversation: Conversation,
    imported: dict[str, Any],
    analysis: dict[str, Any],
    *,
    voters: int,
    commenters: int,
    comments: int,
) -> dict[str, str]:
    """summary.csv: the imported rows where they still hold, the counts as they are now."""
    from django.conf import settings

    kept = {k: str(v) for k, v in imported.items() if k != KEPT and isinstance(v, str | int)}
    topic = kept.get("topic", "")
    if _clip(topic, TITLE_LIMIT) != conversation.title:
        topic = conversation.title
    description = kept.get("conversation-description", "")
    if description.strip()[:DESCRIPTION_LIMIT] != conversation.description:
        description = conversation.description
    groups = analysis.get("groups")
    fresh = {
        "topic": topic,
        "url": kept.get("url") or f"{settings.SITE_URL}{conversation.get_absolute_url()}",
        "views": kept.get("views") or str(voters),
        "voters": str(voters),
        "voters-in-conv": str(voters),
        "commenters": str(commenters),
        "comments": str(comments),
        "groups": str(len(groups)) if isinstance(groups, list) else "",
        "conversation-description": description,
    }
    summary = {key: fresh[key] for key in SUMMARY_KEYS}
    for key, value in kept.items():
        summary.setdefault(key, value)
    return summary


def export_conversation(conversation: Conversation, folder: str | PathLike[str]) -> PolisExport:
    """Write ``conversation`` into ``folder`` (created if needed) as the four open-data
    files; returns what was written. Raises InterchangeError when the folder cannot be
    written."""
    export = polis_export(conversation)
    try:
        write_polis_folder(folder, export)
    except OSError as error:
        raise InterchangeError(
            _("Cannot write %(folder)s: %(reason)s")
            % {"folder": folder, "reason": error.strerror or error}
        ) from None
    return export


# --- Zip files (the back-office's upload and download) -----------------------------

# The files an upload may hold (comments.csv and votes.csv must be there).
EXPECTED = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
REQUIRED = ("comments.csv", "votes.csv")
MAX_ZIP_BYTES = 25 * 1024 * 1024  # the upload itself
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # one file, unpacked
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # all of them, unpacked
_IGNORED = ("__MACOSX/",)  # what macOS's "Compress" adds: never unpacked
_CHUNK = 1024 * 1024


def _zip_refusal(message: str) -> InterchangeError:
    return InterchangeError(message)


def unpack_zip(upload: IO[bytes], folder: str | PathLike[str]) -> list[str]:
    """Check a .zip of a Polis export and write its CSV files into ``folder``; returns the
    names written. Only the four open-data names are taken, at the top or inside one
    folder; anything else (another name, a path going up or from the root, a link, an
    encrypted or damaged entry, a duplicate, more than the size limits when unpacked,
    counted as the bytes come out rather than as the zip claims) is refused with an
    InterchangeError, and nothing is written then. The zip's own paths are never used to
    write: each file goes to ``folder``/its expected name."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _zip_refusal(_("The file is not a .zip file (or it is damaged).")) from None
    with archive:
        chosen: dict[str, zipfile.ZipInfo] = {}
        parents: set[str] = set()
        for info in archive.infolist():
            name = info.filename
            if name.startswith(_IGNORED) or name.rsplit("/", 1)[-1] == ".DS_Store":
                continue
            if info.is_dir():
                continue
            parts = name.split("/")
            if (
                "\\" in name
                or name.startswith("/")
                or ":" in parts[0]
                or any(part in ("", ".", "..") for part in parts)
            ):
                raise _zip_refusal(
                    _("The .zip holds a path that is not allowed: %(name)s") % {"name": name[:100]}
                )
            if len(parts) > 2 or parts[-1] not in EXPECTED:
                raise _zip_refusal(
                    _(
                        "The .zip holds %(name)s: it may hold only %(expected)s (at the top, "
                        "or together in one folder)."
                    )
                    % {"name": name[:100], "expected": ", ".join(EXPECTED)}
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _zip_refusal(_("The .zip holds a link: %(name)s") % {"name": name[:100]})
            if info.flag_bits & 0x1:
                raise _zip_refusal(_("The .zip is encrypted: upload it without a password."))
            if parts[-1] in chosen:
                raise _zip_refusal(_("The .zip holds %(name)s twice.") % {"name": parts[-1]})
            chosen[parts[-1]] = info
            parents.add(parts[0] if len(parts) == 2 else "")
        if len(parents) > 1:
            raise _zip_refusal(_("The files in the .zip must be together in one folder."))
        missing = [name for name in REQUIRED if name not in chosen]
        if missing:
            raise _zip_refusal(_("The .zip has no %(names)s.") % {"names": " ".join(missing)})
        target = Path(folder)
        total = 0
        written = []
        for name in EXPECTED:
            member = chosen.get(name)
            if member is None:
                continue
            size = 0
            try:
                with archive.open(member) as source, (target / name).open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES:
                            raise _zip_refusal(
                                _(
                                    "The files in the .zip are too large once unpacked (the "
                                    "most is %(mb)d MB)."
                                )
                                % {"mb": MAX_UNPACKED_BYTES // 1024 // 1024}
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, EOFError, NotImplementedError, zlib.error) as error:
                raise _zip_refusal(
                    _("%(name)s in the .zip cannot be read: %(reason)s")
                    % {"name": name, "reason": str(error)[:100]}
                ) from None
            written.append(name)
        return written


def pack_zip(conversation: Conversation) -> bytes:
    """The conversation's Polis export as a .zip (the four files at its top)."""
    with tempfile.TemporaryDirectory(prefix="moothall-polis-") as folder:
        export_conversation(conversation, folder)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in EXPECTED:
                archive.write(Path(folder) / name, arcname=name)
        return buffer.getvalue()


def import_zip(
    council: Council,
    upload: IO[bytes],
    *,
    by: Any,
    slug: str | None = None,
    mode: str = Mode.POLIS,
) -> Conversation:
    """:func:`import_conversation` from an uploaded .zip (checked by :func:`unpack_zip`)."""
    with tempfile.TemporaryDirectory(prefix="moothall-polis-") as folder:
        unpack_zip(upload, folder)
        return import_conversation(council, folder, by=by, slug=slug, mode=mode)


def refused_messages(error: ValidationError) -> str:
    """A verb's ValidationError as one line (for commands)."""
    return " ".join(str(message) for message in error.messages)


__all__: Sequence[str] = [
    "KEPT",
    "InterchangeError",
    "export_conversation",
    "import_conversation",
    "import_zip",
    "millis",
    "moment",
    "pack_zip",
    "polis_export",
    "refused_messages",
    "unpack_zip",
]
