"""The CSV of a survey's responses: its columns, values that read back as they were given,
formulas defused, and a byte-order mark for Excel."""

from __future__ import annotations

import csv
import io
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.surveys import export
from moothall.surveys.models import Answer, Kind, Question, Response, Status, Survey
from tests import factories

pytestmark = pytest.mark.django_db

_positions = itertools.count(1)


def opts(*keys: str) -> list[dict[str, str]]:
    return [{"key": k, "label": k.title()} for k in keys]


def ask(survey: Survey, kind: str, text: str, **fields: Any) -> Question:
    return Question.objects.create(
        survey=survey, kind=kind, text=text, position=next(_positions), **fields
    )


def respond(survey: Survey, answers: dict[Question, Any], **fields: Any) -> Response:
    fields.setdefault("state", Response.State.SUBMITTED)
    if fields["state"] == Response.State.SUBMITTED:
        fields.setdefault("submitted_at", timezone.now())
    response = Response.objects.create(survey=survey, **fields)
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=v) for q, v in answers.items()
    )
    return response


def download(survey: Survey) -> tuple[str, list[list[str]]]:
    text = "".join(export.lines(survey))
    assert text.startswith(export.BOM)
    return text, list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def scene(council):
    moot = factories.WardFactory(council=council, name="Moot")
    survey = Survey.objects.create(
        council=council, title="Parks", slug="parks", status=Status.CLOSED
    )
    qs = {
        "text": ask(survey, Kind.SHORT_TEXT, "Your name for the park"),
        "single": ask(survey, Kind.SINGLE_CHOICE, "Visit?", options=opts("often", "never")),
        "multiple": ask(survey, Kind.MULTIPLE_CHOICE, "Use?", options=opts("walk", "play", "dog")),
        "rank": ask(survey, Kind.RANKING, "Spend on?", options=opts("paths", "toilets", "trees")),
        "likert": ask(
            survey,
            Kind.LIKERT,
            "Views",
            options=opts("clean", "safe"),
            scale=[{"key": "agree", "label": "Agree"}, {"key": "disagree", "label": "Disagree"}],
        ),
        "number": ask(survey, Kind.NUMBER, "Visits a month"),
        "ward": ask(survey, Kind.WARD, "Your ward"),
    }
    return survey, qs, moot


def test_the_columns_follow_the_questions_one_per_option_or_row(scene):
    survey, _qs, _moot = scene

    _text, rows = download(survey)

    assert rows[0] == [
        "Response",
        "Channel",
        "Submitted at",
        "Ward",
        "Q1 Your name for the park",
        "Q2 Visit?",
        "Q3 Use? [Walk]",
        "Q3 Use? [Play]",
        "Q3 Use? [Dog]",
        "Q4 Spend on? [Paths]",
        "Q4 Spend on? [Toilets]",
        "Q4 Spend on? [Trees]",
        "Q5 Views [Clean]",
        "Q5 Views [Safe]",
        "Q6 Visits a month",
        "Q7 Your ward",
        "Age",
        "Sex",
        "Disability",
        "Ethnic group",
    ]
    assert rows[1:] == []


def test_each_response_is_one_row_with_its_answers(scene):
    survey, qs, moot = scene
    paper = respond(
        survey,
        {
            qs["text"]: "Oak Park",
            qs["single"]: "often",
            qs["multiple"]: ["walk", "dog"],
            qs["rank"]: ["trees", "paths", "toilets"],
            qs["likert"]: {"clean": "agree", "safe": "disagree"},
            qs["number"]: "12.5",
            qs["ward"]: moot.pk,
        },
        channel=Response.Channel.PAPER,
        ward=moot,
        age_band="25_34",
        sex="prefer_not_to_say",
    )
    online = respond(survey, {qs["single"]: "never"})
    respond(survey, {qs["single"]: "often"}, state=Response.State.IN_PROGRESS)  # not sent

    _text, rows = download(survey)

    assert len(rows) == 3
    first = rows[1]
    assert first[:2] == [str(paper.pk), "Paper"]
    assert first[2].startswith(str(timezone.localtime(paper.submitted_at).date()))
    assert first[3:] == [
        "Moot",
        "Oak Park",
        "Often",
        "1",
        "0",
        "1",
        "2",
        "3",
        "1",
        "Agree",
        "Disagree",
        "12.5",
        "Moot",
        "25 to 34",
        "Prefer not to say",
        "",
        "",
    ]
    # Questions not answered are empty, never 0 (even the tick boxes).
    assert rows[2] == [str(online.pk), "Online", rows[2][2], "", "", "Never"] + [""] * 14


def test_no_equality_columns_when_the_survey_does_not_ask_them(scene):
    survey, _qs, _moot = scene
    survey.equality_monitoring = False
    survey.save()

    _text, rows = download(survey)

    assert rows[0][-1] == "Q7 Your ward"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_a_spreadsheet_would_run_is_defused(scene, start):
    survey, qs, _moot = scene
    respond(survey, {qs["text"]: f'{start}HYPERLINK("http://evil")'})

    _text, rows = download(survey)

    assert rows[1][4] == f'\'{start}HYPERLINK("http://evil")'


def test_numbers_stay_numbers_even_negative(scene):
    survey, qs, _moot = scene
    qs["number"].min_value = Decimal("-100")
    qs["number"].save()
    respond(survey, {qs["number"]: "-5"})
    respond(survey, {qs["number"]: "3.0000"})

    _text, rows = download(survey)

    column = rows[0].index("Q6 Visits a month")
    assert [row[column] for row in rows[1:]] == ["-5", "3"]


def test_question_text_starting_with_a_formula_is_defused_in_the_heading(council):
    survey = Survey.objects.create(council=council, title="S", slug="s", status=Status.CLOSED)
    ask(survey, Kind.SHORT_TEXT, "=1+1")
    survey.equality_monitoring = False
    survey.save()

    _text, rows = download(survey)

    assert rows[0][4] == "Q1 =1+1"  # "Q1 " comes first, so nothing to defuse


def test_the_download_is_streamed_as_an_attachment(scene):
    survey, qs, _moot = scene
    respond(survey, {qs["single"]: "often"})

    response = export.response(survey)

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mootshire-parks-responses.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffResponse,Channel")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        max_size=60,
    )
)
def test_any_text_reads_back_as_written_apart_from_the_defusing_quote(scene, text):
    survey, qs, _moot = scene
    Response.objects.filter(survey=survey).delete()
    if not text:
        return
    respond(survey, {qs["text"]: text})

    raw, rows = download(survey)

    got = rows[1][4]
    expected = "'" + text if text.startswith(export._FORMULA_STARTS) else text
    assert got == expected
    assert raw.count("\ufeff") == 1 + text.count("\ufeff")
