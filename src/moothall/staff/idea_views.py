"""The back-office for ideas and needs, at /<council>/staff/ideas/.

Officers and council admins (``Action.MANAGE_VOICE``) move ideas along their lifecycle,
respond in the council's name, merge duplicates, place ideas on meetings' agendas and
link the decisions taken. Moderators (``Action.MODERATE``) see the same screens and
remove comments. Each view is thin: fetch the council through
:func:`moothall.accounts.access.get_council_for` (404 for an unknown council, 403 for
someone who may not act there), fetch objects scoped to it (404 otherwise), check a
form from :mod:`moothall.staff.idea_forms`, call one verb from
:mod:`moothall.ideas.domain`, then add a message and redirect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action, can
from moothall.core.forms import add_verb_errors as _apply
from moothall.core.forms import posted as _data
from moothall.councils.models import Council
from moothall.ideas import domain, queries
from moothall.ideas.models import Comment, Idea, IdeaAgendaLink, IdeaSettings
from moothall.staff import idea_forms as f

IDEAS_PER_PAGE = 50
SEARCH_RESULTS = 20


def _here(request: HttpRequest, council: str, action: Action = Action.MANAGE_VOICE) -> Council:
    return get_council_for(request.user, council, action)


def _idea(council: Council, idea_id: int) -> Idea:
    idea = get_object_or_404(
        Idea.objects.select_related("topic", "ward", "author", "merged_into"),
        council=council,
        pk=idea_id,
    )
    idea.council = council  # already loaded: saves a query per use
    return idea


def _query(request: HttpRequest) -> str:
    """The search words typed, control characters made spaces (PostgreSQL refuses a NUL)."""
    typed = "".join(ch if ch.isprintable() else " " for ch in request.GET.get("q", ""))
    return " ".join(typed.split())[:100]


def _workspace(idea: Idea) -> HttpResponse:
    return redirect(
        reverse("staff:idea", kwargs={"council": idea.council.slug, "idea_id": idea.pk})
    )


def _ctx(council: Council, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "council": council,
        "can_manage": can(request.user, Action.MANAGE_VOICE, council),
        "can_moderate": can(request.user, Action.MODERATE, council),
        "can_edit_settings": can(request.user, Action.EDIT_COUNCIL, council),
        **extra,
    }


# --- The list and one idea -----------------------------------------------------------------


@never_cache
@login_required
@require_safe
def ideas(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council, Action.MODERATE)
    status = request.GET.get("status", "")
    status = status if status in Idea.Status.values else ""
    q = _query(request)
    found = Idea.objects.filter(council=here).select_related("topic", "ward")
    if status:
        found = found.filter(status=status)
    if q:
        by_number = queries.ideas_by_id(here, q)
        found = found.filter(pk=by_number.pk) if by_number else found.filter(title__icontains=q)
    page = queries.paginate(
        found.order_by("-created_at", "-id"), request.GET.get("page"), IDEAS_PER_PAGE
    )
    return render(
        request,
        "staff/ideas/ideas.html",
        _ctx(
            here,
            request,
            page=page,
            status=status,
            q=q,
            statuses=[(s, Idea.Status(s).label) for s in [*domain.STATUS_ORDER, "merged"]],
            page_query=urlencode({k: v for k, v in {"status": status, "q": q}.items() if v}),
        ),
    )


@never_cache
@login_required
@require_safe
def idea(request: HttpRequest, council: str, idea_id: int) -> HttpResponse:
    here = _here(request, council, Action.MODERATE)
    found = _idea(here, idea_id)
    links = list(
        found.agenda_links.select_related("agenda_item__meeting__body", "decision").order_by(
            "created_at", "id"
        )
    )
    return render(
        request,
        "staff/ideas/idea.html",
        _ctx(
            here,
            request,
            idea=found,
            next_statuses=domain.next_statuses(found),
            responses=queries.responses_of(found),
            comments=list(found.comments.select_related("author").order_by("created_at", "id")),
            links=links,
            timeline=list(found.timeline.order_by("at", "id")),
            merged_from=list(found.merged_from.order_by("created_at", "id")),
        ),
    )


# --- Officers' actions -------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def idea_status(request: HttpRequest, council: str, idea_id: int) -> HttpResponse:
    here = _here(request, council)
    found = _idea(here, idea_id)
    form = f.StatusForm(_data(request), idea=found)
    if form.is_valid():
        try:
            domain.set_idea_status(
                request.user, found, form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request, _("The idea is now “%(status)s”.") % {"status": found.get_status_display()}
            )
            return _workspace(found)
    return render(request, "staff/ideas/status.html", _ctx(here, request, idea=found, form=form))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def idea_respond(request: HttpRequest, council: str, idea_id: int) -> HttpResponse:
    here = _here(request, council)
    found = _idea(here, idea_id)
    form = f.ResponseForm(_data(request))
    if form.is_valid():
        try:
            domain.respond_to_idea(
                request.user, found, body=form.cleaned_data["body"], as_council=True
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The response is published."))
            return _workspace(found)
    return render(request, "staff/ideas/respond.html", _ctx(here, request, idea=found, form=form))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def idea_merge(request: HttpRequest, council: str, idea_id: int) -> HttpResponse:
    here = _here(request, council)
    found = _idea(here, idea_id)
    q = _query(request)
    matches: list[Idea] = []
    if q:
        matches = list(
            queries.listed_ideas(here)
            .exclude(pk=found.pk)
            .filter(title__icontains=q)[:SEARCH_RESULTS]
        )
    initial = {"into": request.GET["into"][:20]} if request.GET.get("into") else {}
    form = f.MergeForm(_data(request), council=here, initial=initial)
    if form.is_valid():
        into = form.cleaned_data["into"]
        try:
            domain.merge_ideas(request.user, found, into, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("“%(duplicate)s” is merged into “%(into)s”.")
                % {"duplicate": found.title, "into": into.title},
            )
            into.council = here
            return _workspace(into)
    return render(
        request,
        "staff/ideas/merge.html",
        _ctx(here, request, idea=found, form=form, q=q, matches=matches),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def idea_agenda(request: HttpRequest, council: str, idea_id: int) -> HttpResponse:
    here = _here(request, council)
    found = _idea(here, idea_id)
    form = f.AgendaForm(_data(request), council=here)
    if form.is_valid():
        data = form.cleaned_data
        try:
            link = domain.place_idea_on_agenda(
                request.user,
                found,
                data["meeting"],
                title=data["title"],
                description=data["description"],
                kind=data["kind"],
                is_urgent=data["is_urgent"],
                urgency_reason=data["urgency_reason"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("The idea is on the agenda of %(meeting)s as item %(number)s.")
                % {"meeting": str(data["meeting"]), "number": link.agenda_item.number},
            )
            return _workspace(found)
    return render(
        request,
        "staff/ideas/agenda.html",
        _ctx(here, request, idea=found, form=form, has_meetings=f.upcoming_meetings(here).exists()),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def idea_decision(request: HttpRequest, council: str, link_id: int) -> HttpResponse:
    here = _here(request, council)
    link = get_object_or_404(
        IdeaAgendaLink.objects.select_related("idea", "agenda_item__meeting__body", "decision"),
        idea__council=here,
        pk=link_id,
    )
    link.idea.council = here
    form = f.DecisionLinkForm(_data(request), link=link)
    if form.is_valid():
        try:
            domain.link_idea_decision(request.user, link, form.cleaned_data["decision"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The decision is linked to the idea."))
            return _workspace(link.idea)
    return render(
        request,
        "staff/ideas/decision.html",
        _ctx(here, request, idea=link.idea, link=link, form=form),
    )


# --- Moderators ------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def comment_remove(request: HttpRequest, council: str, comment_id: int) -> HttpResponse:
    here = _here(request, council, Action.MODERATE)
    comment = get_object_or_404(
        Comment.objects.select_related("idea", "author"), idea__council=here, pk=comment_id
    )
    comment.idea.council = here
    form = f.RemoveCommentForm(_data(request))
    if comment.is_removed:
        form = f.RemoveCommentForm()
    elif form.is_valid():
        try:
            domain.remove_comment(request.user, comment, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The comment is removed."))
            return _workspace(comment.idea)
    return render(
        request,
        "staff/ideas/comment_remove.html",
        _ctx(here, request, idea=comment.idea, comment=comment, form=form),
    )


# --- The council's rules ---------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def idea_settings(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council, Action.EDIT_COUNCIL)
    rules = IdeaSettings.for_council(here)
    initial = {
        name: str(getattr(rules, name))
        for name in ("propose_level", "support_level", "comment_level")
    }
    form = f.SettingsForm(_data(request), initial=initial)
    if form.is_valid():
        try:
            domain.update_idea_settings(request.user, here, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The rules for ideas are saved."))
            return redirect(reverse("staff:ideas", kwargs={"council": here.slug}))
    return render(request, "staff/ideas/settings.html", _ctx(here, request, form=form))
