"""Surveys in the API: read-only, public data only, results once published.

Mootshire has an open survey about parks (a choice, a conditional written question, a
ranking, an agreement matrix and a number), a closed one about bins whose results are
published, a closed one whose results the council keeps to itself, and a draft nobody
outside the council may see.
"""

from __future__ import annotations

import pytest

from moothall.surveys import domain
from moothall.surveys.models import Kind

pytestmark = pytest.mark.django_db

BASE = "/api/v1/councils/mootshire/surveys"


@pytest.fixture
def scene(council):
    parks = domain.create_survey(
        council, by=None, title="Parks", slug="parks", summary="About parks.", answer_level=0
    )
    visit = domain.add_question(
        parks, by=None, kind=Kind.SINGLE_CHOICE, text="Do you visit?", options=["Yes", "No"]
    )
    domain.add_question(
        parks, by=None, kind=Kind.RANKING, text="Spend on?", options=["Paths", "Trees"]
    )
    domain.add_question(
        parks,
        by=None,
        kind=Kind.LIKERT,
        text="Views",
        options=["Clean", "Safe"],
        scale=["Agree", "Disagree"],
    )
    domain.add_question(
        parks, by=None, kind=Kind.NUMBER, text="Visits a month", min_value="0", max_value="31"
    )
    domain.add_question(
        parks,
        by=None,
        kind=Kind.LONG_TEXT,
        text="Why not?",
        show_if_question=visit,
        show_if_values=["no"],
        page=2,
    )
    domain.open_survey(parks, by=None)

    bins = domain.create_survey(council, by=None, title="Bins", slug="bins")
    often = domain.add_question(
        bins,
        by=None,
        kind=Kind.SINGLE_CHOICE,
        text="How often?",
        options=["Weekly", "Fortnightly"],
    )
    said = domain.add_question(bins, by=None, kind=Kind.SHORT_TEXT, text="Anything else?")
    rare = domain.add_question(
        bins,
        by=None,
        kind=Kind.NUMBER,
        text="Bags a week",
        show_if_question=often,
        show_if_values=["weekly"],
    )
    domain.open_survey(bins, by=None)
    for n in range(12):
        answers = {often.pk: "weekly" if n < 3 else "fortnightly", said.pk: "Secret words"}
        if n < 3:
            answers[rare.pk] = "2"
        domain.enter_paper_response(bins, by=None, answers=answers)
    domain.close_survey(bins, by=None)

    private = domain.create_survey(
        council, by=None, title="Staff only", slug="private", results_public=False
    )
    domain.add_question(private, by=None, kind=Kind.SHORT_TEXT, text="Q?")
    domain.open_survey(private, by=None)
    domain.close_survey(private, by=None)

    domain.create_survey(council, by=None, title="Not yet", slug="draft")
    return {"parks": parks, "bins": bins, "visit": visit}


def test_the_list_shows_public_surveys_only_the_newest_first(client, scene):
    response = client.get(BASE)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    rows = [(s["slug"], s["phase"], s["results_url"]) for s in body["items"]]
    assert rows == [
        ("private", "closed", None),
        ("bins", "closed", f"{BASE}/bins/results"),
        ("parks", "open", None),
    ]
    parks = body["items"][2]
    assert parks["summary"] == "About parks."
    assert parks["answer_level"] == "anyone"
    assert parks["url"] == "/mootshire/surveys/parks/"
    assert parks["api_url"] == f"{BASE}/parks"


def test_a_draft_and_an_unknown_council_are_not_found(client, scene):
    assert client.get(f"{BASE}/draft").status_code == 404
    assert client.get(f"{BASE}/draft/results").status_code == 404
    response = client.get("/api/v1/councils/nowhere/surveys")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “nowhere”."}


def test_a_survey_gives_its_questions_in_order_with_conditions(client, scene):
    response = client.get(f"{BASE}/parks")

    assert response.status_code == 200
    body = response.json()
    assert body["equality_monitoring"] is True
    questions = body["questions"]
    assert [(q["number"], q["kind"], q["text"], q["page"]) for q in questions] == [
        (1, "single_choice", "Do you visit?", 1),
        (2, "ranking", "Spend on?", 1),
        (3, "likert", "Views", 1),
        (4, "number", "Visits a month", 1),
        (5, "long_text", "Why not?", 2),
    ]
    assert questions[0]["options"] == [
        {"key": "yes", "label": "Yes"},
        {"key": "no", "label": "No"},
    ]
    assert questions[0]["condition"] is None
    assert questions[4]["condition"] == {"question": scene["visit"].pk, "values": ["no"]}
    assert [p["label"] for p in questions[2]["scale"]] == ["Agree", "Disagree"]
    assert (questions[3]["min_value"], questions[3]["max_value"]) == (0.0, 31.0)
    assert questions[4]["help_text"] is None


def test_results_are_refused_until_published(client, scene):
    for slug in ("parks", "private"):
        response = client.get(f"{BASE}/{slug}/results")
        assert response.status_code == 409
        assert response.json()["code"] == "not_published"


def test_published_results_give_tallies_and_withhold_small_and_written_answers(client, scene):
    response = client.get(f"{BASE}/bins/results")

    assert response.status_code == 200
    body = response.json()
    assert (body["responses"], body["online"], body["paper"]) == (12, 0, 12)
    assert body["weighted"] is False
    choice, written, small = body["questions"]
    assert choice["answered"] == 12
    assert not choice["withheld"]
    assert [(o["key"], o["count"], round(o["share"], 4)) for o in choice["options"]] == [
        ("weekly", 3, 0.25),
        ("fortnightly", 9, 0.75),
    ]
    assert choice["options"][0]["weighted_share"] is None
    assert written["answered"] == 12
    assert written["options"] is None
    assert small == {
        "question": small["question"],
        "number": 3,
        "kind": "number",
        "text": "Bags a week",
        "answered": 3,
        "withheld": True,
        "options": None,
        "ranking": None,
        "scale": None,
        "rows": None,
        "numbers": None,
    }
    assert "Secret words" not in response.content.decode()


def test_the_list_is_paginated_with_bounds(client, scene):
    assert client.get(f"{BASE}?limit=1").json()["items"][0]["slug"] == "private"
    assert client.get(f"{BASE}?limit=0").status_code == 422
