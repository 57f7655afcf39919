"""A meeting's recordings for the public: the player and the transcript under the agenda
items, each stretch with a "watch from here" link; and the uploaded file itself, served
with HTTP Range support so a browser can seek.

Nothing said under an exempt (Part II) item is ever shown.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from moothall.live.models import Recording, Segment
from moothall.live.record import clock, watch_url
from moothall.meetings.models import AgendaItem, Meeting

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _recording(council: str, pk: int, rec_id: int) -> Recording:
    meeting = get_object_or_404(
        Meeting.objects.select_related("council", "body"), council__slug=council, pk=pk
    )
    recording = get_object_or_404(Recording, meeting=meeting, pk=rec_id)
    recording.meeting = meeting
    return recording


@dataclass
class Part:
    """The transcript under one agenda item (or before the first: item None)."""

    item: AgendaItem | None
    start_s: float
    watch: str = ""
    segments: list[Segment] = field(default_factory=list)


def _parts(recording: Recording) -> list[Part]:
    segments = (
        recording.segments.select_related("item", "councillor__person", "councillor__council")
        .exclude(item__is_exempt=True)
        .order_by("position")
    )
    parts: list[Part] = []
    for segment in segments:
        if segment.item is not None and segment.item.exempt_paragraph is not None:
            continue  # exempt by paragraph, not yet renumbered: hidden all the same
        if not parts or parts[-1].item != segment.item:
            parts.append(Part(segment.item, segment.start_s, watch_url(recording, segment.start_s)))
        segment.watch = watch_url(recording, segment.start_s)  # type: ignore[attr-defined]
        segment.clock = clock(segment.start_s)  # type: ignore[attr-defined]
        parts[-1].segments.append(segment)
    return parts


@require_safe
def recording(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponse:
    found = _recording(council, pk, rec_id)
    meeting = found.meeting
    try:
        start = max(0, int(request.GET.get("t", "0")))
    except ValueError:
        start = 0
    is_video = found.content_type.startswith("video/")
    return render(
        request,
        "public/recordings/recording.html",
        {
            "council": meeting.council,
            "meeting": meeting,
            "recording": found,
            "parts": _parts(found),
            "start": start,
            "is_video": is_video,
            "watch_start": watch_url(found, start) if found.url else "",
        },
    )


def _ranged(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


@require_safe
def recording_file(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponseBase:
    found = _recording(council, pk, rec_id)
    if not found.file:
        raise Http404
    try:
        handle = found.file.open("rb")
        size = found.file.size
    except OSError:
        raise Http404 from None
    content_type = found.content_type or mimetypes.guess_type(found.file.name)[0] or ""
    header = request.headers.get("Range", "")
    ranged = _RANGE.match(header.strip()) if header else None
    if header and ranged is None:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if ranged is not None:
        first, last = ranged.groups()
        if first:
            begin = int(first)
            end = min(int(last), size - 1) if last else size - 1
        elif last:  # the last N bytes
            begin, end = max(0, size - int(last)), size - 1
        else:
            begin, end = 0, -1
        if begin >= size or end < begin:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        length = end - begin + 1
        streamed = StreamingHttpResponse(
            _ranged(handle, begin, length), status=206, content_type=content_type
        )
        streamed["Content-Range"] = f"bytes {begin}-{end}/{size}"
        streamed["Content-Length"] = str(length)
        streamed["Accept-Ranges"] = "bytes"
        return streamed
    whole = FileResponse(handle, content_type=content_type)
    whole["Accept-Ranges"] = "bytes"
    return whole
