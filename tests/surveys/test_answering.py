"""Answering a survey on the web: page by page, saving and coming back, checking, sending.

Driven through literal URLs, as a resident's browser would (no JavaScript). Bad posted
data never gives a server error and never leaves half a page written.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.accounts.residents import Eligibility
from moothall.surveys import domain
from moothall.surveys.domain import ABOUT_YOU_PAGE
from moothall.surveys.models import Answer, Response, Survey
from tests.surveys.test_domain import MOOT_POSTCODE, build_survey, setting

BASE = "/mootshire/surveys/parks-and-open-spaces/"


@pytest.fixture
def scene(council):
    place = setting(council)
    survey, q = build_survey(council)
    return survey, q, place


def start(client) -> str:
    """Press "Start now"; the URL of the first page."""
    response = client.post(BASE + "start/")
    assert response.status_code == 302
    return response["Location"]


def answer_url(response: Response, tail: str) -> str:
    return f"{BASE}answer/{response.token}/{tail}"


def page_one(q, **extra) -> dict:
    return {f"q{q['use'].pk}": "often", f"q{q['name'].pk}": "Rita", "action": "continue"} | extra


def page_two(q) -> dict:
    rank = q["rank"].pk
    agree = q["agree"].pk
    return {
        f"q{q['improve'].pk}": ["paths", "toilets"],
        f"q{rank}-rank-1": "safety",
        f"q{rank}-rank-2": "nature",
        f"q{rank}-rank-3": "cleanliness",
        f"q{agree}-the_park_is_safe": "agree",
        f"q{agree}-the_park_is_clean": "strongly_agree",
        "action": "continue",
    }


def page_three(q, place) -> dict:
    return {
        f"q{q['visits'].pk}": "12",
        f"q{q['ward'].pk}": str(place.moot.pk),
        f"q{q['postcode'].pk}": "",
        "action": "continue",
    }


# --- The list and the survey page -----------------------------------------------------------


def test_the_list_shows_open_upcoming_and_recently_closed_surveys(client, council, officer):
    build_survey(council, title="Open one")
    build_survey(council, title="Soon", opens_at=timezone.now() + dt.timedelta(days=3))
    closed, _q = build_survey(council, title="Done")
    domain.close_survey(closed, by=officer)
    build_survey(council, title="Secret draft", open_it=False)

    page = client.get("/mootshire/surveys/").content.decode()

    assert "Open one" in page
    assert "Soon" in page
    assert "Done" in page
    assert "Secret draft" not in page
    assert page.index("Open one") < page.index("Soon") < page.index("Done")


def test_the_list_makes_a_fixed_number_of_queries(client, council, django_assert_max_num_queries):
    for n in range(5):
        build_survey(council, title=f"Survey {n}")

    with django_assert_max_num_queries(8):
        assert client.get("/mootshire/surveys/").status_code == 200


def test_the_survey_page_says_who_may_answer_and_offers_a_start_button(client, scene):
    page = client.get(BASE).content.decode()

    assert "Anyone. You do not need to sign in." in page
    assert 'id="start"' in page
    assert "9 questions" in page
    assert "on 4 pages" in page


def test_a_draft_is_not_found_by_the_public_but_staff_see_it(client, council, officer):
    build_survey(council, open_it=False)

    assert client.get(BASE).status_code == 404
    client.force_login(officer)
    assert "only council staff can see it" in client.get(BASE).content.decode()


def test_someone_who_may_not_answer_is_told_why_and_where_to_sign_in(client, council):
    setting(council)
    build_survey(council, answer_level=Eligibility.POSTCODE_IN_AREA)

    page = client.get(BASE).content.decode()
    started = client.post(BASE + "start/")

    assert "Only people whose postcode is in the council’s area" in page
    assert "/accounts/login/?next=" in page
    assert started.status_code == 403
    assert not Response.objects.exists()


def test_a_survey_that_has_not_opened_yet_says_when_it_opens(client, council):
    build_survey(council, opens_at=timezone.now() + dt.timedelta(days=2))

    page = client.get(BASE).content.decode()

    assert "This survey opens on " in page
    assert 'id="start"' not in page
    assert client.post(BASE + "start/").status_code == 403


# --- A whole journey ------------------------------------------------------------------------


def test_a_resident_answers_every_page_checks_and_sends(client, scene):
    _survey, q, place = scene
    first = start(client)
    response = Response.objects.get()

    assert first == answer_url(response, "page/1/")
    assert client.get(first).status_code == 200
    assert client.post(first, page_one(q))["Location"] == answer_url(response, "page/2/")
    assert client.post(answer_url(response, "page/2/"), page_two(q))["Location"] == answer_url(
        response, "page/3/"
    )
    assert client.post(answer_url(response, "page/3/"), page_three(q, place))[
        "Location"
    ] == answer_url(response, "about-you/")
    about_page = client.get(answer_url(response, "about-you/")).content.decode()
    assert about_page.count("Prefer not to say") == 4
    assert "Page 4 of 4" in about_page
    about = client.post(
        answer_url(response, "about-you/"),
        {"age_band": "25_34", "sex": "prefer_not_to_say", "action": "continue"},
    )
    assert about["Location"] == answer_url(response, "check/")
    check = client.get(answer_url(response, "check/")).content.decode()
    sent = client.post(answer_url(response, "check/"))
    done = client.get(sent["Location"]).content.decode()

    assert "Check your answers before sending them" in check
    for words in (
        "Often",
        "1. Safety",
        "The park is clean: Strongly agree",
        "Moot Ward",
        "25 to 34",
    ):
        assert words in check
    assert "Prefer not to say" in check
    assert sent["Location"] == answer_url(response, "sent/")
    assert "Your answers have been sent" in done
    response.refresh_from_db()
    assert response.state == Response.State.SUBMITTED
    assert response.ward == place.moot
    assert (response.age_band, response.sex) == ("25_34", "prefer_not_to_say")
    # Not signed in: the browser forgets the response once it is sent, so the next person
    # at a shared computer can answer too.
    assert 'id="start"' in client.get(BASE).content.decode()


def test_a_signed_in_resident_who_has_answered_is_told_so(client, scene, resident):
    survey, q, place = scene
    response = domain.start_response(survey, user=resident)
    from tests.surveys.test_domain import answer_everything

    answer_everything(response, q, place)
    domain.submit_response(response)
    client.force_login(resident)

    page = client.get(BASE).content.decode()
    again = client.post(BASE + "start/")

    assert "You sent your answers on" in page
    assert 'id="start"' not in page
    assert again["Location"] == answer_url(response, "sent/")


def test_errors_are_summarised_and_shown_by_each_question(client, scene):
    _survey, q, _place = scene
    first = start(client)

    page = client.post(first, {f"q{q['name'].pk}": "x" * 30, "action": "continue"})
    html = page.content.decode()

    assert page.status_code == 200
    assert "There is a problem" in html
    assert f'<a href="#q{q["use"].pk}">Select an answer.</a>' in html
    assert f'id="q{q["name"].pk}-error"' in html
    assert "Your answer must be 20 characters or fewer." in html
    assert f'value="{"x" * 30}"' in html  # what they typed is kept
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Error:" in html
    assert not Answer.objects.exists()


def test_a_same_page_condition_shows_its_question_after_continue(client, scene):
    _survey, q, _place = scene
    first = start(client)

    again = client.post(first, page_one(q, **{f"q{q['use'].pk}": "never"}))
    page = client.get(again["Location"]).content.decode()
    missing = client.post(first, page_one(q, **{f"q{q['use'].pk}": "never"}))
    on = client.post(
        first,
        page_one(q, **{f"q{q['use'].pk}": "never", f"q{q['why_not'].pk}": "It is too far"}),
    )

    assert again["Location"] == first
    assert "Your answer added a question on this page" in page
    assert "Why do you not use it?" in page
    assert "Enter your answer to this question." in missing.content.decode()
    assert on["Location"].endswith("/page/2/")


def test_ranking_without_javascript_needs_a_different_option_in_each_place(client, scene):
    _survey, q, _place = scene
    first = start(client)
    client.post(first, page_one(q))
    rank = q["rank"].pk
    posted = page_two(q) | {f"q{rank}-rank-2": "safety"}

    page = client.post(first.replace("page/1/", "page/2/"), posted).content.decode()

    assert "Give each option a different place." in page
    assert (
        f'<select class="govuk-select govuk-select--error" id="q{rank}" name="q{rank}-rank-1">'
        in page
    )


def test_save_and_come_back_later_gives_a_link_that_resumes_on_the_same_page(client, scene):
    _survey, q, _place = scene
    first = start(client)
    client.post(first, page_one(q))
    second = first.replace("page/1/", "page/2/")

    saved = client.post(second, {f"q{q['improve'].pk}": "paths", "action": "save"})
    page = client.get(saved["Location"]).content.decode()
    response = Response.objects.get()
    fresh = client.__class__()  # another device: no session, not signed in
    resumed = fresh.get(answer_url(response, ""))
    shown = fresh.get(resumed["Location"]).content.decode()

    assert saved["Location"] == answer_url(response, "saved/")
    assert f"http://testserver{answer_url(response, '')}" in page
    assert resumed["Location"] == second
    assert 'value="paths" checked' in shown
    assert response.state == Response.State.IN_PROGRESS


def test_a_signed_in_resident_finds_their_saved_answers_again(client, scene, resident):
    _survey, q, _place = scene
    client.force_login(resident)
    first = start(client)
    client.post(first, page_one(q))
    client.logout()
    client.force_login(resident)

    page = client.get(BASE).content.decode()
    again = client.post(BASE + "start/")

    assert "Carry on where you stopped" in page
    assert again["Location"].endswith("/page/2/")
    assert Response.objects.filter(user=resident).count() == 1


def test_someone_else_signed_in_cannot_open_a_residents_link(client, scene, resident, officer):
    survey, _q, _place = scene
    response = domain.start_response(survey, user=resident)
    client.force_login(officer)

    assert client.get(answer_url(response, "page/1/")).status_code == 404


def test_change_links_on_check_your_answers_come_back_to_it(client, scene):
    _survey, q, place = scene
    first = start(client)
    response = Response.objects.get()
    client.post(first, page_one(q))
    client.post(answer_url(response, "page/2/"), page_two(q))
    client.post(answer_url(response, "page/3/"), page_three(q, place))
    client.post(answer_url(response, "about-you/"), {"action": "continue"})

    check = client.get(answer_url(response, "check/")).content.decode()
    changed = client.post(
        answer_url(response, "page/1/") + "?change=1",
        page_one(q, **{f"q{q['name'].pk}": "Rosa"}),
    )

    assert f'href="{answer_url(response, "page/1/")}?change=1#q{q["name"].pk}"' in check
    assert changed["Location"] == answer_url(response, "check/")
    assert "Rosa" in client.get(changed["Location"]).content.decode()


def test_sending_with_a_required_answer_missing_says_which(client, scene):
    _survey, q, _place = scene
    start(client)
    response = Response.objects.get()
    domain.save_page(response, 1, {q["use"].pk: "often"})
    domain.save_page(response, ABOUT_YOU_PAGE, {})

    page = client.post(answer_url(response, "check/"))
    html = page.content.decode()

    assert page.status_code == 400
    assert "Answer “How much do you agree?”" in html
    assert response.__class__.objects.get().state == Response.State.IN_PROGRESS


def test_a_closed_survey_says_so_instead_of_taking_answers(client, scene, officer):
    survey, q, _place = scene
    first = start(client)
    domain.close_survey(survey, by=officer)

    shown = client.get(first)
    posted = client.post(first, page_one(q))

    assert shown.status_code == posted.status_code == 403
    assert "This survey has closed." in posted.content.decode()
    assert not Answer.objects.exists()


def test_a_survey_past_its_closing_date_refuses_the_final_send(client, scene):
    survey, q, _place = scene
    first = start(client)
    response = Response.objects.get()
    client.post(first, page_one(q))
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))

    sent = client.post(answer_url(response, "check/"))

    assert sent.status_code == 403
    response.refresh_from_db()
    assert response.state == Response.State.IN_PROGRESS


def test_a_sent_response_goes_to_its_confirmation_not_back_to_its_pages(client, scene):
    _survey, q, place = scene
    start(client)
    response = Response.objects.get()
    from tests.surveys.test_domain import answer_everything

    answer_everything(response, q, place)
    domain.submit_response(response)

    again = client.post(
        answer_url(response, "page/1/"), page_one(q, **{f"q{q['use'].pk}": "never"})
    )

    assert again["Location"] == answer_url(response, "sent/")
    assert domain.answers_of(response)[q["use"].pk] == "often"


def test_a_page_not_in_the_survey_or_a_hidden_one_goes_back_to_where_they_were(client, scene):
    _survey, _q, _place = scene
    first = start(client)

    assert client.get(first.replace("page/1/", "page/42/"))["Location"] == first
    assert client.get(first.replace("page/1/", "page/99999999999999/"))["Location"] == first


def test_an_unknown_token_is_not_found(client, scene):
    assert client.get(f"{BASE}answer/nope/page/1/").status_code == 404
    assert client.get(f"{BASE}answer/{'x' * 500}/").status_code == 404


def test_the_postcode_question_refuses_a_postcode_outside_the_area(client, scene):
    _survey, q, place = scene
    first = start(client)
    client.post(first, page_one(q))
    response = Response.objects.get()
    client.post(answer_url(response, "page/2/"), page_two(q))

    page = client.post(
        answer_url(response, "page/3/"),
        page_three(q, place) | {f"q{q['postcode'].pk}": "EL9 9ZZ"},
    ).content.decode()
    ok = client.post(
        answer_url(response, "page/3/"), page_three(q, place) | {f"q{q['postcode'].pk}": "mh1 1aa"}
    )

    assert "This postcode is not in Mootshire’s area." in page
    assert ok.status_code == 302
    assert domain.answers_of(response)[q["postcode"].pk] == MOOT_POSTCODE


# --- Anything at all ------------------------------------------------------------------------


FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def junk() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            ["", "often", "never", "paths", "nature", "agree", "1e9", "\x00", "9" * 400]
        ),
    )


def test_any_posted_page_is_answered_clearly_and_is_never_half_written(client, scene):
    _survey, q, _place = scene
    first = start(client)
    response = Response.objects.get()
    client.post(first, page_one(q))
    second = answer_url(response, "page/2/")
    names = [
        f"q{q['improve'].pk}",
        f"q{q['rank'].pk}-rank-1",
        f"q{q['rank'].pk}-rank-2",
        f"q{q['rank'].pk}-rank-3",
        f"q{q['agree'].pk}-the_park_is_safe",
        f"q{q['agree'].pk}-the_park_is_clean",
        "action",
        "csrfmiddlewaretoken",
    ]

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(names), st.lists(junk(), max_size=3), max_size=8))
    def post(data):
        before = list(Answer.objects.filter(response=response).values_list("question_id", "value"))
        reply = client.post(second, data)
        assert reply.status_code in (200, 302)
        after = list(Answer.objects.filter(response=response).values_list("question_id", "value"))
        if reply.status_code == 200:
            assert "There is a problem" in reply.content.decode()
            assert sorted(map(str, after)) == sorted(map(str, before))

    post()


def test_a_survey_whose_questions_start_on_page_two_never_loops(client, council, officer):
    survey = domain.create_survey(
        council, by=officer, title="Gaps", answer_level=Eligibility.NONE, equality_monitoring=False
    )
    domain.add_question(survey, by=officer, kind="short_text", text="Hello?", page=2)
    domain.open_survey(survey, by=officer)
    base = "/mootshire/surveys/gaps/"

    first = client.post(base + "start/")["Location"]
    response = Response.objects.get()
    resumed = client.get(f"{base}answer/{response.token}/")["Location"]
    stray = client.get(f"{base}answer/{response.token}/page/1/")["Location"]

    assert first == resumed == stray == f"{base}answer/{response.token}/page/2/"
    assert "Page 1 of 1" in client.get(first).content.decode()
