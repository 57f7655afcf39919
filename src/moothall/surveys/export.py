"""A survey's submitted responses as CSV, for staff: one row per response.

Columns, in order: the response's id, channel (online or paper), when it was sent, the
respondent's ward; then each question in survey order — one column for most kinds, and
for a multiple-choice question one column per option (1 ticked, 0 not ticked), for a
ranking one column per option (its position, 1 = first; empty when not ranked), for an
agreement matrix one column per row (the scale label chosen); last the four
equality-monitoring answers when the survey asks them. A question the respondent did not
answer (skipped by a condition, or left empty) is an empty cell, never 0.

Choices are written as their labels, so the file reads on its own; ids and numbers are
written as numbers. Any text starting with = + - @ (or a tab or carriage return) gets a
leading apostrophe so spreadsheet programs do not run it as a formula. The file starts
with a byte-order mark so Excel reads it as UTF-8. Rows are streamed in batches, so a
survey of any size downloads in flat memory.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from moothall.population.bands import PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL
from moothall.surveys import logic
from moothall.surveys.models import Kind, Question, Response, Survey
from moothall.surveys.results import EQUALITY_FIELDS, equality_labels, labelled, to_decimal

BATCH = 500
BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would read as a formula, defused with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    question: Question | None = None
    part: str = ""  # the option or matrix-row key this column is about


def columns(survey: Survey, questions: list[Question]) -> list[Column]:
    out = [
        Column(_("Response")),
        Column(_("Channel")),
        Column(_("Submitted at")),
        Column(_("Ward")),
    ]
    for number, question in enumerate(questions, start=1):
        head = f"Q{number} {question.text}"
        if question.kind in (Kind.MULTIPLE_CHOICE, Kind.RANKING):
            for key, label in labelled(question.options):
                out.append(Column(f"{head} [{label}]", question, key))
        elif question.kind == Kind.LIKERT:
            rows = labelled(question.options) or [("", question.text)]
            for key, label in rows:
                heading = head if len(rows) == 1 and not key else f"{head} [{label}]"
                out.append(Column(heading, question, key))
        else:
            out.append(Column(head, question))
    if survey.equality_monitoring:
        labels = equality_labels()
        out.extend(Column(labels[name]) for name, _choices in EQUALITY_FIELDS)
    return out


def _cell(column: Column, value: Any, ward_names: dict[int, str]) -> Any:
    question = column.question
    assert question is not None
    kind = question.kind
    if kind == Kind.SINGLE_CHOICE:
        return dict(labelled(question.options)).get(str(value), str(value))
    if kind == Kind.MULTIPLE_CHOICE:
        ticked = {str(v) for v in value} if isinstance(value, list) else set()
        return 1 if column.part in ticked else 0
    if kind == Kind.RANKING:
        order = [str(v) for v in value] if isinstance(value, list) else []
        return order.index(column.part) + 1 if column.part in order else None
    if kind == Kind.LIKERT:
        scale = dict(labelled(question.scale))
        if isinstance(value, dict):
            chosen = value.get(column.part)
            return None if chosen is None else scale.get(str(chosen), str(chosen))
        return scale.get(str(value), str(value))  # a single statement stored bare
    if kind == Kind.NUMBER:
        number = to_decimal(value)
        return number if number is not None else str(value)
    if kind == Kind.WARD:
        try:
            return ward_names.get(int(value), str(value))
        except (TypeError, ValueError):
            return str(value)
    return value if isinstance(value, str) else str(value)


def rows(survey: Survey) -> Iterator[list[Any]]:
    """The heading row, then one row per submitted response (oldest first), as values."""
    from moothall.councils.models import Ward

    questions = logic.ordered(Question.objects.filter(survey=survey))
    cols = columns(survey, questions)
    yield [c.heading for c in cols]
    ward_names = dict(Ward.objects.filter(council_id=survey.council_id).values_list("id", "name"))
    equality_words = {
        name: {**dict(choices.choices), PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY_LABEL}
        for name, choices in EQUALITY_FIELDS
    }
    channels = dict(Response.Channel.choices)
    found = (
        Response.objects.filter(survey=survey, state=Response.State.SUBMITTED)
        .order_by("submitted_at", "id")
        .prefetch_related("answers")
    )
    for response in found.iterator(chunk_size=BATCH):
        given = {a.question_id: a.value for a in response.answers.all()}
        submitted = response.submitted_at
        row: list[Any] = [
            response.pk,
            str(channels.get(response.channel, response.channel)),
            timezone.localtime(submitted).isoformat(timespec="seconds") if submitted else None,
            ward_names.get(response.ward_id) if response.ward_id else None,
        ]
        for column in cols[4:]:
            if column.question is None:
                break
            value = given.get(column.question.pk)
            row.append(None if value in (None, "", [], {}) else _cell(column, value, ward_names))
        if survey.equality_monitoring:
            for name, _choices in EQUALITY_FIELDS:
                value = getattr(response, name)
                row.append(str(equality_words[name].get(value, value)) if value else None)
        yield row


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def lines(survey: Survey) -> Iterator[str]:
    """The CSV text, line by line, starting with the byte-order mark."""
    writer = csv.writer(_Echo())
    yield BOM
    for row in rows(survey):
        yield writer.writerow(["" if v is None else _plain(safe_cell(v)) for v in row])


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # 12.5000 (the database's four places) → 12.5; 3.0000 → 3
        text = format(value.normalize(), "f")
        return text
    return value


_UNSAFE = re.compile(r"[^a-z0-9-]+")


def filename(survey: Survey) -> str:
    """A file name of lowercase letters, digits and hyphens: council-survey-responses.csv."""
    parts = [survey.council.slug, survey.slug, "responses"]
    name = "-".join(_UNSAFE.sub("-", p.lower()).strip("-") for p in parts if p)
    return (name[:120].strip("-") or "responses") + ".csv"


def response(survey: Survey) -> StreamingHttpResponse:
    """The download as an HTTP response, streamed."""
    out = StreamingHttpResponse(lines(survey), content_type="text/csv; charset=utf-8")
    out["Content-Disposition"] = f'attachment; filename="{filename(survey)}"'
    out["X-Content-Type-Options"] = "nosniff"
    return out
