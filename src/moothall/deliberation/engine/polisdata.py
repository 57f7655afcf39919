"""Reader and writer for the Polis open-data format (github.com/compdemocracy/openData).

A conversation is a folder of four CSV files (comma-separated, ``"`` quoting, ``\\n`` line
ends, UTF-8):

``comments.csv``
    one row per statement. Two layouts are in the wild; both are subsequences of
    :data:`COMMENT_COLUMNS`. Older exports: ``timestamp,datetime,comment-id,author-id,agrees,
    disagrees,moderated,comment-body``; newer ones drop ``datetime`` and add ``is-meta``,
    ``is-seed`` and ``group-informed-consensus`` before ``comment-body``. ``moderated`` is
    1 (accepted), 0 (not yet moderated) or -1 (moderated out); ``agrees``/``disagrees``
    count vote events (changed votes included).
``votes.csv``
    ``timestamp,datetime,comment-id,voter-id,vote``: every vote event, ``vote`` 1 agree,
    -1 disagree, 0 pass. A participant may vote on a statement more than once; the last
    (by timestamp) counts.
``participants-votes.csv``
    one row per participant: ``participant,[xid,]group-id,n-comments,n-votes,n-agree,
    n-disagree`` then one column per statement id (the participant's last vote or empty).
    ``group-id`` is empty for participants Polis did not place in a group.
``summary.csv``
    ``key,value`` rows without a header (topic, url, views, voters, voters-in-conv,
    commenters, comments, groups, conversation-description).

Every value is kept as the text it was in the file, rows in file order and columns in file
order, so a read → write round trip gives the same bytes back. The typed views the engine
needs (vote arrays, moderation, groups) are methods of :class:`PolisExport`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .table import VoteTable

COMMENTS = "comments.csv"
VOTES = "votes.csv"
PARTICIPANTS = "participants-votes.csv"
SUMMARY = "summary.csv"

# Every column either layout uses, in the order they appear in files.
COMMENT_COLUMNS = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "is-meta",
    "is-seed",
    "group-informed-consensus",
    "comment-body",
)
VOTE_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANT_COLUMNS = (
    "participant",
    "xid",
    "group-id",
    "n-comments",
    "n-votes",
    "n-agree",
    "n-disagree",
)
SUMMARY_KEYS = (
    "topic",
    "url",
    "views",
    "voters",
    "voters-in-conv",
    "commenters",
    "comments",
    "groups",
    "conversation-description",
)
REQUIRED_COMMENT_COLUMNS = ("comment-id", "moderated")
REQUIRED_VOTE_COLUMNS = ("comment-id", "voter-id", "vote")
REQUIRED_PARTICIPANT_COLUMNS = ("participant", "group-id")

Row = dict[str, str]


class PolisDataError(ValueError):
    """A missing or malformed open-data folder; ``str()`` is one line naming file and line."""


@dataclass(eq=True)
class PolisExport:
    """One conversation as its four files hold it. Read from files, every value is the
    file's text; rows built for writing may also hold numbers, booleans (``true``/
    ``false``) and None (empty)."""

    summary: dict[str, Any] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)
    votes: list[dict[str, Any]] = field(default_factory=list)
    participants: list[dict[str, Any]] = field(default_factory=list)

    # Typed views ----------------------------------------------------------------------

    def statement_ids(self) -> list[int]:
        """Every statement (comment) id, in file order."""
        return [int(row["comment-id"]) for row in self.comments]

    def moderated_out(self) -> frozenset[int]:
        """Statements a moderator removed (``moderated`` -1)."""
        return frozenset(
            int(row["comment-id"]) for row in self.comments if _text(row["moderated"]) == "-1"
        )

    def meta_statements(self) -> frozenset[int]:
        """Statements marked ``is-meta`` (newer exports only)."""
        return frozenset(
            int(row["comment-id"])
            for row in self.comments
            if _text(row.get("is-meta")).lower() == "true"
        )

    def group_ids(self) -> dict[int, int | None]:
        """Polis' own group of each participant (None when Polis did not place them)."""
        return {
            int(row["participant"]): (int(row["group-id"]) if _text(row.get("group-id")) else None)
            for row in self.participants
        }

    def vote_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """``(participants, statements, values, timestamps)`` of every vote event, as int64
        arrays in file order (timestamps None when the file has none)."""
        n = len(self.votes)
        participants = np.fromiter((int(r["voter-id"]) for r in self.votes), np.int64, n)
        statements = np.fromiter((int(r["comment-id"]) for r in self.votes), np.int64, n)
        values = np.fromiter((int(r["vote"]) for r in self.votes), np.int64, n)
        timestamps = None
        if n and all(_text(r.get("timestamp")) for r in self.votes):
            timestamps = np.fromiter((int(r["timestamp"]) for r in self.votes), np.int64, n)
        return participants, statements, values, timestamps

    def vote_table(self) -> VoteTable:
        """The votes as a :class:`VoteTable` (the last vote per pair, by timestamp)."""
        from .table import VoteTable

        return VoteTable.from_arrays(*self.vote_arrays())


# Reading ----------------------------------------------------------------------------------


def read_polis_folder(path: str | os.PathLike[str]) -> PolisExport:
    """Read a Polis open-data folder. ``comments.csv`` and ``votes.csv`` are required;
    ``participants-votes.csv`` and ``summary.csv`` are read when present. Raises
    :class:`PolisDataError` for a missing folder or file, a missing column or a malformed
    id, vote or timestamp."""
    folder = Path(path)
    if not folder.is_dir():
        raise PolisDataError("not a folder (or it does not exist)")
    for name in (COMMENTS, VOTES):
        if not (folder / name).is_file():
            raise PolisDataError(f"{name} is missing")
    comments = _read_table(folder / COMMENTS, REQUIRED_COMMENT_COLUMNS)
    votes = _read_table(folder / VOTES, REQUIRED_VOTE_COLUMNS)
    participants: list[Row] = []
    if (folder / PARTICIPANTS).is_file():
        participants = _read_table(folder / PARTICIPANTS, REQUIRED_PARTICIPANT_COLUMNS)
    summary: dict[str, str] = {}
    if (folder / SUMMARY).is_file():
        summary = _read_summary(folder / SUMMARY)
    _check(comments, votes, participants)
    return PolisExport(summary=summary, comments=comments, votes=votes, participants=participants)


def _read_text(path: Path) -> str:
    try:
        # utf-8-sig: a byte-order mark (spreadsheet exports) is not part of the first name.
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise PolisDataError(f"{path.name}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise PolisDataError(f"{path.name}: cannot be read ({error.strerror})") from None


def _read_table(path: Path, required: Sequence[str]) -> list[Row]:
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise PolisDataError(f"{path.name}: empty file (no header line)") from None
    except csv.Error as error:
        raise PolisDataError(f"{path.name} line 1: {error}") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise PolisDataError(f"{path.name}: no column {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise PolisDataError(f"{path.name}: a column name appears twice in the header")
    rows: list[Row] = []
    try:
        for record in reader:
            if not record:
                continue
            if len(record) != len(header):
                raise PolisDataError(
                    f"{path.name} line {reader.line_num}: {len(record)} fields, "
                    f"the header has {len(header)}"
                )
            rows.append(dict(zip(header, record, strict=True)))
    except csv.Error as error:
        raise PolisDataError(f"{path.name} line {reader.line_num}: {error}") from None
    return rows


def _read_summary(path: Path) -> dict[str, str]:
    summary: dict[str, str] = {}
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), strict=True)
    try:
        for record in reader:
            if not record:
                continue
            if len(record) != 2:
                raise PolisDataError(
                    f"{path.name} line {reader.line_num}: expected key,value "
                    f"(got {len(record)} fields)"
                )
            summary[record[0]] = record[1]
    except csv.Error as error:
        raise PolisDataError(f"{path.name} line {reader.line_num}: {error}") from None
    return summary


def _integer(text: str, what: str, where: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise PolisDataError(f"{where}: {what} {text!r} is not a whole number") from None


def _check(comments: list[Row], votes: list[Row], participants: list[Row]) -> None:
    """Check the fields the engine relies on (ids, votes, moderation, timestamps)."""
    seen: set[int] = set()
    for line, row in enumerate(comments, start=2):
        where = f"{COMMENTS} line {line}"
        tid = _integer(row["comment-id"], "comment-id", where)
        if tid < 0:
            raise PolisDataError(f"{where}: comment-id {tid} is negative")
        if tid in seen:
            raise PolisDataError(f"{where}: comment-id {tid} appears twice")
        seen.add(tid)
        if row["moderated"].strip() not in ("-1", "0", "1"):
            raise PolisDataError(f"{where}: moderated must be -1, 0 or 1")
    has_timestamp = "timestamp" in (votes[0] if votes else {})
    for line, row in enumerate(votes, start=2):
        where = f"{VOTES} line {line}"
        tid = _integer(row["comment-id"], "comment-id", where)
        if tid not in seen:
            raise PolisDataError(f"{where}: comment-id {tid} is not in {COMMENTS}")
        if _integer(row["voter-id"], "voter-id", where) < 0:
            raise PolisDataError(f"{where}: voter-id is negative")
        if row["vote"].strip() not in ("-1", "0", "1"):
            raise PolisDataError(f"{where}: vote must be -1, 0 or 1 (got {row['vote']!r})")
        if has_timestamp:
            _integer(row["timestamp"], "timestamp", where)
    for line, row in enumerate(participants, start=2):
        where = f"{PARTICIPANTS} line {line}"
        _integer(row["participant"], "participant", where)
        if row["group-id"].strip():
            _integer(row["group-id"], "group-id", where)


# Writing ----------------------------------------------------------------------------------


def write_polis_folder(path: str | os.PathLike[str], export: PolisExport) -> None:
    """Write the four files into ``path`` (created if needed), each replaced whole.

    Columns: those of :data:`COMMENT_COLUMNS` / :data:`VOTE_COLUMNS` /
    :data:`PARTICIPANT_COLUMNS` that the rows use, in that order, then any other columns in
    first-seen order; participants' statement columns last, in numeric order. Values may be
    text, numbers, booleans (written ``true``/``false``) or None (empty)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    # An empty comments table gets the newer layout's header (no ``datetime``).
    newer = [name for name in COMMENT_COLUMNS if name != "datetime"]
    _write(folder / COMMENTS, _table_text(export.comments, COMMENT_COLUMNS, newer))
    _write(folder / VOTES, _table_text(export.votes, VOTE_COLUMNS, VOTE_COLUMNS))
    _write(folder / PARTICIPANTS, _participants_text(export.participants))
    _write(folder / SUMMARY, _summary_text(export.summary))


def _cell(value: object) -> str:
    """A value as the file writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _text(value: object) -> str:
    """A value as the typed views compare it (written form, spaces stripped)."""
    return _cell(value).strip()


def _columns(rows: Iterable[Mapping[str, object]], known: Sequence[str]) -> list[str]:
    present: dict[str, None] = {}
    for row in rows:
        for key in row:
            present.setdefault(key, None)
    ordered = [name for name in known if name in present]
    ordered += [name for name in present if name not in known]
    return ordered


def _csv_text(header: Sequence[str] | None, records: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    if header is not None:
        writer.writerow(header)
    writer.writerows(records)
    return buffer.getvalue()


def _table_text(
    rows: Sequence[Mapping[str, object]], known: Sequence[str], empty: Sequence[str]
) -> str:
    """``empty`` is the header written when there are no rows."""
    columns = _columns(rows, known) if rows else list(empty)
    return _csv_text(columns, ([_cell(row.get(name)) for name in columns] for row in rows))


def _participants_text(rows: Sequence[Mapping[str, object]]) -> str:
    present = _columns(rows, PARTICIPANT_COLUMNS) if rows else list(PARTICIPANT_COLUMNS)
    fixed = [name for name in present if not name.isdigit()]
    statements = sorted((name for name in present if name.isdigit()), key=int)
    columns = fixed + statements
    return _csv_text(columns, ([_cell(row.get(name)) for name in columns] for row in rows))


def _summary_text(summary: Mapping[str, object]) -> str:
    return _csv_text(None, ([key, _cell(value)] for key, value in summary.items()))


def _write(target: Path, text: str) -> None:
    """Write all or nothing: a temporary file beside the target, then renamed over it."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Helpers for exporters ----------------------------------------------------------------------


def polis_datetime(timestamp_ms: int) -> str:
    """The ``datetime`` column for a millisecond timestamp, in Polis' (Java) style, in UTC:
    ``Fri Sep 20 19:29:43 UTC 2024``."""
    moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    return moment.strftime("%a %b %d %H:%M:%S UTC %Y")


def participants_rows(
    table: VoteTable,
    statements: Sequence[int],
    *,
    groups: Mapping[int, int | None] | None = None,
    authored: Mapping[int, int] | None = None,
    xids: Mapping[int, str] | None = None,
    participants: Sequence[int] | None = None,
) -> list[Row]:
    """Rows of ``participants-votes.csv`` from a vote table: one per participant (those of
    the table, or ``participants``), with their group (empty when None), statements
    written, votes, agrees, disagrees and last vote on each of ``statements``. ``xids``
    given adds the newer layout's ``xid`` column."""
    groups = groups or {}
    authored = authored or {}
    columns = [str(tid) for tid in statements]
    people = list(participants) if participants is not None else table.participants.tolist()
    votes = table.votes_by_participant()
    rows: list[Row] = []
    for pid in people:
        mine = votes.get(pid, {})
        row: Row = {"participant": str(pid)}
        if xids is not None:
            row["xid"] = xids.get(pid, "")
        group = groups.get(pid)
        row["group-id"] = "" if group is None else str(group)
        row["n-comments"] = str(authored.get(pid, 0))
        row["n-votes"] = str(len(mine))
        row["n-agree"] = str(sum(1 for value in mine.values() if value == 1))
        row["n-disagree"] = str(sum(1 for value in mine.values() if value == -1))
        for tid, name in zip(statements, columns, strict=True):
            value = mine.get(tid)
            row[name] = "" if value is None else str(value)
        rows.append(row)
    return rows
