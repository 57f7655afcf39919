"""Officers entering paper responses to a survey, all questions on one page."""

from __future__ import annotations

import pytest

from moothall.surveys import domain
from moothall.surveys.models import Response
from tests.surveys.test_domain import build_survey, setting

PAPER = "/mootshire/staff/surveys/parks-and-open-spaces/paper/"


@pytest.fixture
def scene(council):
    place = setting(council)
    survey, q = build_survey(council)
    return survey, q, place


def test_an_officer_enters_a_whole_paper_response_on_one_page(client, scene, officer):
    _survey, q, place = scene
    client.force_login(officer)

    form = client.get(PAPER + "new/").content.decode()
    entered = client.post(
        PAPER + "new/",
        {
            f"q{q['use'].pk}": "often",
            f"q{q['why_not'].pk}": "Written on the paper, but the paper said often",
            f"q{q['improve'].pk}": ["paths"],
            f"q{q['rank'].pk}-rank-1": "nature",
            f"q{q['rank'].pk}-rank-2": "safety",
            f"q{q['rank'].pk}-rank-3": "cleanliness",
            f"q{q['agree'].pk}-the_park_is_safe": "agree",
            f"q{q['ward'].pk}": str(place.hill.pk),
            "age_band": "75_plus",
            "disability": "prefer_not_to_say",
        },
    )

    assert "Only if the answer to “How often do you use the park?” is “Never”." in form
    assert 'name="age_band"' in form
    assert entered.status_code == 302
    response = Response.objects.get()
    assert response.channel == Response.Channel.PAPER
    assert response.entered_by == officer
    assert response.ward == place.hill
    assert (response.age_band, response.disability) == ("75_plus", "prefer_not_to_say")
    answers = domain.answers_of(response)
    assert q["why_not"].pk not in answers  # the condition was applied
    assert answers[q["rank"].pk] == ["nature", "safety", "cleanliness"]
    listing = client.get(PAPER).content.decode()
    assert "Hill Ward" in listing
    assert "Olive Officer" in listing


def test_a_bad_paper_answer_is_shown_by_its_question_and_nothing_is_entered(client, scene, officer):
    _survey, q, _place = scene
    client.force_login(officer)

    page = client.post(
        PAPER + "new/", {f"q{q['use'].pk}": "often", f"q{q['visits'].pk}": "lots", "sex": "x"}
    )
    html = page.content.decode()

    assert page.status_code == 400
    assert f'<a href="#q{q["visits"].pk}">Enter a number, like 12 or 3.5.</a>' in html
    assert '<a href="#sex">Select one of the answers given.</a>' in html
    assert 'value="lots"' in html
    assert not Response.objects.exists()


def test_an_empty_paper_is_refused(client, scene, officer):
    client.force_login(officer)

    page = client.post(PAPER + "new/", {})

    assert page.status_code == 400
    assert "Enter at least one answer from the paper." in page.content.decode()


def test_paper_responses_are_not_entered_once_the_survey_has_closed(client, scene, officer):
    survey, q, _place = scene
    domain.close_survey(survey, by=officer)
    client.force_login(officer)

    page = client.post(PAPER + "new/", {f"q{q['use'].pk}": "often"})

    assert "This survey has closed." in page.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("who", ["resident", "moderator", "outsider"])
def test_only_people_who_run_consultations_enter_paper(client, scene, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(PAPER).status_code == 403
    assert client.post(PAPER + "new/", {}).status_code == 403


def test_someone_signed_out_is_sent_to_sign_in(client, scene):
    assert client.get(PAPER)["Location"].startswith("/accounts/login/")


def test_an_unknown_survey_is_not_found(client, scene, officer):
    client.force_login(officer)

    assert client.get("/mootshire/staff/surveys/nope/paper/").status_code == 404


def test_the_list_of_paper_responses_makes_a_fixed_number_of_queries(
    client, scene, officer, django_assert_max_num_queries
):
    survey, q, place = scene
    for _n in range(5):
        domain.enter_paper_response(
            survey, by=officer, answers={q["use"].pk: "often", q["ward"].pk: place.moot.pk}
        )
    client.force_login(officer)

    with django_assert_max_num_queries(14):
        page = client.get(PAPER)

    assert page.content.decode().count("Moot Ward") == 5
