"""Background work of the record. Tasks take ids, call one function, survive the row
being gone."""

from __future__ import annotations

from django_tasks import task


@task()
def transcribe_recording(recording_id: int) -> str:
    """Speech to text of an uploaded recording (see :mod:`moothall.live.transcribe`)."""
    from moothall.live.transcribe import run_transcription

    return run_transcription(recording_id)
