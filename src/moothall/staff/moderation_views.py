"""The council's moderation back-office: what residents reported, what waits in each
pre-moderated space, one item with its reports (hide, restore, dismiss, warn or ban its
author), the bans in force, and each space's pre- or post-moderation.

Moderators see what was written and the name shown beside it, never anyone's email,
postcode or other records (see :mod:`moothall.accounts.rules`). Every change goes
through :mod:`moothall.moderation.domain`. Plain forms: everything works without
JavaScript.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action
from moothall.core.forms import add_verb_errors
from moothall.councils.models import Council
from moothall.moderation import domain, registry
from moothall.moderation.bans import ban_of, bans_in_force
from moothall.moderation.models import Ban, Flag, Rule, Warning
from moothall.staff.moderation_forms import BanForm, HideForm, SpaceForm, WarnForm

FLAGGED_SHOWN = 100
HIDDEN_SHOWN = 20
EXCERPT = 300


def _here(request: HttpRequest, council: str, action: Action = Action.MODERATE) -> Council:
    return get_council_for(request.user, council, action)


def _find(council: Council, kind: str, pk: int) -> tuple[registry.Kind, Any]:
    found = registry.find(kind, council, pk)
    if found is None:
        raise Http404("Nothing of that kind here.")
    return found


def _item_url(council: Council, kind: str, pk: int) -> str:
    return reverse(
        "staff:moderation_item", kwargs={"council": council.slug, "kind": kind, "pk": pk}
    )


def _excerpt(kind: registry.Kind, obj: Any) -> str:
    text = kind.excerpt(obj) or ""
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


# --- The queue -------------------------------------------------------------------------


def _flagged(council: Council) -> list[dict[str, Any]]:
    groups = list(
        Flag.objects.filter(council=council, resolved_at__isnull=True)
        .values("kind", "object_id")
        .annotate(count=Count("id"), first=Min("created_at"))
        .order_by("-count", "first")[:FLAGGED_SHOWN]
    )
    by_kind: dict[str, list[int]] = defaultdict(list)
    for group in groups:
        by_kind[group["kind"]].append(group["object_id"])
    objects: dict[tuple[str, int], Any] = {}
    reasons: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for name, ids in by_kind.items():
        kind = registry.kind(name)
        if kind is not None:
            for obj in kind.at_council(council).filter(pk__in=ids):
                objects[(name, obj.pk)] = obj
        for row in (
            Flag.objects.filter(
                council=council, kind=name, object_id__in=ids, resolved_at__isnull=True
            )
            .values("object_id", "reason")
            .annotate(n=Count("id"))
        ):
            reasons[(name, row["object_id"])][row["reason"]] = row["n"]
    rows = []
    for group in groups:
        key = (group["kind"], group["object_id"])
        kind = registry.kind(group["kind"])
        obj = objects.get(key)
        if kind is None or obj is None:
            continue  # deleted since: nothing to judge
        rows.append(
            {
                "kind": kind,
                "obj": obj,
                "count": group["count"],
                "first": group["first"],
                "excerpt": _excerpt(kind, obj),
                "hidden": kind.is_hidden(obj),
                "reasons": [
                    (Rule(reason).label, n)
                    for reason, n in sorted(reasons[key].items(), key=lambda kv: -kv[1])
                ],
                "url": _item_url(council, kind.name, obj.pk),
            }
        )
    return rows


def _hidden(council: Council) -> list[dict[str, Any]]:
    rows = []
    for kind in registry.kinds():
        for obj in (
            kind.at_council(council).filter(**kind.hidden_lookup).order_by("-pk")[:HIDDEN_SHOWN]
        ):
            rows.append(
                {
                    "kind": kind,
                    "obj": obj,
                    "excerpt": _excerpt(kind, obj),
                    "url": _item_url(council, kind.name, obj.pk),
                }
            )
    return rows


@never_cache
@login_required
@require_safe
def queue(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    spaces = registry.spaces(here)
    return render(
        request,
        "staff/moderation/queue.html",
        {
            "council": here,
            "flagged": _flagged(here),
            "waiting": [space for space in spaces if space.pending and space.queue_url],
            "hidden": _hidden(here),
        },
    )


WAITING_SHOWN = 100


@never_cache
@login_required
@require_safe
def waiting(request: HttpRequest, council: str) -> HttpResponse:
    """What waits in the pre-moderated spaces whose app has no queue of its own, oldest
    first (optionally of one kind: ``?kind=idea``)."""
    here = _here(request, council)
    kinds = registry.pending_kinds()
    chosen = request.GET.get("kind", "")
    shown = [k for k in kinds if k.name == chosen] or kinds
    rows = []
    for kind in shown:
        assert kind.pending_lookup is not None
        for obj in (
            kind.at_council(here)
            .filter(**kind.pending_lookup)
            .exclude(**kind.hidden_lookup)
            .order_by("pk")[:WAITING_SHOWN]
        ):
            rows.append(
                {
                    "kind": kind,
                    "obj": obj,
                    "author_name": kind.author_name(obj),
                    "excerpt": _excerpt(kind, obj),
                    "url": _item_url(here, kind.name, obj.pk),
                }
            )
    return render(
        request,
        "staff/moderation/waiting.html",
        {
            "council": here,
            "rows": rows,
            "kinds": kinds,
            "chosen": chosen if len(shown) == 1 and len(kinds) > 1 else "",
        },
    )


# --- One item ----------------------------------------------------------------------------


def _render_item(
    request: HttpRequest,
    council: Council,
    kind: registry.Kind,
    obj: Any,
    *,
    forms_: dict[str, forms.Form] | None = None,
    problem: str = "",
) -> HttpResponse:
    given = forms_ or {}
    author = kind.author_of(obj)
    flags = Flag.objects.filter(council=council, kind=kind.name, object_id=obj.pk)
    context = {
        "council": council,
        "kind": kind,
        "obj": obj,
        "text": kind.excerpt(obj),
        "author_name": kind.author_name(obj),
        "has_author": author is not None,
        "hidden": kind.is_hidden(obj),
        "pending": kind.is_pending(obj),
        "can_restore": kind.restore is not None,
        "public_url": kind.url_of(obj),
        "open_flags": [f for f in flags if f.resolved_at is None],
        "resolved_count": sum(1 for f in flags if f.resolved_at is not None),
        "warnings": Warning.objects.filter(council=council, user=author).count() if author else 0,
        "ban": ban_of(author, council) if author else None,
        "hide_form": given.get("hide") or HideForm(),
        "warn_form": given.get("warn") or WarnForm(),
        "ban_form": given.get("ban") or BanForm(),
        "problem": problem,
    }
    bad = bool(problem) or any(form.errors for form in given.values())
    return render(request, "staff/moderation/item.html", context, status=400 if bad else 200)


@never_cache
@login_required
@require_safe
def item(request: HttpRequest, council: str, kind: str, pk: int) -> HttpResponse:
    here = _here(request, council)
    found_kind, obj = _find(here, kind, pk)
    return _render_item(request, here, found_kind, obj)


_DONE = {
    "hide": gettext_lazy("It is hidden, and its author has been told."),
    "restore": gettext_lazy("It is shown again, and its author has been told."),
    "approve": gettext_lazy("It is published, and its author has been told."),
    "dismiss": gettext_lazy("The reports are dismissed."),
    "warn": gettext_lazy("The author has been warned."),
    "ban": gettext_lazy("The author is banned."),
}


@never_cache
@login_required
@require_POST
def act(request: HttpRequest, council: str, kind: str, pk: int, action: str) -> HttpResponse:
    here = _here(request, council)
    found_kind, obj = _find(here, kind, pk)
    form: forms.Form | None = None
    try:
        if action == "hide":
            form = HideForm(request.POST)
            if form.is_valid():
                domain.hide(
                    request.user,
                    found_kind.name,
                    obj,
                    rule=form.cleaned_data["rule"],
                    explanation=form.cleaned_data["explanation"],
                )
        elif action == "warn":
            form = WarnForm(request.POST)
            if form.is_valid():
                domain.warn(
                    request.user,
                    found_kind.name,
                    obj,
                    rule=form.cleaned_data["rule"],
                    message=form.cleaned_data["message"],
                )
        elif action == "ban":
            form = BanForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                domain.ban(
                    request.user,
                    found_kind.name,
                    obj,
                    rule=data["rule"],
                    days=data["days"] if data["length"] == "days" else None,
                    message=data["message"],
                )
        elif action == "restore":
            domain.restore(request.user, found_kind.name, obj)
        elif action == "approve":
            domain.approve(request.user, found_kind.name, obj)
        elif action == "dismiss":
            domain.dismiss_flags(request.user, found_kind.name, obj)
        else:
            raise Http404("No such action.")
    except ValidationError as error:
        if form is None:
            return _render_item(request, here, found_kind, obj, problem=" ".join(error.messages))
        add_verb_errors(form, error)
    if form is not None and form.errors:
        return _render_item(request, here, found_kind, obj, forms_={action: form})
    messages.success(request, str(_DONE[action]))
    return redirect(_item_url(here, found_kind.name, obj.pk))


# --- Bans --------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def bans(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    rows = [
        {"ban": ban, "name": ban.user.name or _("A resident")}
        for ban in bans_in_force(here).select_related("user").order_by("-created_at", "-id")
    ]
    return render(request, "staff/moderation/bans.html", {"council": here, "rows": rows})


@never_cache
@login_required
@require_POST
def lift_ban(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    here = _here(request, council)
    ban = get_object_or_404(Ban.objects.select_related("council", "user"), council=here, pk=pk)
    try:
        domain.lift_ban(request.user, ban)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The ban is lifted, and the person has been told."))
    return redirect("staff:moderation_bans", council=here.slug)


# --- Spaces ------------------------------------------------------------------------------


def _render_settings(
    request: HttpRequest, council: Council, errors: dict[str, SpaceForm] | None = None
) -> HttpResponse:
    rows = []
    for space in registry.spaces(council):
        form = (errors or {}).get(space.key) or SpaceForm(
            prefix=space.key, initial={"mode": space.mode}
        )
        rows.append({"space": space, "form": form, "fixed": len(space.modes) < 2})
    return render(
        request,
        "staff/moderation/settings.html",
        {"council": council, "rows": rows},
        status=400 if errors else 200,
    )


@never_cache
@login_required
@require_safe
def settings(request: HttpRequest, council: str) -> HttpResponse:
    return _render_settings(request, _here(request, council, Action.EDIT_COUNCIL))


@never_cache
@login_required
@require_POST
def set_space(request: HttpRequest, council: str, key: str) -> HttpResponse:
    here = _here(request, council, Action.EDIT_COUNCIL)
    if not any(space.key == key for space in registry.spaces(here)):
        raise Http404("No such space.")
    form = SpaceForm(request.POST, prefix=key)
    if form.is_valid():
        try:
            domain.set_space_mode(request.user, here, key, form.cleaned_data["mode"])
        except ValidationError as error:
            add_verb_errors(form, error)
    if form.errors:
        return _render_settings(request, here, {key: form})
    messages.success(request, _("The moderation setting is saved."))
    return redirect("staff:moderation_settings", council=here.slug)
