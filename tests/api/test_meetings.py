"""The bodies and meetings endpoints: lists (paged, filtered) and one body or meeting."""

from __future__ import annotations

import datetime as dt

import pytest

from moothall.meetings import domain
from tests import factories
from tests.api.test_meetings_scene import (
    body_ref,
    councillor_ref,
    decision_payload,
    document_urls,
    iso,
    london,
    meeting_item,
    scene_fixture,  # noqa: F401 (the "scene" fixture)
    vote_payload,
)

pytestmark = pytest.mark.django_db


# --- Bodies ------------------------------------------------------------------------


def test_a_journalist_can_list_a_councils_bodies_by_name(client, scene):
    response = client.get("/api/v1/councils/mootshire/bodies")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                **body_ref(scene.cabinet),
                "parent": None,
                "purpose": None,
                "active": True,
                "url": "/mootshire/bodies/cabinet/",
            },
            {
                **body_ref(scene.planning),
                "parent": None,
                "purpose": "Decides **planning** applications.",
                "active": True,
                "url": "/mootshire/bodies/planning-committee/",
            },
        ],
        "count": 2,
    }


def test_a_sub_committee_names_its_parent_and_a_body_that_no_longer_meets_says_so(client, council):
    parent = factories.BodyFactory(council=council, name="Licensing", slug="licensing")
    factories.BodyFactory(
        council=council, name="Taxi panel", slug="taxi-panel", parent=parent, is_active=False
    )

    response = client.get("/api/v1/councils/mootshire/bodies?offset=1")

    assert response.json() == {
        "items": [
            {
                "slug": "taxi-panel",
                "name": "Taxi panel",
                "kind": "committee",
                "api_url": "/api/v1/councils/mootshire/bodies/taxi-panel",
                "parent": "licensing",
                "purpose": None,
                "active": False,
                "url": "/mootshire/bodies/taxi-panel/",
            }
        ],
        "count": 2,
    }


def test_a_resident_can_read_a_body_with_its_current_members_chair_first(client, scene):
    response = client.get("/api/v1/councils/mootshire/bodies/planning-committee")

    assert response.status_code == 200
    assert response.json() == {
        **body_ref(scene.planning),
        "parent": None,
        "purpose": "Decides **planning** applications.",
        "active": True,
        "url": "/mootshire/bodies/planning-committee/",
        # Fred Former, vice-chair until 2023, is no longer a member.
        "members": [
            {
                "role": "chair",
                "start": "2022-05-05",
                "end": None,
                "councillor": councillor_ref(scene.ada),
            },
            {
                "role": "member",
                "start": "2022-05-05",
                "end": None,
                "councillor": councillor_ref(scene.brian),
            },
            {
                "role": "substitute",
                "start": "2022-05-05",
                "end": None,
                "councillor": councillor_ref(scene.cara),
            },
        ],
    }


def test_a_body_of_another_council_is_a_json_404(client, scene):
    factories.BodyFactory(council=scene.elsewhere_body.council, name="Licensing")

    response = client.get("/api/v1/councils/mootshire/bodies/licensing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Mootshire has no body “licensing”."}


def test_the_bodies_of_an_unknown_council_are_a_json_404(client, db):
    response = client.get("/api/v1/councils/atlantis/bodies")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “atlantis”."}


# --- Meetings: the list ------------------------------------------------------------------


def test_a_councils_meetings_are_listed_newest_first(client, scene):
    response = client.get("/api/v1/councils/mootshire/meetings")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            meeting_item(scene.future),
            meeting_item(scene.cancelled),
            meeting_item(scene.meeting),
        ],
        "count": 3,
    }


def test_a_listed_meeting_says_everything_but_its_agenda(client, scene):
    response = client.get("/api/v1/councils/mootshire/meetings?status=cancelled")

    assert response.json()["items"] == [
        {
            "id": scene.cancelled.pk,
            "title": "Planning Committee",
            "start": "2024-04-11T17:30:00Z",  # 18:30 British Summer Time
            "status": "cancelled",
            "url": f"/mootshire/meetings/{scene.cancelled.pk}/",
            "api_url": f"/api/v1/councils/mootshire/meetings/{scene.cancelled.pk}",
            "body": body_ref(scene.planning),
            "end": None,
            "venue": None,
            "status_reason": "No applications ready.",
            "webcast_url": None,
            "agenda_published_at": None,
            "publication_deadline": "2024-04-03",
            "agenda_late": False,
            "late_reason": None,
            "minutes_published_at": None,
        }
    ]


def test_order_oldest_lists_the_coming_meetings_soonest_first(client, scene):
    domain.create_meeting(None, scene.planning, start=london(2030, 1, 9, 18, 30))

    response = client.get("/api/v1/councils/mootshire/meetings?from=2026-01-01&order=oldest")

    assert [(m["title"], m["start"]) for m in response.json()["items"]] == [
        ("Planning Committee", "2030-01-09T18:30:00Z"),
        ("Cabinet", "2030-03-14T10:00:00Z"),
    ]


def test_meetings_can_be_filtered_by_body(client, scene):
    response = client.get("/api/v1/councils/mootshire/meetings?body=cabinet")

    assert [m["id"] for m in response.json()["items"]] == [scene.future.pk]
    assert response.json()["count"] == 1


def test_an_empty_body_filter_is_no_filter(client, scene):
    response = client.get("/api/v1/councils/mootshire/meetings?body=")

    assert response.json()["count"] == 3


def test_a_body_the_council_does_not_have_lists_no_meetings(client, scene):
    response = client.get("/api/v1/councils/mootshire/meetings?body=no-such-body")

    assert response.json() == {"items": [], "count": 0}


def test_the_date_filters_are_inclusive_days_in_uk_time(client, scene):
    # 14 March 2024 18:30 and 11 April 2024 18:30 (BST, so 17:30 UTC).
    both = client.get("/api/v1/councils/mootshire/meetings?from=2024-03-14&to=2024-04-11")
    march = client.get("/api/v1/councils/mootshire/meetings?to=2024-03-14")
    april = client.get("/api/v1/councils/mootshire/meetings?from=2024-03-15&to=2024-04-11")
    none = client.get("/api/v1/councils/mootshire/meetings?from=2024-04-12&to=2029-12-31")

    assert [m["id"] for m in both.json()["items"]] == [scene.cancelled.pk, scene.meeting.pk]
    assert [m["id"] for m in march.json()["items"]] == [scene.meeting.pk]
    assert [m["id"] for m in april.json()["items"]] == [scene.cancelled.pk]
    assert none.json() == {"items": [], "count": 0}


def test_the_furthest_dates_there_are_are_valid_bounds(client, scene):
    response = client.get("/api/v1/councils/mootshire/meetings?from=0001-01-01&to=9999-12-31")

    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_the_filters_combine(client, scene):
    response = client.get(
        "/api/v1/councils/mootshire/meetings?body=planning-committee&status=held&to=2024-12-31"
    )

    assert [m["id"] for m in response.json()["items"]] == [scene.meeting.pk]


def test_limit_and_offset_page_through_the_meetings_keeping_the_total(client, scene):
    first = client.get("/api/v1/councils/mootshire/meetings?limit=2")
    second = client.get("/api/v1/councils/mootshire/meetings?limit=2&offset=2")

    assert [m["id"] for m in first.json()["items"]] == [scene.future.pk, scene.cancelled.pk]
    assert [m["id"] for m in second.json()["items"]] == [scene.meeting.pk]
    assert first.json()["count"] == second.json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "location", "problem"),
    [
        ("status=adjourned", "status", "enum"),
        ("order=random", "order", "enum"),
        ("from=14/03/2024", "from", "date_from_datetime_parsing"),
        ("to=2024-02-30", "to", "date_from_datetime_parsing"),
        ("body=planning%20committee", "body", "value_error"),
        ("body=%00", "body", "value_error"),
        ("limit=0", "limit", "greater_than_equal"),
    ],
)
def test_a_bad_meeting_filter_is_refused_with_422(client, scene, query, location, problem):
    response = client.get(f"/api/v1/councils/mootshire/meetings?{query}")

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", location]
    assert error["type"] == problem


def test_the_meetings_of_an_unknown_council_are_a_json_404(client, db):
    response = client.get("/api/v1/councils/atlantis/meetings")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “atlantis”."}


# --- Meetings: one meeting -----------------------------------------------------------------


def test_a_resident_can_read_a_meeting_with_its_whole_public_record(client, scene):
    meeting = scene.meeting

    response = client.get(f"/api/v1/councils/mootshire/meetings/{meeting.pk}")

    assert response.status_code == 200
    stub = {
        "exempt": True,
        "exempt_paragraph": 3,
        "title": None,
        "description": None,
        "kind": None,
        "urgent": None,
        "urgency_reason": None,
        "late": None,
        "lead_officer": None,
        "portfolio": None,
    }
    plain = {"exempt": False, "exempt_paragraph": None, "urgent": False, "urgency_reason": None}
    assert response.json() == {
        **meeting_item(meeting),
        "status": "held",
        "agenda_published_at": "2024-03-01T09:00:00Z",
        "publication_deadline": "2024-03-06",
        "agenda_late": False,
        "late_reason": None,
        "agenda": [
            {
                "id": scene.apologies.pk,
                "number": "1",
                "parent": None,
                **plain,
                "title": "Apologies",
                "description": None,
                "kind": "apologies",
                "late": False,
                "lead_officer": None,
                "portfolio": None,
            },
            {
                "id": scene.mill_lane.pk,
                "number": "2",
                "parent": None,
                **plain,
                "title": "Land at Mill Lane",
                "description": "Outline application for 40 homes.",
                "kind": "report",
                "late": False,
                "lead_officer": "Head of Planning",
                "portfolio": "Housing",
            },
            {
                "id": scene.site_plan.pk,
                "number": "2a",
                "parent": scene.mill_lane.pk,
                **plain,
                "title": "Site plan",
                "description": None,
                "kind": "report",
                "late": False,
                "lead_officer": None,
                "portfolio": None,
            },
            {"id": scene.secret.pk, "number": "3", "parent": None, **stub},
            # A sub-item of an exempt item is exempt under its parent's paragraph.
            {"id": scene.secret_sub.pk, "number": "3a", "parent": scene.secret.pk, **stub},
        ],
        "documents": [
            {
                "id": scene.pack.pk,
                "title": "Agenda pack",
                "kind": "agenda_pack",
                "content_type": "application/pdf",
                "size": scene.pack.stored_file.size,
                "published_at": "2024-03-01T09:00:00Z",
                **document_urls(scene.pack),
                "agenda_item": None,
            },
            {
                "id": scene.report.pk,
                "title": "Mill Lane report",
                "kind": "report",
                "content_type": "application/pdf",
                "size": scene.report.stored_file.size,
                "published_at": "2024-03-01T09:00:00Z",
                **document_urls(scene.report),
                "agenda_item": scene.mill_lane.pk,
            },
        ],
        "decisions": [decision_payload(scene)],
        "votes": [vote_payload(scene)],
        "attendance": [
            {
                "councillor": councillor_ref(scene.ada),
                "status": "present",
                "substitute_for": None,
                "role": None,
            },
            {
                "councillor": councillor_ref(scene.brian),
                "status": "apologies",
                "substitute_for": None,
                "role": None,
            },
            {
                "councillor": councillor_ref(scene.cara),
                "status": "substitute",
                "substitute_for": councillor_ref(scene.brian),
                "role": None,
            },
        ],
        "declarations": [
            {
                "councillor": councillor_ref(scene.ada),
                "kind": "non_registrable",
                "description": "Lives on Mill Lane.",
                "agenda_item": scene.mill_lane.pk,
                "left_the_room": False,
                "dispensation": None,
            }
        ],
        "submissions": [],
        "timeline": [
            {"at": iso(entry.at), "kind": entry.kind, "text": entry.describe()}
            for entry in meeting.timeline.filter(is_public=True).order_by("at", "id")
        ],
    }
    assert [entry["kind"] for entry in response.json()["timeline"]] == [
        "created",
        "agenda_published",
        "attendance_recorded",
        "declaration_recorded",
        "decision_recorded",
        "vote_recorded",
    ]
    assert response.json()["timeline"][1]["text"] == "Agenda published."


def test_a_meeting_whose_agenda_is_unpublished_shows_no_agenda_and_no_papers(client, scene):
    response = client.get(f"/api/v1/councils/mootshire/meetings/{scene.future.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["agenda_published_at"] is None
    assert body["publication_deadline"] == "2030-03-06"
    assert (body["agenda"], body["documents"], body["decisions"], body["votes"]) == ([], [], [], [])


def test_a_late_agenda_says_so_with_its_reason_and_its_urgent_items(client, council):
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    meeting = domain.create_meeting(None, body, start=london(2030, 3, 14, 18, 30))
    domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(
        None, meeting, now=london(2030, 3, 8, 9, 0), late_reason="Budget figures came late."
    )

    response = client.get(f"/api/v1/councils/mootshire/meetings/{meeting.pk}")

    body = response.json()
    assert (body["agenda_late"], body["late_reason"], body["publication_deadline"]) == (
        True,
        "Budget figures came late.",
        "2030-03-06",
    )
    (item,) = body["agenda"]
    assert (item["urgent"], item["urgency_reason"]) == (True, "Budget figures came late.")
    assert body["timeline"][-1]["text"] == (
        "Agenda published late (the deadline was 6 March 2030). Reason: Budget figures came late."
    )


def test_a_meeting_lists_the_public_questions_the_clerk_accepted(
    client, scene, resident, django_capture_on_commit_callbacks
):
    meeting = domain.create_meeting(None, scene.planning, start=london(2030, 6, 13, 18, 30))
    item = domain.add_agenda_item(None, meeting, title="Bus shelters")
    today = dt.date(2030, 5, 1)
    with django_capture_on_commit_callbacks(execute=True):
        general = domain.submit_to_meeting(
            resident,
            meeting,
            kind="question",
            text="When are the bins?",
            display_name="Rita",
            today=today,
        )
        on_item = domain.submit_to_meeting(
            resident,
            meeting,
            kind="speak",
            text="On the shelters.",
            display_name="Rita R",
            agenda_item=item,
            today=today,
        )
        declined = domain.submit_to_meeting(
            resident,
            meeting,
            kind="deputation",
            text="Declined one.",
            display_name="Rita",
            today=today,
        )
        for submission, accept in ((general, True), (on_item, True), (declined, False)):
            domain.decide_submission(None, submission, accept=accept, reason="Off topic.")
    url = f"/api/v1/councils/mootshire/meetings/{meeting.pk}"

    before = client.get(url).json()["submissions"]
    domain.publish_agenda(None, meeting, now=london(2030, 5, 2, 9, 0))
    after = client.get(url).json()["submissions"]

    general_row = {
        "kind": "question",
        "name": "Rita",
        "text": "When are the bins?",
        "agenda_item": None,
    }
    # One on an item waits for the agenda to be published, like the item itself.
    assert before == [general_row]
    assert after == [
        general_row,
        {"kind": "speak", "name": "Rita R", "text": "On the shelters.", "agenda_item": item.pk},
    ]


def test_a_meeting_of_another_council_is_a_json_404(client, scene):
    response = client.get(f"/api/v1/councils/mootshire/meetings/{scene.elsewhere_meeting.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"Mootshire has no meeting {scene.elsewhere_meeting.pk}."}


@pytest.mark.parametrize("id", ["0", "9999999", "99999999999999999999999"])
def test_a_meeting_that_does_not_exist_is_a_json_404(client, council, id):
    response = client.get(f"/api/v1/councils/mootshire/meetings/{id}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"Mootshire has no meeting {id}."}
