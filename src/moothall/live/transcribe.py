"""Speech to text of an uploaded recording, with faster-whisper (an optional extra).

It runs only when faster-whisper is installed (``pip install 'moothall[whisper]'``) and
``MOOTHALL_WHISPER_MODEL`` (a setting or an environment variable) names a local
directory holding a model: nothing is ever downloaded. :func:`whisper_available` says
whether it can run and, when not, how to enable it (the staff page shows that).

:func:`run_transcription` is what the background task calls. Its ``transcriber``
parameter is the seam for tests: a function of the audio file's path returning the
duration (or None) and an iterator of ``(start_s, end_s, text)``. By default it is
:func:`whisper_transcriber`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from moothall.live.models import Recording

logger = logging.getLogger(__name__)

Transcript = tuple[float | None, Iterator[tuple[float, float, str]]]
Transcriber = Callable[[str], Transcript]

HOW_TO_ENABLE = "pip install 'moothall[whisper]'"
# Progress is written at most this often (in fractions of the recording).
PROGRESS_STEP = 0.01


def model_directory() -> str:
    return str(settings.MOOTHALL_WHISPER_MODEL)


def whisper_available() -> tuple[bool, str]:
    """Whether speech to text can run here, and if not, why and how to enable it."""
    how = _(
        "To transcribe recordings, install the speech-to-text extra (%(command)s) and set "
        "MOOTHALL_WHISPER_MODEL to a local model directory."
    ) % {"command": HOW_TO_ENABLE}
    if importlib.util.find_spec("faster_whisper") is None:
        return False, _("Speech to text is not installed.") + " " + how
    directory = model_directory()
    if not directory:
        return False, _("No speech-to-text model is set.") + " " + how
    if not Path(directory).is_dir():
        return False, _("The speech-to-text model directory %(path)s does not exist.") % {
            "path": directory
        } + " " + how
    return True, ""


def whisper_transcriber(path: str) -> Transcript:
    """faster-whisper on the CPU, from the local model directory only."""
    from faster_whisper import WhisperModel  # optional dependency

    model = WhisperModel(
        model_directory(), device="cpu", compute_type="int8", local_files_only=True
    )
    segments, info = model.transcribe(path, vad_filter=True)
    duration = getattr(info, "duration", None)
    return duration, ((s.start, s.end, s.text) for s in segments)


def _fail(recording_id: int, message: str) -> str:
    Recording.objects.filter(pk=recording_id).update(
        transcript_status=Recording.Transcript.FAILED, transcript_error=message[:2000]
    )
    return "failed"


def run_transcription(recording_id: int, transcriber: Transcriber | None = None) -> str:
    """Transcribe one recording: status running, progress saved as it goes, segments
    written and aligned in one transaction at the end; any failure sets status failed
    with the reason. Returns "done", "failed" or "gone" (the row was deleted)."""
    from moothall.live.record import write_segments

    recording = Recording.objects.select_related("meeting__council").filter(pk=recording_id).first()
    if recording is None:
        return "gone"
    if transcriber is None:
        available, reason = whisper_available()
        if not available:
            return _fail(recording_id, reason)
        transcriber = whisper_transcriber
    if not recording.file:
        return _fail(recording_id, _("Only an uploaded file can be transcribed."))
    Recording.objects.filter(pk=recording_id).update(
        transcript_status=Recording.Transcript.RUNNING, transcript_progress=0.0, transcript_error=""
    )
    rows: list[tuple[float, float, str, str]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="moothall-transcribe-") as folder:
            # A copy on local disk, whatever the storage (the engine reads a path).
            path = os.path.join(folder, "audio")
            with recording.file.open("rb") as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target)
            duration, segments = transcriber(path)
            reported = 0.0
            for start, end, text in segments:
                words = " ".join(text.split())
                if words:
                    rows.append((float(start), max(float(start), float(end)), words, ""))
                if duration:
                    progress = min(1.0, max(0.0, float(end) / duration))
                    if progress - reported >= PROGRESS_STEP:
                        reported = progress
                        updated = Recording.objects.filter(pk=recording_id).update(
                            transcript_progress=progress
                        )
                        if not updated:
                            return "gone"
        with transaction.atomic():
            locked = Recording.objects.select_for_update().filter(pk=recording_id).first()
            if locked is None:
                return "gone"
            locked.meeting = recording.meeting
            write_segments(locked, rows, source=Recording.Source.SPEECH, duration_s=duration)
    except Exception as error:  # the engine's errors are many and undocumented
        logger.exception("Transcription of recording %s failed", recording_id)
        return _fail(recording_id, _("Transcription failed: %(error)s") % {"error": error})
    return "done"
