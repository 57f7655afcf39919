"""The council's "You said, we did" page: petitions answered, heard or debated and ideas the
council moved on or answered, by topic or by ward, with what was done."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from moothall.ideas import domain as ideas
from moothall.meetings import domain as meetings
from moothall.petitions import domain
from tests.public.petitions_scene import Scene, build_scene, draft, publish, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, resident, moderator, officer) -> Scene:
    return build_scene(council, resident, moderator, officer)


def _outcomes(response) -> list[tuple[str, list[str]]]:
    return [(g.name, [o.title for o in g.outcomes]) for g in response.context["groups"]]


def _debated(scene: Scene, title: str, **fields):
    petition = publish(scene, title, **fields)
    body = meetings.create_body(None, scene.council, name="Full Council", kind="full_council")
    meeting = meetings.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)
    )
    hearing = domain.place_petition_on_agenda(scene.officer, petition, meeting, kind="debate")
    decision = meetings.record_decision(
        None,
        scene.council,
        title="Bus stop to be moved",
        text="Resolved.",
        decision_maker="Full Council",
        decided_on=dt.date(2030, 3, 14),
        agenda_item=hearing.agenda_item,
    )
    domain.link_petition_decision(
        scene.officer, hearing, decision=decision, outcome="The council agreed."
    )
    return petition, decision


def test_answered_petitions_and_acted_on_ideas_are_shown_by_topic_with_what_was_done(client, scene):
    answered = publish(scene, "Save Moot Park", topic=scene.parks, ward=scene.moot)
    sign(answered, "ann@example.org")
    domain.respond_to_petition(scene.officer, answered, response="We **agree**: it stays open.")
    _debated_petition, decision = _debated(scene, "Move the bus stop", topic=scene.roads)
    publish(scene, "Still open, nothing done", topic=scene.parks)
    rejected = draft(scene, "Rejected")
    domain.submit_petition(scene.resident, rejected)
    domain.moderate_petition(scene.moderator, rejected, publish=False, reason_text="No.")
    bench = ideas.propose_idea(
        scene.resident,
        scene.council,
        title="A bench by the pond",
        body="Somewhere to sit.",
        topic=scene.parks,
        ward=scene.lowdale,
    )
    ideas.set_idea_status(scene.officer, bench, "accepted", reason="Ordered for spring.")
    answered_idea = ideas.propose_idea(
        scene.resident, scene.council, title="More bins", body="Overflowing on Fridays."
    )
    ideas.respond_to_idea(scene.officer, answered_idea, body="Collections move to *Thursdays*.")
    ideas.propose_idea(scene.resident, scene.council, title="Untouched idea", body="Nothing yet.")

    response = client.get("/mootshire/you-said-we-did/")

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">You said, we did</h1>', html=True)
    groups = dict(_outcomes(response))
    assert list(groups) == ["Parks", "Roads", "No particular topic"]
    assert sorted(groups["Parks"]) == ["A bench by the pond", "Save Moot Park"]
    assert groups["Roads"] == ["Move the bus stop"]
    assert groups["No particular topic"] == ["More bins"]
    assertContains(response, "<p>We <strong>agree</strong>: it stays open.</p>", html=True)
    assertContains(response, "<p>The council agreed.</p>", html=True)
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/decisions/{decision.pk}/">'
        "Full-council debate: Bus stop to be moved (14 March 2030)</a>",
        html=True,
    )
    assertContains(response, "<p>Ordered for spring.</p>", html=True)
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--turquoise">Accepted</strong>', html=True
    )
    assertContains(response, "<p>Collections move to <em>Thursdays</em>.</p>", html=True)
    assertContains(response, "1 signature<")
    assertNotContains(response, "Still open, nothing done")
    assertNotContains(response, "Rejected")
    assertNotContains(response, "Untouched idea")


def test_the_page_groups_by_ward_and_filters_by_topic_and_ward(client, scene):
    park = publish(scene, "Save Moot Park", topic=scene.parks, ward=scene.moot)
    domain.respond_to_petition(scene.officer, park, response="Yes.")
    lane = publish(scene, "Fix Lowdale Lane", topic=scene.roads, ward=scene.lowdale)
    domain.respond_to_petition(scene.officer, lane, response="Done.")
    anywhere = publish(scene, "Everywhere", topic=scene.roads)
    domain.respond_to_petition(scene.officer, anywhere, response="Fine.")

    by_ward = client.get("/mootshire/you-said-we-did/?by=ward")
    roads = client.get("/mootshire/you-said-we-did/?topic=roads")
    moot = client.get("/mootshire/you-said-we-did/?ward=moot-ward&by=ward")

    assert _outcomes(by_ward) == [
        ("Lowdale Ward", ["Fix Lowdale Lane"]),
        ("Moot Ward", ["Save Moot Park"]),
        ("No particular ward", ["Everywhere"]),
    ]
    assert _outcomes(roads) == [("Roads", ["Everywhere", "Fix Lowdale Lane"])]
    assert _outcomes(moot) == [("Moot Ward", ["Save Moot Park"])]
    assertContains(by_ward, '<option value="ward" selected>Ward</option>', html=True)


def test_nothing_yet_is_said_plainly(client, scene):
    response = client.get("/mootshire/you-said-we-did/")

    assertContains(response, '<p class="govuk-body">Nothing to show yet.</p>', html=True)
