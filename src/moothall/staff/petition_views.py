"""The council's petitions back-office, at /<council>/staff/petitions/.

Each view is thin: fetch through :mod:`moothall.staff.petition_access` (404 for an
unknown council or another council's petition, 403 for someone who may not take the
action), validate with a form from :mod:`moothall.staff.petition_forms`, call one verb
from :mod:`moothall.petitions.domain`, then add a message and redirect. A
``ValidationError`` from the verb goes back into the form and shows in the GOV.UK error
summary.

Who sees what: moderators (``Action.MODERATE``) reach the list, the moderation queue,
the abuse view and invalidation; officers and council admins (``Action.MANAGE_VOICE``)
everything, and only they see signers' names and email addresses. The scheme is the
council admin's (``Action.EDIT_COUNCIL``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.rules import Action, can
from moothall.core.forms import add_verb_errors as _apply
from moothall.core.forms import posted as _data
from moothall.core.text import render_markdown
from moothall.councils.models import Council
from moothall.meetings.models import Decision, Meeting
from moothall.petitions import domain
from moothall.petitions.models import (
    AbuseAlert,
    Hearing,
    Obligation,
    Petition,
    PetitionScheme,
    Signature,
)
from moothall.staff import petition_forms as pf
from moothall.staff.petition_access import (
    get_alert_for,
    get_hearing_for,
    get_obligation_for,
    get_petition_for,
    get_petitions_council_for,
    possible_owners,
    sees_signers,
)
from moothall.staff.petition_timeline import describe, describe_criteria

PETITIONS_PER_PAGE = 50
OBLIGATIONS_PER_PAGE = 50
FLAGGED_SHOWN = 200  # the most recent flagged signatures listed for choosing
GROUPS_SHOWN = 25  # addresses and domains listed in the abuse view
S = Petition.Status
LIVE = (Signature.Status.PENDING, Signature.Status.CONFIRMED)


# --- Helpers ---------------------------------------------------------------------------


def _ctx(council: Council, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "council": council,
        "can_manage": can(request.user, Action.MANAGE_VOICE, council),
        "can_edit_scheme": can(request.user, Action.EDIT_COUNCIL, council),
        **extra,
    }


def _workspace(petition: Petition) -> str:
    return reverse(
        "staff:petition", kwargs={"council": petition.council.slug, "petition_id": petition.pk}
    )


def _abuse(petition: Petition) -> str:
    return reverse(
        "staff:petition_abuse",
        kwargs={"council": petition.council.slug, "petition_id": petition.pk},
    )


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT over ``queryset`` (rows whose ``petition`` is the outer row)."""
    counted = (
        queryset.filter(petition=OuterRef("pk"))
        .order_by()
        .values("petition")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_flags(petitions: QuerySet[Petition]) -> QuerySet[Petition]:
    return petitions.annotate(
        flagged_count=_count_of(Signature.objects.filter(flagged=True, status__in=LIVE)),
        alert_count=_count_of(AbuseAlert.objects.filter(resolved_at__isnull=True)),
    )


def _row_url(petition: Petition, council: Council, manage: bool) -> str:
    kwargs = {"council": council.slug, "petition_id": petition.pk}
    if manage:
        return reverse("staff:petition", kwargs=kwargs)
    if petition.status == S.AWAITING_MODERATION:
        return reverse("staff:petition_moderate", kwargs=kwargs)
    return reverse("staff:petition_abuse", kwargs=kwargs)


# --- The list and the moderation queue ------------------------------------------------------


@never_cache
@login_required
@require_safe
def petitions(request: HttpRequest, council: str) -> HttpResponse:
    here = get_petitions_council_for(request.user, council, Action.MODERATE)
    status = request.GET.get("status", "")
    if status not in S.values:
        status = ""
    counts = dict(
        Petition.objects.filter(council=here)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    # Newest published first, then the unpublished newest first (NULLs last on every database).
    found = Petition.objects.filter(council=here).order_by(
        F("opened_at").desc(nulls_last=True), "-created_at", "-pk"
    )
    if status:
        found = found.filter(status=status)
    page = Paginator(_with_flags(found), PETITIONS_PER_PAGE).get_page(request.GET.get("page"))
    live = domain.live_counts(page.object_list)
    manage = can(request.user, Action.MANAGE_VOICE, here)
    rows = [(p, live[p.pk], _row_url(p, here, manage)) for p in page.object_list]
    tabs: list[tuple[str, Any, int]] = [("", _("All"), sum(counts.values()))]
    tabs += [(value, label, counts.get(value, 0)) for value, label in S.choices]
    return render(
        request,
        "staff/petitions/petitions.html",
        _ctx(
            here,
            request,
            page=page,
            rows=rows,
            tabs=tabs,
            status=status,
            status_label=S(status).label if status else "",
            page_query=f"status={status}" if status else "",
        ),
    )


@never_cache
@login_required
@require_safe
def moderation(request: HttpRequest, council: str) -> HttpResponse:
    here = get_petitions_council_for(request.user, council, Action.MODERATE)
    waiting = (
        Petition.objects.filter(council=here, status=S.AWAITING_MODERATION)
        .select_related("ward", "topic")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(waiting, PETITIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/petitions/moderation.html",
        _ctx(here, request, page=page, page_query=""),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def petition_moderate(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id, Action.MODERATE)
    can_publish = petition.status == S.AWAITING_MODERATION
    can_reject = S.REJECTED in domain.TRANSITIONS[petition.status]
    form = pf.ModerateForm(_data(request), can_publish=can_publish)
    if (can_publish or can_reject) and form.is_valid():
        try:
            domain.moderate_petition(
                request.user,
                petition,
                publish=form.publish,
                reason_text=form.cleaned_data["reason"],
                hide=not form.publish and form.cleaned_data["hide"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            if form.publish:
                messages.success(request, _("Published: %(title)s.") % {"title": petition.title})
            else:
                messages.success(
                    request,
                    _("Rejected: %(title)s. The reason is published on its page.")
                    % {"title": petition.title},
                )
            # Back to the queue it came from; an officer who rejected a published petition
            # from its workspace goes back there.
            if not can_publish and can(request.user, Action.MANAGE_VOICE, here):
                return redirect(_workspace(petition))
            return redirect("staff:petitions_moderation", council=here.slug)
    return render(
        request,
        "staff/petitions/moderate.html",
        _ctx(
            here,
            request,
            form=form,
            petition=petition,
            can_decide=can_publish or can_reject,
            background=render_markdown(petition.background),
        ),
    )


# --- The workspace ----------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def petition(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id)
    obligations = list(petition.obligations.select_related("owner").order_by("due_on", "pk"))
    today = timezone.localdate()
    hearings = list(
        petition.hearings.select_related("agenda_item__meeting__body", "decision").order_by(
            "created_at", "pk"
        )
    )
    events = [
        (event, describe(event))
        for event in petition.events.select_related("actor").order_by("created_at", "pk")
    ]
    signatures = Signature.objects.filter(petition=petition)
    tallies = signatures.aggregate(
        flagged=Count("pk", filter=Q(flagged=True, status__in=LIVE)),
        pending=Count("pk", filter=Q(status=Signature.Status.PENDING)),
        paper=Count("pk", filter=Q(channel=Signature.Channel.PAPER)),
    )
    return render(
        request,
        "staff/petitions/petition.html",
        _ctx(
            here,
            request,
            petition=petition,
            live=domain.live_count(petition),
            by_ward=domain.count_by_ward(petition),
            obligations=[(o, o.is_overdue(today)) for o in obligations],
            owners=list(possible_owners(here)),
            hearings=hearings,
            events=events,
            tallies=tallies,
            alerts=petition.alerts.filter(resolved_at__isnull=True).count(),
            invalidations=petition.invalidations.count(),
            background=render_markdown(petition.background),
            response=domain.rendered_response(petition),
            can_respond=petition.status in (S.OPEN, S.CLOSED, S.RESPONDED, S.DEBATED),
            can_close=petition.status == S.OPEN,
            can_place=petition.is_public and petition.status != S.REJECTED,
            can_paper=petition.status
            in (S.OPEN, S.CLOSED, S.GATHERING_SPONSORS, S.AWAITING_MODERATION),
            can_moderate=S.REJECTED in domain.TRANSITIONS[petition.status],
        ),
    )


def _form_page(
    request: HttpRequest,
    template: str,
    here: Council,
    petition: Petition,
    form: forms.Form,
    **extra: Any,
) -> HttpResponse:
    return render(request, template, _ctx(here, request, form=form, petition=petition, **extra))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def petition_respond(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id)
    form = pf.RespondForm(_data(request), initial={"response": petition.response})
    if form.is_valid():
        try:
            domain.respond_to_petition(
                request.user, petition, response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("The response is published and signers are being told."),
            )
            return redirect(_workspace(petition))
    return _form_page(request, "staff/petitions/respond.html", here, petition, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def petition_close(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id)
    form = pf.CloseForm(_data(request))
    if form.is_valid():
        try:
            domain.close_petition(request.user, petition, reason_text=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The petition is closed. Signing has stopped."))
            return redirect(_workspace(petition))
    return _form_page(request, "staff/petitions/close.html", here, petition, form)


def _meetings_for_placing(council: Council) -> QuerySet[Meeting]:
    """Upcoming meetings of the council's bodies that can still take an item: not
    cancelled, agenda not yet published."""
    return (
        Meeting.objects.filter(council=council, agenda_published_at__isnull=True)
        .exclude(status=Meeting.Status.CANCELLED)
        .upcoming()
        .select_related("body")
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def petition_place(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id)
    kinds = set(petition.obligations.values_list("kind", flat=True))
    debate = Obligation.Kind.DEBATE in kinds
    initial = {"kind": Hearing.Kind.DEBATE if debate else Hearing.Kind.HEAR}
    form = pf.PlaceForm(_data(request), meetings=_meetings_for_placing(here), initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            hearing = domain.place_petition_on_agenda(
                request.user, petition, data["meeting"], kind=data["kind"], title=data["title"]
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("Placed on the agenda of %(meeting)s as item %(number)s.")
                % {"meeting": data["meeting"], "number": hearing.agenda_item.number},
            )
            return redirect(_workspace(petition))
    return _form_page(request, "staff/petitions/place.html", here, petition, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def hearing_decision(
    request: HttpRequest, council: str, petition_id: int, hearing_id: int
) -> HttpResponse:
    here, petition, hearing = get_hearing_for(request.user, council, petition_id, hearing_id)
    meeting = hearing.agenda_item.meeting
    decisions = Decision.objects.public().filter(meeting=meeting).order_by("pk")
    initial = {"decision": hearing.decision_id, "outcome": hearing.outcome}
    form = pf.DecisionLinkForm(_data(request), decisions=decisions, initial=initial)
    if form.is_valid():
        try:
            domain.link_petition_decision(
                request.user,
                hearing,
                decision=form.cleaned_data["decision"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The outcome is linked and signers are being told."))
            return redirect(_workspace(petition))
    return _form_page(
        request,
        "staff/petitions/decision.html",
        here,
        petition,
        form,
        hearing=hearing,
        meeting=meeting,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def petition_paper(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id)
    form = pf.PaperForm(_data(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            added = domain.add_paper_signatures(
                request.user,
                petition,
                signatures=data["signatures"],
                verified_count=data["verified_count"] or 0,
                note=data["note"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("%(count)d paper signatures added.") % {"count": added})
            return redirect(_workspace(petition))
    return _form_page(request, "staff/petitions/paper.html", here, petition, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def paper_petition(request: HttpRequest, council: str) -> HttpResponse:
    """Enter a petition handed in on paper; its signatures follow on the next page."""
    here = get_petitions_council_for(request.user, council, Action.MANAGE_VOICE)
    form = pf.PaperPetitionForm(_data(request))
    if form.is_valid():
        try:
            petition = domain.enter_paper_petition(request.user, here, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request, _("The paper petition is published. Now enter its signatures.")
            )
            return redirect("staff:petition_paper", council=here.slug, petition_id=petition.pk)
    return render(request, "staff/petitions/enter_paper.html", _ctx(here, request, form=form))


# --- Obligations --------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def obligations(request: HttpRequest, council: str) -> HttpResponse:
    here = get_petitions_council_for(request.user, council, Action.MANAGE_VOICE)
    met = request.GET.get("show") == "met"
    found = Obligation.objects.filter(council=here).select_related("petition", "owner")
    if met:
        found = found.filter(fulfilled_at__isnull=False).order_by("-fulfilled_at", "-pk")
    else:
        found = found.open().order_by("due_on", "pk")
    page = Paginator(found, OBLIGATIONS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "staff/petitions/obligations.html",
        _ctx(
            here,
            request,
            page=page,
            rows=[(o, o.is_overdue(today)) for o in page.object_list],
            met=met,
            overdue=Obligation.objects.filter(council=here).overdue(today).count(),
            owners=list(possible_owners(here)),
            page_query="show=met" if met else "",
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def obligation_assign(request: HttpRequest, council: str, obligation_id: int) -> HttpResponse:
    here, obligation = get_obligation_for(request.user, council, obligation_id)
    back_to_list = (request.POST or request.GET).get("back") == "list"
    back = (
        reverse("staff:petition_obligations", kwargs={"council": here.slug})
        if back_to_list
        else _workspace(obligation.petition)
    )
    form = pf.AssignForm(
        _data(request), owners=possible_owners(here), initial={"owner": obligation.owner_id}
    )
    if form.is_valid():
        owner = form.cleaned_data["owner"]
        try:
            domain.assign_obligation(request.user, obligation, owner=owner)
        except ValidationError as error:
            _apply(form, error)
        else:
            if owner is None:
                messages.success(
                    request,
                    _("%(step)s: no officer named; %(team)s answers for it.")
                    % {"step": obligation.get_kind_display(), "team": obligation.owner_name},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s now owns the %(step)s for “%(title)s”.")
                    % {
                        "name": owner,
                        "step": obligation.get_kind_display().lower(),
                        "title": obligation.petition.title,
                    },
                )
            return redirect(back)
    return render(
        request,
        "staff/petitions/assign.html",
        _ctx(
            here,
            request,
            form=form,
            obligation=obligation,
            petition=obligation.petition,
            back_url=back,
            back="list" if back_to_list else "",
        ),
    )


# --- Abuse ---------------------------------------------------------------------------------


def _groups(signatures: QuerySet[Signature], field: str) -> list[dict[str, Any]]:
    """Addresses (or domains) with flagged signatures: how many flagged, how many in all."""
    # No address is NULL; no domain is "" (an address field turns "" into NULL in SQL,
    # where comparing with it would drop every row).
    given = Q(ip_address__isnull=False) if field == "ip_address" else ~Q(**{field: ""})
    return list(
        signatures.filter(given)
        .order_by()
        .values(field)
        .annotate(
            total=Count("pk"),
            flagged=Count("pk", filter=Q(flagged=True)),
        )
        .filter(flagged__gt=0)
        .order_by("-flagged", "-total", field)[:GROUPS_SHOWN]
    )


@never_cache
@login_required
@require_safe
def petition_abuse(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id, Action.MODERATE)
    live = Signature.objects.filter(petition=petition, status__in=LIVE)
    show_people = sees_signers(request.user, here)
    fields = ["pk", "created_at", "ip_address", "email_domain", "status", "flag_reasons", "ward"]
    if show_people:
        fields += ["name", "email"]
    flagged = list(
        live.filter(flagged=True)
        .select_related("ward")
        .only(*fields)
        .order_by("-created_at", "-pk")[:FLAGGED_SHOWN]
    )
    return render(
        request,
        "staff/petitions/abuse.html",
        _ctx(
            here,
            request,
            petition=petition,
            live=domain.live_count(petition),
            flagged_total=live.filter(flagged=True).count(),
            flagged=flagged,
            flagged_shown=FLAGGED_SHOWN,
            by_address=_groups(live, "ip_address"),
            by_domain=_groups(live, "email_domain"),
            alerts=list(
                petition.alerts.select_related("resolved_by").order_by(
                    F("resolved_at").asc(nulls_first=True), "-created_at", "-pk"
                )
            ),
            invalidations=petition.invalidations.count(),
            show_people=show_people,
        ),
    )


@never_cache
@login_required
@require_POST
def alert_resolve(
    request: HttpRequest, council: str, petition_id: int, alert_id: int
) -> HttpResponse:
    _here, petition, alert = get_alert_for(request.user, council, petition_id, alert_id)
    domain.resolve_alert(request.user, alert)
    messages.success(
        request,
        _("Alert marked as looked at: %(alert)s.")
        % {"alert": f"{alert.get_kind_display()} {alert.key}"},
    )
    return redirect(_abuse(petition))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def petition_invalidate(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id, Action.MODERATE)
    initial: dict[str, Any] = {
        key: request.GET[key] for key in ("ip_address", "email_domain") if request.GET.get(key)
    }
    if request.GET.get("flagged"):
        initial["flagged"] = True
    form = pf.InvalidateForm(_data(request), initial=initial)
    matching: dict[str, int] | None = None
    changed_from: int | None = None
    valid = request.method == "POST" and form.is_valid()
    # With only the reason wrong, the moderator stays on the confirming step.
    if valid or (request.method == "POST" and set(form.errors) == {"reason"}):
        criteria = form.criteria()
        found = domain.signatures_matching(petition, **criteria)
        matching = found.aggregate(
            total=Count("pk"), counted=Count("pk", filter=Q(status=Signature.Status.CONFIRMED))
        )
        expected = form.cleaned_data.get("expected")
        if valid and form.cleaned_data["confirm"] and matching["total"]:
            if expected is not None and expected != matching["total"]:
                # Signatures came or went since the moderator looked: show the new number.
                changed_from = expected
            else:
                try:
                    invalidation = domain.invalidate_signatures(
                        request.user,
                        petition,
                        reason_text=form.cleaned_data["reason"],
                        **criteria,
                    )
                except ValidationError as error:
                    _apply(form, error)
                else:
                    messages.success(
                        request,
                        _("%(count)d signatures invalidated.") % {"count": invalidation.count},
                    )
                    return redirect(_abuse(petition))
    return render(
        request,
        "staff/petitions/invalidate.html",
        _ctx(
            here,
            request,
            form=form,
            petition=petition,
            matching=matching,
            changed_from=changed_from,
            criteria_fields=[form[name] for name in pf.InvalidateForm.CRITERIA],
        ),
    )


@never_cache
@login_required
@require_safe
def petition_invalidations(request: HttpRequest, council: str, petition_id: int) -> HttpResponse:
    here, petition = get_petition_for(request.user, council, petition_id, Action.MODERATE)
    page = Paginator(
        petition.invalidations.select_related("made_by").order_by("-created_at", "-pk"),
        PETITIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/petitions/invalidations.html",
        _ctx(
            here,
            request,
            petition=petition,
            page=page,
            rows=[(i, describe_criteria(i.criteria)) for i in page.object_list],
            page_query="",
        ),
    )


# --- The scheme -------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def scheme(request: HttpRequest, council: str) -> HttpResponse:
    here = get_petitions_council_for(request.user, council, Action.EDIT_COUNCIL)
    form = pf.SchemeForm(_data(request), instance=PetitionScheme.for_council(here))
    if form.is_valid():
        try:
            domain.update_petition_scheme(request.user, here, **form.changes())
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The petition scheme has been saved."))
            return redirect("staff:petition_scheme", council=here.slug)
    return render(request, "staff/petitions/scheme.html", _ctx(here, request, form=form))
