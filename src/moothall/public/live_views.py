"""A meeting followed live: its state, the officers' live blog, residents' comments and
attendees' photos, audio and video, with the forms to add the last two.

The page shows the state at load time and works without JavaScript (a refresh link);
``static/moothall/live.js`` then follows the stream (``public:live_events``) and updates
it. Entries are built here in the shape of the stream's event data
(:mod:`moothall.live.events`), so the page and the script show the same thing.

While the meeting is on an exempt item the page says "private session" and never
names the item; comments and uploads are closed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from moothall.core.forms import add_verb_errors
from moothall.live import contributions
from moothall.live.contributions import comment_data, may_contribute, media_data
from moothall.live.domain import blog_data, live_state
from moothall.live.models import BlogPost, Comment, Contribution, LiveMeeting, LiveSettings, Media
from moothall.meetings.models import Meeting
from moothall.public.live_forms import CommentForm, UploadForm

# The page carries the newest entries; older ones are history, not live news.
BLOG_SHOWN = 100
COMMENTS_SHOWN = 100
MEDIA_SHOWN = 60
MB = 1024 * 1024


def _meeting(council: str, pk: int) -> Meeting:
    # Every meeting of the council is public (as on the meeting page); exempt business
    # is kept out item by item.
    return get_object_or_404(
        Meeting.objects.select_related("council", "body", "live"),
        council__slug=council,
        pk=pk,
    )


def _live(meeting: Meeting) -> LiveMeeting | None:
    try:
        return meeting.live
    except ObjectDoesNotExist:
        return None


def _blog(meeting: Meeting) -> list[dict[str, Any]]:
    posts = (
        BlogPost.objects.filter(meeting=meeting, is_removed=False)
        .select_related("meeting__council", "item")
        .order_by("-created_at", "-id")[:BLOG_SHOWN]
    )
    # The stream's own data for each entry, so the page and the script show the same;
    # the time is kept as a datetime for the template.
    entries = []
    for post in posts:
        data = blog_data(post)
        # Sanitised by render_markdown (nh3) inside blog_data.
        data["html"] = mark_safe(data["html"])
        data["at"] = post.created_at
        entries.append(data)
    return entries


def _comments(meeting: Meeting) -> list[dict[str, Any]]:
    shown = Comment.objects.filter(meeting=meeting, status=Contribution.PUBLISHED).order_by(
        "-created_at", "-id"
    )[:COMMENTS_SHOWN]
    return [{**comment_data(c), "at": c.created_at} for c in shown]


def _media(meeting: Meeting) -> list[dict[str, Any]]:
    shown = (
        Media.objects.filter(meeting=meeting, status=Contribution.PUBLISHED)
        .select_related("meeting__council")
        .order_by("-created_at", "-id")[:MEDIA_SHOWN]
    )
    return [{**media_data(m), "at": m.created_at} for m in shown]


def _limits(live_settings: LiveSettings) -> int:
    return max(live_settings.image_max_mb, live_settings.audio_max_mb, live_settings.video_max_mb)


def _forms(live_settings: LiveSettings) -> tuple[CommentForm, UploadForm]:
    return (
        CommentForm(max_length=live_settings.comment_max_length, auto_id="comment-%s"),
        UploadForm(max_bytes=_limits(live_settings) * MB, auto_id="upload-%s"),
    )


def _render(
    request: HttpRequest,
    meeting: Meeting,
    live_settings: LiveSettings,
    *,
    comment_form: CommentForm | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    live = _live(meeting)
    now = live_state(meeting)
    blank_comment, blank_upload = _forms(live_settings)
    here = reverse("public:live", kwargs={"council": meeting.council.slug, "pk": meeting.pk})
    return render(
        request,
        "public/meetings/live.html",
        {
            "council": meeting.council,
            "meeting": meeting,
            "state": now,
            # Comments and uploads are taken only while the meeting sits in public.
            "open": now["status"] == LiveMeeting.Status.LIVE and not now["private"],
            "may_contribute": may_contribute(request.user, meeting.council),
            "last_seq": live.last_seq if live is not None else 0,
            "events_url": reverse(
                "public:live_events", kwargs={"council": meeting.council.slug, "pk": meeting.pk}
            ),
            "blog": _blog(meeting),
            "comments": _comments(meeting),
            "media": _media(meeting),
            "comment_form": comment_form if comment_form is not None else blank_comment,
            "upload_form": upload_form if upload_form is not None else blank_upload,
            "here": here,
            "moderation": {
                "comments": live_settings.comment_moderation,
                "media": live_settings.media_moderation,
            },
            "limits": {
                "image": live_settings.image_max_mb,
                "audio": live_settings.audio_max_mb,
                "video": live_settings.video_max_mb,
            },
            "TIME_ZONE": settings.TIME_ZONE,
        },
        status=status,
    )


def _not_allowed(request: HttpRequest, here: str) -> HttpResponse:
    messages.error(
        request,
        gettext("Confirm your email address before you comment or share a file."),
    )
    return redirect(here)


def _as_upload_error(error: ValidationError) -> ValidationError:
    # The verb speaks of the file's bytes ("data"); on the form they are the file field.
    if hasattr(error, "error_dict") and "data" in error.error_dict:
        moved = dict(error.error_dict)
        moved["file"] = moved.pop("data")
        return ValidationError(moved)
    return error


@require_safe
def live(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = _meeting(council, pk)
    return _render(request, found, LiveSettings.for_council(found.council))


@require_POST
def live_comment(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = _meeting(council, pk)
    here = reverse("public:live", kwargs={"council": council, "pk": found.pk})
    if not request.user.is_authenticated:
        return redirect_to_login(here)
    if not may_contribute(request.user, found.council):
        return _not_allowed(request, here)
    live_settings = LiveSettings.for_council(found.council)
    form = CommentForm(
        request.POST, max_length=live_settings.comment_max_length, auto_id="comment-%s"
    )
    if form.is_valid():
        try:
            comment = contributions.post_comment(
                request.user, found, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            if comment.status == Contribution.PUBLISHED:
                messages.success(request, gettext("Your comment has been published."))
            else:
                messages.success(
                    request,
                    gettext("Thank you. Your comment will appear once a moderator has checked it."),
                )
            return redirect(f"{here}#comments")
    return _render(request, found, live_settings, comment_form=form, status=400)


@require_POST
def live_upload(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = _meeting(council, pk)
    here = reverse("public:live", kwargs={"council": council, "pk": found.pk})
    if not request.user.is_authenticated:
        return redirect_to_login(here)
    if not may_contribute(request.user, found.council):
        return _not_allowed(request, here)
    live_settings = LiveSettings.for_council(found.council)
    form = UploadForm(
        request.POST, request.FILES, max_bytes=_limits(live_settings) * MB, auto_id="upload-%s"
    )
    if form.is_valid():
        try:
            media = contributions.upload_media(
                request.user,
                found,
                data=form.cleaned_data["file"].read(),
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as error:
            add_verb_errors(form, _as_upload_error(error))
        else:
            if media.status == Contribution.PUBLISHED:
                messages.success(request, gettext("Your file has been published."))
            else:
                messages.success(
                    request,
                    gettext("Thank you. Your file will appear once a moderator has checked it."),
                )
            return redirect(f"{here}#media")
    return _render(request, found, live_settings, upload_form=form, status=400)
