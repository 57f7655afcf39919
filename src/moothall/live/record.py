"""Verbs of a meeting's record: its recordings, their chapters and their transcripts.

Each verb runs in one transaction, checks permission (the clerk's work,
``Action.MANAGE_MEETINGS``, raising ``PermissionDenied``), refuses bad input with a
``ValidationError`` naming the field before writing anything and writes an audit entry.
``actor=None`` means the system (the demo loader, a task, a command).

Chapters say where each agenda item starts in a recording (from the live timeline, or
entered by the clerk); every change to chapters or segments re-aligns the segments to
the items (:func:`align_recording`), and the site search re-reads the transcript.

Also here, read-only: :func:`watch_url` (a link that starts the recording at a given
second) and :func:`item_watch_links` (one per public agenda item of a meeting).
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from moothall.accounts.rules import Action, can
from moothall.core.audit import record
from moothall.core.validation import invalid as _invalid
from moothall.core.validation import line as _line
from moothall.councils.models import Council, Councillor
from moothall.live import align, captions
from moothall.live.models import (
    Chapter,
    ItemSpan,
    LiveMeeting,
    LiveSettings,
    Recording,
    Segment,
)
from moothall.meetings.models import AgendaItem, Meeting
from moothall.search.registry import changed as search_changed

TITLE_LIMIT = 200
URL_LIMIT = 500
CAPTIONS_MAX_BYTES = 10 * 1024 * 1024
MB = 1024 * 1024
YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"})


def _require(actor: Any, council: Council) -> None:
    if actor is not None and not can(actor, Action.MANAGE_MEETINGS, council):
        raise PermissionDenied


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _sniff(data: bytes) -> tuple[str, str, str] | None:
    from moothall.live.media import sniff_media

    return sniff_media(data)


def _url(value: str) -> str:
    value = _line(value, "url", limit=URL_LIMIT)
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise _invalid(
            "url", _("Enter a web address starting with http:// or https://."), "bad_url"
        ) from None
    return value


def _check_file(meeting: Meeting, data: bytes) -> tuple[str, str]:
    if not data:
        raise _invalid("file", _("The file is empty."), "empty")
    limit = LiveSettings.for_council(meeting.council).video_max_mb
    if len(data) > limit * MB:
        raise _invalid(
            "file",
            _("The file must be %(limit)d MB or smaller.") % {"limit": limit},
            "too_large",
        )
    found = _sniff(data)
    if found is None or found[0] not in {"audio", "video"}:
        raise _invalid(
            "file",
            _(
                "The file must be a recording: MP4, MOV, WebM or Matroska video, or MP3, "
                "M4A, WAV, OGG or FLAC audio."
            ),
            "not_media",
        )
    return found[1], found[2]


def _touch(recording: Recording) -> None:
    """Tell the site search the transcript changed (segments are written in bulk)."""
    search_changed(recording)


# --- Recordings -------------------------------------------------------------------


def add_recording(
    actor: Any,
    meeting: Meeting,
    *,
    url: str = "",
    data: bytes | None = None,
    title: str = "",
    started_at: Any = None,
) -> Recording:
    """Attach a recording: a webcast's ``url`` (http or https) or an uploaded file
    (``data``, audio or video by its content, within the council's video size limit).

    ``started_at`` (the wall-clock moment of its first second) defaults to when the
    meeting went live; when known, chapters are made from the live timeline at once.
    Side effects: the file stored under a random name, an audit entry.
    """
    _require(actor, meeting.council)
    title = _line(title, "title", required=False, limit=TITLE_LIMIT)
    url = (url or "").strip()
    if url and data:
        raise _invalid("url", _("Give a web address or a file, not both."), "both")
    if not url and data is None:
        raise _invalid(
            "url", _("Enter the web address of the webcast or choose a file."), "required"
        )
    content_type = extension = ""
    if url:
        url = _url(url)
    else:
        content_type, extension = _check_file(meeting, data or b"")
    if started_at is None:
        live = LiveMeeting.objects.filter(meeting=meeting).first()
        started_at = live.started_at if live is not None else None
    with transaction.atomic():
        recording = Recording(
            meeting=meeting,
            title=title,
            url=url,
            content_type=content_type,
            started_at=started_at,
            created_by=_user(actor),
        )
        if data:
            recording.size = len(data)
            recording.file.save(
                f"recording-{secrets.token_hex(12)}.{extension}", ContentFile(data), save=False
            )
        recording.save()
        made = _timeline_chapters(recording) if started_at is not None else 0
        record(
            "live.recording_added",
            actor=actor,
            council=meeting.council,
            target=recording,
            meeting=meeting.pk,
            url=url,
            size=recording.size,
            chapters=made,
        )
    return recording


def remove_recording(actor: Any, recording: Recording) -> None:
    """Remove a recording with its chapters and transcript; its file is deleted after
    commit. Side effects: an audit entry."""
    meeting = recording.meeting
    _require(actor, meeting.council)
    file = recording.file
    with transaction.atomic():
        record(
            "live.recording_removed",
            actor=actor,
            council=meeting.council,
            target=recording,
            meeting=meeting.pk,
        )
        recording.delete()
        if file:
            storage, name = file.storage, file.name
            transaction.on_commit(lambda: storage.delete(name))


# --- Transcripts ------------------------------------------------------------------


def import_captions(actor: Any, recording: Recording, *, data: bytes) -> int:
    """Replace the recording's transcript by the cues of a WebVTT or SRT file; all or
    nothing (a malformed file is refused with the line at fault and nothing changes).

    Returns the number of segments. Side effects: segments aligned to the chapters,
    transcript marked done (from captions), an audit entry, the search re-reads it.
    """
    meeting = recording.meeting
    _require(actor, meeting.council)
    if len(data) > CAPTIONS_MAX_BYTES:
        raise _invalid(
            "file",
            _("A caption file must be %(limit)d MB or smaller.")
            % {"limit": CAPTIONS_MAX_BYTES // MB},
            "too_large",
        )
    try:
        cues = captions.parse(data)
    except captions.CaptionError as error:
        raise _invalid("file", str(error), "bad_captions") from None
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        if locked.transcript_status in {Recording.Transcript.QUEUED, Recording.Transcript.RUNNING}:
            raise _invalid(
                "file",
                _("The recording is being transcribed; wait until that has finished."),
                "busy",
            )
        count = write_segments(
            recording,
            [(cue.start_s, cue.end_s, cue.text, cue.speaker) for cue in cues],
            source=Recording.Source.CAPTIONS,
        )
        record(
            "live.captions_imported",
            actor=actor,
            council=meeting.council,
            target=recording,
            segments=count,
        )
    return count


def write_segments(
    recording: Recording,
    rows: list[tuple[float, float, str, str]],
    *,
    source: str,
    duration_s: float | None = None,
) -> int:
    """Replace the transcript with ``rows`` (start, end, text, speaker), mark it done and
    align it. For the verbs and the transcription task, inside their transaction."""
    recording.segments.all().delete()
    Segment.objects.bulk_create(
        Segment(
            recording=recording,
            position=position,
            start_s=start,
            end_s=end,
            text=text,
            speaker=speaker,
        )
        for position, (start, end, text, speaker) in enumerate(rows)
    )
    recording.transcript_status = Recording.Transcript.DONE
    recording.transcript_source = source
    recording.transcript_progress = 1.0
    recording.transcript_error = ""
    last_end = max((row[1] for row in rows), default=0.0)
    if duration_s is not None:
        recording.duration_s = duration_s
    elif recording.duration_s is None or recording.duration_s < last_end:
        recording.duration_s = last_end
    recording.save(
        update_fields=[
            "transcript_status",
            "transcript_source",
            "transcript_progress",
            "transcript_error",
            "duration_s",
        ]
    )
    align_recording(recording)
    return len(rows)


def align_recording(recording: Recording) -> int:
    """Give every segment the item of the chapter covering it; returns how many changed."""
    chapters = list(recording.chapters.order_by("start_s", "id").values_list("item_id", "start_s"))
    segments = list(
        recording.segments.order_by("position").only("pk", "start_s", "end_s", "item_id")
    )
    items = align.assign(chapters, [(s.start_s, s.end_s) for s in segments])
    moved = []
    for segment, item_id in zip(segments, items, strict=True):
        if segment.item_id != item_id:
            segment.item_id = item_id
            moved.append(segment)
    Segment.objects.bulk_update(moved, ["item"], batch_size=500)
    _touch(recording)
    return len(moved)


def request_transcription(actor: Any, recording: Recording) -> Recording:
    """Queue speech to text of an uploaded recording (faster-whisper, when installed with
    a local model). Side effects: status queued, the task enqueued after commit, an audit
    entry."""
    from moothall.live.tasks import transcribe_recording
    from moothall.live.transcribe import whisper_available

    meeting = recording.meeting
    _require(actor, meeting.council)
    available, reason = whisper_available()
    if not available:
        raise _invalid("recording", reason, "unavailable")
    if not recording.file:
        raise _invalid(
            "recording",
            _("Only an uploaded file can be transcribed; import captions for a webcast."),
            "no_file",
        )
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        if locked.transcript_status in {Recording.Transcript.QUEUED, Recording.Transcript.RUNNING}:
            raise _invalid("recording", _("The recording is already being transcribed."), "busy")
        Recording.objects.filter(pk=recording.pk).update(
            transcript_status=Recording.Transcript.QUEUED,
            transcript_progress=0.0,
            transcript_error="",
        )
        recording.transcript_status = Recording.Transcript.QUEUED
        recording.transcript_progress = 0.0
        recording.transcript_error = ""
        record(
            "live.transcription_requested", actor=actor, council=meeting.council, target=recording
        )
        pk = recording.pk
        transaction.on_commit(lambda: transcribe_recording.enqueue(pk))
    return recording


# --- Chapters ---------------------------------------------------------------------


def _replace_chapters(recording: Recording, chapters: list[tuple[int, float]], source: str) -> int:
    recording.chapters.all().delete()
    Chapter.objects.bulk_create(
        Chapter(recording=recording, item_id=item_id, start_s=start, source=source)
        for item_id, start in chapters
    )
    align_recording(recording)
    return len(chapters)


def _timeline_chapters(recording: Recording) -> int:
    spans = list(
        ItemSpan.objects.filter(meeting_id=recording.meeting_id)
        .order_by("started_at", "id")
        .values_list("item_id", "started_at", "ended_at")
    )
    if recording.started_at is None or not spans:
        return 0
    chapters = align.chapters_from_spans(spans, recording.started_at)
    if recording.duration_s is not None:
        chapters = [c for c in chapters if c[1] <= recording.duration_s]
    return _replace_chapters(recording, chapters, Chapter.Source.TIMELINE)


def chapters_from_timeline(actor: Any, recording: Recording) -> int:
    """Replace the chapters by the live timeline (which item ran when), lined up with the
    recording's start. Returns how many. Side effects: re-aligned, an audit entry."""
    meeting = recording.meeting
    _require(actor, meeting.council)
    if recording.started_at is None:
        raise _invalid(
            "chapters",
            _("We do not know when the recording started, so enter the items' start times."),
            "no_start",
        )
    if not ItemSpan.objects.filter(meeting=meeting).exists():
        raise _invalid(
            "chapters",
            _("This meeting has no live timeline; enter the items' start times instead."),
            "no_timeline",
        )
    with transaction.atomic():
        count = _timeline_chapters(recording)
        record(
            "live.chapters_from_timeline",
            actor=actor,
            council=meeting.council,
            target=recording,
            chapters=count,
        )
    return count


def set_chapters(actor: Any, recording: Recording, starts: Mapping[int, float | None]) -> int:
    """Replace the chapters by the clerk's ``{item_id: start_s}`` (None: the item has no
    chapter). Returns how many. Side effects: re-aligned, an audit entry."""
    meeting = recording.meeting
    _require(actor, meeting.council)
    items = set(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True))
    chapters: list[tuple[int, float]] = []
    for item_id, start in starts.items():
        if item_id not in items:
            raise _invalid("chapters", _("That item is not on this meeting's agenda."), "bad_item")
        if start is None:
            continue
        if not isinstance(start, int | float) or not math.isfinite(start) or start < 0:
            raise _invalid("chapters", _("A start time cannot be before 0:00:00."), "bad_time")
        if recording.duration_s is not None and start > recording.duration_s:
            raise _invalid(
                "chapters",
                _("A start time cannot be after the end of the recording (%(end)s).")
                % {"end": clock(recording.duration_s)},
                "after_end",
            )
        chapters.append((item_id, float(start)))
    chapters.sort(key=lambda chapter: chapter[1])
    with transaction.atomic():
        count = _replace_chapters(recording, chapters, Chapter.Source.CLERK)
        record(
            "live.chapters_set",
            actor=actor,
            council=meeting.council,
            target=recording,
            chapters=count,
        )
    return count


# --- Speakers ---------------------------------------------------------------------


def _councillor(meeting: Meeting, councillor: Councillor | None) -> Councillor | None:
    if councillor is not None and councillor.council_id != meeting.council_id:
        raise _invalid("councillor", _("Choose a councillor of this council."), "bad_councillor")
    return councillor


def name_speaker(
    actor: Any, recording: Recording, *, speaker: str, councillor: Councillor | None
) -> int:
    """Say which councillor (or nobody: None) spoke every segment labelled ``speaker``.
    Returns how many segments. Side effects: an audit entry, the search re-reads it."""
    meeting = recording.meeting
    _require(actor, meeting.council)
    councillor = _councillor(meeting, councillor)
    segments = recording.segments.filter(speaker=speaker)
    if not segments.exists():
        raise _invalid("speaker", _("No part of the transcript has that speaker."), "bad_speaker")
    with transaction.atomic():
        count = segments.update(councillor=councillor)
        record(
            "live.speaker_named",
            actor=actor,
            council=meeting.council,
            target=recording,
            speaker=speaker,
            councillor=councillor.pk if councillor else None,
            segments=count,
        )
        _touch(recording)
    return count


def set_segment_speaker(actor: Any, segment: Segment, councillor: Councillor | None) -> Segment:
    """Say which councillor (or nobody) spoke one segment. Side effects: an audit entry."""
    recording = segment.recording
    meeting = recording.meeting
    _require(actor, meeting.council)
    councillor = _councillor(meeting, councillor)
    with transaction.atomic():
        segment.councillor = councillor
        segment.save(update_fields=["councillor"])
        record(
            "live.segment_speaker_set",
            actor=actor,
            council=meeting.council,
            target=recording,
            segment=segment.pk,
            councillor=councillor.pk if councillor else None,
        )
        _touch(recording)
    return segment


# --- Links ------------------------------------------------------------------------


def clock(seconds: float) -> str:
    """Seconds as h:mm:ss."""
    whole = max(0, int(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def recording_url(recording: Recording) -> str:
    meeting = recording.meeting
    return reverse(
        "public:recording",
        kwargs={"council": meeting.council.slug, "pk": meeting.pk, "rec_id": recording.pk},
    )


def watch_url(recording: Recording, seconds: float) -> str:
    """A link that plays ``recording`` from ``seconds``: a YouTube webcast with ``t=``, any
    other webcast with a media fragment ``#t=``, an uploaded file on our recording page
    with ``?t=``."""
    at = max(0, int(seconds))
    if not recording.url:
        return f"{recording_url(recording)}?t={at}"
    parts = urlsplit(recording.url)
    if (parts.hostname or "").lower() in YOUTUBE_HOSTS:
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "t"]
        query.append(("t", str(at)))
        return urlunsplit(parts._replace(query=urlencode(query)))
    return urlunsplit(parts._replace(fragment=f"t={at}"))


def item_watch_links(meeting: Meeting) -> dict[int, str]:
    """For each public agenda item with a chapter, a link that plays the first recording
    that has chapters from where the item starts."""
    recording = (
        Recording.objects.filter(meeting=meeting, chapters__isnull=False)
        .select_related("meeting__council")
        .order_by("created_at", "id")
        .first()
    )
    if recording is None:
        return {}
    links: dict[int, str] = {}
    for chapter in recording.chapters.filter(item__is_exempt=False).order_by("start_s", "id"):
        links.setdefault(chapter.item_id, watch_url(recording, chapter.start_s))
    return links
