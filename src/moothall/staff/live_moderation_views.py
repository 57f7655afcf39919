"""The moderation queue of live meetings: residents' comments and attendees' media
waiting for a decision, and what was published lately (to take down). Plain forms, one
per row: it works without JavaScript. Every change goes through the verbs in
:mod:`moothall.live.contributions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action
from moothall.core.validation import MAX_REASON_LENGTH
from moothall.councils.models import Council
from moothall.live import contributions
from moothall.live.models import Comment, Contribution, Media

PENDING_SHOWN = 100
RECENT_SHOWN = 30


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("publish", gettext_lazy("Publish")),
            ("reject", gettext_lazy("Reject")),
            ("remove", gettext_lazy("Remove")),
        ]
    )
    reason = forms.CharField(required=False, max_length=MAX_REASON_LENGTH)


def _here(request: HttpRequest, council: str) -> Council:
    return get_council_for(request.user, council, Action.MODERATE)


def _meeting_filter(request: HttpRequest) -> int | None:
    value = request.GET.get("meeting") or request.POST.get("meeting") or ""
    return int(value) if value.isdigit() and len(value) < 12 else None


def _queue_url(council: Council, meeting_id: int | None) -> str:
    url = reverse("staff:live_moderation", kwargs={"council": council.slug})
    return f"{url}?meeting={meeting_id}" if meeting_id else url


def _render_queue(
    request: HttpRequest, council: Council, problem: dict[str, Any] | None = None
) -> HttpResponse:
    meeting_id = _meeting_filter(request)
    comments = Comment.objects.filter(meeting__council=council).select_related(
        "meeting__body", "item"
    )
    media = Media.objects.filter(meeting__council=council).select_related("meeting__body", "item")
    if meeting_id:
        comments = comments.filter(meeting_id=meeting_id)
        media = media.filter(meeting_id=meeting_id)
    return render(
        request,
        "staff/live_moderation/queue.html",
        {
            "council": council,
            "meeting_id": meeting_id,
            "pending_comments": list(
                comments.filter(status=Contribution.PENDING).order_by("created_at", "id")[
                    :PENDING_SHOWN
                ]
            ),
            "pending_media": list(
                media.filter(status=Contribution.PENDING).order_by("created_at", "id")[
                    :PENDING_SHOWN
                ]
            ),
            "published_comments": list(
                comments.filter(status=Contribution.PUBLISHED).order_by("-created_at", "-id")[
                    :RECENT_SHOWN
                ]
            ),
            "published_media": list(
                media.filter(status=Contribution.PUBLISHED).order_by("-created_at", "-id")[
                    :RECENT_SHOWN
                ]
            ),
            "problem": problem,
        },
        status=400 if problem else 200,
    )


@never_cache
@login_required
@require_safe
def queue(request: HttpRequest, council: str) -> HttpResponse:
    return _render_queue(request, _here(request, council))


_DONE = {
    ("comment", "publish"): gettext_lazy("The comment is published."),
    ("comment", "reject"): gettext_lazy("The comment is rejected."),
    ("comment", "remove"): gettext_lazy("The comment is removed."),
    ("media", "publish"): gettext_lazy("The upload is published."),
    ("media", "reject"): gettext_lazy("The upload is rejected."),
    ("media", "remove"): gettext_lazy("The upload is removed."),
}


def _decide(
    request: HttpRequest, council: Council, what: str, thing: Comment | Media
) -> HttpResponse:
    form = DecisionForm(request.POST)
    anchor = f"reason-{what}-{thing.pk}"
    typed = str(request.POST.get("reason", ""))[:MAX_REASON_LENGTH]
    if not form.is_valid():
        message = (
            _("The reason must be %(limit)d characters or fewer.") % {"limit": MAX_REASON_LENGTH}
            if "reason" in form.errors
            else _("Choose publish, reject or remove.")
        )
        return _render_queue(
            request, council, {"anchor": anchor, "message": message, "reason": typed}
        )
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if isinstance(thing, Comment):
            if action == "remove":
                contributions.remove_comment(request.user, thing, reason=reason)
            else:
                contributions.decide_comment(
                    request.user, thing, publish=action == "publish", reason=reason
                )
        elif action == "remove":
            contributions.remove_media(request.user, thing, reason=reason)
        else:
            contributions.decide_media(
                request.user, thing, publish=action == "publish", reason=reason
            )
    except ValidationError as error:
        message = " ".join(error.messages)
        return _render_queue(
            request, council, {"anchor": anchor, "message": message, "reason": typed}
        )
    messages.success(request, str(_DONE[(what, action)]))
    return redirect(_queue_url(council, _meeting_filter(request)))


@never_cache
@login_required
@require_POST
def moderate_comment(request: HttpRequest, council: str, comment_id: int) -> HttpResponse:
    here = _here(request, council)
    comment = get_object_or_404(
        Comment.objects.select_related("meeting__council"), meeting__council=here, pk=comment_id
    )
    return _decide(request, here, "comment", comment)


@never_cache
@login_required
@require_POST
def moderate_media(request: HttpRequest, council: str, media_id: int) -> HttpResponse:
    here = _here(request, council)
    media = get_object_or_404(
        Media.objects.select_related("meeting__council"), meeting__council=here, pk=media_id
    )
    return _decide(request, here, "media", media)
