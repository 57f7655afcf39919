"""The read-only public endpoints of live meetings and their record: a meeting's live
state with its blog, comments and media; its recordings with their chapters; and a
recording's transcript.

They show what the public pages show. The live state never names an exempt item;
comments and media appear once published; transcript segments aligned to an exempt
item are left out (a public recording should not hold them, but a clerk's alignment
might put a stray segment there).
"""

# No ``from __future__ import annotations`` here: ninja reads these signatures at
# import time.

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from moothall.api.endpoints import _council_or_404
from moothall.api.meetings import _meeting_or_404
from moothall.api.pagination import LimitOffset
from moothall.api.schemas import ErrorOut, ValidationErrorOut
from moothall.live.contributions import comment_data, media_data
from moothall.live.domain import blog_data, live_state
from moothall.live.models import BlogPost, Comment, Contribution, Media, Recording, Segment
from moothall.live.record import recording_url, watch_url

router = Router()

# The most blog posts, comments and media one answer carries (newest first).
RECENT = 200


class LiveItemOut(Schema):
    id: int
    number: str
    title: str | None = Field(None, description="Left out for an exempt (private) item.")


class LiveStateOut(Schema):
    status: str = Field(description="not_started, live, adjourned or ended.")
    private: bool = Field(description="True while the meeting sits in private session.")
    item: LiveItemOut | None = Field(description="The item under discussion, if any.")


class BlogPostOut(Schema):
    id: int
    html: str = Field(description="The post's Markdown, rendered and sanitised.")
    link: str
    photo_url: str
    photo_alt: str
    item_id: int | None
    at: dt.datetime


class CommentOut(Schema):
    id: int
    name: str
    text: str = Field(description="Plain text, as the resident wrote it.")
    item_id: int | None
    at: dt.datetime


class MediaOut(Schema):
    id: int
    kind: str = Field(description="photo, audio or video.")
    url: str
    caption: str
    content_type: str
    name: str
    item_id: int | None
    at: dt.datetime


class LiveOut(Schema):
    state: LiveStateOut
    events_url: str = Field(description="The server-sent event stream of the meeting.")
    blog: list[BlogPostOut]
    comments: list[CommentOut]
    media: list[MediaOut]


class ChapterOut(Schema):
    item_id: int
    item_number: str
    start_s: float
    watch_url: str


class RecordingOut(Schema):
    id: int
    title: str
    page_url: str = Field(description="The recording's public page with its transcript.")
    webcast_url: str | None
    started_at: dt.datetime | None = Field(description="The moment the recording starts.")
    duration_s: float | None
    transcript_status: str
    chapters: list[ChapterOut]


class SegmentOut(Schema):
    position: int
    start_s: float
    end_s: float
    text: str
    speaker: str | None = Field(description="The caption file's own name for the voice.")
    councillor_id: int | None = Field(description="Who the clerk says was speaking.")
    councillor_name: str | None
    item_id: int | None
    item_number: str | None
    watch_url: str


def _recent(queryset: QuerySet[Any]) -> list[Any]:
    rows = list(queryset.order_by("-created_at", "-id")[:RECENT])
    rows.reverse()
    return rows


@router.get(
    "/councils/{slug:slug}/meetings/{int:id}/live",
    response={200: LiveOut, 404: ErrorOut},
    url_name="meeting_live",
    operation_id="get_meeting_live",
    summary="A meeting's live state, live blog, published comments and media",
    description=(
        "The state at the moment of asking (follow events_url for changes as they "
        f"happen), and the newest {RECENT} blog posts, comments and uploads, oldest first."
    ),
    tags=["live"],
)
def get_meeting_live(request: HttpRequest, slug: str, id: Path[int]) -> dict[str, Any]:
    from django.urls import reverse

    meeting = _meeting_or_404(_council_or_404(slug), id)
    posts = BlogPost.objects.filter(meeting=meeting, is_removed=False).select_related(
        "item", "meeting__council"
    )
    comments = Comment.objects.filter(meeting=meeting, status=Contribution.PUBLISHED)
    media = Media.objects.filter(meeting=meeting, status=Contribution.PUBLISHED).select_related(
        "meeting__council"
    )
    return {
        "state": live_state(meeting),
        "events_url": reverse(
            "public:live_events", kwargs={"council": meeting.council.slug, "pk": meeting.pk}
        ),
        "blog": [blog_data(post) for post in _recent(posts)],
        "comments": [comment_data(comment) for comment in _recent(comments)],
        "media": [media_data(upload) for upload in _recent(media)],
    }


def _public_chapters(recording: Recording) -> list[dict[str, Any]]:
    return [
        {
            "item_id": chapter.item_id,
            "item_number": chapter.item.number,
            "start_s": chapter.start_s,
            "watch_url": watch_url(recording, chapter.start_s),
        }
        for chapter in recording.chapters.all()
        if not chapter.item.is_exempt
    ]


@router.get(
    "/councils/{slug:slug}/meetings/{int:id}/recordings",
    response={200: list[RecordingOut], 404: ErrorOut},
    url_name="meeting_recordings",
    operation_id="list_meeting_recordings",
    summary="A meeting's recordings, with where each agenda item starts in them",
    tags=["live"],
)
def list_meeting_recordings(request: HttpRequest, slug: str, id: Path[int]) -> list[dict[str, Any]]:
    meeting = _meeting_or_404(_council_or_404(slug), id)
    recordings = (
        Recording.objects.filter(meeting=meeting)
        .select_related("meeting__council")
        .prefetch_related("chapters__item")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": recording.pk,
            "title": recording.title or str(recording),
            "page_url": recording_url(recording),
            "webcast_url": recording.url or None,
            "started_at": recording.started_at,
            "duration_s": recording.duration_s,
            "transcript_status": recording.transcript_status,
            "chapters": _public_chapters(recording),
        }
        for recording in recordings
    ]


@router.get(
    "/councils/{slug:slug}/meetings/{int:id}/recordings/{int:recording_id}/transcript",
    response={200: list[SegmentOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="recording_transcript",
    operation_id="get_recording_transcript",
    summary="A recording's transcript: each segment's time, words, speaker and agenda item",
    description="In order. Segments under an exempt (private) item are left out.",
    tags=["live"],
)
@paginate(LimitOffset)
def get_recording_transcript(
    request: HttpRequest, slug: str, id: Path[int], recording_id: Path[int]
) -> list[dict[str, Any]]:
    meeting = _meeting_or_404(_council_or_404(slug), id)
    recording = (
        Recording.objects.filter(meeting=meeting, pk=recording_id)
        .select_related("meeting__council")
        .first()
    )
    if recording is None:
        raise Http404(gettext("This meeting has no recording %(id)s.") % {"id": recording_id})
    segments = (
        Segment.objects.filter(recording=recording)
        .filter(Q(item__isnull=True) | Q(item__is_exempt=False))
        .select_related("item", "councillor__person")
        .order_by("position")
    )
    return _SegmentRows(recording, segments)  # type: ignore[return-value]


class _SegmentRows:
    """The transcript as the paginator slices it: only the page's rows are loaded."""

    def __init__(self, recording: Recording, segments: QuerySet[Segment]) -> None:
        self.recording = recording
        self.segments = segments

    def count(self) -> int:
        return self.segments.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self._row(segment) for segment in self.segments[window]]

    def _row(self, segment: Segment) -> dict[str, Any]:
        councillor = segment.councillor
        return {
            "position": segment.position,
            "start_s": segment.start_s,
            "end_s": segment.end_s,
            "text": segment.text,
            "speaker": segment.speaker or None,
            "councillor_id": councillor.pk if councillor is not None else None,
            "councillor_name": councillor.person.name if councillor is not None else None,
            "item_id": segment.item_id,
            "item_number": segment.item.number if segment.item is not None else None,
            "watch_url": watch_url(self.recording, segment.start_s),
        }
