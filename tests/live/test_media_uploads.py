"""Attendees' uploads: judged by content, held to the council's size limits, photos
re-encoded without EXIF/GPS, refused in private session, moderated as the council chooses,
and no file left behind when refused."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from moothall.live import contributions as c
from moothall.live.models import Contribution, LiveEvent, Media
from tests.live import contributions_scene as s
from tests.live.contributions_scene import MB, go_private, live_meeting


def _code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


def _stored_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "live"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def meeting(council):
    return live_meeting(council, media_moderation="post")


def _refused(user, meeting, data, caption="A photo of the chamber") -> str:
    before = _stored_files()
    with pytest.raises(ValidationError) as refused:
        c.upload_media(user, meeting, data=data, caption=caption)
    assert Media.objects.count() == 0
    assert _stored_files() == before  # nothing left on disk
    assert not LiveEvent.objects.filter(kind="media").exists()
    return _code(refused.value)


def test_a_photo_with_a_gps_position_is_stored_with_no_metadata_at_all(meeting, resident):
    original = s.picture("JPEG", size=(120, 90), exif=s.gps_exif())
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825)  # the position is really there

    media = c.upload_media(resident, meeting, data=original, caption="The chamber from the gallery")

    stored = media.file.read()
    media.file.close()
    with Image.open(io.BytesIO(stored)) as clean:
        assert clean.format == "JPEG"
        assert len(clean.getexif()) == 0
        assert "exif" not in clean.info
    assert b"Exif" not in stored
    assert b"PhoneMaker" not in stored
    assert (media.kind, media.content_type, media.width, media.height) == (
        "photo",
        "image/jpeg",
        120,
        90,
    )
    assert media.size == len(stored)


def test_the_stored_file_has_a_random_name_of_our_own(meeting, resident):
    media = c.upload_media(resident, meeting, data=s.picture("PNG"), caption="A banner")

    name = os.path.basename(media.file.name)
    assert media.file.name.startswith("live/")
    assert len(name) == len("0123456789abcdef0123456789abcdef.png")
    assert name.endswith(".png")


@pytest.mark.parametrize(
    ("make", "kind", "content_type"),
    [
        (s.mp3, "audio", "audio/mpeg"),
        (s.wav, "audio", "audio/wav"),
        (s.ogg, "audio", "audio/ogg"),
        (lambda: s.mp4(b"isom"), "video", "video/mp4"),
        (s.webm, "video", "video/webm"),
    ],
)
def test_audio_and_video_are_taken_by_content(meeting, resident, make, kind, content_type):
    media = c.upload_media(resident, meeting, data=make(), caption="The debate")

    assert (media.kind, media.content_type) == (kind, content_type)


def test_a_video_loses_the_position_its_phone_wrote(meeting, resident):
    media = c.upload_media(resident, meeting, data=s.mp4(b"isom"), caption="The vote")

    stored = media.file.read()
    media.file.close()
    assert b"+51.5074-000.1278/" not in stored
    assert len(stored) == len(s.mp4(b"isom"))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(s.PDF, id="pdf"),
        pytest.param(s.TEXT, id="text"),
        pytest.param(s.ELF, id="elf-program-named-photo-jpg"),
        pytest.param(s.PE, id="windows-program-named-photo-jpg"),
        # JPEG's first bytes and then nothing a picture is made of.
        pytest.param(b"\xff\xd8\xff\xe0" + s.PE, id="program-behind-a-jpeg-header"),
    ],
)
def test_anything_but_media_is_refused(meeting, resident, data):
    assert _refused(resident, meeting, data) == "not_media"


def test_an_empty_file_is_refused(meeting, resident):
    assert _refused(resident, meeting, b"") == "empty"


def test_a_photo_larger_than_the_councils_limit_is_refused(council, resident):
    meeting = live_meeting(council, image_max_mb=1)
    padded = s.picture("JPEG") + bytes(MB)  # a real JPEG, then a megabyte of padding

    assert _refused(resident, meeting, padded) == "too_large"


def test_each_kind_has_its_own_limit(council, resident):
    meeting = live_meeting(council, audio_max_mb=1, image_max_mb=5, media_moderation="post")
    long_wav = s.wav(frames=MB)  # two megabytes of silence

    assert _refused(resident, meeting, long_wav) == "too_large"
    # A photo of the same size is within the photo limit.
    assert c.upload_media(resident, meeting, data=s.picture(), caption="Fine").kind == "photo"


def test_the_too_large_message_names_the_councils_limit(council, resident):
    meeting = live_meeting(council, video_max_mb=1)

    with pytest.raises(ValidationError) as refused:
        c.upload_media(resident, meeting, data=s.mp4() + bytes(MB), caption="Long")

    assert refused.value.messages == ["The file is too large: it must be 1 MB or smaller."]


def test_a_caption_is_required(meeting, resident):
    assert _refused(resident, meeting, s.picture(), caption="   ") == "caption_required"


def test_no_upload_in_private_session(meeting, resident):
    go_private(meeting)
    before = _stored_files()

    with pytest.raises(ValidationError) as refused:
        c.upload_media(resident, meeting, data=s.picture(), caption="The chamber")

    assert refused.value.code == "private_session"
    assert refused.value.messages == [
        "The meeting is in private session: comments and uploads are closed until it "
        "returns to public business."
    ]
    assert Media.objects.count() == 0
    assert _stored_files() == before


@pytest.mark.parametrize("status", ["adjourned", "ended"])
def test_no_upload_unless_live(council, resident, status):
    meeting = live_meeting(council, status=status)

    assert _refused(resident, meeting, s.picture()) == "not_live"


def test_an_unverified_person_may_not_upload(meeting):
    from tests import factories

    newcomer = factories.UserFactory(email="new@example.org", verified_email=False)

    with pytest.raises(PermissionDenied):
        c.upload_media(newcomer, meeting, data=s.picture(), caption="Hi")
    assert Media.objects.count() == 0


def test_under_pre_moderation_an_upload_waits_and_nothing_is_sent(council, resident):
    meeting = live_meeting(council, media_moderation="pre")

    media = c.upload_media(resident, meeting, data=s.picture(), caption="The chamber")

    assert media.status == Contribution.PENDING
    assert not LiveEvent.objects.filter(meeting=meeting).exists()


def test_under_post_moderation_an_upload_is_sent_at_once(meeting, resident):
    media = c.upload_media(resident, meeting, data=s.picture(), caption="The chamber")

    assert media.status == Contribution.PUBLISHED
    (event,) = LiveEvent.objects.filter(meeting=meeting)
    assert event.kind == "media"
    assert event.data == {
        "id": media.pk,
        "kind": "photo",
        "url": f"/mootshire/meetings/{meeting.pk}/live/media/{media.pk}/",
        "caption": "The chamber",
        "content_type": "image/jpeg",
        "name": "Rita Resident",
        "item_id": meeting.public_item.pk,
        "at": media.created_at.isoformat(),
    }


def test_no_file_is_left_behind_when_the_event_cannot_be_written(meeting, resident, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(c, "emit", broken)
    before = _stored_files()

    with pytest.raises(RuntimeError):
        c.upload_media(resident, meeting, data=s.picture(), caption="The chamber")

    assert _stored_files() == before
    assert Media.objects.count() == 0


# --- Moderation of uploads --------------------------------------------------------------


@pytest.fixture
def waiting(council, resident):
    meeting = live_meeting(council, media_moderation="pre")
    return c.upload_media(resident, meeting, data=s.picture(), caption="The chamber")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("moderator", True),
        ("officer", True),
        ("council_admin", True),
        ("platform_admin", True),
        ("resident", False),
        ("councillor_user", False),
        ("outsider", False),
    ],
)
def test_who_may_decide_on_an_upload(request, waiting, persona, allowed):
    actor = request.getfixturevalue(persona)
    if allowed:
        c.decide_media(actor, waiting, publish=True)
        assert Media.objects.get(pk=waiting.pk).status == Contribution.PUBLISHED
    else:
        with pytest.raises(PermissionDenied):
            c.decide_media(actor, waiting, publish=True)
        assert Media.objects.get(pk=waiting.pk).status == Contribution.PENDING


def test_publishing_an_upload_sends_it_to_the_page(waiting, moderator):
    c.decide_media(moderator, waiting, publish=True)

    (event,) = LiveEvent.objects.filter(meeting=waiting.meeting)
    assert (event.kind, event.data["id"]) == ("media", waiting.pk)


def test_a_rejected_upload_loses_its_file_after_commit(
    waiting, moderator, django_capture_on_commit_callbacks
):
    path = Path(waiting.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        c.decide_media(moderator, waiting, publish=False, reason="Shows a child's face")

    assert not path.exists()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reason) == (Contribution.REJECTED, "Shows a child's face")
    assert not LiveEvent.objects.filter(meeting=waiting.meeting).exists()


def test_removing_a_published_upload_tells_the_page_and_drops_the_file(
    meeting, resident, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("moothall.live.broker.publish", lambda *args: None)
    media = c.upload_media(resident, meeting, data=s.picture(), caption="The chamber")
    path = Path(media.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        c.remove_media(moderator, media, reason="Not of the meeting")

    assert not path.exists()
    assert Media.objects.get(pk=media.pk).status == Contribution.REMOVED
    last = LiveEvent.objects.filter(meeting=meeting).order_by("-seq").first()
    assert (last.kind, last.data) == ("removed", {"what": "media", "id": media.pk})


def test_removing_an_upload_needs_a_reason_and_a_published_upload(waiting, moderator):
    with pytest.raises(ValidationError) as refused:
        c.remove_media(moderator, waiting, reason="Abusive")
    assert refused.value.code == "not_published"

    c.decide_media(moderator, waiting, publish=True)
    with pytest.raises(ValidationError) as refused:
        c.remove_media(moderator, waiting, reason="")
    assert _code(refused.value) == "reason_required"


def test_a_view_can_know_the_largest_file_before_reading_it(council):
    live_meeting(council, image_max_mb=3, audio_max_mb=7, video_max_mb=5)

    assert c.max_upload_bytes(council) == 7 * MB
