"""Deliberations in the API: the public conversations, one with its shown statements and
their votes, and its report; drafts and unshown statements never appear."""

from __future__ import annotations

import pytest
from django.test import Client

from moothall.deliberation.models import Analysis
from tests.deliberation import d2_scene
from tests.deliberation.test_report import STATEMENTS, VOTES, _analysis_data

pytestmark = pytest.mark.django_db

BASE = "/api/v1/councils/mootshire/deliberations"


@pytest.fixture
def conversations(council):
    shown = d2_scene.conversation_with_votes(
        council,
        statements=STATEMENTS,
        votes=VOTES,
        slug="park",
        status="closed",
        imported_meta={"url": "https://pol.is/x"},
    )
    Analysis.objects.create(
        conversation=shown, mode=shown.mode, data=_analysis_data(), votes_counted=15
    )
    d2_scene.conversation_with_votes(council, slug="secret", title="Being prepared", status="draft")
    return shown


def test_the_list_holds_public_conversations_only(client: Client, conversations):
    response = client.get(BASE)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    (item,) = data["items"]
    assert item["slug"] == "park"
    assert item["status"] == "closed"
    assert item["imported"] is True
    assert item["url"] == "/mootshire/deliberations/park/"
    assert item["report_url"] == "/mootshire/deliberations/park/report/"
    assert item["api_url"] == f"{BASE}/park"
    assert item["report_api_url"] == f"{BASE}/park/report"
    assert item["summary"] is None


def test_one_conversation_gives_shown_statements_with_votes(client: Client, conversations):
    response = client.get(f"{BASE}/park")
    assert response.status_code == 200
    data = response.json()
    assert (data["participants"], data["votes"]) == (8, 15)  # votes on shown statements
    assert [
        (s["number"], s["text"], s["agree"], s["disagree"], s["pass"]) for s in data["statements"]
    ] == [
        (0, "Benches by the pond", 4, 3, 1),
        (1, "Longer opening hours", 7, 0, 0),
    ]


def test_the_report_is_the_sites_report_json(client: Client, conversations):
    response = client.get(f"{BASE}/park/report")
    assert response.status_code == 200
    data = response.json()
    assert [g["label"] for g in data["groups"]] == ["A", "B"]
    assert data["groups"][0]["repness"][0]["text"] == "Benches by the pond"
    assert data["statements"][0]["pass"] == 1
    assert data["statements"][0]["groups"]["B"] == {"agree": 0, "disagree": 3, "pass": 0}
    assert data["participant_map"]["7"]["group"] is None
    assert "Something rude" not in response.content.decode()


@pytest.mark.parametrize("path", ["/secret", "/secret/report", "/nothing", "/nothing/report"])
def test_drafts_and_unknown_conversations_are_not_found(client: Client, conversations, path):
    response = client.get(BASE + path)
    assert response.status_code == 404
    assert "no conversation" in response.json()["detail"]


def test_an_unknown_council_is_not_found(client: Client, conversations):
    response = client.get("/api/v1/councils/nowhere/deliberations")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “nowhere”."}


def test_bad_paging_is_a_422(client: Client, conversations):
    assert client.get(BASE + "?limit=0").status_code == 422
