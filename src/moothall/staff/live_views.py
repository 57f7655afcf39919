"""The clerk's live console for a meeting and the council's live settings, at
/<council>/staff/meetings/<pk>/live/ and /<council>/staff/meetings/live/settings/.

Thin views, as in :mod:`moothall.staff.meeting_views`: fetch the council through
:func:`moothall.accounts.access.get_council_for` (404 unknown, 403 not allowed), the
meeting scoped to it, call one verb of :mod:`moothall.live.domain`, then add a message
and go back to the console. Every step is a POST form (CSRF), so the console works
without JavaScript; a refusal from a verb is a message on the console, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action, can
from moothall.core.forms import add_verb_errors
from moothall.core.forms import posted as _data
from moothall.councils.models import Council
from moothall.live import domain
from moothall.live.models import BlogPost, LiveMeeting, LiveSettings
from moothall.meetings.models import AgendaItem, Meeting
from moothall.staff import live_forms as lf

RECENT_POSTS = 20


def _here(request: HttpRequest, council: str, action: Action = Action.MANAGE_MEETINGS) -> Council:
    return get_council_for(request.user, council, action)


def _meeting(council: Council, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("body"), council=council, pk=pk)
    meeting.council = council
    return meeting


def _console_url(meeting: Meeting) -> str:
    return reverse("staff:live_console", kwargs={"council": meeting.council.slug, "pk": meeting.pk})


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _console(
    request: HttpRequest,
    here: Council,
    meeting: Meeting,
    *,
    blog_form: lf.BlogForm | None = None,
) -> HttpResponse:
    live = LiveMeeting.objects.filter(meeting=meeting).select_related("current_item").first()
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("sort_key", "id"))
    current_id = live.current_item_id if live is not None else None
    position = next((i for i, item in enumerate(items) if item.pk == current_id), None)
    posts = list(
        BlogPost.objects.filter(meeting=meeting, is_removed=False)
        .select_related("author", "item")
        .order_by("-created_at", "-id")[:RECENT_POSTS]
    )
    for post in posts:
        post.meeting = meeting
        post.photo_url = domain.blog_photo_url(post)  # type: ignore[attr-defined]
    is_on = live is not None and live.status != LiveMeeting.Status.ENDED
    return render(
        request,
        "staff/live/console.html",
        {
            "council": here,
            "meeting": meeting,
            "live": live,
            "state": domain.live_state(meeting),
            "items": items,
            "current_id": current_id,
            "can_start": live is None
            and meeting.status == Meeting.Status.SCHEDULED
            and meeting.is_agenda_published,
            "is_sitting": live is not None and live.status == LiveMeeting.Status.LIVE,
            "is_adjourned": live is not None and live.status == LiveMeeting.Status.ADJOURNED,
            "is_on": is_on,
            "has_previous": is_on and position is not None and position > 0,
            "has_next": is_on and bool(items) and (position is None or position + 1 < len(items)),
            "blog_form": blog_form or lf.BlogForm(),
            "adjourn_form": lf.AdjournForm(),
            "posts": posts,
            "can_blog": live is not None,
            "can_edit_settings": can(request.user, Action.EDIT_COUNCIL, here),
        },
    )


@never_cache
@login_required
@require_safe
def live_console(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    here = _here(request, council)
    return _console(request, here, _meeting(here, pk))


_DONE = {
    "start": (lambda user, meeting, data: domain.start_live(user, meeting)),
    "next": (lambda user, meeting, data: domain.next_item(user, meeting)),
    "previous": (lambda user, meeting, data: domain.previous_item(user, meeting)),
    "adjourn": (
        lambda user, meeting, data: domain.adjourn(user, meeting, reason=data.get("reason", ""))
    ),
    "resume": (lambda user, meeting, data: domain.resume(user, meeting)),
    "end": (lambda user, meeting, data: domain.end_live(user, meeting)),
}


def _step_message(step: str, live: LiveMeeting) -> str:
    if step == "start":
        return _("The meeting is live.")
    if step == "adjourn":
        return _("The meeting is adjourned.")
    if step == "resume":
        return _("The meeting has resumed.")
    if step == "end":
        return _("The meeting has ended.")
    item = live.current_item
    return _("Now on item %(number)s.") % {"number": item.number if item is not None else ""}


@never_cache
@login_required
@require_POST
def live_step(request: HttpRequest, council: str, pk: int, step: str) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, pk)
    verb = _DONE.get(step)
    if verb is None:
        messages.error(request, _("Choose one of the buttons."))
        return redirect(_console_url(meeting))
    data: dict[str, Any] = {}
    if step == "adjourn":
        form = lf.AdjournForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
            return redirect(_console_url(meeting))
        data = form.cleaned_data
    try:
        live = verb(request.user, meeting, data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _step_message(step, live))
    return redirect(_console_url(meeting))


@never_cache
@login_required
@require_POST
def live_go_to(request: HttpRequest, council: str, pk: int, item_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, pk)
    item = get_object_or_404(AgendaItem.objects.all(), meeting=meeting, pk=item_id)
    try:
        domain.go_to_item(request.user, meeting, item)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Now on item %(number)s.") % {"number": item.number})
    return redirect(_console_url(meeting))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def live_blog(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, pk)
    if request.method != "POST":
        return redirect(_console_url(meeting))
    form = lf.BlogForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.post_blog(
                request.user,
                meeting,
                text=data["text"],
                link=data["link"],
                photo=form.photo_bytes(),
                photo_alt=data["photo_alt"],
            )
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            messages.success(request, _("Posted on the live blog."))
            return redirect(_console_url(meeting))
    return _console(request, here, meeting, blog_form=form)


@never_cache
@login_required
@require_POST
def live_blog_remove(request: HttpRequest, council: str, pk: int, post_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, pk)
    post = get_object_or_404(BlogPost.objects.all(), meeting=meeting, pk=post_id)
    post.meeting = meeting
    form = lf.RemoveBlogPostForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
        return redirect(_console_url(meeting))
    try:
        domain.remove_blog_post(request.user, post, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The post has been removed from the live blog."))
    return redirect(_console_url(meeting))


_SETTINGS_FIELDS = (
    "comment_moderation",
    "media_moderation",
    "comment_max_length",
    "comments_per_window",
    "image_max_mb",
    "audio_max_mb",
    "video_max_mb",
)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def live_settings(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council, Action.EDIT_COUNCIL)
    current = LiveSettings.for_council(here)
    form = lf.LiveSettingsForm(
        _data(request), initial={field: getattr(current, field) for field in _SETTINGS_FIELDS}
    )
    if form.is_valid():
        try:
            domain.update_live_settings(request.user, here, **form.cleaned_data)
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            messages.success(request, _("The live meeting settings have been saved."))
            return redirect("staff:live_settings", council=here.slug)
    return render(
        request,
        "staff/live/settings.html",
        {"council": here, "form": form, "can_edit_settings": True},
    )
