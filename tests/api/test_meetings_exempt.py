"""Exempt business (Schedule 12A) never reaches the API, exactly as it never reaches the site.

Every word of the scene's exempt item, its sub-item, its paper, its declaration, its
vote and its decision carries the marker PURPLE-OTTER; no answer of any endpoint may
contain it. Exempt and unpublished documents and exempt decisions are 404s.
"""

from __future__ import annotations

import pytest

from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import Decision, Document
from tests.api.test_meetings_scene import (
    MARKER,
    london,
    scene_fixture,  # noqa: F401 (the "scene" fixture)
)

pytestmark = pytest.mark.django_db


def _every_public_url(scene) -> list[str]:
    """Every endpoint, and every object the public may read, of both councils."""
    urls = ["/api/v1/openapi.json", "/api/v1/councils", "/api/v1/councils/mootshire"]
    for council in (scene.planning.council, scene.elsewhere_body.council):
        base = f"/api/v1/councils/{council.slug}"
        urls += [f"{base}/bodies", f"{base}/meetings", f"{base}/decisions", f"{base}/forward-plan"]
        urls += [f"{base}/councillors?include_former=true"]
        urls += [f"{base}/bodies/{body.slug}" for body in council.bodies.all()]
    for meeting in (scene.meeting, scene.cancelled, scene.future):
        urls.append(f"/api/v1/councils/mootshire/meetings/{meeting.pk}")
    for decision in Decision.objects.filter(council=scene.planning.council):
        urls.append(f"/api/v1/councils/mootshire/decisions/{decision.pk}")
    for document in Document.objects.filter(council=scene.planning.council):
        urls.append(f"/api/v1/councils/mootshire/documents/{document.pk}")
    for councillor in (scene.ada, scene.brian, scene.cara):
        urls.append(f"/api/v1/councillors/{councillor.pk}")
    for words in ("purple", "otter", "farm", "valuation", "price", "shares", "mill", "report"):
        urls.append(f"/api/v1/search?q={words}")
    return urls


def _assert_no_marker_anywhere(client, scene) -> int:
    answered = 0
    for url in _every_public_url(scene):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/json"), url
        assert MARKER.lower() not in response.content.decode().lower(), url
        answered += response.status_code == 200
    return answered


def test_no_answer_of_any_endpoint_holds_a_word_of_exempt_business(client, scene):
    answered = _assert_no_marker_anywhere(client, scene)

    # The objects that are public were all answered (so the test read something).
    assert answered == len(_every_public_url(scene)) - 3  # the exempt paper, decision; draft


def test_exempt_business_added_or_decided_after_publication_stays_out_of_the_api(
    client, scene, django_capture_on_commit_callbacks
):
    meeting, council = scene.meeting, scene.planning.council
    with django_capture_on_commit_callbacks(execute=True):
        late = domain.add_agenda_item(
            None,
            meeting,
            title=f"Late {MARKER} item",
            description=f"{MARKER}",
            exempt_paragraph=1,
            is_urgent=True,
            urgency_reason=f"{MARKER} urgency",
        )
        domain.attach_document(
            None,
            council,
            data=make_pdf(f"{MARKER} late paper."),
            title=f"{MARKER} late paper",
            kind="appendix",
            agenda_item=late,
        )
        decision = domain.record_decision(
            None,
            council,
            title=f"{MARKER} late decision",
            text=MARKER,
            decision_maker="Planning Committee",
            decided_on=meeting.start.date(),
            agenda_item=late,
            now=london(2024, 3, 15, 11, 0),
        )
        domain.set_decision_status(
            None,
            decision,
            "implemented",
            reason=f"{MARKER} done",
        )
        domain.record_vote(
            None,
            meeting,
            motion=f"{MARKER} late motion",
            positions={scene.ada.pk: "against"},
            agenda_item=late,
        )

    _assert_no_marker_anywhere(client, scene)
    agenda = client.get(f"/api/v1/councils/mootshire/meetings/{meeting.pk}").json()["agenda"]
    assert agenda[-1] == {
        "id": late.pk,
        "number": "4",
        "parent": None,
        "exempt": True,
        "exempt_paragraph": 1,
        "title": None,
        "description": None,
        "kind": None,
        "urgent": None,
        "urgency_reason": None,
        "late": None,
        "lead_officer": None,
        "portfolio": None,
    }


def test_an_item_made_exempt_takes_its_papers_decisions_and_votes_out_of_the_api(client, scene):
    meeting = scene.meeting
    domain.update_agenda_item(None, scene.mill_lane, exempt_paragraph=5)

    answer = client.get(f"/api/v1/councils/mootshire/meetings/{meeting.pk}").json()

    assert [(i["number"], i["exempt"], i["title"]) for i in answer["agenda"]] == [
        ("1", False, "Apologies"),
        ("2", True, None),
        ("2a", True, None),
        ("3", True, None),
        ("3a", True, None),
    ]
    assert [d["title"] for d in answer["documents"]] == ["Agenda pack"]
    assert (answer["decisions"], answer["votes"], answer["declarations"]) == ([], [], [])
    assert client.get("/api/v1/councils/mootshire/decisions").json() == {"items": [], "count": 0}
    decision = client.get(f"/api/v1/councils/mootshire/decisions/{scene.decision.pk}")
    report = client.get(f"/api/v1/councils/mootshire/documents/{scene.report.pk}")
    assert (decision.status_code, report.status_code) == (404, 404)
    assert "Mill Lane" not in str(answer)


def test_an_exempt_document_is_a_json_404(client, scene):
    pk = scene.secret_paper.pk

    response = client.get(f"/api/v1/councils/mootshire/documents/{pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"Mootshire has no document {pk}."}


def test_a_paper_marked_exempt_on_a_public_item_is_a_json_404(client, scene):
    council = scene.planning.council
    paper = domain.attach_document(
        None,
        council,
        data=make_pdf("Tender prices."),
        title="Tender prices",
        kind="appendix",
        agenda_item=scene.mill_lane,
        exempt_paragraph=3,
    )

    response = client.get(f"/api/v1/councils/mootshire/documents/{paper.pk}")
    meeting = client.get(f"/api/v1/councils/mootshire/meetings/{scene.meeting.pk}").json()

    assert response.status_code == 404
    assert "Tender prices" not in str(meeting)


def test_an_exempt_decision_is_a_json_404_and_is_never_listed(client, scene):
    pk = scene.secret_decision.pk

    response = client.get(f"/api/v1/councils/mootshire/decisions/{pk}")
    listed = client.get("/api/v1/councils/mootshire/decisions?limit=500").json()

    assert response.status_code == 404
    assert response.json() == {"detail": f"Mootshire has no decision {pk}."}
    assert [d["id"] for d in listed["items"]] == [scene.decision.pk]


def test_an_exempt_vote_is_never_shown_not_even_its_totals(client, scene):
    meeting = client.get(f"/api/v1/councils/mootshire/meetings/{scene.meeting.pk}").json()

    assert [v["id"] for v in meeting["votes"]] == [scene.vote.pk]
    assert [e["text"] for e in meeting["timeline"] if e["kind"] == "vote_recorded"] == [
        "Vote recorded: 2 for, 0 against, 0 abstentions."
    ]
