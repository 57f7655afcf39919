"""The recording pages: the clerk's (add, captions, chapters, speakers, speech to text)
and the public one (player, transcript under the items, nothing exempt)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from moothall.live import record
from moothall.live.models import Recording
from tests.live.record_scene import CAPTIONS, Scene, mp4

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council):
    return Scene(council)


@pytest.fixture
def clerk(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def webcast(scene, officer):
    recording = record.add_recording(officer, scene.meeting, url="https://youtu.be/abc")
    record.set_chapters(
        officer, recording, {scene.apologies.pk: 0, scene.budget.pk: 60, scene.depot.pk: 120}
    )
    record.import_captions(officer, recording, data=CAPTIONS.encode())
    record.name_speaker(officer, recording, speaker="Speaker 2", councillor=scene.ada)
    return recording


def staff(scene, rest: str = "") -> str:
    return f"/mootshire/staff/meetings/{scene.meeting.pk}/recordings/{rest}"


def public(scene, recording: Recording, rest: str = "") -> str:
    return f"/mootshire/meetings/{scene.meeting.pk}/recordings/{recording.pk}/{rest}"


# --- Staff ----------------------------------------------------------------------------


def test_the_clerk_sees_the_meetings_recordings(clerk, scene, webcast):
    page = clerk.get(staff(scene))
    assert page.status_code == 200
    assert b"https://youtu.be/abc" in page.content
    assert b"Add a recording" in page.content


@pytest.mark.parametrize(
    ("role", "status"), [("resident", 403), ("outsider", 403), ("moderator", 403)]
)
def test_others_may_not_see_the_clerks_pages(request, client, scene, webcast, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(staff(scene)).status_code == status
    assert client.get(staff(scene, f"{webcast.pk}/")).status_code == status
    assert client.post(staff(scene, f"{webcast.pk}/remove/")).status_code == status
    assert Recording.objects.filter(pk=webcast.pk).exists()


def test_an_unknown_recording_or_one_of_another_meeting_is_not_found(clerk, scene, webcast):
    assert clerk.get(staff(scene, f"{webcast.pk + 100}/")).status_code == 404
    other = Scene.__new__(Scene)
    other_meeting = type(scene.meeting).objects.create(
        council=scene.council, body=scene.meeting.body, start=scene.meeting.start
    )
    other.meeting = other_meeting
    assert clerk.get(staff(other, f"{webcast.pk}/")).status_code == 404


def test_the_clerk_adds_a_webcast(clerk, scene):
    page = clerk.post(staff(scene, "new/"), {"url": "https://webcast.example/1", "title": "Main"})
    recording = Recording.objects.get()
    assert page.status_code == 302
    assert page["Location"] == staff(scene, f"{recording.pk}/")
    assert recording.title == "Main"


def test_the_clerk_uploads_a_recording_with_its_start_time(clerk, scene):
    upload = SimpleUploadedFile("meeting.mp4", mp4(), content_type="video/mp4")
    page = clerk.post(staff(scene, "new/"), {"file": upload, "started_at": "18:31:05"})
    assert page.status_code == 302
    recording = Recording.objects.get()
    assert recording.content_type == "video/mp4"
    assert recording.started_at.isoformat() == "2030-03-14T18:31:05+00:00"


def test_a_bad_address_or_file_is_shown_on_the_form(clerk, scene):
    page = clerk.post(staff(scene, "new/"), {"url": "javascript:alert(1)"})
    assert page.status_code == 200
    assert "Enter a web address starting with http:// or https://." in page.text
    fake = SimpleUploadedFile("meeting.mp4", b"MZ\x90\x00" + b"\x00" * 100)
    page = clerk.post(staff(scene, "new/"), {"file": fake})
    assert "The file must be a recording" in page.text
    page = clerk.post(staff(scene, "new/"), {"url": "https://a.example/", "started_at": "25:00"})
    assert "Enter a time like 18:30 or 18:30:05." in page.text
    assert not Recording.objects.exists()


def test_the_recording_page_shows_chapters_speakers_and_how_to_enable_speech(
    clerk, scene, webcast, monkeypatch
):
    from moothall.live import transcribe

    monkeypatch.setattr(transcribe.importlib.util, "find_spec", lambda name: None)
    page = clerk.get(staff(scene, f"{webcast.pk}/"))
    assert page.status_code == 200
    text = page.text
    assert 'value="0:01:00"' in text  # the budget item's start
    assert "Sale of the depot" in text  # the clerk sees exempt items
    assert "Speaker 2" in text
    assert "Councillor Ada Jones" in text
    assert "pip install &#x27;moothall[whisper]&#x27;" in text


def test_importing_a_malformed_caption_file_shows_the_line(clerk, scene, webcast):
    bad = SimpleUploadedFile("x.vtt", b"WEBVTT\n\n00:00:01.000 --> nonsense\nHi\n")
    page = clerk.post(staff(scene, f"{webcast.pk}/captions/"), {"captions": bad})
    assert page.status_code == 200
    assert "Line 3: “nonsense” is not a time" in page.text
    assert webcast.segments.count() == 5


def test_importing_captions_replaces_the_transcript(clerk, scene, webcast):
    srt = SimpleUploadedFile("x.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHello.\n")
    page = clerk.post(staff(scene, f"{webcast.pk}/captions/"), {"captions": srt})
    assert page.status_code == 302
    assert list(webcast.segments.values_list("text", flat=True)) == ["Hello."]


def test_the_clerk_enters_start_times(clerk, scene, webcast):
    data = {
        f"item_{scene.apologies.pk}": "",
        f"item_{scene.budget.pk}": "0:00:30",
        f"item_{scene.depot.pk}": "2:05",
    }
    assert clerk.post(staff(scene, f"{webcast.pk}/chapters/"), data).status_code == 302
    assert list(webcast.chapters.values_list("item_id", "start_s")) == [
        (scene.budget.pk, 30.0),
        (scene.depot.pk, 125.0),
    ]
    data[f"item_{scene.budget.pk}"] = "half past"
    page = clerk.post(staff(scene, f"{webcast.pk}/chapters/"), data)
    assert page.status_code == 200
    assert "Enter a time like 0:12:30" in page.text


def test_the_timeline_button_explains_when_there_is_none(clerk, scene, webcast):
    page = clerk.post(staff(scene, f"{webcast.pk}/chapters/timeline/"))
    assert page.status_code == 200
    assert "We do not know when the recording started" in page.text


def test_the_clerk_names_the_speakers(clerk, scene, webcast):
    page = clerk.post(
        staff(scene, f"{webcast.pk}/speakers/"),
        {"speaker_0": str(scene.ben.pk), "speaker_1": "", "speaker_2": ""},
    )
    assert page.status_code == 302
    named = dict(webcast.segments.values_list("speaker", "councillor_id"))
    assert named == {"Chair": scene.ben.pk, "Speaker 2": None, "Speaker 3": None}


def test_asking_for_speech_to_text_without_the_engine_says_how(clerk, scene, monkeypatch):
    from moothall.live import transcribe

    monkeypatch.setattr(transcribe.importlib.util, "find_spec", lambda name: None)
    recording = record.add_recording(None, scene.meeting, data=mp4())
    page = clerk.post(staff(scene, f"{recording.pk}/transcribe/"))
    assert page.status_code == 200
    assert "Speech to text is not installed." in page.text


def test_the_clerk_removes_a_recording(clerk, scene, webcast):
    page = clerk.post(staff(scene, f"{webcast.pk}/remove/"))
    assert page["Location"] == staff(scene)
    assert not Recording.objects.exists()


# --- Public ---------------------------------------------------------------------------


def test_the_public_page_shows_the_transcript_under_its_items(client, scene, webcast):
    page = client.get(public(scene, webcast))
    assert page.status_code == 200
    text = page.text
    assert "Item 1: Apologies" in text
    assert "Item 2: Library budget" in text
    assert "The library budget adds forty thousand pounds" in text
    assert f'href="{scene.ada.get_absolute_url()}"' in text
    assert 'href="https://youtu.be/abc?t=65"' in text  # watch from here
    assert text.index("Item 1: Apologies") < text.index("Item 2: Library budget")


def test_nothing_said_under_an_exempt_item_is_shown(client, scene, webcast):
    text = client.get(public(scene, webcast)).text
    assert "depot" not in text.lower()
    assert "two million" not in text
    assert "Sale of the depot" not in text


def test_an_uploaded_recording_plays_on_the_page_from_the_time(client, scene):
    recording = record.add_recording(None, scene.meeting, data=mp4())
    page = client.get(public(scene, recording, "?t=61"))
    assert page.status_code == 200
    assert f'src="{public(scene, recording, "file")}#t=61"' in page.text
    assert client.get(public(scene, recording, "?t=soon")).status_code == 200


def test_the_public_page_is_not_found_for_another_council_or_meeting(client, scene, webcast):
    assert (
        client.get(f"/elsewhere/meetings/{scene.meeting.pk}/recordings/{webcast.pk}/").status_code
        == 404
    )
    assert (
        client.get(public(scene, webcast).replace(f"/{webcast.pk}/", "/999999/")).status_code == 404
    )


def test_the_file_is_served_whole_or_by_range(client, scene):
    recording = record.add_recording(None, scene.meeting, data=mp4())
    data = mp4()
    whole = client.get(public(scene, recording, "file"))
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == data
    assert whole["Content-Type"] == "video/mp4"
    assert whole["Accept-Ranges"] == "bytes"
    part = client.get(public(scene, recording, "file"), HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 4-11/{len(data)}"
    assert b"".join(part.streaming_content) == data[4:12]
    tail = client.get(public(scene, recording, "file"), HTTP_RANGE="bytes=-8")
    assert b"".join(tail.streaming_content) == data[-8:]
    assert client.get(public(scene, recording, "file"), HTTP_RANGE="bytes=999-").status_code == 416
    assert client.get(public(scene, recording, "file"), HTTP_RANGE="pages=1").status_code == 416


def test_a_webcast_has_no_file(client, scene, webcast):
    assert client.get(public(scene, webcast, "file")).status_code == 404


def test_the_public_page_costs_a_few_queries_however_long_the_transcript(
    client, scene, webcast, django_assert_max_num_queries
):
    long = "WEBVTT\n\n" + "".join(
        f"00:{n // 60:02d}:{n % 60:02d}.000 --> 00:{n // 60:02d}:{n % 60:02d}.500\n"
        f"<v Speaker 2>Sentence {n}.\n\n"
        for n in range(200)
    )
    record.import_captions(None, webcast, data=long.encode())
    record.name_speaker(None, webcast, speaker="Speaker 2", councillor=scene.ada)
    with django_assert_max_num_queries(8):
        page = client.get(public(scene, webcast))
    assert page.text.count("Watch from here") == 120  # up to 2:00, where the depot starts
