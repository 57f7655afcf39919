"""GET /api/v1/search: the site's one search, as JSON, with the same filters and errors.

The scene's documents are left out of exact expectations: their text is read by a
background task, and the search helper's own tests cover documents. Snippets are cut a
little differently by SQLite FTS5 and PostgreSQL, so only queries whose answer is the
same on both are compared whole.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.meetings import domain
from tests.api.test_meetings_scene import (
    scene_fixture,  # noqa: F401 (the "scene" fixture)
)

pytestmark = pytest.mark.django_db

NOT_DOCUMENTS = "type=agenda_item&type=decision"


def _search(client, query: str) -> dict:
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _found(client, query: str) -> set[tuple[str, int]]:
    return {(hit["kind"], hit["id"]) for hit in _search(client, query)["items"]}


def test_a_resident_can_search_the_councils_business(client, scene):
    response = client.get("/api/v1/search?q=site+plan")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "kind": "agenda_item",
                "kind_label": "Agenda item",
                "id": scene.site_plan.pk,
                "title": "Site plan",
                "title_html": "<mark>Site</mark> <mark>plan</mark>",
                "snippet": "",
                "snippet_html": "",
                "url": f"/mootshire/meetings/{scene.meeting.pk}/#item-{scene.site_plan.pk}",
                "date": "2024-03-14",
                "council": {"slug": "mootshire", "name": "Mootshire County Council"},
                "body": "Planning Committee",
            }
        ],
        "count": 1,
    }


def test_a_phrase_is_found_in_a_decisions_reasons_and_marked_in_the_snippet(client, scene):
    (hit,) = _search(client, "q=%22local+plan%22")["items"]

    assert (hit["kind"], hit["id"], hit["url"]) == (
        "decision",
        scene.decision.pk,
        f"/mootshire/decisions/{scene.decision.pk}/",
    )
    assert hit["snippet"].startswith("Outline permission granted.\n\nIn line with the local plan")
    assert "<mark>local" in hit["snippet_html"]
    assert "plan</mark>" in hit["snippet_html"]


def test_a_title_is_escaped_in_its_html_form_and_plain_in_its_text_form(
    client, scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        domain.add_agenda_item(
            None,
            scene.meeting,
            title="Fish & <b>chips</b>",
            is_urgent=True,
            urgency_reason="The van leaves.",
        )

    (hit,) = _search(client, "q=chips")["items"]

    assert hit["title"] == "Fish & <b>chips</b>"
    assert hit["title_html"] == "Fish &amp; &lt;b&gt;<mark>chips</mark>&lt;/b&gt;"


def test_the_kinds_can_be_chosen_one_or_several(client, scene):
    assert _found(client, "q=mill&type=agenda_item") == {("agenda_item", scene.mill_lane.pk)}
    assert _found(client, "q=mill&type=decision") == {("decision", scene.decision.pk)}
    assert _found(client, f"q=mill&{NOT_DOCUMENTS}") == {
        ("agenda_item", scene.mill_lane.pk),
        ("decision", scene.decision.pk),
    }


def test_the_search_can_be_kept_to_one_council_or_one_of_its_bodies(client, scene):
    everywhere = _found(client, "q=report&type=agenda_item")
    elsewhere = _found(client, "q=report&type=agenda_item&council=elsewhere")
    mootshire = _found(client, "q=report&type=agenda_item&council=mootshire")
    planning = _found(client, f"q=mill&{NOT_DOCUMENTS}&council=mootshire&body=planning-committee")
    cabinet = _search(client, "q=mill&council=mootshire&body=cabinet")

    elsewhere_item = ("agenda_item", scene.elsewhere_document.agenda_item_id)
    assert everywhere == elsewhere == {elsewhere_item}
    assert mootshire == set()
    assert planning == {("agenda_item", scene.mill_lane.pk), ("decision", scene.decision.pk)}
    assert cabinet == {"items": [], "count": 0}


def test_empty_filters_are_no_filters_as_a_search_form_sends_them(client, scene):
    assert _found(client, "q=site+plan&council=&body=&type=") == {
        ("agenda_item", scene.site_plan.pk)
    }


def test_a_council_or_body_we_do_not_know_finds_nothing(client, scene):
    assert _search(client, "q=mill&council=atlantis") == {"items": [], "count": 0}
    assert _search(client, "q=mill&council=mootshire&body=atlantis") == {"items": [], "count": 0}


def test_the_date_filters_are_inclusive(client, scene):
    assert _found(client, f"q=mill&{NOT_DOCUMENTS}&from=2024-03-14&to=2024-03-14") == {
        ("agenda_item", scene.mill_lane.pk),
        ("decision", scene.decision.pk),
    }
    assert _found(client, "q=mill&from=2024-03-15") == set()
    assert _found(client, "q=mill&to=2024-03-13") == set()


def test_limit_and_offset_page_through_the_results_keeping_the_total(client, scene):
    first = _search(client, f"q=mill&{NOT_DOCUMENTS}&limit=1")
    second = _search(client, f"q=mill&{NOT_DOCUMENTS}&limit=1&offset=1")
    beyond = _search(client, f"q=mill&{NOT_DOCUMENTS}&limit=1&offset=2")

    assert first["count"] == second["count"] == beyond["count"] == 2
    assert {(h["kind"], h["id"]) for h in first["items"] + second["items"]} == {
        ("agenda_item", scene.mill_lane.pk),
        ("decision", scene.decision.pk),
    }
    assert beyond["items"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=%22bins", 'A phrase is missing its closing quotation mark (").'),
        ("q=b*", "Put at least 2 letters before a * (as in plan*)."),
        ("q=", "Enter a word or phrase to search for."),
        ("q=+++", "Enter a word or phrase to search for."),
        ("q=bins&type=petitions", "There is no type of result called “petitions”."),
        (
            "q=bins&body=planning-committee",
            "Give the council too: a body's slug is unique only within its council.",
        ),
    ],
)
def test_a_query_that_cannot_be_read_is_a_400_saying_why(client, scene, query, message):
    response = client.get(f"/api/v1/search?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": message}


@pytest.mark.parametrize(
    ("query", "location", "problem"),
    [
        ("", "q", "missing"),
        ("q=" + "x" * 501, "q", "string_too_long"),
        ("q=bins&limit=101", "limit", "less_than_equal"),
        ("q=bins&offset=10001", "offset", "less_than_equal"),
        ("q=bins&from=soon", "from", "date_from_datetime_parsing"),
        ("q=bins&council=moot%20shire", "council", "value_error"),
    ],
)
def test_a_missing_or_out_of_range_parameter_is_a_422(client, db, query, location, problem):
    response = client.get(f"/api/v1/search?{query}")

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["query", location], problem)


@pytest.mark.parametrize("words", ["PURPLE", "otter", "farm", "valuation", "price", "shares"])
def test_exempt_business_is_never_found(client, scene, words):
    assert _search(client, f"q={words}") == {"items": [], "count": 0}


def test_an_unpublished_agenda_is_not_found_until_it_is_published(
    client, scene, django_capture_on_commit_callbacks
):
    assert _search(client, "q=budget") == {"items": [], "count": 0}

    with django_capture_on_commit_callbacks(execute=True):
        domain.publish_agenda(None, scene.future, now=scene.future.start.replace(month=3, day=1))

    assert ("agenda_item", scene.future.items.get().pk) in _found(client, "q=budget")


def test_a_search_runs_a_fixed_number_of_queries_however_many_match(
    client, scene, django_capture_on_commit_callbacks
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            answer = _search(client, "q=mill&type=agenda_item&limit=50")
        assert answer["count"] >= 1
        return len(context.captured_queries)

    before = queries()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(10):
            domain.add_agenda_item(
                None, scene.meeting, title=f"Mill race {i}", is_urgent=True, urgency_reason="Flood."
            )

    assert before == queries() <= 4


# --- Any input is answered with JSON -------------------------------------------------------

DANGEROUS = ['"', "(", ")", "*", "-", "OR", "NOT", "AND", "\x00", "%", "é", " ", "mill", "pl*"]
query_text = st.one_of(
    st.lists(st.sampled_from(DANGEROUS) | st.text(max_size=4), max_size=6).map(" ".join),
    st.text(max_size=600),
)
values = st.one_of(
    st.sampled_from(["mootshire", "planning-committee", "decision", "2024-03-14", "-1", "\x00"]),
    st.text(max_size=20),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=query_text,
    params=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ["council", "body", "type", "from", "to", "limit", "offset"], values
        ),
    ),
)
def test_any_search_is_answered_with_json_below_500(client, scene, q, params):
    response = client.get(f"/api/v1/search?{urlencode({'q': q, **params})}")

    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)
