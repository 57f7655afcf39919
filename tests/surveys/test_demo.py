"""The demo's surveys: Brackenford's parks survey, open with about 150 responses, and its
library survey, closed with results published; built through the verbs, only once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from moothall.councils.demo_data import mootshire
from moothall.councils.models import Council
from moothall.demo.registry import DemoContext, steps
from moothall.surveys import demo_data, domain, logic, representation
from moothall.surveys.models import Answer, Kind, Response, Status, Survey
from moothall.surveys.rules import Phase, phase_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """Mootshire and the demo surveys, built once for this module (the demo takes a few
    seconds), inside a transaction rolled back afterwards so later tests start empty. Each
    test runs in a savepoint of it, as usual."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            mootshire(DemoContext())
            line = demo_data.demo_surveys(DemoContext())
            yield Council.objects.get(slug="brackenford"), line
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_demo_step_is_registered():
    assert "moothall.surveys.demo_data.demo_surveys" in [step.name for step in steps()]


def test_the_parks_survey_is_open_with_every_kind_of_question(built):
    council, line = built
    parks = Survey.objects.get(council=council, title=demo_data.PARKS_TITLE)

    assert line.startswith("Brackenford: Parks and green spaces survey 2026 (open), ")
    assert phase_of(parks) == Phase.OPEN
    questions = logic.questions_of(parks)
    assert {q.kind for q in questions} == set(Kind.values)
    conditional = [q for q in questions if q.show_if_question_id]
    assert len(conditional) == 2
    assert parks.equality_monitoring


def test_the_parks_survey_has_about_150_plausible_responses(built):
    council, _line = built
    parks = Survey.objects.get(council=council, title=demo_data.PARKS_TITLE)
    sent = Response.objects.filter(survey=parks, state=Response.State.SUBMITTED)

    assert sent.count() == demo_data.PARKS_RESPONSES
    assert sent.filter(channel=Response.Channel.PAPER).count() == demo_data.PARKS_PAPER
    assert Response.objects.filter(survey=parks, state=Response.State.IN_PROGRESS).count() == 6
    wards = Counter(sent.values_list("ward_id", flat=True))
    assert sum(n for ward, n in wards.items() if ward is not None) > 100
    assert len(wards) > 3
    ages = Counter(sent.values_list("age_band", flat=True))
    assert ages["prefer_not_to_say"] > 0
    assert ages[""] > 0
    assert len(ages) >= 8
    profiles = representation.profiles(parks)
    assert len(profiles) == demo_data.PARKS_RESPONSES
    assert sum(1 for p in profiles if p.age_band) > 100


def test_the_demo_answers_keep_the_surveys_conditions(built):
    council, _line = built
    parks = Survey.objects.get(council=council, title=demo_data.PARKS_TITLE)
    questions = logic.questions_of(parks)
    sent = Response.objects.filter(survey=parks, state=Response.State.SUBMITTED)
    stops = next(q for q in questions if q.text.startswith("What stops you"))

    for response in sent[:40]:
        answers = domain.answers_of(response)
        shown = {q.pk for q in logic.visible_questions(parks, answers, questions=questions)}
        assert set(answers) <= shown
        for question in shown:
            assert (
                logic.required_error(
                    next(q for q in questions if q.pk == question), answers.get(question)
                )
                is None
                or response.channel == Response.Channel.PAPER
            )
    assert Answer.objects.filter(response__in=sent, question=stops).exists()


def test_the_library_survey_is_closed_with_its_results_published(built):
    council, _line = built
    library = Survey.objects.get(council=council, title=demo_data.LIBRARY_TITLE)

    assert library.status == Status.CLOSED
    assert library.results_public
    assert library.closed_at < library.created_at.replace(year=library.created_at.year + 1)
    assert (
        Response.objects.filter(survey=library, state=Response.State.SUBMITTED).count()
        == demo_data.LIBRARY_RESPONSES
    )


def test_running_the_demo_again_changes_nothing(built):
    council, _line = built
    before = sorted(Response.objects.filter(survey__council=council).values_list("pk", flat=True))

    line = demo_data.demo_surveys(DemoContext())

    assert line == f"already built (version {demo_data.VERSION}): 2 surveys of Brackenford"
    assert (
        sorted(Response.objects.filter(survey__council=council).values_list("pk", flat=True))
        == before
    )
