"""Speech to text: refused with how to enable it when unavailable; the task saves its
progress, writes the transcript at the end and fails cleanly.

The engine itself (faster-whisper) is not installed in the test environment; the task's
documented seam (``run_transcription(..., transcriber=)``) takes a stand-in here.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from moothall.live import record, transcribe
from moothall.live.models import Recording
from tests.live.record_scene import CAPTIONS, Scene, mp4

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council):
    return Scene(council)


@pytest.fixture
def upload(scene, officer):
    recording = record.add_recording(officer, scene.meeting, data=mp4())
    record.set_chapters(officer, recording, {scene.apologies.pk: 0, scene.budget.pk: 60})
    return recording


def test_without_the_engine_it_says_how_to_enable_it(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("MOOTHALL_WHISPER_MODEL", raising=False)
    settings.MOOTHALL_WHISPER_MODEL = str(tmp_path)
    monkeypatch.setattr(transcribe.importlib.util, "find_spec", lambda name: None)
    available, reason = transcribe.whisper_available()
    assert not available
    assert "pip install 'moothall[whisper]'" in reason
    assert "MOOTHALL_WHISPER_MODEL" in reason


def test_the_model_must_be_a_local_directory(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("MOOTHALL_WHISPER_MODEL", raising=False)
    monkeypatch.setattr(transcribe.importlib.util, "find_spec", lambda name: object())
    settings.MOOTHALL_WHISPER_MODEL = ""
    assert transcribe.whisper_available()[0] is False
    settings.MOOTHALL_WHISPER_MODEL = str(tmp_path / "missing")
    available, reason = transcribe.whisper_available()
    assert not available
    assert "does not exist" in reason
    settings.MOOTHALL_WHISPER_MODEL = str(tmp_path)
    assert transcribe.whisper_available() == (True, "")


def test_asking_for_a_transcript_without_the_engine_is_refused(upload, officer, monkeypatch):
    monkeypatch.setattr(transcribe, "whisper_available", lambda: (False, "Not installed."))
    with pytest.raises(ValidationError) as caught:
        record.request_transcription(officer, upload)
    assert caught.value.error_dict["recording"][0].code == "unavailable"
    upload.refresh_from_db()
    assert upload.transcript_status == "none"


def test_a_webcast_cannot_be_transcribed(scene, officer, monkeypatch):
    monkeypatch.setattr(transcribe, "whisper_available", lambda: (True, ""))
    webcast = record.add_recording(officer, scene.meeting, url="https://a.example/v")
    with pytest.raises(ValidationError) as caught:
        record.request_transcription(officer, webcast)
    assert caught.value.error_dict["recording"][0].code == "no_file"


def test_a_request_queues_the_task_after_commit(
    upload, officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(transcribe, "whisper_available", lambda: (True, ""))
    ran: list[int] = []
    monkeypatch.setattr(transcribe, "run_transcription", lambda pk: ran.append(pk) or "done")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record.request_transcription(officer, upload)
    upload.refresh_from_db()
    assert upload.transcript_status == "queued"
    assert ran == []
    with pytest.raises(ValidationError):  # already queued
        record.request_transcription(officer, upload)
    for callback in callbacks:
        callback()
    assert ran == [upload.pk]


def test_the_task_saves_progress_then_writes_and_aligns_the_transcript(upload):
    seen: list[tuple[str, float, int]] = []

    def fake(path: str):
        with open(path, "rb") as audio:
            assert audio.read() == mp4()  # the engine gets the recording's bytes

        def segments():
            for start, end, text in [
                (5, 20, " Welcome  all. "),
                (61, 100, "The budget."),
                (100, 150, "  "),
                (150, 200, "Agreed."),
            ]:
                row = Recording.objects.get(pk=upload.pk)
                seen.append((row.transcript_status, row.transcript_progress, row.segments.count()))
                yield start, end, text

        return 200.0, segments()

    assert transcribe.run_transcription(upload.pk, transcriber=fake) == "done"
    assert seen == [
        ("running", 0.0, 0),
        ("running", 0.1, 0),
        ("running", 0.5, 0),
        ("running", 0.75, 0),
    ]
    upload.refresh_from_db()
    assert (upload.transcript_status, upload.transcript_source, upload.transcript_progress) == (
        "done",
        "speech",
        1.0,
    )
    assert upload.duration_s == 200.0
    rows = list(upload.segments.order_by("position").values_list("start_s", "text", "item_id"))
    assert rows == [
        (5.0, "Welcome all.", upload.chapters.get(start_s=0).item_id),
        (61.0, "The budget.", upload.chapters.get(start_s=60).item_id),
        (150.0, "Agreed.", upload.chapters.get(start_s=60).item_id),
    ]


def test_a_failure_midway_keeps_the_old_transcript_and_says_why(upload, officer):
    record.import_captions(officer, upload, data=CAPTIONS.encode())

    def broken(path: str):
        def segments():
            yield 0.0, 1.0, "Hello"
            raise RuntimeError("the model file is damaged")

        return 10.0, segments()

    assert transcribe.run_transcription(upload.pk, transcriber=broken) == "failed"
    upload.refresh_from_db()
    assert upload.transcript_status == "failed"
    assert upload.transcript_error == "Transcription failed: the model file is damaged"
    assert upload.segments.count() == 5


def test_without_the_engine_the_task_fails_with_how_to_enable_it(upload, monkeypatch):
    monkeypatch.setattr(transcribe.importlib.util, "find_spec", lambda name: None)
    assert transcribe.run_transcription(upload.pk) == "failed"
    upload.refresh_from_db()
    assert "pip install" in upload.transcript_error


def test_the_task_survives_the_recording_being_gone(upload):
    pk = upload.pk
    upload.delete()
    assert transcribe.run_transcription(pk) == "gone"
