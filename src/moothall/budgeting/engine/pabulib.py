"""A strict reader and writer for the Pabulib ``.pb`` format (pabulib.org/format).

A file has three sections, each a title line (``META``, ``PROJECTS``, ``VOTES``), a header
line of ``;``-separated column names and rows of ``;``-separated values (CSV quoting: a
field holding ``;`` or ``"`` is wrapped in double quotes, a quote inside is doubled).
Surrounding spaces of a field are ignored (the format's own example writes ``key; value``).

Every value is kept as the text it was in the file, in its column order, so unknown META
keys and extra project or vote columns survive a read → write → read round trip. The typed
parts the rules need (budget, costs, ballots, points) are parsed and checked on reading:
anything malformed raises :class:`PabulibError`, whose message is one line naming the line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

VOTE_TYPES = ("approval", "cumulative", "ordinal", "choose-1", "scoring")
SECTIONS = ("META", "PROJECTS", "VOTES")


class PabulibError(ValueError):
    """A malformed ``.pb`` file. ``str()`` is one line; ``line`` is the line number or None."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.reason = message.replace("\n", " ")
        super().__init__(f"line {line}: {self.reason}" if line is not None else self.reason)


@dataclass(eq=True)
class PbProject:
    project_id: str
    cost: Decimal
    fields: dict[str, str]  # every column of the row, by header name (project_id and cost too)


@dataclass(eq=True)
class PbVote:
    voter_id: str
    projects: list[str]  # in the file's order (best first for ordinal and cumulative)
    points: list[Decimal] | None  # same length as projects (cumulative and scoring only)
    fields: dict[str, str]


@dataclass(eq=True)
class PbFile:
    meta: dict[str, str]
    project_columns: list[str]
    projects: list[PbProject]
    vote_columns: list[str]
    votes: list[PbVote]
    comment_lines: list[str] = field(default_factory=list)

    @property
    def budget(self) -> Decimal:
        return _number(self.meta["budget"], "budget", None)

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"].strip().lower()

    @property
    def rule(self) -> str | None:
        value = self.meta.get("rule", "").strip()
        return value or None

    def selected(self) -> list[str] | None:
        """The ids marked ``selected`` 1 (the declared outcome), or None without the column."""
        if "selected" not in self.project_columns:
            return None
        return [p.project_id for p in self.projects if p.fields.get("selected", "").strip() == "1"]

    def int_meta(self, key: str) -> int | None:
        value = self.meta.get(key, "").strip()
        if not value:
            return None
        try:
            return int(Decimal(value))
        except (InvalidOperation, ValueError):
            return None


def _number(text: str, what: str, line: int | None) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PabulibError(f"{what} is not a number: {text.strip()[:40]!r}", line) from None
    if not value.is_finite():
        raise PabulibError(f"{what} is not a finite number: {text.strip()[:40]!r}", line)
    return value


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, stripped fields) of every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise PabulibError(f"unreadable quoting ({error})", reader.line_num) from None
        start, line = line, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        yield start, [cell.strip() for cell in row]


def parse_pb(text: str) -> PbFile:
    """Parse the text of a ``.pb`` file. Raises PabulibError."""
    if not isinstance(text, str):
        raise PabulibError("the file is not text")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise PabulibError("the file is not text (it holds NUL bytes)")
    meta: dict[str, str] = {}
    project_columns: list[str] = []
    projects: list[PbProject] = []
    vote_columns: list[str] = []
    raw_votes: list[tuple[int, list[str]]] = []
    section: str | None = None
    header: list[str] | None = None
    seen: list[str] = []
    last_line = 0
    for line, row in _rows(text):
        last_line = line
        title = row[0].upper() if len(row) == 1 or all(not c for c in row[1:]) else ""
        if title in SECTIONS:
            expected = SECTIONS[len(seen)] if len(seen) < len(SECTIONS) else None
            if title != expected:
                raise PabulibError(
                    f"section {title} out of place (expected {expected or 'the end of the file'})",
                    line,
                )
            seen.append(title)
            section, header = title, None
            continue
        if section is None:
            raise PabulibError("the file must start with META", line)
        if header is None:
            header = _header(section, row, line)
            if section == "PROJECTS":
                project_columns = header
            elif section == "VOTES":
                vote_columns = header
            continue
        if len(row) != len(header):
            raise PabulibError(f"{len(row)} fields where the header has {len(header)}", line)
        if section == "META":
            key, value = row
            if not key:
                raise PabulibError("META key is empty", line)
            if key in meta:
                raise PabulibError(f"META key {key!r} repeated", line)
            meta[key] = value
        elif section == "PROJECTS":
            projects.append(_project(header, row, line))
        else:
            raw_votes.append((line, row))
    if len(seen) < len(SECTIONS):
        raise PabulibError(f"section {SECTIONS[len(seen)]} is missing", last_line or None)
    if header is None:
        raise PabulibError("VOTES has no header line", last_line)
    for key in ("budget", "vote_type"):
        if not meta.get(key):
            raise PabulibError(f"META has no {key}")
    budget = _number(meta["budget"], "budget", None)
    if budget <= 0:
        raise PabulibError("budget must be positive")
    vote_type = meta["vote_type"].strip().lower()
    if vote_type not in VOTE_TYPES:
        raise PabulibError(f"unknown vote_type {meta['vote_type']!r}")
    ids: dict[str, int] = {}
    for project in projects:
        if project.project_id in ids:
            raise PabulibError(f"project {project.project_id!r} listed twice")
        ids[project.project_id] = 1
    votes = [_vote(vote_columns, row, line, vote_type, ids) for line, row in raw_votes]
    voter_ids = set()
    for (line, _row), vote in zip(raw_votes, votes, strict=True):
        if vote.voter_id in voter_ids:
            raise PabulibError(f"voter {vote.voter_id!r} listed twice", line)
        voter_ids.add(vote.voter_id)
    _check_count(meta, "num_projects", len(projects))
    _check_count(meta, "num_votes", len(votes))
    return PbFile(meta, project_columns, projects, vote_columns, votes)


def _check_count(meta: dict[str, str], key: str, actual: int) -> None:
    text = meta.get(key, "").strip()
    if not text:
        return
    try:
        declared = int(text)
    except ValueError:
        raise PabulibError(f"{key} is not a whole number: {text[:40]!r}") from None
    if declared != actual:
        raise PabulibError(f"{key} says {declared} but the file has {actual}")


def _header(section: str, row: list[str], line: int) -> list[str]:
    if any(not name for name in row):
        raise PabulibError(f"{section} header has an empty column name", line)
    if len(set(row)) != len(row):
        raise PabulibError(f"{section} header repeats a column", line)
    if section == "META" and [c.lower() for c in row] != ["key", "value"]:
        raise PabulibError("META header must be key;value", line)
    if section == "PROJECTS" and ("project_id" not in row or "cost" not in row):
        raise PabulibError("PROJECTS header needs project_id and cost", line)
    if section == "VOTES" and ("voter_id" not in row or "vote" not in row):
        raise PabulibError("VOTES header needs voter_id and vote", line)
    return row


def _project(header: list[str], row: list[str], line: int) -> PbProject:
    fields = dict(zip(header, row, strict=True))
    project_id = fields["project_id"]
    if not project_id:
        raise PabulibError("project_id is empty", line)
    if "," in project_id:
        raise PabulibError(f"project_id {project_id!r} holds a comma", line)
    cost = _number(fields["cost"], f"cost of project {project_id!r}", line)
    if cost <= 0:
        raise PabulibError(f"cost of project {project_id!r} must be positive", line)
    return PbProject(project_id, cost, fields)


def _vote(
    header: list[str], row: list[str], line: int, vote_type: str, ids: dict[str, int]
) -> PbVote:
    fields = dict(zip(header, row, strict=True))
    voter_id = fields["voter_id"]
    if not voter_id:
        raise PabulibError("voter_id is empty", line)
    text = fields["vote"]
    chosen = [part.strip() for part in text.split(",")] if text else []
    if any(not part for part in chosen):
        raise PabulibError(f"vote of voter {voter_id!r} has an empty project id", line)
    for project_id in chosen:
        if project_id not in ids:
            raise PabulibError(f"voter {voter_id!r} votes for unknown project {project_id!r}", line)
    if len(set(chosen)) != len(chosen):
        raise PabulibError(f"voter {voter_id!r} names a project twice", line)
    if vote_type == "choose-1" and len(chosen) > 1:
        raise PabulibError(f"voter {voter_id!r} chose {len(chosen)} projects (choose-1)", line)
    points: list[Decimal] | None = None
    if vote_type in ("cumulative", "scoring"):
        if "points" not in fields:
            raise PabulibError(f"{vote_type} votes need a points column", line)
        parts = [p.strip() for p in fields["points"].split(",")] if fields["points"] else []
        if len(parts) != len(chosen):
            raise PabulibError(
                f"voter {voter_id!r} has {len(parts)} points for {len(chosen)} projects", line
            )
        points = [_number(p, f"points of voter {voter_id!r}", line) for p in parts]
        if vote_type == "cumulative" and any(p < 0 for p in points):
            raise PabulibError(f"voter {voter_id!r} gives negative points", line)
    return PbVote(voter_id, chosen, points, fields)


def read_pb(path: str | Path) -> PbFile:
    """Read a ``.pb`` file from disk (UTF-8). Raises PabulibError (also for I/O problems)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise PabulibError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PabulibError(f"not UTF-8 text (byte {error.start})") from None
    return parse_pb(text)


def write_pb(pb: PbFile) -> str:
    """The text of a ``.pb`` file; values are written as kept (the typed ones as parsed)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in pb.meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    writer.writerow(pb.project_columns)
    for project in pb.projects:
        values = {**project.fields, "project_id": project.project_id}
        if not _same_numbers(values.get("cost"), [project.cost]):
            values["cost"] = _decimal_text(project.cost)
        writer.writerow([values.get(column, "") for column in pb.project_columns])
    out.write("VOTES\n")
    writer.writerow(pb.vote_columns)
    for vote in pb.votes:
        values = {**vote.fields, "voter_id": vote.voter_id}
        if [p.strip() for p in values.get("vote", "").split(",") if p.strip()] != vote.projects:
            values["vote"] = ",".join(vote.projects)
        if vote.points is not None and not _same_numbers(values.get("points"), vote.points):
            values["points"] = points_text(vote.points)
        writer.writerow([values.get(column, "") for column in pb.vote_columns])
    return out.getvalue()


def save_pb(pb: PbFile, path: str | Path) -> None:
    Path(path).write_text(write_pb(pb), encoding="utf-8")


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _same_numbers(text: str | None, numbers: list[Decimal]) -> bool:
    if text is None:
        return False
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    try:
        return [Decimal(p) for p in parts] == numbers
    except InvalidOperation:
        return False


def points_text(points: list[Decimal]) -> str:
    return ",".join(_decimal_text(p) for p in points)
