"""The read-only public endpoints of open council business: bodies, meetings, decisions,
documents, the forward plan, and the site's search.

They show exactly what the public site shows. Agenda items, documents, decisions and
votes are loaded through the public querysets, with one more condition each so that
nothing hanging off an exempt item slips through: an exempt agenda item is a stub
(number, ``exempt: true``, paragraph); exempt or unpublished documents, and exempt
decisions and votes, never appear, and asking for their ids is a 404. Search goes
through ``moothall.search.query.search``, whose index never holds exempt content.
"""

# No ``from __future__ import annotations`` here: ninja reads these signatures at
# import time and cannot resolve ``Query[...]`` from a string annotation.

import datetime as dt
from typing import TypeVar

from django.db.models import Case, F, Model, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Path, Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from moothall.api.endpoints import _council_or_404
from moothall.api.meeting_schemas import (
    BodyDetailOut,
    BodyOut,
    DecisionDetailOut,
    DecisionFilters,
    DecisionOut,
    DocumentDetailOut,
    ForwardPlanEntryOut,
    ForwardPlanFilters,
    MeetingDetailOut,
    MeetingFilters,
    MeetingOrder,
    MeetingOut,
    SearchFilters,
    SearchPageOut,
)
from moothall.api.pagination import LimitOffset
from moothall.api.schemas import ErrorOut, ValidationErrorOut
from moothall.councils.models import Council
from moothall.meetings.models import (
    AgendaItem,
    Body,
    Decision,
    Document,
    ForwardPlanEntry,
    Meeting,
    Membership,
    PublicSubmission,
    TimelineEntry,
    Vote,
    VoteRecord,
)
from moothall.search.query import QueryError, search

router = Router()

Loaded = TypeVar("Loaded", bound=Model)

PUBLIC_ONLY = (
    "Public data only, as the site shows it: this API is read-only and holds nothing "
    "staff-only (no exempt business, no unpublished papers, no residents' details)."
)

# What a councillor named in an answer needs: name, party, and the council for the URL.
_COUNCILLOR = ("councillor__person", "councillor__party", "councillor__council")


def _described(text: str) -> str:
    return f"{text}\n\n{PUBLIC_ONLY}"


# --- Public querysets (the models' public() rules), with what answers need loaded ---


def _not_under_exempt_item() -> Q:
    return Q(agenda_item__isnull=True) | Q(agenda_item__is_exempt=False)


def public_documents() -> QuerySet[Document]:
    return Document.objects.public().select_related("stored_file", "council")


def public_decisions() -> QuerySet[Decision]:
    return Decision.objects.public().select_related(
        "council", "meeting__council", "meeting__body", "agenda_item"
    )


def public_votes() -> QuerySet[Vote]:
    return (
        Vote.objects.public()
        .prefetch_related(
            Prefetch(
                "records",
                queryset=VoteRecord.objects.select_related(*_COUNCILLOR).order_by(
                    "councillor__person__name", "id"
                ),
            )
        )
        .order_by("id")
    )


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _agenda_order() -> tuple[OrderBy, str]:
    # Papers of the whole meeting (the agenda pack) first, then item by item.
    return (F("agenda_item__sort_key").asc(nulls_first=True), "id")


def _with(obj: Loaded, **loaded: object) -> Loaded:
    """Hang what the endpoint loaded through the public querysets on the instance, under
    ``public_*`` names the schema's resolvers read (never the model's related managers,
    which hold exempt and unpublished rows too)."""
    for name, value in loaded.items():
        setattr(obj, name, value)
    return obj


# --- Bodies -------------------------------------------------------------------------


@router.get(
    "/councils/{slug:slug}/bodies",
    response={200: list[BodyOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_bodies",
    operation_id="list_council_bodies",
    summary="A council's decision-making bodies: full council, cabinet, committees …",
    description=_described("By name, including bodies that no longer meet (active: false)."),
    tags=["bodies"],
)
@paginate(LimitOffset)
def list_council_bodies(request: HttpRequest, slug: str) -> QuerySet[Body]:
    council = _council_or_404(slug)
    return (
        Body.objects.filter(council=council)
        .select_related("parent", "council")
        .order_by("name", "pk")
    )


@router.get(
    "/councils/{slug:slug}/bodies/{slug:body_slug}",
    response={200: BodyDetailOut, 404: ErrorOut},
    url_name="body",
    operation_id="get_body",
    summary="One body, with its current members",
    description=_described(
        "Members are today's: the chair first, then vice-chairs, members and substitutes."
    ),
    tags=["bodies"],
)
def get_body(request: HttpRequest, slug: str, body_slug: str) -> Body:
    council = _council_or_404(slug)
    body = (
        Body.objects.filter(council=council, slug=body_slug)
        .select_related("parent", "council")
        .first()
    )
    if body is None:
        raise Http404(
            gettext("%(council)s has no body “%(slug)s”.")
            % {"council": council.short_name, "slug": body_slug}
        )
    role_order = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(Membership.Role.values)),
        default=Value(len(Membership.Role.values)),
    )
    members = (
        Membership.objects.current()
        .filter(body=body)
        .select_related(*_COUNCILLOR)
        .order_by(role_order, "councillor__person__name", "id")
    )
    return _with(body, public_members=list(members))


# --- Meetings -------------------------------------------------------------------------


@router.get(
    "/councils/{slug:slug}/meetings",
    response={200: list[MeetingOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_meetings",
    operation_id="list_council_meetings",
    summary="A council's meetings, newest first, filtered by body, dates and status",
    description=_described(
        "Newest first (the latest start first) unless order=oldest. For the coming "
        "meetings, soonest first: from=<today>&order=oldest. Dates are days in UK time; "
        "cancelled and postponed meetings stay listed with their status."
    ),
    tags=["meetings"],
)
@paginate(LimitOffset)
def list_council_meetings(
    request: HttpRequest, slug: str, filters: Query[MeetingFilters]
) -> QuerySet[Meeting]:
    council = _council_or_404(slug)
    meetings = Meeting.objects.filter(council=council).select_related("council", "body__council")
    if filters.body:
        meetings = meetings.filter(body__slug=filters.body)
    if filters.status:
        meetings = meetings.filter(status=filters.status)
    if filters.from_:
        meetings = meetings.filter(start__gte=_start_of(filters.from_))
    if filters.to and filters.to < dt.date.max:
        meetings = meetings.filter(start__lt=_start_of(filters.to + dt.timedelta(days=1)))
    if filters.order == MeetingOrder.OLDEST:
        return meetings.order_by("start", "id")
    return meetings.order_by("-start", "-id")


def _meeting_or_404(council: Council, id: int) -> Meeting:
    meeting = (
        Meeting.objects.all()
        .filter(council=council, pk=id)
        .select_related("council", "body__council")
        .first()
    )
    if meeting is None:
        raise Http404(
            gettext("%(council)s has no meeting %(id)s.")
            % {"council": council.short_name, "id": id}
        )
    return meeting


def _public_agenda(meeting: Meeting) -> list[AgendaItem]:
    """The agenda in order once it is published, each exempt item knowing its paragraph."""
    if not meeting.is_agenda_published:
        return []
    items = list(meeting.items.order_by("sort_key", "id"))
    paragraphs: dict[int, int | None] = {}
    for item in items:  # a parent sorts before its sub-items
        paragraph = item.exempt_paragraph
        if paragraph is None and item.parent_id is not None:
            paragraph = paragraphs.get(item.parent_id)
        paragraphs[item.pk] = paragraph
        _with(item, public_paragraph=paragraph)
    return items


@router.get(
    "/councils/{slug:slug}/meetings/{int:id}",
    response={200: MeetingDetailOut, 404: ErrorOut},
    url_name="meeting",
    operation_id="get_meeting",
    summary="One meeting: its agenda, documents, decisions, votes, attendance and timeline",
    description=_described(
        "Exempt (private) agenda items appear only as a stub: their number, exempt: true "
        "and the paragraph of Schedule 12A. Their documents, decisions and votes are left "
        "out, as are declarations made on them."
    ),
    tags=["meetings"],
)
def get_meeting(request: HttpRequest, slug: str, id: Path[int]) -> Meeting:
    meeting = _meeting_or_404(_council_or_404(slug), id)
    documents = list(public_documents().filter(meeting=meeting).order_by(*_agenda_order()))
    decisions = list(public_decisions().filter(meeting=meeting).order_by(*_agenda_order()))
    # One on an item is shown with the item, so only once the agenda is published; one on
    # an exempt item would say what the item is about.
    submissions = meeting.submissions.filter(status=PublicSubmission.Status.ACCEPTED)
    if meeting.is_agenda_published:
        submissions = submissions.filter(_not_under_exempt_item())
    else:
        submissions = submissions.filter(agenda_item__isnull=True)
    return _with(
        meeting,
        public_agenda=_public_agenda(meeting),
        public_documents=documents,
        public_decisions=decisions,
        public_votes=list(public_votes().filter(meeting=meeting)),
        public_attendance=list(
            meeting.attendance.select_related(
                *_COUNCILLOR,
                "substitute_for__person",
                "substitute_for__party",
                "substitute_for__council",
            ).order_by("councillor__person__name", "id")
        ),
        public_declarations=list(
            meeting.declarations.filter(_not_under_exempt_item())
            .select_related(*_COUNCILLOR)
            .order_by("id")
        ),
        public_submissions=list(submissions.order_by("created_at", "id")),
        public_timeline=_public_timeline(meeting, documents, decisions),
    )


def _public_timeline(
    meeting: Meeting, documents: list[Document], decisions: list[Decision]
) -> list[TimelineEntry]:
    """The public entries, less any about a paper or decision that has since gone private.

    An entry is written public when its paper or decision is; if the item is later made
    exempt the entry would still name it, so entries naming one that now exists but is
    not public are left out. (One about a paper since removed stays, as on the site.)
    """
    entries = list(meeting.timeline.filter(is_public=True).order_by("at", "id"))
    hidden_documents = set(
        meeting.documents.exclude(pk__in=[d.pk for d in documents]).values_list("pk", flat=True)
    )
    hidden_decisions = set(
        meeting.decisions.exclude(pk__in=[d.pk for d in decisions]).values_list("pk", flat=True)
    )
    return [
        entry
        for entry in entries
        if entry.details.get("document") not in hidden_documents
        and entry.details.get("decision") not in hidden_decisions
    ]


# --- Decisions --------------------------------------------------------------------------


@router.get(
    "/councils/{slug:slug}/decisions",
    response={200: list[DecisionOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_decisions",
    operation_id="list_council_decisions",
    summary="A council's decisions, the latest first, filtered by key decision, dates, status",
    description=_described("The latest decided first. Decisions on exempt items are left out."),
    tags=["decisions"],
)
@paginate(LimitOffset)
def list_council_decisions(
    request: HttpRequest, slug: str, filters: Query[DecisionFilters]
) -> QuerySet[Decision]:
    council = _council_or_404(slug)
    decisions = public_decisions().filter(council=council)
    if filters.key is not None:
        decisions = decisions.filter(is_key_decision=filters.key)
    if filters.status:
        decisions = decisions.filter(status=filters.status)
    if filters.from_:
        decisions = decisions.filter(decided_on__gte=filters.from_)
    if filters.to:
        decisions = decisions.filter(decided_on__lte=filters.to)
    return decisions.order_by("-decided_on", "-id")


@router.get(
    "/councils/{slug:slug}/decisions/{int:id}",
    response={200: DecisionDetailOut, 404: ErrorOut},
    url_name="decision",
    operation_id="get_decision",
    summary="One decision, with the recorded votes that led to it",
    description=_described("A decision on an exempt item is not found (404)."),
    tags=["decisions"],
)
def get_decision(request: HttpRequest, slug: str, id: Path[int]) -> Decision:
    council = _council_or_404(slug)
    decision = public_decisions().filter(council=council, pk=id).first()
    if decision is None:
        raise Http404(
            gettext("%(council)s has no decision %(id)s.")
            % {"council": council.short_name, "id": id}
        )
    return _with(decision, public_votes=list(public_votes().filter(decision=decision)))


# --- Documents ---------------------------------------------------------------------------


@router.get(
    "/councils/{slug:slug}/documents/{int:id}",
    response={200: DocumentDetailOut, 404: ErrorOut},
    url_name="document",
    operation_id="get_document",
    summary="One published document: what it is, and where to download it",
    description=_described(
        "download_url is the file on the public site. A document of an exempt item, or "
        "one not yet published with its agenda, is not found (404)."
    ),
    tags=["documents"],
)
def get_document(request: HttpRequest, slug: str, id: Path[int]) -> Document:
    council = _council_or_404(slug)
    document = (
        public_documents()
        .filter(council=council, pk=id)
        .select_related("meeting__council", "meeting__body", "agenda_item")
        .first()
    )
    if document is None:
        raise Http404(
            gettext("%(council)s has no document %(id)s.")
            % {"council": council.short_name, "id": id}
        )
    return document


# --- Forward plan ------------------------------------------------------------------------


@router.get(
    "/councils/{slug:slug}/forward-plan",
    response={200: list[ForwardPlanEntryOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_forward_plan",
    operation_id="list_council_forward_plan",
    summary="A council's forward plan of key decisions, by the date each is expected",
    description=_described(
        "Every entry, planned, decided or withdrawn (status=planned gives the plan as the "
        "site shows it). Entries for decisions to be taken in private say so "
        "(exempt_paragraph): the law requires the notice itself to be public."
    ),
    tags=["decisions"],
)
@paginate(LimitOffset)
def list_council_forward_plan(
    request: HttpRequest, slug: str, filters: Query[ForwardPlanFilters]
) -> QuerySet[ForwardPlanEntry]:
    council = _council_or_404(slug)
    entries = ForwardPlanEntry.objects.filter(council=council).select_related("body__council")
    if filters.status:
        entries = entries.filter(status=filters.status)
    if filters.from_:
        entries = entries.filter(expected_date__gte=filters.from_)
    if filters.to:
        entries = entries.filter(expected_date__lte=filters.to)
    return entries.order_by("expected_date", "id")


# --- Search ----------------------------------------------------------------------------------


@router.get(
    "/search",
    response={200: SearchPageOut, 400: ErrorOut, 422: ValidationErrorOut},
    url_name="search",
    operation_id="search",
    summary="Search agenda items, documents' text, decisions and minutes",
    description=_described(
        'q takes words (all must match), "an exact phrase", OR, NOT word or -word, plan* '
        "(a prefix) and ( … ) to group. A query that cannot be read is a 400 saying why. "
        "Exempt and unpublished content is never indexed, so never found."
    ),
    tags=["search"],
)
def search_everything(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, object]:
    body_id: int | None = None
    if filters.body:
        if not filters.council:
            raise HttpError(
                400,
                gettext("Give the council too: a body's slug is unique only within its council."),
            )
        body_id = (
            Body.objects.filter(council__slug=filters.council, slug=filters.body)
            .values_list("pk", flat=True)
            .first()
        )
        if body_id is None:  # like a council we do not know: nothing matches
            return {"items": [], "count": 0}
    try:
        results = search(
            filters.q,
            council=filters.council or None,
            body=body_id,
            kinds=filters.type,
            date_from=filters.from_,
            date_to=filters.to,
            limit=filters.limit,
            offset=filters.offset,
        )
    except QueryError as error:  # a sentence for the reader: what is wrong with the query
        raise HttpError(400, str(error)) from None
    return {"items": results.hits, "count": results.total}
