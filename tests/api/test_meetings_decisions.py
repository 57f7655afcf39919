"""The decisions, documents and forward-plan endpoints."""

from __future__ import annotations

import datetime as dt

import pytest

from moothall.meetings import domain
from tests.api.test_meetings_scene import (
    body_ref,
    decision_payload,
    document_urls,
    london,
    meeting_ref,
    scene_fixture,  # noqa: F401 (the "scene" fixture)
    vote_payload,
)

pytestmark = pytest.mark.django_db


def _key_decision(council, **kwargs):
    """A key decision of Cabinet, taken without a meeting."""
    fields = {
        "title": "Sell the old depot",
        "text": "Agreed to sell.",
        "decision_maker": "Cabinet",
        "decided_on": dt.date(2024, 6, 3),
        "is_key_decision": True,
        "now": london(2024, 6, 4, 9, 0),
    }
    return domain.record_decision(None, council, **(fields | kwargs))


# --- Decisions ----------------------------------------------------------------------------


def test_a_journalist_can_list_a_councils_decisions_latest_first(client, scene, council):
    key = _key_decision(
        council, key_decision_exception="special_urgency", exception_reason="Buyer leaving."
    )

    response = client.get("/api/v1/councils/mootshire/decisions")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": key.pk,
                "title": "Sell the old depot",
                "text": "Agreed to sell.",
                "reasons": None,
                "alternatives_rejected": None,
                "conflicts_declared": None,
                "dispensations": None,
                "decision_maker": "Cabinet",
                "decided_on": "2024-06-03",
                "published_at": "2024-06-04T08:00:00Z",
                "key_decision": True,
                "key_decision_exception": "special_urgency",
                "exception_reason": "Buyer leaving.",
                "lacks_notice": False,
                "forward_plan_entry": None,
                "call_in_deadline": "2024-06-11",
                "status": "made",
                "status_reason": None,
                "meeting": None,
                "agenda_item": None,
                "url": f"/mootshire/decisions/{key.pk}/",
                "api_url": f"/api/v1/councils/mootshire/decisions/{key.pk}",
            },
            decision_payload(scene),
        ],
        "count": 2,
    }


def test_a_key_decision_without_notice_is_flagged_and_one_with_a_plan_entry_names_it(
    client, scene, council
):
    flagged = _key_decision(council, title="Close the library")
    noticed = _key_decision(
        council,
        title="Sell the old depot",
        forward_plan_entry=scene.plan_entry,
        decided_on=dt.date(2030, 3, 14),
    )

    response = client.get("/api/v1/councils/mootshire/decisions?key=true")

    found = {d["title"]: d for d in response.json()["items"]}
    assert sorted(found) == ["Close the library", "Sell the old depot"]
    assert found["Close the library"]["lacks_notice"] is True
    assert found["Sell the old depot"]["lacks_notice"] is False
    assert found["Sell the old depot"]["forward_plan_entry"] == scene.plan_entry.pk
    assert (flagged.lacks_notice, noticed.lacks_notice) == (True, False)


def test_decisions_can_be_filtered_by_key_status_and_dates(client, scene, council):
    key = _key_decision(council)
    domain.set_decision_status(
        None, scene.decision, "called_in", reason="Five members asked.", today=dt.date(2024, 3, 18)
    )

    def ids(query: str) -> list[int]:
        return [
            d["id"]
            for d in client.get(f"/api/v1/councils/mootshire/decisions?{query}").json()["items"]
        ]

    assert ids("key=true") == [key.pk]
    assert ids("key=false") == [scene.decision.pk]
    assert ids("status=called_in") == [scene.decision.pk]
    assert ids("status=implemented") == []
    assert ids("from=2024-03-15") == [key.pk]
    assert ids("to=2024-03-14") == [scene.decision.pk]
    assert ids("from=2024-03-14&to=2024-06-03") == [key.pk, scene.decision.pk]
    assert ids("from=2024-03-15&key=false") == []


def test_limit_and_offset_page_through_the_decisions(client, scene, council):
    key = _key_decision(council)

    response = client.get("/api/v1/councils/mootshire/decisions?limit=1&offset=1")

    assert [d["id"] for d in response.json()["items"]] == [scene.decision.pk]
    assert response.json()["count"] == 2
    assert key.pk != scene.decision.pk


@pytest.mark.parametrize(
    ("query", "location", "problem"),
    [
        ("key=perhaps", "key", "bool_parsing"),
        ("status=overturned", "status", "enum"),
        ("from=yesterday", "from", "date_from_datetime_parsing"),
    ],
)
def test_a_bad_decision_filter_is_refused_with_422(client, scene, query, location, problem):
    response = client.get(f"/api/v1/councils/mootshire/decisions?{query}")

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["query", location], problem)


def test_a_resident_can_read_a_decision_with_the_votes_that_led_to_it(client, scene):
    response = client.get(f"/api/v1/councils/mootshire/decisions/{scene.decision.pk}")

    assert response.status_code == 200
    assert response.json() == {**decision_payload(scene), "votes": [vote_payload(scene)]}


def test_a_called_in_decision_gives_its_status_and_reason(client, scene):
    domain.set_decision_status(
        None, scene.decision, "called_in", reason="Five members asked.", today=dt.date(2024, 3, 18)
    )

    response = client.get(f"/api/v1/councils/mootshire/decisions/{scene.decision.pk}")

    assert (response.json()["status"], response.json()["status_reason"]) == (
        "called_in",
        "Five members asked.",
    )


def test_a_decision_of_another_council_is_a_json_404(client, scene):
    pk = scene.elsewhere_decision.pk

    response = client.get(f"/api/v1/councils/mootshire/decisions/{pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"Mootshire has no decision {pk}."}
    assert client.get(f"/api/v1/councils/elsewhere/decisions/{pk}").status_code == 200


# --- Documents ----------------------------------------------------------------------------


def test_a_resident_can_read_what_a_document_is_and_where_to_download_it(client, scene):
    report = scene.report

    response = client.get(f"/api/v1/councils/mootshire/documents/{report.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "id": report.pk,
        "title": "Mill Lane report",
        "kind": "report",
        "content_type": "application/pdf",
        "size": report.stored_file.size,
        "published_at": "2024-03-01T09:00:00Z",
        **document_urls(report),
        "council": "mootshire",
        "meeting": meeting_ref(scene.meeting),
        "agenda_item": {"id": scene.mill_lane.pk, "number": "2", "title": "Land at Mill Lane"},
    }


def test_the_download_url_serves_the_document(client, scene):
    download = client.get(f"/api/v1/councils/mootshire/documents/{scene.report.pk}").json()[
        "download_url"
    ]

    response = client.get(download)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_decision_notice_published_without_a_meeting_has_no_meeting_or_item(client, council):
    from moothall.demo.pdf import make_pdf

    notice = domain.attach_document(
        None,
        council,
        data=make_pdf("Notice."),
        title="Notice of decision",
        kind="decision_notice",
    )

    response = client.get(f"/api/v1/councils/mootshire/documents/{notice.pk}")

    assert response.status_code == 200
    assert (response.json()["meeting"], response.json()["agenda_item"]) == (None, None)
    assert response.json()["kind"] == "decision_notice"


def test_a_document_of_another_council_is_a_json_404(client, scene):
    pk = scene.elsewhere_document.pk

    response = client.get(f"/api/v1/councils/mootshire/documents/{pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"Mootshire has no document {pk}."}
    assert client.get(f"/api/v1/councils/elsewhere/documents/{pk}").status_code == 200


def test_a_document_of_an_unpublished_agenda_is_a_json_404(client, scene):
    pk = scene.unpublished_paper.pk

    response = client.get(f"/api/v1/councils/mootshire/documents/{pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"Mootshire has no document {pk}."}


def test_a_document_is_found_once_its_agenda_is_published(client, scene):
    url = f"/api/v1/councils/mootshire/documents/{scene.unpublished_paper.pk}"
    assert client.get(url).status_code == 404

    domain.publish_agenda(None, scene.future, now=london(2030, 3, 1, 9, 0))

    assert client.get(url).status_code == 200


# --- Forward plan -------------------------------------------------------------------------


def test_the_forward_plan_lists_key_decisions_by_expected_date(client, scene, council):
    private = domain.add_forward_plan_entry(
        None,
        council,
        title="Renewing the leisure contract",
        decision_maker="Cabinet Member for Leisure",
        expected_date=dt.date(2030, 2, 1),
        exempt_paragraph=3,
        published_at=london(2029, 11, 1, 9, 0),
    )

    response = client.get("/api/v1/councils/mootshire/forward-plan")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": private.pk,
                "title": "Renewing the leisure contract",
                "summary": None,
                "decision_maker": "Cabinet Member for Leisure",
                "body": None,
                "expected_date": "2030-02-01",
                "published_at": "2029-11-01T09:00:00Z",
                "key_decision": True,
                "exempt_paragraph": 3,
                "lead_officer": None,
                "status": "planned",
            },
            {
                "id": scene.plan_entry.pk,
                "title": "Sale of the old depot",
                "summary": "Whether to sell the depot.",
                "decision_maker": "Cabinet",
                "body": body_ref(scene.cabinet),
                "expected_date": "2030-03-14",
                "published_at": "2029-12-01T09:00:00Z",
                "key_decision": True,
                "exempt_paragraph": None,
                "lead_officer": "Director of Resources",
                "status": "planned",
            },
        ],
        "count": 2,
    }


def test_the_forward_plan_can_be_filtered_by_status_and_expected_date(client, scene, council):
    _key_decision(council, forward_plan_entry=scene.plan_entry, decided_on=dt.date(2030, 3, 14))
    later = domain.add_forward_plan_entry(
        None,
        council,
        title="Parking charges",
        decision_maker="Cabinet",
        expected_date=dt.date(2030, 9, 1),
    )

    def ids(query: str) -> list[int]:
        answer = client.get(f"/api/v1/councils/mootshire/forward-plan?{query}").json()
        return [e["id"] for e in answer["items"]]

    assert ids("status=planned") == [later.pk]
    assert ids("status=decided") == [scene.plan_entry.pk]
    assert ids("from=2030-03-15") == [later.pk]
    assert ids("to=2030-03-14") == [scene.plan_entry.pk]
    assert ids("from=2030-03-15&status=decided") == []


def test_the_forward_plan_of_an_unknown_council_is_a_json_404(client, db):
    response = client.get("/api/v1/councils/atlantis/forward-plan")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “atlantis”."}
