"""The survey builder at /mootshire/staff/surveys/: who may use it, and every action an
officer takes through its pages — creating a survey, its details, questions of every
kind, conditions, page breaks, moving and removing, preview, opening and closing, the
results and the CSV — with bad input answered by a message, never a 500.

Olive Officer and Ada Admin run consultations at Mootshire (and Pat, a platform admin,
anywhere); Morgan Moderator, Chris Councillor and Rita Resident may not; Otto Outsider is
an officer of Elsewhere.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from defusedxml import ElementTree as DefusedET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.core.models import AuditEntry
from moothall.surveys import domain
from moothall.surveys.models import Kind, Question, Response, Status, Survey
from tests import factories
from tests.staff import html

pytestmark = pytest.mark.django_db

BASE = "/mootshire/staff/surveys/"


def field_errors(response: Any) -> dict[str, str]:
    """Inline errors by field id, without the visually hidden "Error:"."""
    return {k: v.removeprefix("Error: ") for k, v in html.field_errors(response).items()}


def at(survey: Survey | str, path: str = "") -> str:
    slug = survey if isinstance(survey, str) else survey.slug
    return f"{BASE}{slug}/{path}"


@pytest.fixture
def draft(council) -> Survey:
    survey = domain.create_survey(council, by=None, title="Parks survey", slug="parks")
    q1 = domain.add_question(
        survey, by=None, kind=Kind.SINGLE_CHOICE, text="Do you visit?", options=["Yes", "No"]
    )
    domain.add_question(
        survey,
        by=None,
        kind=Kind.LONG_TEXT,
        text="What would you change?",
        show_if_question=q1,
        show_if_values=["yes"],
    )
    return survey


@pytest.fixture
def ids(draft) -> dict[str, Any]:
    first, second = draft.questions.order_by("position")
    return {"s": draft.slug, "q1": first.pk, "q2": second.pk}


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


PAGES = {
    "list": "",
    "new": "new/",
    "survey": "{s}/",
    "details": "{s}/details/",
    "choose a kind": "{s}/questions/new/",
    "add a question": "{s}/questions/new/?kind=ranking",
    "question": "{s}/questions/{q1}/",
    "remove": "{s}/questions/{q2}/remove/",
    "preview": "{s}/preview/",
    "open": "{s}/open/",
    "close": "{s}/close/",
    "delete": "{s}/delete/",
    "results": "{s}/results/",
    "csv": "{s}/responses.csv",
}


@pytest.mark.parametrize(
    "role",
    [
        "resident",
        "councillor_user",
        "moderator",
        "officer",
        "council_admin",
        "platform_admin",
        "outsider",
    ],
)
def test_who_may_open_each_page(request, client, ids, role):
    client.force_login(request.getfixturevalue(role))
    allowed = role in ("officer", "council_admin", "platform_admin")

    statuses = {
        name: client.get(BASE + path.format(**ids)).status_code for name, path in PAGES.items()
    }

    assert statuses == dict.fromkeys(PAGES, 200 if allowed else 403)


@pytest.mark.parametrize("role", ["resident", "moderator", "outsider"])
def test_who_may_not_cannot_change_anything_either(request, client, ids, role):
    client.force_login(request.getfixturevalue(role))
    posts = {
        "new/": {"title": "Sneaky", "answer_level": "1"},
        "{s}/details/": {"title": "Renamed", "answer_level": "1"},
        "{s}/questions/new/?kind=short_text": {"text": "Sneaky?", "page": "1"},
        "{s}/questions/{q2}/remove/": {},
        "{s}/questions/{q1}/move/": {"direction": "down"},
        "{s}/open/": {},
        "{s}/delete/": {},
    }

    statuses = [
        client.post(BASE + path.format(**ids), data).status_code for path, data in posts.items()
    ]

    assert statuses == [403] * len(posts)
    survey = Survey.objects.get()
    assert (survey.title, survey.status, survey.questions.count()) == ("Parks survey", "draft", 2)


def test_signed_out_people_are_sent_to_sign_in(client, ids):
    url = BASE + "{s}/".format(**ids)

    assertRedirects(client.get(url), f"/accounts/login/?next={url}", fetch_redirect_response=False)
    response = client.post(BASE + "{s}/open/".format(**ids))
    assert response.status_code == 302
    assert Survey.objects.get().status == Status.DRAFT


def test_staff_without_two_factor_authentication_may_not_open_it(client, council, ids):
    officer = factories.UserFactory(email="new.officer@example.org")
    factories.RoleFactory(user=officer, council=council, kind="officer")
    client.force_login(officer)

    response = client.get(BASE)

    assert response.status_code in (302, 403)


def test_another_councils_survey_is_not_found_from_here(client, other_council, officer, outsider):
    theirs = domain.create_survey(other_council, by=None, title="Elsewhere survey")
    client.force_login(officer)
    assert client.get(at(theirs)).status_code == 404
    assert client.get(at(theirs, "results/")).status_code == 404
    client.force_login(outsider)
    assert client.get(f"/elsewhere/staff/surveys/{theirs.slug}/").status_code == 200


def test_a_question_of_another_survey_is_not_found(signed_in, council, ids):
    other = domain.create_survey(council, by=None, title="Other")
    q = domain.add_question(other, by=None, kind=Kind.SHORT_TEXT, text="Else?")

    assert signed_in.get(BASE + f"{ids['s']}/questions/{q.pk}/").status_code == 404
    assert signed_in.post(BASE + f"{ids['s']}/questions/{q.pk}/remove/").status_code == 404
    assert Question.objects.filter(pk=q.pk).exists()


# --- The list and creating a survey ------------------------------------------------------


def test_the_list_shows_every_survey_with_its_status_and_responses(signed_in, council, draft):
    live = domain.create_survey(council, by=None, title="Bins survey", slug="bins")
    domain.add_question(live, by=None, kind=Kind.SHORT_TEXT, text="Why?")
    domain.open_survey(live, by=None)
    domain.enter_paper_response(live, by=None, answers={live.questions.get().pk: "Smell"})

    response = signed_in.get(BASE)

    rows = html.table_rows(response)
    assert [(row[0], row[1], row[3]) for row in rows] == [
        ("Bins survey", "Open", "1"),
        ("Parks survey", "Draft", "0"),
    ]
    assertContains(response, f'href="{BASE}new/"')


def test_the_list_and_the_builder_run_a_fixed_number_of_queries(signed_in, council, draft):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert signed_in.get(url).status_code == 200
        return len(seen)

    few_list, few_builder = queries(BASE), queries(at(draft))
    for n in range(5):
        survey = domain.create_survey(council, by=None, title=f"Survey {n}")
        domain.add_question(survey, by=None, kind=Kind.SHORT_TEXT, text="Why?")
        domain.add_question(
            draft, by=None, kind=Kind.SINGLE_CHOICE, text=f"Pick {n}", options=["A", "B"]
        )

    assert queries(BASE) == few_list
    assert queries(at(draft)) == few_builder


def _details(**changes: str) -> dict[str, str]:
    data = {
        "title": "Libraries 2030",
        "slug": "",
        "summary": "Tell us how you use libraries.",
        "description": "We are **planning**.",
        "answer_level": "0",
        "equality_monitoring": "on",
        "results_public": "on",
        "opens_date": "",
        "opens_time": "",
        "closes_date": "31/03/2031",
        "closes_time": "17:00",
    }
    return data | changes


def test_an_officer_creates_a_survey(signed_in, council, officer):
    response = signed_in.post(BASE + "new/", _details())

    survey = Survey.objects.get(title="Libraries 2030")
    assertRedirects(response, at("libraries-2030"), fetch_redirect_response=False)
    assert survey.slug == "libraries-2030"
    assert survey.status == Status.DRAFT
    assert survey.answer_level == 0
    assert survey.equality_monitoring
    assert survey.results_public
    closes = timezone.localtime(survey.closes_at)
    assert (closes.year, closes.month, closes.day, closes.hour, closes.minute) == (
        2031,
        3,
        31,
        17,
        0,
    )
    assert survey.created_by == officer
    assert AuditEntry.objects.filter(action="surveys.survey_created").count() == 1
    page = signed_in.get(at(survey))
    assert html.h1(page) == "Libraries 2030"
    assertContains(page, "“Libraries 2030” is created.")  # the success banner


def test_creating_with_bad_input_shows_the_errors_and_writes_nothing(signed_in):
    response = signed_in.post(
        BASE + "new/",
        _details(
            title="",
            slug="Not A Slug!",
            answer_level="9",
            opens_date="01/04/2031",
            closes_date="31/03/2031",
            closes_time="25:00",
        ),
    )

    assert response.status_code == 200
    assert html.title(response).startswith("Error:")
    errors = field_errors(response)
    assert errors["id_title"] == "Enter a title."
    assert errors["id_answer_level"] == "Choose who may answer."
    assert errors["id_closes_time"] == "Enter a real time, for example 18:30."
    assert html.error_summary(response)
    assert not Survey.objects.exists()


def test_the_verbs_refusals_come_back_beside_their_fields(signed_in, draft):
    response = signed_in.post(
        BASE + "new/",
        _details(slug="parks", opens_date="01/04/2031", closes_date="31/03/2031"),
    )

    errors = field_errors(response)
    # One refusal at a time: the slug is checked first.
    assert errors == {"id_slug": "Another survey of this council has that address."}
    response = signed_in.post(
        BASE + "new/", _details(opens_date="01/04/2031", closes_date="31/03/2031")
    )
    assert field_errors(response) == {"id_closes_date": "The survey must close after it opens."}
    assert html.error_links(response) == ["#id_closes_date"]
    assert Survey.objects.count() == 1


def test_a_time_needs_its_date(signed_in):
    response = signed_in.post(BASE + "new/", _details(closes_date="", closes_time="17:00"))

    assert field_errors(response) == {"id_closes_date": "Enter the date as well as the time."}


def test_the_details_of_a_draft_change_in_full(signed_in, draft):
    response = signed_in.post(
        at(draft, "details/"),
        _details(
            title="Parks and play", slug="parks-play", answer_level="2", equality_monitoring=""
        ),
    )

    draft.refresh_from_db()
    assertRedirects(response, at("parks-play"), fetch_redirect_response=False)
    assert (draft.title, draft.slug, draft.answer_level, draft.equality_monitoring) == (
        "Parks and play",
        "parks-play",
        2,
        False,
    )


def test_an_open_survey_offers_only_what_may_still_change(signed_in, draft):
    domain.open_survey(draft, by=None)

    page = signed_in.get(at(draft, "details/"))
    response = signed_in.post(
        at(draft, "details/"),
        _details(title="Parks (corrected)", answer_level="3", slug="sneaky", results_public=""),
    )

    assertNotContains(page, 'name="answer_level"')
    assertNotContains(page, 'name="slug"')
    assertContains(page, 'name="closes_date"')
    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.title, draft.slug, draft.answer_level, draft.results_public) == (
        "Parks (corrected)",
        "parks",
        1,
        False,
    )


def test_a_closed_survey_keeps_its_dates(signed_in, draft):
    domain.open_survey(draft, by=None)
    domain.close_survey(draft, by=None)

    page = signed_in.get(at(draft, "details/"))

    assertNotContains(page, 'name="closes_date"')
    assertContains(page, 'name="title"')


# --- Questions ----------------------------------------------------------------------------


def test_adding_a_question_starts_by_choosing_its_kind(signed_in, draft):
    page = signed_in.get(at(draft, "questions/new/"))
    wrong = signed_in.get(at(draft, "questions/new/?kind=riddle"))
    empty = signed_in.get(at(draft, "questions/new/?choose=1"))

    assert html.h1(page) == "Add a question"
    assert len(re.findall(r'name="kind" type="radio"', page.content.decode())) == len(Kind)
    assertContains(page, '<form method="get"')
    assert field_errors(wrong) == {"id_kind": "Choose a kind of question."}
    assert field_errors(empty) == {"id_kind": "Choose a kind of question."}
    assert field_errors(page) == {}


def _question(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"text": "A question?", "help_text": "", "page": "1"}
    return data | changes


KINDS = [
    (Kind.SHORT_TEXT, {"max_length": "80"}, {"max_length": 80}),
    (Kind.LONG_TEXT, {"max_length": ""}, {"max_length": None}),
    (
        Kind.SINGLE_CHOICE,
        {"options": "Often\r\n\r\n  Sometimes \nNever"},
        {"options": ["Often", "Sometimes", "Never"]},
    ),
    (
        Kind.MULTIPLE_CHOICE,
        {"options": "Walk\nPlay\nDog", "max_choices": "2"},
        {"options": ["Walk", "Play", "Dog"], "max_choices": 2},
    ),
    (
        Kind.RANKING,
        {"options": "Paths\nToilets\nTrees"},
        {"options": ["Paths", "Toilets", "Trees"]},
    ),
    (
        Kind.LIKERT,
        {"options": "Clean\nSafe", "scale": "Agree\nNeither\nDisagree"},
        {"options": ["Clean", "Safe"], "scale": ["Agree", "Neither", "Disagree"]},
    ),
    (Kind.NUMBER, {"min_value": "0", "max_value": "1,000"}, {"min_value": 0, "max_value": 1000}),
    (Kind.WARD, {}, {}),
    (Kind.POSTCODE, {}, {}),
]


@pytest.mark.parametrize(("kind", "posted", "stored"), KINDS)
def test_an_officer_adds_a_question_of_every_kind(signed_in, draft, kind, posted, stored):
    url = at(draft, f"questions/new/?kind={kind}")
    form = signed_in.get(url)

    response = signed_in.post(url, _question(text="How?", required="on", **posted))

    added = draft.questions.order_by("position").last()
    assert form.status_code == 200
    assert response.status_code == 302, html.error_summary(response)
    assert response["Location"] == at(draft) + f"#question-{added.pk}"
    assert (added.kind, added.text, added.required, added.page) == (kind, "How?", True, 1)
    for name, value in stored.items():
        got = getattr(added, name)
        if name in ("options", "scale"):
            got = [o["label"] for o in got]
        assert got == value, name


def test_a_likert_question_without_rows_rates_the_question_itself(signed_in, draft):
    form = signed_in.get(at(draft, "questions/new/?kind=likert"))

    signed_in.post(
        at(draft, "questions/new/?kind=likert"),
        _question(text="Parks are safe", options="", scale=""),
    )

    added = draft.questions.get(kind=Kind.LIKERT)
    assert [o["label"] for o in added.options] == ["Parks are safe"]
    assert next(o["key"] for o in added.scale) == "strongly_agree"
    # The form offers the usual scale to start from.
    assert "Strongly agree\nAgree" in form.content.decode()


@pytest.mark.parametrize(
    ("kind", "posted", "errors"),
    [
        (
            Kind.SINGLE_CHOICE,
            {"options": ""},
            {"id_options": "Enter the answers to choose from, one per line."},
        ),
        (
            Kind.SINGLE_CHOICE,
            {"options": "Only one"},
            {"id_options": "Give at least two answers to choose from."},
        ),
        (
            Kind.SINGLE_CHOICE,
            {"options": "Same\nsame"},
            {"id_options": "Give each answer only once."},
        ),
        (
            Kind.MULTIPLE_CHOICE,
            {"options": "A\nB", "max_choices": "3"},
            {
                "id_max_choices": "The most answers one may tick cannot be more than the answers given."
            },
        ),
        (
            Kind.MULTIPLE_CHOICE,
            {"options": "A\nB", "max_choices": "two"},
            {"id_max_choices": "Enter a whole number."},
        ),
        (
            Kind.NUMBER,
            {"min_value": "10", "max_value": "1"},
            {"id_max_value": "The largest number allowed cannot be less than the smallest."},
        ),
        (Kind.NUMBER, {"min_value": "ten"}, {"id_min_value": "Enter a number."}),
        (Kind.LIKERT, {"scale": "Only"}, {"id_scale": "A scale needs from 2 to 11 points."}),
        (Kind.SHORT_TEXT, {"text": ""}, {"id_text": "Enter the question."}),
        (Kind.SHORT_TEXT, {"text": "Two\nlines"}, {"id_text": "Write this on one line."}),
        (Kind.SHORT_TEXT, {"page": "99999"}, {"id_page": "Choose a page."}),
    ],
)
def test_a_bad_question_shows_why_and_adds_nothing(signed_in, draft, kind, posted, errors):
    response = signed_in.post(at(draft, f"questions/new/?kind={kind}"), _question(**posted))

    assert response.status_code == 200
    assert field_errors(response) == errors
    assert html.error_summary(response) == list(errors.values())
    assert draft.questions.count() == 2


def test_a_condition_shows_a_question_after_chosen_answers_of_an_earlier_one(signed_in, draft, ids):
    form = signed_in.get(at(draft, "questions/new/?kind=short_text"))

    response = signed_in.post(
        at(draft, "questions/new/?kind=short_text"),
        _question(text="Why not?", condition=[f"{ids['q1']}:no"]),
    )

    assert response.status_code == 302
    added = draft.questions.get(text="Why not?")
    assert (added.show_if_question_id, added.show_if_values) == (ids["q1"], ["no"])
    # Only earlier choice questions are offered (not the long-text one).
    page = form.content.decode()
    assert f'value="{ids["q1"]}:yes"' in page
    assert f'value="{ids["q1"]}:no"' in page
    assert "question 2," not in page
    builder = signed_in.get(at(draft))
    assertContains(builder, "Shown when the answer to question 1 is “No”.")


def test_a_condition_on_two_questions_at_once_is_refused(signed_in, draft, ids):
    other = domain.add_question(
        draft, by=None, kind=Kind.SINGLE_CHOICE, text="Own a dog?", options=["Yes", "No"]
    )

    response = signed_in.post(
        at(draft, "questions/new/?kind=short_text"),
        _question(condition=[f"{ids['q1']}:yes", f"{other.pk}:yes"]),
    )
    forged = signed_in.post(
        at(draft, "questions/new/?kind=short_text"), _question(condition=["999999:yes"])
    )

    assert field_errors(response) == {"id_condition": "Choose answers of one question only."}
    assert html.error_links(response) == ["#id_condition_0"]
    assertContains(response, 'id="id_condition_0"')
    assert field_errors(forged) == {"id_condition": "Choose answers of an earlier choice question."}
    assert draft.questions.count() == 3


def test_a_question_is_changed_in_a_draft(signed_in, draft, ids):
    url = at(draft, f"questions/{ids['q1']}/")
    form = signed_in.get(url)

    response = signed_in.post(
        url, _question(text="Do you visit parks?", options="Yes\nNo\nSometimes", required="on")
    )

    q1 = Question.objects.get(pk=ids["q1"])
    assert response.status_code == 302
    assert q1.text == "Do you visit parks?"
    assert q1.required
    # Existing answers keep their keys; the new one gets its own.
    assert [(o["key"], o["label"]) for o in q1.options] == [
        ("yes", "Yes"),
        ("no", "No"),
        ("sometimes", "Sometimes"),
    ]
    assert "Yes\nNo" in form.content.decode()


def test_removing_an_answer_a_condition_uses_is_refused(signed_in, draft, ids):
    response = signed_in.post(at(draft, f"questions/{ids['q1']}/"), _question(options="No\nMaybe"))

    assert field_errors(response) == {
        "id_options": "“What would you change?” depends on an answer you removed. Change it first."
    }
    assert [o["key"] for o in Question.objects.get(pk=ids["q1"]).options] == ["yes", "no"]


def test_once_open_only_the_wording_changes_and_answers_keep_their_meaning(signed_in, draft, ids):
    domain.open_survey(draft, by=None)
    url = at(draft, f"questions/{ids['q1']}/")
    form = signed_in.get(url)

    response = signed_in.post(
        url,
        {
            "text": "Do you visit our parks?",
            "help_text": "",
            "option_1": "Yes, I do",
            "option_2": "No",
        },
    )

    page = form.content.decode()
    assert 'name="options"' not in page
    assert 'name="condition"' not in page
    assert 'name="option_1"' in page
    assert 'name="option_2"' in page
    assert response.status_code == 302
    q1 = Question.objects.get(pk=ids["q1"])
    assert q1.text == "Do you visit our parks?"
    assert q1.options == [{"key": "yes", "label": "Yes, I do"}, {"key": "no", "label": "No"}]


def test_once_open_questions_cannot_be_added_moved_or_removed(signed_in, draft, ids):
    domain.open_survey(draft, by=None)

    added = signed_in.post(at(draft, "questions/new/?kind=short_text"), _question())
    removed = signed_in.post(at(draft, f"questions/{ids['q2']}/remove/"))
    moved = signed_in.post(at(draft, f"questions/{ids['q1']}/move/"), {"direction": "down"})
    builder = signed_in.get(at(draft))

    assertContains(added, "Questions cannot be added once the survey is open.")
    assertContains(removed, "Questions cannot be removed once the survey is open.")
    assert moved.status_code == 302
    assert draft.questions.count() == 2
    assert [q.pk for q in draft.questions.order_by("position")] == [ids["q1"], ids["q2"]]
    assertNotContains(builder, "Move down")


def test_a_question_is_removed_after_confirming(signed_in, draft, ids):
    confirm = signed_in.get(at(draft, f"questions/{ids['q2']}/remove/"))

    response = signed_in.post(at(draft, f"questions/{ids['q2']}/remove/"))

    assert html.h1(confirm) == "Remove the question?"
    assertRedirects(response, at(draft), fetch_redirect_response=False)
    assert list(draft.questions.values_list("pk", flat=True)) == [ids["q1"]]
    assert AuditEntry.objects.filter(action="surveys.question_removed").count() == 1


def test_a_question_others_depend_on_cannot_be_removed(signed_in, draft, ids):
    response = signed_in.post(at(draft, f"questions/{ids['q1']}/remove/"))

    assert response.status_code == 200
    assert html.error_summary(response) == [
        "“What would you change?” depends on this question. Change or remove it first."
    ]
    assert draft.questions.count() == 2


def test_questions_move_up_and_down_but_never_before_what_they_depend_on(signed_in, draft, ids):
    refused = signed_in.post(
        at(draft, f"questions/{ids['q2']}/move/"), {"direction": "up"}, follow=True
    )
    third = domain.add_question(draft, by=None, kind=Kind.NUMBER, text="How often?")

    up = signed_in.post(at(draft, f"questions/{third.pk}/move/"), {"direction": "up"})
    order = list(draft.questions.order_by("page", "position").values_list("pk", flat=True))
    nonsense = signed_in.post(
        at(draft, f"questions/{ids['q1']}/move/"), {"direction": "sideways"}, follow=True
    )
    last = signed_in.post(
        at(draft, f"questions/{ids['q2']}/move/"), {"direction": "down"}, follow=True
    )

    assertContains(refused, "A question must come after the question it depends on.")
    assert up.status_code == 302
    assert up["Location"].endswith(f"#question-{third.pk}")
    assert order == [ids["q1"], third.pk, ids["q2"]]
    assertContains(nonsense, "Move a question up or down.")
    assertContains(last, "This question is already last.")
    assert list(draft.questions.order_by("page", "position").values_list("pk", flat=True)) == order


def test_a_new_page_starts_a_page_break(signed_in, draft):
    form = signed_in.get(at(draft, "questions/new/?kind=short_text"))

    signed_in.post(at(draft, "questions/new/?kind=short_text"), _question(text="Name?", page="2"))
    builder = signed_in.get(at(draft))

    assertContains(form, '<option value="2">A new page (page 2)</option>')
    assert draft.questions.get(text="Name?").page == 2
    headings = re.findall(
        r'<h3 class="govuk-heading-s" id="page-\d+-heading">(.*?)</h3>', builder.content.decode()
    )
    assert headings == ["Page 1", "Page 2"]


def test_add_another_comes_back_to_choose_the_next_kind(signed_in, draft):
    response = signed_in.post(
        at(draft, "questions/new/?kind=short_text"), _question(text="One more?", another="1")
    )

    assertRedirects(response, at(draft, "questions/new/"), fetch_redirect_response=False)


def test_the_preview_shows_the_residents_fields_and_when_conditional_ones_are_asked(
    signed_in, council, draft, ids
):
    factories.WardFactory(council=council, name="Moot")
    domain.add_question(draft, by=None, kind=Kind.WARD, text="Your ward", page=2)

    response = signed_in.get(at(draft, "preview/"))

    page = response.content.decode()
    assert f'name="q{ids["q1"]}" type="radio" value="yes"' in page
    assert f'<textarea class="govuk-textarea" id="q{ids["q2"]}"' in page
    assert "Shown when the answer to question 1 is “Yes”." in page
    assert ">Moot</option>" in page
    assert "Page 1 of 2" in page
    assert "Page 2 of 2" in page
    assert 'name="age_band"' in page  # the equality block
    assert "<form" not in page.split('<main class="govuk-main-wrapper"')[1].split("</main>")[0]


# --- Opening, closing, deleting ----------------------------------------------------------


def test_opening_asks_first_then_opens(signed_in, draft, officer):
    confirm = signed_in.get(at(draft, "open/"))

    response = signed_in.post(at(draft, "open/"))

    assert html.h1(confirm) == "Open the survey?"
    assertContains(confirm, "Yes, open the survey")
    assertRedirects(response, at(draft), fetch_redirect_response=False)
    draft.refresh_from_db()
    assert draft.status == Status.OPEN
    assert draft.opened_at is not None
    entry = AuditEntry.objects.get(action="surveys.survey_opened")
    assert entry.actor == officer


def test_a_survey_without_questions_cannot_open(signed_in, council):
    empty = domain.create_survey(council, by=None, title="Empty")

    response = signed_in.post(at(empty, "open/"))

    assert html.error_summary(response) == ["Add at least one question first."]
    empty.refresh_from_db()
    assert empty.status == Status.DRAFT


def test_closing_asks_first_then_closes_for_good(signed_in, draft):
    domain.open_survey(draft, by=None)
    draft_open = signed_in.get(at(draft, "open/"))

    response = signed_in.post(at(draft, "close/"))
    again = signed_in.get(at(draft, "close/"))

    assertContains(draft_open, "The survey is already open.")
    assertRedirects(response, at(draft), fetch_redirect_response=False)
    draft.refresh_from_db()
    assert draft.status == Status.CLOSED
    assertContains(again, "The survey is closed.")
    assertNotContains(again, "Yes, close the survey")


def test_a_draft_is_deleted_after_confirming_and_an_opened_one_never(signed_in, council, draft):
    other = domain.create_survey(council, by=None, title="Bins")
    domain.add_question(other, by=None, kind=Kind.SHORT_TEXT, text="Why?")
    domain.open_survey(other, by=None)

    response = signed_in.post(at(draft, "delete/"))
    refused = signed_in.post(at(other, "delete/"))

    assertRedirects(response, BASE, fetch_redirect_response=False)
    assert not Survey.objects.filter(pk=draft.pk).exists()
    assertContains(refused, "Only a survey that has never been opened can be deleted.")
    assert Survey.objects.filter(pk=other.pk).exists()


# --- Results and the CSV -------------------------------------------------------------------


@pytest.fixture
def answered(draft, ids):
    domain.open_survey(draft, by=None)
    for value in ["yes"] * 7 + ["no"] * 5:
        answers = {ids["q1"]: value}
        if value == "yes":
            answers[ids["q2"]] = "=More benches"
        domain.enter_paper_response(draft, by=None, answers=answers)
    return draft


def test_the_results_page_has_a_chart_and_its_table_for_each_choice(signed_in, answered, ids):
    response = signed_in.get(at(answered, "results/"))

    page = response.content.decode()
    assertContains(response, "12 responses sent (0 online, 12 on paper).")
    svg = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="mh-chart".*?</svg>', page, re.S
    )
    assert svg is not None
    root = DefusedET.fromstring(svg[0])
    assert root.get("role") == "img"
    assert f'id="chart-q{ids["q1"]}-table"' in page
    assert "58%" in page  # 7 of 12 said yes
    # Written answers are listed for staff, as plain text.
    assert page.count("=More benches") == 7
    assert f'href="{at(answered, "responses.csv")}"' in page
    assert not re.search(r'\sstyle="', page)  # no inline styles (the CSP forbids them)


def test_the_results_page_works_with_no_responses(signed_in, draft):
    response = signed_in.get(at(draft, "results/"))

    assertContains(response, "0 responses sent")


def test_the_csv_download_has_every_response(signed_in, answered):
    response = signed_in.get(at(answered, "responses.csv"))

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Disposition"] == 'attachment; filename="mootshire-parks-responses.csv"'
    lines = body.splitlines()
    assert lines[0].startswith("\ufeffResponse,Channel,Submitted at,Ward,Q1 Do you visit?")
    assert len(lines) == 13
    assert sum("'=More benches" in line for line in lines) == 7


# --- Bad input never breaks a page ----------------------------------------------------------

_junk = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-1", "1e9", "NaN", "99999999999999999999", "\x00", "1:x", "x:y"]),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from([*list(Kind.values), "nonsense"]),
    data=st.dictionaries(
        st.sampled_from(
            [
                "text",
                "help_text",
                "required",
                "page",
                "options",
                "scale",
                "min_value",
                "max_value",
                "max_length",
                "max_choices",
                "condition",
            ]
        ),
        _junk,
    ),
)
def test_any_posted_question_is_added_or_refused_with_a_message(signed_in, draft, kind, data):
    before = draft.questions.count()

    response = signed_in.post(at(draft, f"questions/new/?kind={kind}"), data)

    assert response.status_code in (200, 302)
    added = draft.questions.count() - before
    if response.status_code == 200:
        assert added == 0
        if kind in Kind.values:
            assert html.error_summary(response)
    else:
        assert added == 1
        Question.objects.filter(survey=draft).exclude(
            pk__in=draft.questions.order_by("position")[:2].values("pk")
        ).delete()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.dictionaries(
        st.sampled_from(list(_details())),
        _junk,
    )
)
def test_any_posted_details_are_saved_or_refused_with_a_message(signed_in, draft, data):
    response = signed_in.post(at(draft, "details/"), data)

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert html.error_summary(response)
    else:
        Survey.objects.filter(pk=draft.pk).update(slug="parks")


def test_response_objects_are_untouched_by_the_builder(signed_in, answered):
    before = list(Response.objects.values_list("pk", "state"))

    signed_in.get(at(answered))
    signed_in.get(at(answered, "results/"))

    assert list(Response.objects.values_list("pk", "state")) == before
