"""The record's verbs: recordings, captions, chapters, speakers, transcription, links."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from moothall.core.models import AuditEntry
from moothall.live import record
from moothall.live.models import Chapter, LiveMeeting, LiveSettings, Recording, Segment
from tests import factories
from tests.live.record_scene import CAPTIONS, START, Scene, mp4, wav

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council):
    return Scene(council)


@pytest.fixture
def webcast(scene, officer):
    return record.add_recording(officer, scene.meeting, url="https://www.youtube.com/watch?v=abc")


def code_of(caught: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return caught.value.error_dict[field][0].code


def items_of(recording: Recording) -> list[int | None]:
    return list(recording.segments.order_by("position").values_list("item_id", flat=True))


# --- Recordings ---------------------------------------------------------------------


def test_a_clerk_attaches_a_webcast_by_its_address(scene, officer):
    recording = record.add_recording(
        officer, scene.meeting, url=" https://webcast.example/m/1 ", title="Full meeting"
    )
    assert (recording.url, recording.title, recording.file.name) == (
        "https://webcast.example/m/1",
        "Full meeting",
        "",
    )
    assert recording.started_at is None
    assert AuditEntry.objects.filter(action="live.recording_added", target_id=recording.pk).exists()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "required"),
        ("javascript:alert(1)", "bad_url"),
        ("ftp://webcast.example/m.mp4", "bad_url"),
        ("webcast.example/m.mp4", "bad_url"),
        ("https://x.example/" + "a" * 500, "too_long"),
    ],
)
def test_only_an_http_or_https_address_is_taken(scene, officer, url, code):
    with pytest.raises(ValidationError) as caught:
        record.add_recording(officer, scene.meeting, url=url)
    assert code_of(caught, "url") == code
    assert not Recording.objects.exists()


def test_an_uploaded_video_is_checked_by_content_and_stored_under_a_name_of_ours(scene, officer):
    recording = record.add_recording(officer, scene.meeting, data=mp4())
    assert recording.content_type == "video/mp4"
    assert recording.size == len(mp4())
    assert recording.file.name.startswith("live/recording-")
    assert recording.file.name.endswith(".mp4")
    assert record.add_recording(officer, scene.meeting, data=wav()).content_type == "audio/wav"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00" + b"\x00" * 200, "not_media"),
        (b"%PDF-1.7\n" + b"x" * 200, "not_media"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "not_media"),  # a photo is not a recording
    ],
)
def test_a_file_that_is_not_audio_or_video_is_refused(scene, officer, data, code):
    with pytest.raises(ValidationError) as caught:
        record.add_recording(officer, scene.meeting, data=data)
    assert code_of(caught, "file") == code
    assert not Recording.objects.exists()


def test_a_file_over_the_councils_limit_is_refused(scene, officer, council):
    LiveSettings.objects.create(council=council, video_max_mb=1)
    with pytest.raises(ValidationError) as caught:
        record.add_recording(officer, scene.meeting, data=mp4() + b"\x00" * (1024 * 1024))
    assert code_of(caught, "file") == "too_large"


def test_an_address_and_a_file_together_are_refused(scene, officer):
    with pytest.raises(ValidationError) as caught:
        record.add_recording(officer, scene.meeting, url="https://a.example/", data=mp4())
    assert code_of(caught, "url") == "both"


def test_the_start_defaults_to_when_the_meeting_went_live_and_chapters_follow(scene, officer):
    LiveMeeting.objects.create(meeting=scene.meeting, status="ended", started_at=START)
    scene.spans(START + dt.timedelta(seconds=30))
    recording = record.add_recording(officer, scene.meeting, url="https://a.example/v")
    assert recording.started_at == START
    assert list(recording.chapters.values_list("item_id", "start_s", "source")) == [
        (scene.apologies.pk, 30.0, "timeline"),
        (scene.budget.pk, 90.0, "timeline"),
        (scene.depot.pk, 150.0, "timeline"),
    ]


def test_removing_a_recording_takes_its_transcript_and_chapters(scene, officer, webcast):
    record.import_captions(officer, webcast, data=CAPTIONS.encode())
    record.set_chapters(officer, webcast, {scene.budget.pk: 60})
    record.remove_recording(officer, webcast)
    assert not Recording.objects.exists()
    assert not Segment.objects.exists()
    assert not Chapter.objects.exists()
    assert AuditEntry.objects.filter(action="live.recording_removed").count() == 1


# --- Captions and alignment -----------------------------------------------------------


def test_captions_become_segments_aligned_to_the_chapters(scene, officer, webcast):
    record.set_chapters(
        officer, webcast, {scene.apologies.pk: 0, scene.budget.pk: 60, scene.depot.pk: 120}
    )
    assert record.import_captions(officer, webcast, data=CAPTIONS.encode()) == 5
    webcast.refresh_from_db()
    assert (webcast.transcript_status, webcast.transcript_source) == ("done", "captions")
    assert webcast.duration_s == 190.0
    rows = list(webcast.segments.order_by("position").values_list("position", "speaker", "item_id"))
    assert rows == [
        (0, "Chair", scene.apologies.pk),
        (1, "Speaker 2", scene.budget.pk),
        (2, "Speaker 2", scene.budget.pk),
        (3, "Chair", scene.depot.pk),
        (4, "Speaker 3", scene.depot.pk),
    ]


def test_a_malformed_caption_file_changes_nothing(scene, officer, webcast):
    record.import_captions(officer, webcast, data=CAPTIONS.encode())
    bad = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n00:00:09.000 --> 00:00:03.000\nbad\n"
    with pytest.raises(ValidationError) as caught:
        record.import_captions(officer, webcast, data=bad)
    assert code_of(caught, "file") == "bad_captions"
    assert caught.value.error_dict["file"][0].message == ("Line 6: The cue ends before it starts.")
    assert webcast.segments.count() == 5  # the earlier transcript stands


def test_new_captions_replace_the_transcript(scene, officer, webcast):
    record.import_captions(officer, webcast, data=CAPTIONS.encode())
    srt = b"1\n00:00:01,000 --> 00:00:02,000\nCLERK: Only this.\n"
    assert record.import_captions(officer, webcast, data=srt) == 1
    assert list(webcast.segments.values_list("text", "speaker")) == [("Only this.", "CLERK")]


def test_chapters_from_the_timeline_and_clerk_entered_ones_realign(scene, officer, webcast):
    record.import_captions(officer, webcast, data=CAPTIONS.encode())
    assert items_of(webcast) == [None] * 5
    scene.spans(START)
    webcast.started_at = START - dt.timedelta(seconds=60)  # a minute of preamble
    webcast.save()
    assert record.chapters_from_timeline(officer, webcast) == 3
    budget, depot, apologies = scene.budget.pk, scene.depot.pk, scene.apologies.pk
    assert items_of(webcast) == [None, apologies, apologies, budget, depot]
    record.set_chapters(officer, webcast, {budget: 0, apologies: None, depot: 180})
    assert items_of(webcast) == [budget, budget, budget, budget, depot]
    assert set(webcast.chapters.values_list("source", flat=True)) == {"clerk"}


def test_chapters_from_the_timeline_need_a_start_and_a_timeline(scene, officer, webcast):
    with pytest.raises(ValidationError) as caught:
        record.chapters_from_timeline(officer, webcast)
    assert code_of(caught, "chapters") == "no_start"
    webcast.started_at = START
    with pytest.raises(ValidationError) as caught:
        record.chapters_from_timeline(officer, webcast)
    assert code_of(caught, "chapters") == "no_timeline"


@pytest.mark.parametrize("start", [-1, float("nan"), float("inf")])
def test_a_chapter_before_the_start_or_not_a_number_is_refused(scene, officer, webcast, start):
    with pytest.raises(ValidationError) as caught:
        record.set_chapters(officer, webcast, {scene.budget.pk: start})
    assert code_of(caught, "chapters") == "bad_time"


def test_a_chapter_for_another_meetings_item_or_after_the_end_is_refused(scene, officer, webcast):
    other = factories.AgendaItemFactory()
    with pytest.raises(ValidationError) as caught:
        record.set_chapters(officer, webcast, {other.pk: 10})
    assert code_of(caught, "chapters") == "bad_item"
    record.import_captions(officer, webcast, data=CAPTIONS.encode())
    with pytest.raises(ValidationError) as caught:
        record.set_chapters(officer, webcast, {scene.budget.pk: 191})
    assert code_of(caught, "chapters") == "after_end"


# --- Speakers -----------------------------------------------------------------------


def test_naming_a_speaker_names_every_segment_with_that_label(scene, officer, webcast):
    record.import_captions(officer, webcast, data=CAPTIONS.encode())
    assert record.name_speaker(officer, webcast, speaker="Speaker 2", councillor=scene.ada) == 2
    named = dict(webcast.segments.values_list("position", "councillor_id"))
    assert named == {0: None, 1: scene.ada.pk, 2: scene.ada.pk, 3: None, 4: None}
    segment = webcast.segments.get(position=2)
    record.set_segment_speaker(officer, segment, scene.ben)
    record.name_speaker(officer, webcast, speaker="Speaker 2", councillor=None)
    assert not webcast.segments.filter(councillor__isnull=False).exists()


def test_a_speaker_from_another_council_or_an_unknown_label_is_refused(
    scene, officer, webcast, other_council
):
    record.import_captions(officer, webcast, data=CAPTIONS.encode())
    stranger = factories.CouncillorFactory(council=other_council)
    with pytest.raises(ValidationError) as caught:
        record.name_speaker(officer, webcast, speaker="Chair", councillor=stranger)
    assert code_of(caught, "councillor") == "bad_councillor"
    with pytest.raises(ValidationError) as caught:
        record.name_speaker(officer, webcast, speaker="Nobody", councillor=scene.ada)
    assert code_of(caught, "speaker") == "bad_speaker"


# --- Permissions ----------------------------------------------------------------------

ROLES = ["officer", "council_admin", "moderator", "councillor_user", "resident", "outsider"]
ALLOWED = {"officer", "council_admin"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action",
    ["add", "remove", "captions", "chapters", "timeline", "name", "segment", "transcribe"],
)
def test_only_the_councils_clerks_change_the_record(request, scene, webcast, role, action):
    actor = request.getfixturevalue(role)
    record.import_captions(None, webcast, data=CAPTIONS.encode())
    segment = webcast.segments.first()
    calls = {
        "add": lambda: record.add_recording(actor, scene.meeting, url="https://b.example/"),
        "remove": lambda: record.remove_recording(actor, webcast),
        "captions": lambda: record.import_captions(actor, webcast, data=CAPTIONS.encode()),
        "chapters": lambda: record.set_chapters(actor, webcast, {scene.budget.pk: 5}),
        "timeline": lambda: record.chapters_from_timeline(actor, webcast),
        "name": lambda: record.name_speaker(actor, webcast, speaker="Chair", councillor=None),
        "segment": lambda: record.set_segment_speaker(actor, segment, None),
        "transcribe": lambda: record.request_transcription(actor, webcast),
    }
    if role in ALLOWED:
        # Allowed: refused, if at all, only for what was asked (no timeline, no engine).
        with contextlib.suppress(ValidationError):
            calls[action]()
    else:
        with pytest.raises(PermissionDenied):
            calls[action]()


# --- Links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=abc", "https://www.youtube.com/watch?v=abc&t=123"),
        ("https://www.youtube.com/watch?v=abc&t=5", "https://www.youtube.com/watch?v=abc&t=123"),
        ("https://youtu.be/abc", "https://youtu.be/abc?t=123"),
        ("https://webcast.example/m/1.mp4", "https://webcast.example/m/1.mp4#t=123"),
        ("https://webcast.example/m/1#t=9", "https://webcast.example/m/1#t=123"),
    ],
)
def test_a_webcast_link_carries_the_time(scene, officer, url, expected):
    recording = record.add_recording(officer, scene.meeting, url=url)
    assert record.watch_url(recording, 123.7) == expected


def test_an_uploaded_recording_plays_on_our_page_from_the_time(scene, officer, council):
    recording = record.add_recording(officer, scene.meeting, data=mp4())
    assert record.watch_url(recording, 61) == (
        f"/mootshire/meetings/{scene.meeting.pk}/recordings/{recording.pk}/?t=61"
    )


def test_each_public_item_links_to_where_it_starts_in_the_first_chaptered_recording(
    scene, officer, webcast
):
    assert record.item_watch_links(scene.meeting) == {}
    later = record.add_recording(officer, scene.meeting, url="https://b.example/v")
    record.set_chapters(officer, later, {scene.apologies.pk: 1})
    record.set_chapters(
        officer, webcast, {scene.apologies.pk: 0, scene.budget.pk: 65, scene.depot.pk: 120}
    )
    assert record.item_watch_links(scene.meeting) == {
        scene.apologies.pk: "https://www.youtube.com/watch?v=abc&t=0",
        scene.budget.pk: "https://www.youtube.com/watch?v=abc&t=65",
    }
