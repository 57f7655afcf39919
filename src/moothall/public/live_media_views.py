"""Serving what was shared at a live meeting: attendees' uploads and blog photos.

Only what is published is served (a moderator, or the clerk, also sees uploads that
wait for moderation); everything else is a 404, so nobody learns that it exists. Files
go out with the type we found in their content, ``nosniff``, a sandbox policy and a
name of our own, inline. Audio and video answer byte ranges (phones seek with them).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from moothall.accounts.rules import Action, can
from moothall.live.models import BlogPost, Contribution, Media

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _may_see_pending(user: Any, council: Any) -> bool:
    return can(user, Action.MODERATE, council) or can(user, Action.MANAGE_MEETINGS, council)


def _secure(response: HttpResponseBase, *, public: bool) -> HttpResponseBase:
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Whatever a browser makes of the file, it runs no script and has no origin.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    # A removal must take effect: caches check back every time.
    response.headers["Cache-Control"] = "public, no-cache" if public else "private, no-store"
    return response


def _serve(
    request: HttpRequest, field: FieldFile, content_type: str, name: str, *, public: bool
) -> HttpResponseBase:
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    size = field.size
    wanted = _RANGE.match(request.headers.get("Range", "").strip())
    if wanted and (wanted[1] or wanted[2]):
        if wanted[1]:
            start = int(wanted[1])
            end = min(int(wanted[2]), size - 1) if wanted[2] else size - 1
        else:  # the last N bytes
            start, end = max(size - int(wanted[2]), 0), size - 1
        if start > end or start >= size:
            handle.close()
            refused = HttpResponse(status=416)
            refused.headers["Content-Range"] = f"bytes */{size}"
            return _secure(refused, public=public)
        handle.seek(start)
        chunk = handle.read(end - start + 1)
        handle.close()
        partial = HttpResponse(chunk, status=206, content_type=content_type)
        partial.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        partial.headers["Accept-Ranges"] = "bytes"
        partial.headers["Content-Disposition"] = f'inline; filename="{name}"'
        return _secure(partial, public=public)
    response = FileResponse(handle, as_attachment=False, filename=name, content_type=content_type)
    response.headers["Accept-Ranges"] = "bytes"
    return _secure(response, public=public)


def _extension(field: FieldFile) -> str:
    name = field.name or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@require_safe
def media_file(request: HttpRequest, council: str, pk: int, media_id: int) -> HttpResponseBase:
    media = get_object_or_404(
        Media.objects.select_related("meeting__council"),
        meeting__council__slug=council,
        meeting_id=pk,
        pk=media_id,
    )
    published = media.status == Contribution.PUBLISHED
    if not published and not (
        media.status == Contribution.PENDING
        and _may_see_pending(request.user, media.meeting.council)
    ):
        raise Http404
    # Our name, from the caption: the uploader's file name was never kept.
    name = f"{slugify(media.caption)[:60] or media.kind}.{_extension(media.file)}"
    return _serve(request, media.file, media.content_type, name, public=published)


@require_safe
def blog_photo(request: HttpRequest, council: str, pk: int, post_id: int) -> HttpResponseBase:
    post = get_object_or_404(
        BlogPost.objects.filter(is_removed=False).exclude(photo=""),
        meeting__council__slug=council,
        meeting_id=pk,
        pk=post_id,
    )
    content_type = _PHOTO_TYPES.get(_extension(post.photo))
    if content_type is None:
        raise Http404
    name = f"{slugify(post.photo_alt)[:60] or 'photo'}.{_extension(post.photo)}"
    return _serve(request, post.photo, content_type, name, public=True)
