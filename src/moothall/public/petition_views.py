"""The public side of petitions: the list, the scheme, starting a petition, a petition's
page (count, count by ward, timeline, obligations, hearings, response), signing and the
links in the emails (confirm, withdraw, stop updates); the council-wide obligations page
and "You said, we did".

A petition that is a draft, gathering sponsors or waiting for a moderator is seen only by
its creator and the council's moderators (:func:`get_petition_for`); to anyone else it
does not exist. Every change goes through a verb in :mod:`moothall.petitions.domain`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.rules import Action, can, is_author
from moothall.core.forms import add_verb_errors as _add_verb_errors
from moothall.core.http import client_ip
from moothall.core.text import render_markdown
from moothall.councils.models import Council, Topic, Ward
from moothall.ideas.models import Idea, IdeaAgendaLink, IdeaResponse, IdeaTimelineEntry
from moothall.ideas.queries import visible_ideas
from moothall.meetings.models import AgendaItem, Decision, Meeting
from moothall.meetings.search import plain_text
from moothall.petitions import domain
from moothall.petitions.models import (
    Hearing,
    Obligation,
    Petition,
    PetitionEvent,
    PetitionScheme,
    Signature,
)
from moothall.public.petition_forms import PetitionForm, SignForm

S = Petition.Status
PETITIONS_PER_PAGE = 20
OUTCOMES_PER_PAGE = 20
# The obligations page shows what was met this long ago at most (and at most this many).
RECENTLY_MET = dt.timedelta(days=90)
RECENTLY_MET_LIMIT = 20
# What the public sees, by the model's one rule (as the API decides it too).
PUBLIC_STATUSES = [s for s in S.values if Petition(status=s).is_public]

# The list's tabs: which statuses each shows.
TABS: dict[str, tuple[Any, list[str]]] = {
    "open": (_("Open"), [S.OPEN]),
    "closed": (_("Closed"), [S.CLOSED]),
    "responded": (_("Responded or debated"), [S.RESPONDED, S.DEBATED]),
    "rejected": (_("Rejected"), [S.REJECTED]),
    "all": (_("All"), PUBLIC_STATUSES),
}
DEFAULT_TAB = "open"
SORTS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "newest": (
        _("Newest"),
        (F("opened_at").desc(nulls_last=True), "-created_at", "-pk"),
    ),
    # The exact count at the last recount (kept by the periodic job): indexed, and never
    # more than a few minutes behind the live total each row shows.
    "signatures": (
        _("Most signatures"),
        ("-signature_count", F("opened_at").desc(nulls_last=True), "-pk"),
    ),
}
DEFAULT_SORT = "newest"

STATUS_TAGS: dict[str, str] = {
    S.DRAFT: "govuk-tag--grey",
    S.GATHERING_SPONSORS: "govuk-tag--yellow",
    S.AWAITING_MODERATION: "govuk-tag--yellow",
    S.OPEN: "govuk-tag--green",
    S.CLOSED: "govuk-tag--grey",
    S.RESPONDED: "govuk-tag--blue",
    S.DEBATED: "govuk-tag--purple",
    S.REJECTED: "govuk-tag--red",
}


# --- Fetching what may be seen ---------------------------------------------------------


def _council(slug: str) -> Council:
    return get_object_or_404(Council, slug=slug)


def may_see(user: Any, petition: Petition) -> bool:
    """Anyone sees a published petition; before that, only its creator and moderators."""
    if petition.is_public:
        return True
    return is_author(user, petition, "creator_id") or can(user, Action.MODERATE, petition.council)


def get_petition_for(user: Any, council: str, pk: int) -> Petition:
    """The petition ``pk`` of ``council`` if ``user`` may see it; Http404 otherwise."""
    petition = get_object_or_404(
        Petition.objects.select_related("council", "topic", "ward"), council__slug=council, pk=pk
    )
    if not may_see(user, petition):
        raise Http404
    return petition


def _own_draft(request: HttpRequest, council: str, pk: int) -> Petition:
    """The signed-in creator's own draft; Http404 for anything else."""
    petition = get_object_or_404(
        Petition.objects.select_related("council", "topic", "ward"), council__slug=council, pk=pk
    )
    if not domain.can_edit(request.user, petition):
        raise Http404
    return petition


def _page_query(**params: str) -> str:
    return urlencode({key: value for key, value in params.items() if value})


# --- The list ---------------------------------------------------------------------------


def _choice(slug: str, rows: list[Any]) -> Any:
    return next((row for row in rows if row.slug == slug), None) if slug else None


@require_safe
def petitions(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    tab = request.GET.get("status", "")
    tab = tab if tab in TABS else DEFAULT_TAB
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTS else DEFAULT_SORT
    topics = list(Topic.objects.filter(council=found).order_by("name", "pk"))
    wards = list(Ward.objects.filter(council=found).order_by("name", "pk"))
    topic = _choice(request.GET.get("topic", ""), topics)
    ward = _choice(request.GET.get("ward", ""), wards)
    listed = Petition.objects.filter(council=found, status__in=TABS[tab][1]).select_related(
        "council", "topic", "ward"
    )
    if topic is not None:
        listed = listed.filter(topic=topic)
    if ward is not None:
        listed = listed.filter(ward=ward)
    listed = listed.order_by(*SORTS[sort][1])
    page = Paginator(listed, PETITIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    counts = domain.live_counts(rows)
    filters = {
        "sort": sort if sort != DEFAULT_SORT else "",
        "topic": topic.slug if topic else "",
        "ward": ward.slug if ward else "",
    }
    return render(
        request,
        "public/petitions/list.html",
        {
            "council": found,
            "tab": tab,
            "tabs": [
                (key, label, _page_query(status=key if key != DEFAULT_TAB else "", **filters))
                for key, (label, _statuses) in TABS.items()
            ],
            "sort": sort,
            "sorts": [(key, label) for key, (label, _order) in SORTS.items()],
            "topics": topics,
            "wards": wards,
            "topic": topic,
            "ward": ward,
            "page": page,
            "rows": [(petition, counts[petition.pk]) for petition in rows],
            "page_query": _page_query(status=tab if tab != DEFAULT_TAB else "", **filters),
        },
    )


# --- The scheme -------------------------------------------------------------------------


@dataclass
class Step:
    """A threshold of the scheme and what it obliges the council to do, by when."""

    threshold: int
    label: str
    working_days: int


def _steps(scheme: PetitionScheme) -> list[Step]:
    steps = [
        (scheme.response_threshold, Obligation.Kind.RESPOND.label, scheme.response_working_days),
        (scheme.hearing_threshold, Obligation.Kind.HEAR.label, scheme.hearing_working_days),
        (scheme.debate_threshold, Obligation.Kind.DEBATE.label, scheme.debate_working_days),
    ]
    return [Step(t, str(label), days) for t, label, days in steps if t]


def _basis_labels(scheme: PetitionScheme) -> list[str]:
    labels = {
        "lives": gettext("people who live in the area"),
        "works": gettext("people who work in the area"),
        "studies": gettext("people who study in the area"),
    }
    return [labels[basis] for basis in scheme.allowed_bases()]


@require_safe
def petition_scheme(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    scheme = PetitionScheme.for_council(found)
    return render(
        request,
        "public/petitions/scheme.html",
        {
            "council": found,
            "scheme": scheme,
            "who": _basis_labels(scheme),
            "steps": _steps(scheme),
            "description": render_markdown(scheme.description) if scheme.description else "",
        },
    )


# --- Starting a petition ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def petition_new(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scheme = PetitionScheme.for_council(found)
    form = PetitionForm(council=found, initial={"creator_name": request.user.name})
    if request.method == "POST":
        form = PetitionForm(request.POST, council=found)
        if form.is_valid():
            try:
                petition = domain.start_petition(request.user, found, **form.cleaned_data)
            except ValidationError as error:
                _add_verb_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("Your draft is saved. Check it, then send it on when it is ready."),
                )
                return redirect(petition.get_absolute_url())
    return render(
        request,
        "public/petitions/new.html",
        {
            "council": found,
            "form": form,
            "scheme": scheme,
            "steps": _steps(scheme),
            "editing": None,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def petition_edit(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    petition = _own_draft(request, council, pk)
    scheme = PetitionScheme.for_council(petition.council)
    form = PetitionForm(
        council=petition.council,
        with_name=False,
        initial={
            "title": petition.title,
            "action": petition.action,
            "background": petition.background,
            "topic": petition.topic,
            "ward": petition.ward,
        },
    )
    if request.method == "POST":
        form = PetitionForm(request.POST, council=petition.council, with_name=False)
        if form.is_valid():
            try:
                petition = domain.edit_petition(request.user, petition, **form.cleaned_data)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                _add_verb_errors(form, error)
            else:
                messages.success(request, gettext("Your draft is saved."))
                return redirect(petition.get_absolute_url())
    return render(
        request,
        "public/petitions/new.html",
        {
            "council": petition.council,
            "form": form,
            "scheme": scheme,
            "steps": _steps(scheme),
            "editing": petition,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def petition_submit(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(
            reverse("public:petition_edit", kwargs={"council": council, "pk": pk})
        )
    petition = _own_draft(request, council, pk)
    try:
        petition = domain.submit_petition(request.user, petition)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if petition.status == S.GATHERING_SPONSORS:
            messages.success(
                request,
                gettext("Sent. Now ask people to sponsor it: we have emailed you the link."),
            )
        elif petition.status == S.AWAITING_MODERATION:
            messages.success(
                request, gettext("Sent. A moderator will check it before it is published.")
            )
        else:
            messages.success(request, gettext("Your petition is published."))
    return redirect(petition.get_absolute_url())


# --- One petition ----------------------------------------------------------------------


@dataclass
class WardBar:
    label: str
    count: int
    y: int
    width: int


@dataclass
class WardChart:
    """A server-drawn horizontal bar chart of the count by ward (no script, no tiles)."""

    bars: list[WardBar]
    height: int
    label_width: int = 220
    bar_space: int = 380
    row_height: int = 28

    @property
    def width(self) -> int:
        return self.label_width + self.bar_space + 70


def ward_chart(rows: list[tuple[Ward | None, int]], outside_label: str) -> WardChart | None:
    if not rows:
        return None
    chart = WardChart(bars=[], height=0)
    top = max(count for _ward, count in rows) or 1
    for index, (ward, count) in enumerate(rows):
        label = ward.name if ward is not None else outside_label
        chart.bars.append(
            WardBar(
                label=label if len(label) <= 30 else f"{label[:29]}…",
                count=count,
                y=index * chart.row_height,
                width=max(round(chart.bar_space * count / top), 1),
            )
        )
    chart.height = len(rows) * chart.row_height
    return chart


@dataclass
class ObligationRow:
    obligation: Obligation
    petition: Petition
    owner: str
    overdue: bool


def _owner_name(obligation: Obligation) -> str:
    # A named officer by their name; never by their email address (a user without a name
    # would print as one), so the team named by the scheme stands in.
    owner = obligation.owner
    if owner is not None and owner.name:
        return str(owner.name)
    return obligation.owner_name


def _obligation_rows(obligations: list[Obligation], today: dt.date) -> list[ObligationRow]:
    return [
        ObligationRow(
            obligation=o,
            petition=o.petition,
            owner=_owner_name(o),
            overdue=o.is_overdue(today),
        )
        for o in obligations
    ]


@dataclass
class HearingRow:
    hearing: Hearing
    kind_label: str
    meeting: Meeting
    item: AgendaItem | None
    decision: Decision | None
    outcome: str


def _public_decision(decision: Decision | None) -> Decision | None:
    if decision is None or decision.is_exempt:
        return None
    if decision.agenda_item is not None and decision.agenda_item.is_exempt:
        return None
    return decision


def _hearing_rows(hearings: list[Hearing]) -> list[HearingRow]:
    """The hearings the public may know of. One on an exempt (private) item is left out
    altogether, with its outcome: which petition a Part II item is about is itself exempt
    (the API and an idea's page leave such links out too). The item is named only once its
    meeting's agenda is published, as on the meeting's page."""
    rows = []
    for hearing in hearings:
        item = hearing.agenda_item
        if item.is_exempt:
            continue
        rows.append(
            HearingRow(
                hearing=hearing,
                kind_label=str(hearing.get_kind_display()),
                meeting=item.meeting,
                item=item if item.meeting.is_agenda_published else None,
                decision=_public_decision(hearing.decision),
                outcome=hearing.outcome,
            )
        )
    return rows


def _public_event(event: PetitionEvent, hearings: dict[int, HearingRow]) -> bool:
    # A line about a hearing the public may not know of (see _hearing_rows) is left out.
    hearing = (event.details or {}).get("hearing")
    return hearing is None or hearing in hearings


def _hearings_queryset() -> QuerySet[Hearing]:
    return Hearing.objects.select_related(
        "agenda_item__meeting__body",
        "agenda_item__meeting__council",
        "decision__council",
        "decision__agenda_item",
    ).order_by("created_at", "pk")


def _date(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return ""
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return ""


def describe_event(event: PetitionEvent, hearings: dict[int, HearingRow]) -> str:
    """One sentence about a step in the petition's life, in the reader's language."""
    details = event.details or {}
    kind = event.kind
    K = PetitionEvent.Kind
    if kind == K.CREATED:
        return gettext("Started as a draft.")
    if kind == K.SUBMITTED:
        return gettext("Sent to gather sponsors.")
    if kind == K.SPONSORED:
        return gettext("Enough people sponsored it.")
    if kind == K.PUBLISHED:
        return gettext("Published. Open for signatures until %(date)s.") % {
            "date": _date(details.get("closes_on"))
        }
    if kind == K.REJECTED:
        return gettext("Rejected: %(reason)s") % {"reason": details.get("reason", "")}
    if kind == K.THRESHOLD:
        label = dict(Obligation.Kind.choices).get(str(details.get("obligation", "")), "")
        return gettext("Reached %(threshold)s signatures: %(step)s due by %(date)s.") % {
            "threshold": details.get("threshold", ""),
            "step": str(label).lower() if label else "",
            "date": _date(details.get("due_on")),
        }
    if kind == K.PAPER:
        return gettext("%(count)s signatures on paper added.") % {"count": details.get("count", 0)}
    if kind == K.INVALIDATED:
        return gettext("%(count)s signatures struck out after checks.") % {
            "count": details.get("count", 0)
        }
    if kind == K.CLOSED:
        if details.get("reason"):
            return gettext("Closed early: %(reason)s") % {"reason": details["reason"]}
        return gettext("Closed to new signatures.")
    if kind == K.PLACED:
        hearing_id = details.get("hearing")
        row = hearings.get(hearing_id) if isinstance(hearing_id, int) else None
        where = row.meeting.display_title if row is not None else ""
        how = str(dict(Hearing.Kind.choices).get(str(details.get("hearing_kind")), "")).lower()
        if where:
            return gettext("Placed on the agenda of %(meeting)s on %(date)s (%(kind)s).") % {
                "meeting": where,
                "date": _date(details.get("date")),
                "kind": how,
            }
        return gettext("Placed on a meeting's agenda for %(date)s.") % {
            "date": _date(details.get("date"))
        }
    if kind == K.DECISION:
        return gettext("A decision was taken.")
    if kind == K.RESPONDED:
        return gettext("The council published its response.")
    if kind == K.DEBATED:
        return gettext("Debated at full council.")
    if kind == K.OWNER:
        return gettext("An officer was named to answer for it.")
    return str(event.get_kind_display())


def _sign_form_or_none(petition: Petition, scheme: PetitionScheme, user: Any) -> SignForm | None:
    if not petition.is_open:
        return None
    initial: dict[str, Any] = {"wants_updates": True}
    if getattr(user, "is_authenticated", False):
        initial.update(name=user.name, email=user.email, postcode=getattr(user, "postcode", ""))
    return SignForm(scheme=scheme, initial=initial)


def _petition_page(
    request: HttpRequest,
    petition: Petition,
    *,
    form: SignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    council = petition.council
    scheme = PetitionScheme.for_council(council)
    today = timezone.localdate()
    hearings = _hearing_rows(list(_hearings_queryset().filter(petition=petition)))
    by_hearing = {row.hearing.pk: row for row in hearings}
    events = [
        (event.created_at, describe_event(event, by_hearing))
        for event in petition.events.filter(is_public=True).order_by("created_at", "pk")
        if _public_event(event, by_hearing)
    ]
    obligations = _obligation_rows(
        list(petition.obligations.select_related("owner").order_by("due_on", "pk")), today
    )
    by_ward = domain.count_by_ward(petition)
    outside = gettext("Outside the council’s wards, or on paper")
    is_creator = is_author(request.user, petition, "creator_id")
    sponsors = 0
    if petition.status == S.GATHERING_SPONSORS:
        sponsors = Signature.objects.filter(
            petition=petition, is_sponsor=True, status=Signature.Status.CONFIRMED
        ).count()
    if form is None:
        form = _sign_form_or_none(petition, scheme, request.user)
    return render(
        request,
        "public/petitions/petition.html",
        {
            "council": council,
            "petition": petition,
            "scheme": scheme,
            "steps": _steps(scheme),
            "status_tag": STATUS_TAGS.get(petition.status, ""),
            "total": domain.live_count(petition),
            "by_ward": by_ward,
            "outside_label": outside,
            "chart": ward_chart(by_ward, outside),
            "background": render_markdown(petition.background) if petition.background else "",
            "response": render_markdown(petition.response) if petition.response else "",
            "events": events,
            "obligations": obligations,
            "hearings": hearings,
            "form": form,
            "is_creator": is_creator,
            "sponsors": sponsors,
            "sponsor_url": request.build_absolute_uri(
                reverse(
                    "public:petition_sponsor",
                    kwargs={"council": council.slug, "token": petition.sponsor_token},
                )
            )
            if is_creator and petition.status == S.GATHERING_SPONSORS
            else "",
            "sign_url": reverse(
                "public:petition_sign", kwargs={"council": council.slug, "pk": petition.pk}
            ),
        },
        status=status,
    )


@require_safe
def petition(request: HttpRequest, council: str, pk: int, slug: str) -> HttpResponse:
    found = get_petition_for(request.user, council, pk)
    canonical = found.get_absolute_url()
    if request.path != canonical:  # the right petition under an old or mistyped title
        return redirect(canonical, permanent=True)
    return _petition_page(request, found)


def _sign(
    request: HttpRequest, petition: Petition, *, sponsor_token: str = ""
) -> tuple[SignForm, bool]:
    """Validate the sign form and call the verb. Returns the form and whether it signed."""
    scheme = PetitionScheme.for_council(petition.council)
    form = SignForm(request.POST, scheme=scheme)
    if not form.is_valid():
        return form, False
    data = form.cleaned_data
    try:
        domain.sign_petition(
            petition,
            name=data["name"],
            email=data["email"],
            postcode=data["postcode"],
            basis=data["basis"],
            declaration=data["declaration"],
            user=request.user if request.user.is_authenticated else None,
            ip_address=client_ip(request),
            sponsor_token=sponsor_token,
            wants_updates=data["wants_updates"],
        )
    except ValidationError as error:
        _add_verb_errors(form, error)
        return form, False
    return form, True


def _not_open(request: HttpRequest, petition: Petition) -> HttpResponse:
    # Closed (or never opened) while the form was on screen: say so on its page.
    messages.error(request, gettext("This petition is not open for signatures."))
    return redirect(petition.get_absolute_url())


@require_POST
def petition_sign(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = get_petition_for(request.user, council, pk)
    if not found.is_open:
        return _not_open(request, found)
    form, signed = _sign(request, found)
    if signed:
        return redirect("public:petition_signed", council=council, pk=found.pk)
    found.refresh_from_db(fields=["status"])
    if not found.is_open:
        return _not_open(request, found)
    return _petition_page(request, found, form=form, status=400)


@require_safe
def petition_signed(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Petition.objects.select_related("council"), council__slug=council, pk=pk
    )
    # The same answer whoever signed, whether new, again or refused quietly; the title only
    # when the petition is public (a sponsor's link keeps a draft's title to itself).
    return render(
        request,
        "public/petitions/signed.html",
        {"council": found.council, "petition": found if found.is_public else None},
    )


# --- The sponsor page and the links in the emails ------------------------------------------


def _link_not_found(request: HttpRequest, council: Council | None) -> HttpResponse:
    return render(request, "public/petitions/link_not_found.html", {"council": council}, status=404)


def _link_refused(
    request: HttpRequest, signature: Signature, error: ValidationError
) -> HttpResponse:
    petition = signature.petition
    return render(
        request,
        "public/petitions/link_refused.html",
        {
            "council": petition.council,
            "petition": petition if petition.is_public else None,
            "message": " ".join(error.messages),
        },
        status=400,
    )


# The tokens the verbs make (secrets.token_urlsafe): anything else is not looked up at all
# (PostgreSQL refuses a NUL in a query parameter outright).
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _signature(council: str, token: str) -> Signature | None:
    if not TOKEN.fullmatch(token):
        return None
    signature = domain.get_signature_by_token(token)
    if signature is None or signature.petition.council.slug != council:
        return None
    return signature


@require_http_methods(["GET", "HEAD", "POST"])
def petition_sponsor(request: HttpRequest, council: str, token: str) -> HttpResponse:
    found = _council(council)
    petition = (
        Petition.objects.select_related("council", "topic", "ward")
        .filter(council=found, sponsor_token=token)
        .first()
        if TOKEN.fullmatch(token)
        else None
    )
    # The link was shared far and wide to find sponsors: once a moderator has removed the
    # petition (offensive, defamatory, someone's personal data) it shows nothing.
    if petition is None or petition.status == S.REMOVED:
        return _link_not_found(request, found)
    scheme = PetitionScheme.for_council(found)
    gathering = petition.status == S.GATHERING_SPONSORS
    form = SignForm(scheme=scheme, initial={"wants_updates": True})
    if request.method == "POST" and gathering:
        form, signed = _sign(request, petition, sponsor_token=token)
        if signed:
            return redirect("public:petition_signed", council=council, pk=petition.pk)
    return render(
        request,
        "public/petitions/sponsor.html",
        {
            "council": found,
            "petition": petition,
            "gathering": gathering,
            "form": form,
            "scheme": scheme,
            "needed": scheme.sponsors_required,
            "action_url": request.path,
            "background": render_markdown(petition.background) if petition.background else "",
        },
        status=400 if form.errors else 200,
    )


@require_safe
def petition_confirm(request: HttpRequest, council: str, token: str) -> HttpResponse:
    # Confirming on GET, as the UK Parliament's petitions site does: the link in the email
    # is the whole proof, and following it twice changes nothing.
    # The verb finds the signature (by its token, under this council) and confirms it, in
    # one transaction: thousands of people follow their links at once when a petition
    # spreads, so the page asks nothing twice.
    signature = None
    try:
        if TOKEN.fullmatch(token):
            signature = domain.confirm_signature(token, council_slug=council)
    except ValidationError as error:
        refused = None if error.code == "unknown_token" else _signature(council, token)
        if refused is not None:
            return _link_refused(request, refused, error)
    if signature is None:
        return _link_not_found(request, Council.objects.filter(slug=council).first())
    petition = signature.petition
    return render(
        request,
        "public/petitions/confirmed.html",
        {
            "council": petition.council,
            "petition": petition,
            "signature": signature,
            # A signature struck out after checks reads as confirmed, as in the API: its
            # signer is not told that it was caught (nor by which rule).
            "counted": signature.status
            in (Signature.Status.CONFIRMED, Signature.Status.INVALIDATED),
            "total": domain.live_count(petition) if petition.is_public else None,
            "withdraw_url": reverse(
                "public:petition_withdraw", kwargs={"council": council, "token": token}
            ),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def petition_withdraw(request: HttpRequest, council: str, token: str) -> HttpResponse:
    signature = _signature(council, token)
    if signature is None:
        return _link_not_found(request, Council.objects.filter(slug=council).first())
    withdrawn = signature.status == Signature.Status.WITHDRAWN
    if request.method == "POST" and not withdrawn:
        try:
            signature = domain.withdraw_signature(token)
        except ValidationError as error:
            return _link_refused(request, signature, error)
        # An invalidated signature no longer counts either; its signer is never told
        # that it was struck out, so the answer is the same.
        withdrawn = True
    petition = signature.petition
    return render(
        request,
        "public/petitions/withdraw.html",
        {
            "council": petition.council,
            "petition": petition if petition.is_public else None,
            "withdrawn": withdrawn,
            "action_url": request.path,
        },
    )


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without our form or cookie
@require_http_methods(["GET", "HEAD", "POST"])
def petition_stop_updates(request: HttpRequest, council: str, token: str) -> HttpResponse:
    signature = _signature(council, token)
    if signature is None:
        return _link_not_found(request, Council.objects.filter(slug=council).first())
    stopped = not signature.wants_updates
    if request.method == "POST":
        signature = domain.stop_updates(token)
        stopped = True
    petition = signature.petition
    return render(
        request,
        "public/petitions/stop_updates.html",
        {
            "council": petition.council,
            "petition": petition if petition.is_public else None,
            "stopped": stopped,
            "action_url": request.path,
        },
    )


# --- Obligations ------------------------------------------------------------------------


@require_safe
def obligations(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    today = timezone.localdate()
    listed = Obligation.objects.filter(
        council=found, petition__status__in=PUBLIC_STATUSES
    ).select_related("petition__council", "owner")
    open_rows = _obligation_rows(list(listed.open().order_by("due_on", "pk")), today)
    met = _obligation_rows(
        list(
            listed.filter(fulfilled_at__gte=timezone.now() - RECENTLY_MET).order_by(
                "-fulfilled_at", "-pk"
            )[:RECENTLY_MET_LIMIT]
        ),
        today,
    )
    return render(
        request,
        "public/obligations.html",
        {
            "council": found,
            "overdue": [row for row in open_rows if row.overdue],
            "due": [row for row in open_rows if not row.overdue],
            "met": met,
            "today": today,
        },
    )


# --- You said, we did -------------------------------------------------------------------


@dataclass
class Outcome:
    """One thing residents raised and what the council did about it."""

    kind: str  # "petition" or "idea"
    title: str
    url: str
    acted_at: dt.datetime | None
    said: str
    status_label: str
    status_tag: str
    did: list[SafeString] = field(default_factory=list)
    decisions: list[tuple[str, Decision]] = field(default_factory=list)
    responder: str = ""
    count_label: str = ""


@dataclass
class OutcomeGroup:
    name: str
    outcomes: list[Outcome]


GROUPINGS = {"topic": _("Topic"), "ward": _("Ward")}
DEFAULT_GROUPING = "topic"
IDEA_ACTION_KINDS = [
    IdeaTimelineEntry.Kind.STATUS_CHANGED,
    IdeaTimelineEntry.Kind.RESPONSE_PUBLISHED,
    IdeaTimelineEntry.Kind.DECISION_LINKED,
]
IDEA_TAGS: dict[str, str] = {
    Idea.Status.UNDER_CONSIDERATION: "govuk-tag--yellow",
    Idea.Status.ACCEPTED: "govuk-tag--turquoise",
    Idea.Status.IN_PROGRESS: "govuk-tag--blue",
    Idea.Status.DONE: "govuk-tag--green",
    Idea.Status.NOT_TAKEN_FORWARD: "govuk-tag--red",
    Idea.Status.NEW: "govuk-tag--grey",
}


def _grouped_values(queryset: QuerySet[Any], kind: str, by: str, acted: Any) -> QuerySet[Any]:
    # Every column an annotation, named alike in both halves, so the UNION lines up; no
    # ordering inside (SQLite refuses it in a compound statement): the union is ordered.
    return (
        queryset.order_by()
        .annotate(
            row_kind=Value(kind, output_field=CharField()),
            row_id=F("pk"),
            row_acted=acted,
            row_group=F(f"{by}__name"),
            row_group_missing=Case(
                When(**{f"{by}__isnull": True}, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .values_list("row_kind", "row_id", "row_acted", "row_group", "row_group_missing")
    )


def answered_petitions(council: Council) -> QuerySet[Petition]:
    """Published petitions the council answered, heard or debated (not rejected ones)."""
    heard = Hearing.objects.filter(
        petition=OuterRef("pk"), concluded_at__isnull=False, agenda_item__is_exempt=False
    )
    return (
        Petition.objects.filter(council=council, status__in=PUBLIC_STATUSES)
        .exclude(status=S.REJECTED)
        .filter(
            Q(status__in=[S.RESPONDED, S.DEBATED])
            | Q(responded_at__isnull=False)
            | Q(Exists(heard))
        )
    )


def acted_on_ideas(council: Council) -> QuerySet[Idea]:
    """Ideas the council moved on from "new", or answered in public (never merged ones)."""
    answered = IdeaResponse.objects.filter(idea=OuterRef("pk"))
    return (
        visible_ideas(council)
        .exclude(status=Idea.Status.MERGED)
        .filter(~Q(status=Idea.Status.NEW) | Q(Exists(answered)))
    )


def _idea_acted_at() -> Any:
    latest = (
        IdeaTimelineEntry.objects.filter(idea=OuterRef("pk"), kind__in=IDEA_ACTION_KINDS)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    return Coalesce(Subquery(latest), F("last_activity_at"), output_field=DateTimeField())


def _plain(value: str) -> SafeString:
    return SafeString(f"<p>{linebreaksbr(value, autoescape=True)}</p>")


def _petition_outcome(petition: Petition, count: int) -> Outcome:
    outcome = Outcome(
        kind="petition",
        title=petition.title,
        url=petition.get_absolute_url(),
        acted_at=petition.responded_at or petition.closed_at or petition.opened_at,
        said=petition.action,
        status_label=str(petition.get_status_display()),
        status_tag=STATUS_TAGS.get(petition.status, ""),
        count_label=ngettext("%(count)s signature", "%(count)s signatures", count)
        % {"count": f"{count:,}"},
    )
    if petition.response:
        outcome.did.append(render_markdown(petition.response))
    for row in _hearing_rows(list(petition.hearings.all())):
        if row.outcome:
            outcome.did.append(_plain(row.outcome))
        if row.decision is not None:
            outcome.decisions.append((row.kind_label, row.decision))
    return outcome


def _idea_outcome(idea: Idea) -> Outcome:
    outcome = Outcome(
        kind="idea",
        title=idea.title,
        url=idea.get_absolute_url(),
        acted_at=None,
        said=plain_text(idea.body),
        status_label=str(idea.get_status_display()),
        status_tag=IDEA_TAGS.get(idea.status, ""),
        count_label=ngettext("%(count)s supporter", "%(count)s supporters", idea.support_count)
        % {"count": f"{idea.support_count:,}"},
    )
    if idea.status_reason:
        outcome.did.append(_plain(idea.status_reason))
    responses = list(idea.responses.all())
    if responses:
        latest = responses[-1]
        outcome.responder = latest.display_name or gettext("The council")
        outcome.did.append(render_markdown(latest.body))
    for link in idea.agenda_links.all():
        decision = _public_decision(link.decision)
        if decision is not None and not link.agenda_item.is_exempt:
            outcome.decisions.append((gettext("Decision"), decision))
    return outcome


@require_safe
def you_said_we_did(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    by = request.GET.get("by", "")
    by = by if by in GROUPINGS else DEFAULT_GROUPING
    topics = list(Topic.objects.filter(council=found).order_by("name", "pk"))
    wards = list(Ward.objects.filter(council=found).order_by("name", "pk"))
    topic = _choice(request.GET.get("topic", ""), topics)
    ward = _choice(request.GET.get("ward", ""), wards)
    answered = answered_petitions(found)
    ideas = acted_on_ideas(found)
    if topic is not None:
        answered, ideas = answered.filter(topic=topic), ideas.filter(topic=topic)
    if ward is not None:
        answered, ideas = answered.filter(ward=ward), ideas.filter(ward=ward)
    petition_acted = Coalesce(
        "responded_at", "closed_at", "opened_at", "created_at", output_field=DateTimeField()
    )
    rows = (
        _grouped_values(answered, "petition", by, petition_acted)
        .union(_grouped_values(ideas, "idea", by, _idea_acted_at()), all=True)
        .order_by("row_group_missing", "row_group", "-row_acted", "row_kind", "-row_id")
    )
    page = Paginator(rows, OUTCOMES_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    petition_ids = [pk for kind, pk, *_rest in shown if kind == "petition"]
    idea_ids = [pk for kind, pk, *_rest in shown if kind == "idea"]
    petitions_by_id = (
        Petition.objects.select_related("council")
        .prefetch_related(Prefetch("hearings", queryset=_hearings_queryset()))
        .in_bulk(petition_ids)
    )
    counts = domain.live_counts(petitions_by_id.values()) if petitions_by_id else {}
    ideas_by_id = (
        Idea.objects.select_related("council")
        .prefetch_related(
            Prefetch("responses", queryset=IdeaResponse.objects.order_by("created_at", "pk")),
            Prefetch(
                "agenda_links",
                queryset=IdeaAgendaLink.objects.select_related(
                    "agenda_item", "decision__council", "decision__agenda_item"
                ).order_by("created_at", "pk"),
            ),
        )
        .in_bulk(idea_ids)
    )
    none_label = gettext("No particular topic") if by == "topic" else gettext("No particular ward")
    groups: list[OutcomeGroup] = []
    for kind, pk, acted, group, _missing in shown:
        name = group or none_label
        if not groups or groups[-1].name != name:
            groups.append(OutcomeGroup(name=name, outcomes=[]))
        if kind == "petition" and pk in petitions_by_id:
            outcome = _petition_outcome(petitions_by_id[pk], counts.get(pk, 0))
        elif kind == "idea" and pk in ideas_by_id:
            outcome = _idea_outcome(ideas_by_id[pk])
        else:  # gone between the two queries
            continue
        outcome.acted_at = acted
        groups[-1].outcomes.append(outcome)
    filters = {
        "by": by if by != DEFAULT_GROUPING else "",
        "topic": topic.slug if topic else "",
        "ward": ward.slug if ward else "",
    }
    return render(
        request,
        "public/you_said_we_did.html",
        {
            "council": found,
            "by": by,
            "groupings": list(GROUPINGS.items()),
            "topics": topics,
            "wards": wards,
            "topic": topic,
            "ward": ward,
            "page": page,
            "groups": [group for group in groups if group.outcomes],
            "page_query": _page_query(**filters),
        },
    )
