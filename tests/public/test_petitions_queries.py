"""The petitions pages run a fixed number of queries, however many petitions, signatures,
obligations, hearings and ideas there are.

Each test builds some, counts the queries of a page, builds as much again, and counts
again: the two counts must be equal, and within the page's budget.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from moothall.ideas import domain as ideas
from moothall.meetings import domain as meetings
from moothall.petitions import domain
from moothall.petitions.models import Petition
from tests.public.petitions_scene import Scene, build_scene, publish, sign

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


@pytest.fixture
def scene(council, resident, moderator, officer) -> Scene:
    return build_scene(council, resident, moderator, officer)


def _queries(client, url: str) -> int:
    client.get(url)  # warm any per-process caches first
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def _steady(client, url: str, grow: Callable[[], None], budget: int) -> None:
    grow()
    before = _queries(client, url)
    grow()
    after = _queries(client, url)
    assert before == after, f"{url}: {before} queries with N, {after} with 2N"
    assert after <= budget, f"{url}: {after} queries, budget {budget}"


def _answered(scene: Scene, meeting) -> Petition:
    n = next(_serial)
    petition = publish(
        scene, f"Petition {n}", topic=scene.parks if n % 2 else scene.roads, ward=scene.moot
    )
    for k in range(3):
        sign(petition, f"p{n}s{k}@example.org", "MH2 2BB" if k else "MH1 1AA")
    domain.respond_to_petition(scene.officer, petition, response=f"Answer **{n}**.")
    hearing = domain.place_petition_on_agenda(scene.officer, petition, meeting, kind="hear")
    decision = meetings.record_decision(
        None,
        scene.council,
        title=f"Decision {n}",
        text="Resolved.",
        decision_maker="Full Council",
        decided_on=dt.date(2030, 3, 14),
        agenda_item=hearing.agenda_item,
    )
    domain.link_petition_decision(scene.officer, hearing, decision=decision, outcome="Agreed.")
    return petition


@pytest.fixture
def meeting(scene):
    body = meetings.create_body(None, scene.council, name="Full Council", kind="full_council")
    return meetings.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)
    )


def test_the_list(client, scene):
    def grow() -> None:
        for _ in range(3):
            petition = publish(scene, f"Listed {next(_serial)}", topic=scene.parks, ward=scene.moot)
            sign(petition, f"l{petition.pk}@example.org")

    for query in ("", "?status=all&sort=signatures", "?topic=parks&ward=moot-ward"):
        _steady(client, f"/mootshire/petitions/{query}", grow, budget=6)


def test_a_petition_page(client, scene, meeting, resident):
    petition = publish(scene, "Save Moot Park")

    def grow() -> None:
        for _ in range(3):
            n = next(_serial)
            sign(petition, f"d{n}@example.org", "MH2 2BB" if n % 2 else "MH1 1AA")
        hearing = domain.place_petition_on_agenda(scene.officer, petition, meeting, kind="hear")
        domain.link_petition_decision(scene.officer, hearing, decision=None, outcome="Heard.")
        domain.respond_to_petition(scene.officer, petition, response="Again.")

    _steady(client, petition.get_absolute_url(), grow, budget=8)
    client.force_login(resident)
    _steady(client, petition.get_absolute_url(), grow, budget=12)


def test_the_obligations_page(client, scene, meeting):
    def grow() -> None:
        _answered(scene, meeting)
        petition = publish(scene, f"Owed {next(_serial)}")
        for k in range(3):
            sign(petition, f"o{petition.pk}s{k}@example.org")

    _steady(client, "/mootshire/obligations/", grow, budget=3)


def test_you_said_we_did(client, scene, meeting):
    def grow() -> None:
        _answered(scene, meeting)
        idea = ideas.propose_idea(
            scene.resident,
            scene.council,
            title=f"Idea {next(_serial)}",
            body="Please.",
            topic=scene.parks,
        )
        ideas.set_idea_status(scene.officer, idea, "accepted", reason="Yes.")
        ideas.respond_to_idea(scene.officer, idea, body="We will.")

    for query in ("", "?by=ward", "?topic=parks"):
        _steady(client, f"/mootshire/you-said-we-did/{query}", grow, budget=11)
