"""The meetings endpoints under load and abuse: fixed query counts, JSON for any input,
and the OpenAPI document describing them.

As in test_robustness, the scene is built once per test and only read, so hypothesis may
share it across examples (hence the suppressed function-scoped-fixture health check).
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from tests import factories
from tests.api.test_meetings_scene import (
    london,
    scene_fixture,  # noqa: F401 (the "scene" fixture)
)

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Text that has broken APIs before, and values near the valid ones.
DANGEROUS = [
    "\x00",
    "-1",
    "9" * 25,
    "%",
    "/",
    "\n",
    "é",
    " ",
    "true",
    "held",
    "newest",
    "oldest",
    "2024-03-14",
    "0001-01-01",
    "9999-12-31",
    "2024-02-30",
    "planning-committee",
    "cabinet",
]
awkward_text = st.one_of(
    st.sampled_from(DANGEROUS),
    st.lists(st.sampled_from(DANGEROUS) | st.text(max_size=3), min_size=1, max_size=4).map("".join),
    st.text(),
)
numberish = awkward_text | st.integers(min_value=-(2**80), max_value=2**80).map(str)

LISTS = {
    "/meetings": ["body", "from", "to", "status", "order", "limit", "offset"],
    "/decisions": ["key", "from", "to", "status", "limit", "offset"],
    "/forward-plan": ["from", "to", "status", "limit", "offset"],
    "/bodies": ["limit", "offset"],
}


def _assert_json_below_500(response) -> None:
    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


# --- Any input is answered with JSON ---------------------------------------------------------


@fuzz
@given(path=st.sampled_from(sorted(LISTS)), data=st.data())
def test_any_query_to_a_meetings_list_is_answered_with_json(client, scene, path, data):
    params = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(LISTS[path], numberish)))

    _assert_json_below_500(client.get(f"/api/v1/councils/mootshire{path}?{urlencode(params)}"))


@fuzz
@given(
    text=numberish,
    kind=st.sampled_from(["meetings", "decisions", "documents", "bodies"]),
)
def test_any_text_as_an_id_or_slug_is_answered_with_json(client, scene, text, kind):
    _assert_json_below_500(client.get(f"/api/v1/councils/mootshire/{kind}/{quote(text, safe='')}"))


@fuzz
@given(
    text=awkward_text, tail=st.sampled_from(["/bodies", "/meetings", "/decisions", "/forward-plan"])
)
def test_any_text_as_the_council_of_a_meetings_list_is_answered_with_json(
    client, scene, text, tail
):
    _assert_json_below_500(client.get(f"/api/v1/councils/{quote(text, safe='')}{tail}"))


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-12-31",
        "to=9999-12-31",
        "from=0001-01-01&to=0001-01-01",
        "from=2030-01-01&to=2020-01-01",
        "to=0001-01-01",
        "body=" + "x" * 121,
        "body=%00",
        "status=%00",
        "limit=99999999999999999999999",
        "offset=1000001",
    ],
)
def test_the_inputs_that_break_naive_apis_are_answered_with_json(client, scene, query):
    _assert_json_below_500(client.get(f"/api/v1/councils/mootshire/meetings?{query}"))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_meetings_api_is_read_only(client, scene, method):
    response = getattr(client, method)(f"/api/v1/councils/mootshire/meetings/{scene.meeting.pk}")

    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed."}


def test_anyone_may_read_the_meetings_api_from_a_web_page(client, scene):
    response = client.get("/api/v1/councils/mootshire/meetings", HTTP_ORIGIN="https://example.org")

    assert response["Access-Control-Allow-Origin"] == "*"


# --- Query counts do not grow with rows -------------------------------------------------------


def _grow(scene, n: int = 8) -> None:
    """More of everything: bodies with members, meetings with items, papers, votes, decisions."""
    council = scene.planning.council
    people = [factories.CouncillorFactory(council=council) for _ in range(3)]
    for i in range(n):
        body = domain.create_body(None, council, name=f"Panel {i}", parent=scene.planning)
        for person in people:
            domain.add_member(None, body, person)
        meeting = domain.create_meeting(None, body, start=london(2024, 5, 1 + i, 18, 0))
        item = domain.add_agenda_item(None, meeting, title=f"Item {i}")
        domain.add_agenda_item(None, meeting, title=f"Sub-item {i}", parent=item)
        domain.attach_document(
            None,
            council,
            data=make_pdf(f"Paper {i}."),
            title=f"Paper {i}",
            kind="report",
            agenda_item=item,
        )
        domain.publish_agenda(None, meeting, now=london(2024, 4, 1, 9, 0))
        domain.record_attendance(None, meeting, {p.pk: "present" for p in people})
        decision = domain.record_decision(
            None,
            council,
            title=f"Decision {i}",
            text="Agreed.",
            decision_maker=body.name,
            decided_on=meeting.start.date(),
            agenda_item=item,
            now=london(2024, 6, 1, 9, 0),
        )
        domain.record_vote(
            None,
            meeting,
            motion=f"Motion {i}",
            positions={p.pk: "for" for p in people},
            agenda_item=item,
            decision=decision,
        )
        domain.add_forward_plan_entry(
            None,
            council,
            title=f"Plan {i}",
            decision_maker="Cabinet",
            body=body,
            expected_date=london(2030, 1, 1 + i, 0, 0).date(),
        )


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/api/v1/councils/mootshire/bodies", 3),
        ("/api/v1/councils/mootshire/meetings", 3),
        ("/api/v1/councils/mootshire/meetings?body=planning-committee&from=2024-01-01", 3),
        ("/api/v1/councils/mootshire/decisions", 3),
        ("/api/v1/councils/mootshire/forward-plan", 3),
    ],
)
def test_a_list_runs_a_fixed_number_of_queries_however_long_it_is(client, scene, url, budget):
    before = _queries(client, url)
    _grow(scene)
    after = _queries(client, url)

    assert client.get(url).json()["count"] > 1
    assert before == after <= budget


def test_a_meeting_runs_a_fixed_number_of_queries_however_full_it_is(client, scene):
    meeting = scene.meeting
    url = f"/api/v1/councils/mootshire/meetings/{meeting.pk}"
    before = _queries(client, url)
    people = [factories.CouncillorFactory(council=meeting.council) for _ in range(6)]
    for i in range(6):
        item = domain.add_agenda_item(
            None, meeting, title=f"Late {i}", is_urgent=True, urgency_reason="Could not wait."
        )
        domain.attach_document(
            None,
            meeting.council,
            data=make_pdf(f"Late paper {i}."),
            title=f"Late paper {i}",
            kind="report",
            agenda_item=item,
        )
        decision = domain.record_decision(
            None,
            meeting.council,
            title=f"Decision {i}",
            text="Agreed.",
            decision_maker="Planning Committee",
            decided_on=meeting.start.date(),
            agenda_item=item,
            now=london(2024, 3, 15, 9, 0),
        )
        domain.record_vote(
            None,
            meeting,
            motion=f"Motion {i}",
            positions={p.pk: "for" for p in people},
            agenda_item=item,
            decision=decision,
        )
        domain.record_declaration(
            None,
            meeting,
            councillor=people[i],
            kind="registrable",
            description="A house.",
            agenda_item=item,
        )
    domain.record_attendance(None, meeting, {p.pk: "present" for p in people})

    after = _queries(client, url)

    assert len(client.get(url).json()["votes"]) == 7
    assert before == after <= 13


@pytest.mark.parametrize(("kind", "budget"), [("bodies", 3), ("decisions", 4), ("documents", 2)])
def test_one_body_decision_or_document_runs_a_fixed_number_of_queries(client, scene, kind, budget):
    key = {
        "bodies": scene.planning.slug,
        "decisions": scene.decision.pk,
        "documents": scene.report.pk,
    }[kind]
    url = f"/api/v1/councils/mootshire/{kind}/{key}"
    before = _queries(client, url)
    for _ in range(5):
        domain.add_member(
            None, scene.planning, factories.CouncillorFactory(council=scene.planning.council)
        )
        domain.record_vote(
            None,
            scene.meeting,
            motion="Again.",
            positions={scene.ada.pk: "for"},
            agenda_item=scene.mill_lane,
            decision=scene.decision,
        )

    assert before == _queries(client, url) <= budget


# --- The OpenAPI document ---------------------------------------------------------------------

MEETING_OPERATIONS = {
    "/api/v1/councils/{slug}/bodies": "list_council_bodies",
    "/api/v1/councils/{slug}/bodies/{body_slug}": "get_body",
    "/api/v1/councils/{slug}/meetings": "list_council_meetings",
    "/api/v1/councils/{slug}/meetings/{id}": "get_meeting",
    "/api/v1/councils/{slug}/decisions": "list_council_decisions",
    "/api/v1/councils/{slug}/decisions/{id}": "get_decision",
    "/api/v1/councils/{slug}/documents/{id}": "get_document",
    "/api/v1/councils/{slug}/forward-plan": "list_council_forward_plan",
    "/api/v1/search": "search",
}


def test_the_openapi_document_describes_the_meetings_operations(client):
    document = client.get("/api/v1/openapi.json").json()

    operations = {
        path: ops["get"]["operationId"]
        for path, ops in document["paths"].items()
        if path in MEETING_OPERATIONS
    }
    assert operations == MEETING_OPERATIONS
    for path in MEETING_OPERATIONS:
        assert sorted(document["paths"][path]) == ["get"]
        assert "nothing staff-only" in document["paths"][path]["get"]["description"]


def test_the_openapi_document_names_each_kind_of_status_apart(client):
    document = client.get("/api/v1/openapi.json").json()

    schemas = document["components"]["schemas"]
    parameters = {
        p["name"]: p
        for p in document["paths"]["/api/v1/councils/{slug}/meetings"]["get"]["parameters"]
    }
    assert sorted(parameters) == [
        "body",
        "from",
        "limit",
        "offset",
        "order",
        "slug",
        "status",
        "to",
    ]
    assert parameters["status"]["schema"]["anyOf"][0] == {
        "$ref": "#/components/schemas/MeetingStatus"
    }
    assert schemas["MeetingStatus"]["enum"] == ["scheduled", "postponed", "cancelled", "held"]
    assert schemas["DecisionStatus"]["enum"] == ["made", "called_in", "implemented"]
    assert schemas["ForwardPlanStatus"]["enum"] == ["planned", "decided", "withdrawn"]
    assert schemas["AttendanceStatus"]["enum"] == ["present", "apologies", "absent", "substitute"]
    assert schemas["VotePosition"]["enum"] == ["for", "against", "abstain", "absent", "not_voting"]
    assert schemas["KeyDecisionException"]["enum"] == ["general_exception", "special_urgency"]
    assert "Status" not in schemas
    assert "Kind" not in schemas
