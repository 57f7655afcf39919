"""The live and record endpoints: the live state, blog, comments and media of a meeting,
its recordings with chapters, and a recording's transcript — exempt items left out."""

from __future__ import annotations

import pytest

from moothall.live import contributions, domain, record
from moothall.live.models import LiveSettings
from tests.live.record_scene import CAPTIONS, START, Scene

pytestmark = pytest.mark.django_db

BASE = "/api/v1/councils/mootshire/meetings"


@pytest.fixture
def scene(council):
    return Scene(council)


@pytest.fixture(autouse=True)
def _no_fanout(monkeypatch):
    monkeypatch.setattr("moothall.live.broker.publish", lambda meeting_id, wire: None)


def test_before_the_meeting_goes_live_the_state_says_so(client, scene):
    response = client.get(f"{BASE}/{scene.meeting.pk}/live")

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == {"status": "not_started", "private": False, "item": None}
    assert body["events_url"] == f"/mootshire/meetings/{scene.meeting.pk}/live/events"
    assert body["blog"] == body["comments"] == body["media"] == []


def test_the_live_state_blog_and_published_comments(client, scene, officer, resident):
    scene.meeting.status = "scheduled"
    scene.meeting.save()
    domain.start_live(officer, scene.meeting)
    domain.go_to_item(officer, scene.meeting, scene.budget)
    domain.post_blog(officer, scene.meeting, text="The **budget** is up.")
    contributions.post_comment(
        resident, scene.meeting, text="Keep the mobile library <b>please</b>"
    )

    body = client.get(f"{BASE}/{scene.meeting.pk}/live").json()

    assert body["state"]["status"] == "live"
    assert body["state"]["item"] == {
        "id": scene.budget.pk,
        "number": "2",
        "title": "Library budget",
    }
    assert "<strong>budget</strong>" in body["blog"][0]["html"]
    assert body["comments"][0]["text"] == "Keep the mobile library <b>please</b>"
    assert body["comments"][0]["item_id"] == scene.budget.pk


def test_a_pending_comment_is_not_in_the_answer(client, scene, officer, resident, council):
    LiveSettings.objects.create(council=council, comment_moderation="pre")
    scene.meeting.status = "scheduled"
    scene.meeting.save()
    domain.start_live(officer, scene.meeting)
    domain.go_to_item(officer, scene.meeting, scene.budget)
    contributions.post_comment(resident, scene.meeting, text="Waiting for a moderator")

    assert client.get(f"{BASE}/{scene.meeting.pk}/live").json()["comments"] == []


def test_in_private_session_the_item_has_no_title(client, scene, officer):
    scene.meeting.status = "scheduled"
    scene.meeting.save()
    domain.start_live(officer, scene.meeting)
    domain.go_to_item(officer, scene.meeting, scene.depot)

    response = client.get(f"{BASE}/{scene.meeting.pk}/live")

    state = response.json()["state"]
    assert state["private"] is True
    assert state["item"] == {"id": scene.depot.pk, "number": "3", "title": None}
    assert "depot" not in response.content.decode().lower()


def test_recordings_chapters_and_transcript_leave_out_the_exempt_item(client, scene, officer):
    scene.spans()
    recording = record.add_recording(
        officer, scene.meeting, url="https://www.youtube.com/watch?v=abc", started_at=START
    )
    record.import_captions(officer, recording, data=CAPTIONS.encode())
    record.name_speaker(officer, recording, speaker="Speaker 2", councillor=scene.ada)

    listed = client.get(f"{BASE}/{scene.meeting.pk}/recordings").json()

    assert [r["id"] for r in listed] == [recording.pk]
    assert [c["item_number"] for c in listed[0]["chapters"]] == ["1", "2"]
    assert listed[0]["chapters"][1]["watch_url"].endswith("t=60")

    page = client.get(f"{BASE}/{scene.meeting.pk}/recordings/{recording.pk}/transcript").json()

    texts = [s["text"] for s in page["items"]]
    assert page["count"] == 3  # the chair's words and the bid fall under the depot
    assert not any("two million" in t for t in texts)
    budget = [s for s in page["items"] if s["item_number"] == "2"]
    assert budget[0]["councillor_name"] == "Ada Jones"
    assert budget[0]["speaker"] == "Speaker 2"
    assert budget[0]["watch_url"] == "https://www.youtube.com/watch?v=abc&t=65"


def test_the_transcript_pages(client, scene, officer):
    recording = record.add_recording(officer, scene.meeting, url="https://example.org/cast")
    record.import_captions(officer, recording, data=CAPTIONS.encode())

    page = client.get(
        f"{BASE}/{scene.meeting.pk}/recordings/{recording.pk}/transcript?limit=2&offset=1"
    ).json()

    assert page["count"] == 5
    assert [s["position"] for s in page["items"]] == [1, 2]


@pytest.mark.parametrize(
    "path",
    [
        "/999999/live",
        "/999999/recordings",
        "/{meeting}/recordings/999999/transcript",
    ],
)
def test_unknown_meetings_and_recordings_are_json_404s(client, scene, path):
    response = client.get(BASE + path.format(meeting=scene.meeting.pk))

    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_bad_page_size_is_a_422(client, scene, officer):
    recording = record.add_recording(officer, scene.meeting, url="https://example.org/cast")

    response = client.get(f"{BASE}/{scene.meeting.pk}/recordings/{recording.pk}/transcript?limit=0")

    assert response.status_code == 422


def test_whatever_the_paging_the_transcript_answers_json_below_500(client, scene, officer):
    import json

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    recording = record.add_recording(officer, scene.meeting, url="https://example.org/cast")
    record.import_captions(officer, recording, data=CAPTIONS.encode())
    awkward = st.one_of(
        st.sampled_from(["\x00", "-1", "9" * 25, "%", "", "1e3", "é"]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(max_size=5),
    )

    @settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(limit=awkward, offset=awkward)
    def check(limit: str, offset: str) -> None:
        from urllib.parse import urlencode

        response = client.get(
            f"{BASE}/{scene.meeting.pk}/recordings/{recording.pk}/transcript?"
            + urlencode({"limit": limit, "offset": offset})
        )
        assert response.status_code < 500
        json.loads(response.content)

    check()
