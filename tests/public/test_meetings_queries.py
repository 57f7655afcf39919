"""Every list and detail page runs a fixed number of queries, however much it shows.

Each test builds some business, counts the queries of a page, builds as much again, and
counts again: the two counts must be equal, and within the page's budget.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moothall.meetings import domain
from moothall.meetings.models import Attendance, PublicSubmission
from tests import factories
from tests.public.meetings_scene import LONDON, PUBLIC_PDF, Scene, build_scene, councillor

pytestmark = pytest.mark.django_db

N = 2
_serial = itertools.count(1)


@pytest.fixture
def scene(council, resident) -> Scene:
    return build_scene(council, resident)


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


def _grow_meeting(scene: Scene) -> None:
    meeting = scene.held
    for _ in range(N):
        n = next(_serial)
        member = councillor(scene.council, f"Member {n}")
        Attendance.objects.create(meeting=meeting, councillor=member, status="present")
        item = domain.add_agenda_item(
            None,
            meeting,
            title=f"Item {n}",
            description="*Text*",
            is_urgent=True,
            urgency_reason="Late",
        )
        domain.add_agenda_item(
            None, meeting, title=f"Sub-item {n}", parent=item, is_urgent=True, urgency_reason="Late"
        )
        domain.add_agenda_item(
            None,
            meeting,
            title=f"Private {n}",
            kind="exempt",
            exempt_paragraph=1,
            is_urgent=True,
            urgency_reason="Late",
        )
        domain.attach_document(
            None,
            scene.council,
            data=PUBLIC_PDF,
            title=f"Paper {n}",
            kind="report",
            agenda_item=item,
        )
        decision = domain.record_decision(
            None,
            scene.council,
            title=f"Decision {n}",
            text="Resolved.",
            decision_maker="Planning Committee",
            decided_on=dt.date(2024, 3, 14),
            agenda_item=item,
        )
        domain.record_vote(
            None,
            meeting,
            motion=f"Motion {n}",
            positions={scene.ada.pk: "for", scene.ben.pk: "against", member.pk: "abstain"},
            agenda_item=item,
            decision=decision,
        )
        domain.record_declaration(
            None,
            meeting,
            councillor=member,
            kind="registrable",
            description="A house.",
            agenda_item=item,
        )
        PublicSubmission.objects.create(
            meeting=meeting,
            agenda_item=item,
            submitter=factories.UserFactory(),
            display_name=f"Person {n}",
            kind="question",
            text="Why?",
            status="accepted",
        )


def test_the_meeting_page(client, scene):
    # 11, and up to 2 more when the timeline names papers or decisions no longer public.
    _steady(client, f"/mootshire/meetings/{scene.held.pk}/", lambda: _grow_meeting(scene), 13)


def test_the_meetings_calendar(client, scene):
    cabinet = domain.create_body(None, scene.council, name="Cabinet", kind="cabinet")

    def grow() -> None:
        for _ in range(N):
            day = dt.timedelta(days=next(_serial))
            factories.MeetingFactory(
                body=cabinet, start=dt.datetime(2031, 1, 1, tzinfo=dt.UTC) + day
            )
            factories.MeetingFactory(
                body=scene.body, start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + day
            )

    _steady(client, "/mootshire/meetings/", grow, 4)
    _steady(client, "/mootshire/meetings/?when=past&body=planning-committee", grow, 4)


def test_the_bodies_page(client, scene):
    def grow() -> None:
        for _ in range(N):
            factories.BodyFactory(council=scene.council)

    _steady(client, "/mootshire/bodies/", grow, 2)


def test_a_body_page(client, scene):
    def grow() -> None:
        for _ in range(N):
            n = next(_serial)
            domain.add_member(None, scene.body, councillor(scene.council, f"Member {n}"))
            factories.MeetingFactory(body=scene.body, start=timezone.now() + dt.timedelta(days=n))
            factories.MeetingFactory(body=scene.body, start=timezone.now() - dt.timedelta(days=n))

    _steady(client, "/mootshire/bodies/planning-committee/", grow, 4)


def test_the_decisions_page(client, scene):
    def grow() -> None:
        for _ in range(N):
            domain.record_decision(
                None,
                scene.council,
                title=f"Decision {next(_serial)}",
                text="Resolved.",
                decision_maker="Cabinet",
                decided_on=dt.date(2024, 5, 1),
                is_key_decision=True,
            )

    _steady(client, "/mootshire/decisions/", grow, 3)
    _steady(client, "/mootshire/decisions/?key=1", grow, 3)


def test_a_decision_page(client, scene):
    def grow() -> None:
        for _ in range(N):
            member = councillor(scene.council, f"Member {next(_serial)}")
            domain.record_vote(
                None,
                scene.held,
                motion="An amendment.",
                positions={scene.ada.pk: "for", member.pk: "against"},
                agenda_item=scene.report,
                decision=scene.decision,
            )

    _steady(client, f"/mootshire/decisions/{scene.decision.pk}/", grow, 3)


def test_the_forward_plan(client, scene):
    cabinet = domain.create_body(None, scene.council, name="Cabinet", kind="cabinet")

    def grow() -> None:
        for _ in range(N):
            domain.add_forward_plan_entry(
                None,
                scene.council,
                title=f"Plan {next(_serial)}",
                decision_maker="Cabinet",
                body=cabinet,
                expected_date=dt.date(2030, 6, 1),
            )

    _steady(client, "/mootshire/forward-plan/", grow, 3)


def test_a_document_page_and_file(client, scene):
    def grow() -> None:
        for _ in range(N):
            domain.attach_document(
                None,
                scene.council,
                data=PUBLIC_PDF,
                title="More",
                kind="report",
                meeting=scene.held,
            )

    _steady(client, f"/mootshire/documents/{scene.report_pdf.pk}/", grow, 1)
    _steady(client, f"/mootshire/documents/{scene.report_pdf.pk}/file", grow, 1)


def test_the_take_part_page(client, council, resident):
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    meeting = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
    )
    domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(None, meeting, now=dt.datetime(2030, 3, 1, 9, tzinfo=LONDON))
    client.force_login(resident)

    def grow() -> None:
        for _ in range(N):
            item = domain.add_agenda_item(
                None, meeting, title=f"Item {next(_serial)}", is_urgent=True, urgency_reason="Late"
            )
            domain.submit_to_meeting(
                resident, meeting, kind="speak", text="Hi", display_name="R", agenda_item=item
            )

    _steady(client, f"/mootshire/meetings/{meeting.pk}/take-part/", grow, 9)


def test_a_councillor_page(client, scene):
    def grow() -> None:
        for _ in range(N):
            meeting = domain.create_meeting(
                None, scene.body, start=timezone.now() - dt.timedelta(days=next(_serial))
            )
            domain.record_attendance(None, meeting, {scene.ada.pk: "present"})
            domain.record_vote(None, meeting, motion="A motion.", positions={scene.ada.pk: "for"})

    _steady(client, f"/mootshire/councillors/{scene.ada.pk}-ada-lovelace/", grow, 6)


def test_the_feeds_calendars_and_sitemap(client, scene):
    def grow() -> None:
        for _ in range(N):
            n = next(_serial)
            body = domain.create_body(None, scene.council, name=f"Panel {n}", kind="panel")
            meeting = domain.create_meeting(
                None, scene.body, start=timezone.now() + dt.timedelta(days=n)
            )
            domain.add_agenda_item(None, meeting, title="Item")
            domain.attach_document(
                None,
                scene.council,
                data=PUBLIC_PDF,
                title=f"Paper {n}",
                kind="report",
                meeting=meeting,
            )
            domain.publish_agenda(None, meeting)
            domain.record_decision(
                None,
                scene.council,
                title=f"Decision {n}",
                text="Resolved.",
                decision_maker=body.name,
                decided_on=dt.date(2024, 5, 1),
            )

    for url, budget in [
        ("/mootshire/feeds/meetings.atom", 2),
        ("/mootshire/feeds/decisions.atom", 2),
        ("/mootshire/feeds/documents.atom", 2),
        ("/mootshire/meetings.ics", 2),
        ("/mootshire/bodies/planning-committee/meetings.ics", 2),
        ("/sitemap.xml", 10),  # a count and a page for each of five sections
    ]:
        _steady(client, url, grow, budget)
