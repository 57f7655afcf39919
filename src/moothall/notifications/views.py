"""A person's notification preferences, the follow button, and one-click unsubscribe."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.models import User
from moothall.notifications import domain, registry
from moothall.notifications.access import get_followable_for, get_subscription_for
from moothall.notifications.models import Frequency, Subscription


def _person(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let only a signed-in person through
    return user


def _first_error(error: ValidationError) -> str:
    return next(iter(error.messages), _("Something went wrong. Try again."))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request: HttpRequest, fallback: str) -> str:
    """The page to go back to: ``next`` when it is on this site, else ``fallback``."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


# --- Preferences ------------------------------------------------------------------------


def _rows(subscriptions: list[Subscription]) -> list[dict[str, Any]]:
    """Subscriptions grouped by council, each with the thing followed (a query per kind)."""
    ids: dict[str, list[int]] = defaultdict(list)
    for sub in subscriptions:
        ids[sub.kind].append(sub.object_id)
    found: dict[str, dict[int, Any]] = {}
    for kind, kind_ids in ids.items():
        followable = registry.followable(kind)
        found[kind] = followable.in_bulk(kind_ids) if followable else {}
    groups: dict[int, dict[str, Any]] = {}
    for sub in subscriptions:
        followable = registry.followable(sub.kind)
        obj = found[sub.kind].get(sub.object_id)
        group = groups.setdefault(sub.council_id, {"council": sub.council, "rows": []})
        group["rows"].append(
            {
                "subscription": sub,
                "label": followable.label if followable else sub.kind,
                "title": followable.title_of(obj) if followable and obj is not None else "",
                "url": followable.url_of(obj) if followable and obj is not None else "",
            }
        )
    for group in groups.values():
        group["rows"].sort(key=lambda row: (str(row["label"]), row["title"].lower()))
    return sorted(groups.values(), key=lambda group: group["council"].name)


@never_cache
@require_safe
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """What the person follows, grouped by council, with how often they hear about each."""
    user = _person(request)
    subscriptions = list(Subscription.objects.filter(user=user).select_related("council"))
    return render(
        request,
        "notifications/preferences.html",
        {
            "groups": _rows(subscriptions),
            "count": len(subscriptions),
            "settings": domain.settings_of(user),
            "frequencies": Frequency.choices,
        },
    )


@require_POST
@login_required
def default_frequency(request: HttpRequest) -> HttpResponse:
    try:
        domain.set_default_frequency(_person(request), request.POST.get("frequency", ""))
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, _("Things you follow from now on will use this setting."))
    return redirect("notifications:preferences")


@require_POST
@login_required
def pause(request: HttpRequest) -> HttpResponse:
    paused = request.POST.get("paused") == "1"
    domain.set_email_paused(_person(request), paused)
    if paused:
        messages.success(request, _("Email is paused. We will not email you about anything."))
    else:
        messages.success(request, _("Email is on again."))
    return redirect("notifications:preferences")


@require_POST
@login_required
def frequency(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(request)
    subscription = get_subscription_for(user, pk)
    try:
        domain.set_frequency(user, subscription, request.POST.get("frequency", ""))
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        how = subscription.get_frequency_display()
        messages.success(request, _("Saved: %(how)s.") % {"how": how})
    return redirect("notifications:preferences")


@require_POST
@login_required
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(request)
    subscription = get_subscription_for(user, pk)
    domain.unfollow(user, subscription.council, subscription.kind, subscription.object_id)
    messages.success(request, _("You are no longer following it."))
    return redirect("notifications:preferences")


# --- The follow button ---------------------------------------------------------------------


def _follow_change(request: HttpRequest, kind: str, object_id: int, *, on: bool) -> HttpResponse:
    followable, obj = get_followable_for(kind, object_id)
    back = _back(request, followable.url_of(obj))
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    user = _person(request)
    council = followable.council_of(obj)
    error = ""
    try:
        if on:
            domain.follow(user, council, kind, object_id)
        else:
            domain.unfollow(user, council, kind, object_id)
    except ValidationError as refused:
        error = _first_error(refused)
    title = followable.title_of(obj)
    if error:
        done = error
    elif on:
        done = _("You are following %(thing)s. We will email you when there is news.") % {
            "thing": title
        }
    else:
        done = _("You are no longer following %(thing)s.") % {"thing": title}
    if _is_htmx(request):
        return render(
            request,
            "notifications/follow_button.html",
            {"kind": kind, "object": obj, "next_url": back, "done": done},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(back)


@require_POST
def follow(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """Follow a thing, then back to its page (or just the button, for HTMX)."""
    return _follow_change(request, kind, object_id, on=True)


@require_POST
def unfollow(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    return _follow_change(request, kind, object_id, on=False)


# --- One-click unsubscribe ---------------------------------------------------------------


def _stopped(found: domain.Unsubscription) -> list[dict[str, Any]]:
    titles: dict[str, dict[int, Any]] = {}
    rows = []
    for sub in found.subscriptions:
        followable = registry.followable(sub.kind)
        if followable is not None and sub.kind not in titles:
            titles[sub.kind] = followable.in_bulk(
                s.object_id for s in found.subscriptions if s.kind == sub.kind
            )
        obj = titles.get(sub.kind, {}).get(sub.object_id)
        rows.append(
            {
                "label": followable.label if followable else sub.kind,
                "title": followable.title_of(obj) if followable and obj is not None else "",
                "council": sub.council,
            }
        )
    return rows


# The link in every email: mail providers POST "List-Unsubscribe=One-Click" to it (RFC 8058)
# without cookies, so there is no CSRF token to check; the signed token is the permission.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: say what will stop, with a button. POST: stop it and confirm."""
    try:
        found = domain.unsubscribe(token) if request.method == "POST" else domain.read_token(token)
    except ValidationError:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "found": found,
            "rows": _stopped(found),
            "done": request.method == "POST",
            "token": token,
        },
    )
