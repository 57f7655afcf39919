"""Transcripts in the site search: found by their words, with where and by whom."""

from __future__ import annotations

import pytest

from moothall.live import record
from moothall.search.query import search
from tests.live.record_scene import CAPTIONS, Scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def transcript(council, officer, django_capture_on_commit_callbacks):
    # Everything inside the capture: the index's after-commit batch starts with the first
    # save (the councillors') and takes every later change.
    with django_capture_on_commit_callbacks(execute=True):
        scene = Scene(council)
        recording = record.add_recording(officer, scene.meeting, url="https://a.example/v")
        record.set_chapters(
            officer, recording, {scene.apologies.pk: 0, scene.budget.pk: 60, scene.depot.pk: 120}
        )
        record.import_captions(officer, recording, data=CAPTIONS.encode())
        record.name_speaker(officer, recording, speaker="Speaker 2", councillor=scene.ada)
    return scene, recording


def found(query: str) -> list[tuple[str, str]]:
    return [(hit.kind, hit.title) for hit in search(query).hits]


def test_a_phrase_is_found_under_its_item_and_its_speaker(transcript):
    scene, recording = transcript
    hits = search("mobile library").hits
    assert [(hit.kind, hit.title) for hit in hits] == [
        ("transcript", "Said under item 2, Library budget, by Councillor Ada Jones")
    ]
    assert hits[0].url == (
        f"/mootshire/meetings/{scene.meeting.pk}/recordings/{recording.pk}/?t=65#s1"
    )


def test_nothing_said_under_an_exempt_item_is_found(transcript):
    assert found("depot") == []
    assert found("bidder OR million") == []


def test_renaming_the_councillor_changes_the_title(transcript, django_capture_on_commit_callbacks):
    scene, _recording = transcript
    with django_capture_on_commit_callbacks(execute=True):
        scene.ada.title = "Cllr Ada Jones-Brown"
        scene.ada.save()
    assert found("mobile library") == [
        ("transcript", "Said under item 2, Library budget, by Cllr Ada Jones-Brown")
    ]


def test_an_item_made_exempt_takes_its_transcript_out(
    transcript, django_capture_on_commit_callbacks
):
    scene, _recording = transcript
    with django_capture_on_commit_callbacks(execute=True):
        scene.budget.is_exempt = True
        scene.budget.exempt_paragraph = 3
        scene.budget.save()
    assert found("mobile library") == []
