"""The shapes of open council business in the API: bodies, meetings, agendas, decisions…

Field names are part of the public contract: keep them. As in ``schemas``, text a
council has not filled in is ``null``, never ``""``; dates and times are ISO 8601;
Markdown fields are given as written (the site renders them).

Only what the public may see ever reaches these schemas: the endpoints load
through the public querysets, and an exempt agenda item is shaped here as a stub
(its number, ``exempt: true`` and its paragraph of Schedule 12A), its title and
text left out. Every schema reads instances the endpoint has already loaded, with
their relations selected or prefetched, so serialising runs no queries.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

from django.db.models import TextChoices
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import field_validator

from moothall.api.schemas import PartyOut
from moothall.councils.models import Councillor
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    Meeting,
    Membership,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
    Vote,
    VoteRecord,
)
from moothall.search.query import Hit

# Slugs as the site makes them; anything else cannot name a body, and refusing it
# early keeps awkward text (a NUL, which PostgreSQL refuses) away from the database.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
_SLUG = re.compile(SLUG_PATTERN)


def _named_choices(name: str, choices: type[TextChoices]) -> type[StrEnum]:
    """The model's choices as an enum with its own name in the OpenAPI document.

    Many models name their choices ``Status`` or ``Kind``; the OpenAPI components are
    keyed by that name, so without this the meeting ``status`` filter would be
    documented with the forward plan's statuses.
    """
    return StrEnum(name, {member.name: member.value for member in choices})  # type: ignore[return-value]


if TYPE_CHECKING:
    # For the type checker these are the model's values; at run time, named enums.
    AgendaItemKind: TypeAlias = str
    AttendanceStatus: TypeAlias = str
    BodyKind: TypeAlias = str
    DecisionStatus: TypeAlias = str
    DeclarationKind: TypeAlias = str
    DocumentContentType: TypeAlias = str
    DocumentKind: TypeAlias = str
    ForwardPlanStatus: TypeAlias = str
    KeyDecisionException: TypeAlias = str
    MeetingStatus: TypeAlias = str
    MembershipRole: TypeAlias = str
    SubmissionKind: TypeAlias = str
    VoteOutcome: TypeAlias = str
    VotePosition: TypeAlias = str
else:
    AgendaItemKind = _named_choices("AgendaItemKind", AgendaItem.Kind)
    AttendanceStatus = _named_choices("AttendanceStatus", Attendance.Status)
    BodyKind = _named_choices("BodyKind", Body.Kind)
    DecisionStatus = _named_choices("DecisionStatus", Decision.Status)
    DeclarationKind = _named_choices("DeclarationKind", Declaration.Kind)
    DocumentContentType = _named_choices("DocumentContentType", StoredFile.ContentType)
    DocumentKind = _named_choices("DocumentKind", Document.Kind)
    ForwardPlanStatus = _named_choices("ForwardPlanStatus", ForwardPlanEntry.Status)
    # Without the empty choice: "no exception" is null in the API.
    KeyDecisionException = StrEnum(
        "KeyDecisionException",
        {m.name: m.value for m in Decision.Exception if m.value},
    )
    MeetingStatus = _named_choices("MeetingStatus", Meeting.Status)
    MembershipRole = _named_choices("MembershipRole", Membership.Role)
    SubmissionKind = _named_choices("SubmissionKind", PublicSubmission.Kind)
    VoteOutcome = _named_choices("VoteOutcome", Vote.Outcome)
    VotePosition = _named_choices("VotePosition", VoteRecord.Position)


def _text_or_none(value: str) -> str | None:
    return value or None


def _council_slug(obj: Meeting | Body | Decision | Document | ForwardPlanEntry) -> str:
    return obj.council.slug


# --- People and bodies -------------------------------------------------------------


class CouncillorRef(Schema):
    """A councillor named in another answer (a member, an attendee, a vote)."""

    id: int
    name: str
    party: PartyOut | None
    url: str = Field(description="The councillor's page on this site (an absolute path).")
    api_url: str = Field(description="This councillor in the API (an absolute path).")

    @staticmethod
    def resolve_url(obj: Councillor) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Councillor) -> str:
        return reverse("api:councillor", kwargs={"id": obj.pk})


class BodyRef(Schema):
    """The body a meeting or forward-plan entry belongs to."""

    slug: str
    name: str
    kind: BodyKind
    api_url: str = Field(description="This body in the API (an absolute path).")

    @staticmethod
    def resolve_api_url(obj: Body) -> str:
        return reverse("api:body", kwargs={"slug": _council_slug(obj), "body_slug": obj.slug})


class BodyOut(BodyRef):
    parent: str | None = Field(description="The slug of the body a sub-committee reports to.")
    purpose: str | None = Field(description="Terms of reference, in Markdown.")
    active: bool = Field(description="false for a body that no longer meets.")
    url: str = Field(description="The body's page on this site (an absolute path).")

    @staticmethod
    def resolve_parent(obj: Body) -> str | None:
        return obj.parent.slug if obj.parent is not None else None

    @staticmethod
    def resolve_purpose(obj: Body) -> str | None:
        return _text_or_none(obj.purpose)

    @staticmethod
    def resolve_active(obj: Body) -> bool:
        return obj.is_active

    @staticmethod
    def resolve_url(obj: Body) -> str:
        return obj.get_absolute_url()


class MemberOut(Schema):
    role: MembershipRole
    start: dt.date | None
    end: dt.date | None = Field(description="null while the membership is open.")
    councillor: CouncillorRef

    @staticmethod
    def resolve_start(obj: Membership) -> dt.date | None:
        return obj.start_date

    @staticmethod
    def resolve_end(obj: Membership) -> dt.date | None:
        return obj.end_date


class BodyDetailOut(BodyOut):
    members: list[MemberOut] = Field(
        description="Today's members: the chair first, then vice-chairs, members and "
        "substitutes, each by name."
    )

    @staticmethod
    def resolve_members(obj: Body) -> list[Membership]:
        return obj.public_members  # type: ignore[attr-defined]


# --- Meetings ----------------------------------------------------------------------


class MeetingRef(Schema):
    """A meeting named in another answer (a decision's, a document's)."""

    id: int
    title: str = Field(description="The meeting's own title, or its body's name.")
    start: dt.datetime
    status: MeetingStatus
    url: str = Field(description="The meeting's page on this site (an absolute path).")
    api_url: str = Field(description="This meeting in the API (an absolute path).")

    @staticmethod
    def resolve_title(obj: Meeting) -> str:
        return obj.display_title

    @staticmethod
    def resolve_url(obj: Meeting) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Meeting) -> str:
        return reverse("api:meeting", kwargs={"slug": _council_slug(obj), "id": obj.pk})


class MeetingOut(MeetingRef):
    body: BodyRef
    end: dt.datetime | None
    venue: str | None
    status_reason: str | None = Field(description="Why it was postponed or cancelled.")
    webcast_url: str | None
    agenda_published_at: dt.datetime | None = Field(
        description="When the notice and agenda were published; null until then."
    )
    publication_deadline: dt.date | None = Field(
        description="The last day the agenda could be published with the clear working "
        "days of notice the law and the council's rules need."
    )
    agenda_late: bool = Field(description="Whether the agenda was published after the deadline.")
    late_reason: str | None = Field(
        description="Why the business could not wait, when the agenda was late."
    )
    minutes_published_at: dt.datetime | None

    @staticmethod
    def resolve_venue(obj: Meeting) -> str | None:
        return _text_or_none(obj.venue)

    @staticmethod
    def resolve_status_reason(obj: Meeting) -> str | None:
        return _text_or_none(obj.status_reason)

    @staticmethod
    def resolve_webcast_url(obj: Meeting) -> str | None:
        return _text_or_none(obj.webcast_url)

    @staticmethod
    def resolve_late_reason(obj: Meeting) -> str | None:
        return _text_or_none(obj.late_reason) if obj.agenda_late else None


class AgendaItemOut(Schema):
    """An item of the agenda. An exempt item is a stub: its number, ``exempt: true`` and
    the paragraph of Schedule 12A; every other field is null."""

    id: int
    number: str = Field(description="1, 2, 2a, 2a(i) …")
    parent: int | None = Field(description="The id of the item this one sits under.")
    exempt: bool = Field(
        description="Exempt (private) business under Local Government Act 1972 Schedule 12A."
    )
    exempt_paragraph: int | None = Field(
        description="The paragraph of Schedule 12A (1–7) an exempt item falls under."
    )
    title: str | None
    description: str | None = Field(description="In Markdown.")
    kind: AgendaItemKind | None
    urgent: bool | None
    urgency_reason: str | None
    late: bool | None = Field(description="Added after the agenda was published.")
    lead_officer: str | None
    portfolio: str | None

    @staticmethod
    def resolve_parent(obj: AgendaItem) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_exempt(obj: AgendaItem) -> bool:
        return obj.is_exempt

    @staticmethod
    def resolve_exempt_paragraph(obj: AgendaItem) -> int | None:
        # Set by the endpoint: a sub-item of an exempt item falls under its parent's paragraph.
        paragraph: int | None = getattr(obj, "public_paragraph", obj.exempt_paragraph)
        return paragraph if obj.is_exempt else None

    @staticmethod
    def resolve_title(obj: AgendaItem) -> str | None:
        return None if obj.is_exempt else obj.title

    @staticmethod
    def resolve_description(obj: AgendaItem) -> str | None:
        return None if obj.is_exempt else _text_or_none(obj.description)

    @staticmethod
    def resolve_kind(obj: AgendaItem) -> str | None:
        return None if obj.is_exempt else obj.kind

    @staticmethod
    def resolve_urgent(obj: AgendaItem) -> bool | None:
        return None if obj.is_exempt else obj.is_urgent

    @staticmethod
    def resolve_urgency_reason(obj: AgendaItem) -> str | None:
        return None if obj.is_exempt else _text_or_none(obj.urgency_reason)

    @staticmethod
    def resolve_late(obj: AgendaItem) -> bool | None:
        return None if obj.is_exempt else obj.is_late

    @staticmethod
    def resolve_lead_officer(obj: AgendaItem) -> str | None:
        return None if obj.is_exempt else _text_or_none(obj.lead_officer)

    @staticmethod
    def resolve_portfolio(obj: AgendaItem) -> str | None:
        return None if obj.is_exempt else _text_or_none(obj.portfolio)


class AgendaItemRef(Schema):
    """The (public) agenda item a decision or document belongs to."""

    id: int
    number: str
    title: str


class _DocumentBase(Schema):
    id: int
    title: str
    kind: DocumentKind
    content_type: DocumentContentType
    size: int = Field(description="In bytes.")
    published_at: dt.datetime
    url: str = Field(description="The document's page on this site (an absolute path).")
    download_url: str = Field(description="The file itself (an absolute path).")
    api_url: str = Field(description="This document in the API (an absolute path).")

    @staticmethod
    def resolve_content_type(obj: Document) -> str:
        return obj.stored_file.content_type

    @staticmethod
    def resolve_size(obj: Document) -> int:
        return obj.stored_file.size

    @staticmethod
    def resolve_url(obj: Document) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_download_url(obj: Document) -> str:
        return reverse("public:document_file", kwargs={"council": _council_slug(obj), "pk": obj.pk})

    @staticmethod
    def resolve_api_url(obj: Document) -> str:
        return reverse("api:document", kwargs={"slug": _council_slug(obj), "id": obj.pk})


class DocumentOut(_DocumentBase):
    """A document in its meeting's answer."""

    agenda_item: int | None = Field(description="The id of the agenda item it belongs to.")

    @staticmethod
    def resolve_agenda_item(obj: Document) -> int | None:
        return obj.agenda_item_id


class DocumentDetailOut(_DocumentBase):
    council: str = Field(description="The council's slug.")
    meeting: MeetingRef | None
    agenda_item: AgendaItemRef | None

    @staticmethod
    def resolve_council(obj: Document) -> str:
        return _council_slug(obj)


class PositionOut(Schema):
    councillor: CouncillorRef
    position: VotePosition


class VoteOut(Schema):
    """A recorded vote (division), with each councillor's position."""

    id: int
    motion: str
    outcome: VoteOutcome
    votes_for: int
    votes_against: int
    abstentions: int
    agenda_item: int | None = Field(description="The id of the agenda item voted on.")
    decision: int | None = Field(description="The id of the decision the vote led to.")
    positions: list[PositionOut] = Field(description="Every councillor recorded, by name.")

    @staticmethod
    def resolve_agenda_item(obj: Vote) -> int | None:
        return obj.agenda_item_id

    @staticmethod
    def resolve_decision(obj: Vote) -> int | None:
        return obj.decision_id

    @staticmethod
    def resolve_positions(obj: Vote) -> list[VoteRecord]:
        return list(obj.records.all())


class AttendanceOut(Schema):
    councillor: CouncillorRef
    status: AttendanceStatus
    substitute_for: CouncillorRef | None = Field(
        description="The member a substitute stood in for."
    )
    role: str | None = Field(description="e.g. Chair, In attendance.")

    @staticmethod
    def resolve_role(obj: Attendance) -> str | None:
        return _text_or_none(obj.role)


class DeclarationOut(Schema):
    """A declaration of interest (those on exempt items are left out)."""

    councillor: CouncillorRef
    kind: DeclarationKind
    description: str
    agenda_item: int | None = Field(description="The id of the agenda item it was made on.")
    left_the_room: bool
    dispensation: str | None

    @staticmethod
    def resolve_agenda_item(obj: Declaration) -> int | None:
        return obj.agenda_item_id

    @staticmethod
    def resolve_dispensation(obj: Declaration) -> str | None:
        return _text_or_none(obj.dispensation)


class SubmissionOut(Schema):
    """A resident's public question, deputation or request to speak that the clerk accepted."""

    kind: SubmissionKind
    name: str = Field(description="The name the resident asked to appear under.")
    text: str
    agenda_item: int | None = Field(description="The id of the agenda item it is about.")

    @staticmethod
    def resolve_name(obj: PublicSubmission) -> str:
        return obj.display_name

    @staticmethod
    def resolve_agenda_item(obj: PublicSubmission) -> int | None:
        return obj.agenda_item_id


class TimelineOut(Schema):
    at: dt.datetime
    kind: str = Field(description="e.g. created, agenda_published, postponed, cancelled.")
    text: str = Field(description="What happened, in a sentence in the reader's language.")

    @staticmethod
    def resolve_text(obj: TimelineEntry) -> str:
        return obj.describe()


# --- Decisions -----------------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    title: str
    text: str = Field(description="The decision, in Markdown.")
    reasons: str | None
    alternatives_rejected: str | None
    conflicts_declared: str | None
    dispensations: str | None
    decision_maker: str
    decided_on: dt.date
    published_at: dt.datetime | None
    key_decision: bool
    key_decision_exception: KeyDecisionException | None = Field(
        description="general_exception or special_urgency, when a key decision was taken "
        "without 28 clear days' notice in the forward plan."
    )
    exception_reason: str | None
    lacks_notice: bool = Field(
        description="A key decision taken without the forward-plan notice the law needs "
        "and without a recorded exception."
    )
    forward_plan_entry: int | None = Field(description="The id of its forward-plan entry.")
    call_in_deadline: dt.date | None
    status: DecisionStatus
    status_reason: str | None
    meeting: MeetingRef | None
    agenda_item: AgendaItemRef | None
    url: str = Field(description="The decision's page on this site (an absolute path).")
    api_url: str = Field(description="This decision in the API (an absolute path).")

    @staticmethod
    def resolve_reasons(obj: Decision) -> str | None:
        return _text_or_none(obj.reasons)

    @staticmethod
    def resolve_alternatives_rejected(obj: Decision) -> str | None:
        return _text_or_none(obj.alternatives_rejected)

    @staticmethod
    def resolve_conflicts_declared(obj: Decision) -> str | None:
        return _text_or_none(obj.conflicts_declared)

    @staticmethod
    def resolve_dispensations(obj: Decision) -> str | None:
        return _text_or_none(obj.dispensations)

    @staticmethod
    def resolve_key_decision(obj: Decision) -> bool:
        return obj.is_key_decision

    @staticmethod
    def resolve_key_decision_exception(obj: Decision) -> str | None:
        return _text_or_none(obj.key_decision_exception)

    @staticmethod
    def resolve_exception_reason(obj: Decision) -> str | None:
        return _text_or_none(obj.exception_reason)

    @staticmethod
    def resolve_forward_plan_entry(obj: Decision) -> int | None:
        return obj.forward_plan_entry_id

    @staticmethod
    def resolve_status_reason(obj: Decision) -> str | None:
        return _text_or_none(obj.status_reason)

    @staticmethod
    def resolve_url(obj: Decision) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Decision) -> str:
        return reverse("api:decision", kwargs={"slug": _council_slug(obj), "id": obj.pk})


class DecisionDetailOut(DecisionOut):
    votes: list[VoteOut] = Field(description="The recorded votes that led to it.")

    @staticmethod
    def resolve_votes(obj: Decision) -> list[Vote]:
        # Loaded by the endpoint through the public queryset, not ``obj.votes``.
        return obj.public_votes  # type: ignore[attr-defined]


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut] = Field(
        description="The agenda in order (sub-items after their item); empty until the "
        "agenda is published. Exempt items are stubs."
    )
    documents: list[DocumentOut] = Field(
        description="Its published documents (never those of exempt items), in agenda order."
    )
    decisions: list[DecisionOut]
    votes: list[VoteOut]
    attendance: list[AttendanceOut] = Field(description="By councillor's name.")
    declarations: list[DeclarationOut]
    submissions: list[SubmissionOut] = Field(
        description="Accepted public questions, deputations and requests to speak."
    )
    timeline: list[TimelineOut] = Field(description="The meeting's public history, oldest first.")

    # Each list comes from what the endpoint loaded through the public querysets (the
    # ``public_*`` attributes), never from the model's related managers, which hold
    # exempt and unpublished rows too. A missing attribute fails loudly.

    @staticmethod
    def resolve_agenda(obj: Meeting) -> list[AgendaItem]:
        return obj.public_agenda  # type: ignore[attr-defined]

    @staticmethod
    def resolve_documents(obj: Meeting) -> list[Document]:
        return obj.public_documents  # type: ignore[attr-defined]

    @staticmethod
    def resolve_decisions(obj: Meeting) -> list[Decision]:
        return obj.public_decisions  # type: ignore[attr-defined]

    @staticmethod
    def resolve_votes(obj: Meeting) -> list[Vote]:
        return obj.public_votes  # type: ignore[attr-defined]

    @staticmethod
    def resolve_attendance(obj: Meeting) -> list[Attendance]:
        return obj.public_attendance  # type: ignore[attr-defined]

    @staticmethod
    def resolve_declarations(obj: Meeting) -> list[Declaration]:
        return obj.public_declarations  # type: ignore[attr-defined]

    @staticmethod
    def resolve_submissions(obj: Meeting) -> list[PublicSubmission]:
        return obj.public_submissions  # type: ignore[attr-defined]

    @staticmethod
    def resolve_timeline(obj: Meeting) -> list[TimelineEntry]:
        return obj.public_timeline  # type: ignore[attr-defined]


# --- Forward plan ----------------------------------------------------------------------


class ForwardPlanEntryOut(Schema):
    id: int
    title: str
    summary: str | None
    decision_maker: str
    body: BodyRef | None
    expected_date: dt.date
    published_at: dt.datetime = Field(
        description="When the entry was first published (key decisions need 28 clear days)."
    )
    key_decision: bool
    exempt_paragraph: int | None = Field(
        description="Set when the decision is expected to be taken in private: the paragraph "
        "of Schedule 12A."
    )
    lead_officer: str | None
    status: ForwardPlanStatus

    @staticmethod
    def resolve_summary(obj: ForwardPlanEntry) -> str | None:
        return _text_or_none(obj.summary)

    @staticmethod
    def resolve_key_decision(obj: ForwardPlanEntry) -> bool:
        return obj.is_key_decision

    @staticmethod
    def resolve_lead_officer(obj: ForwardPlanEntry) -> str | None:
        return _text_or_none(obj.lead_officer)


# --- Filters -----------------------------------------------------------------------------


class MeetingOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


def _no_awkward_slug(value: str | None) -> str | None:
    # An empty value (a form's "any" choice) is no filter at all.
    if not value:
        return None
    if not _SLUG.match(value):
        raise ValueError(gettext("A slug has only letters, digits, hyphens and underscores."))
    return value


class MeetingFilters(Schema):
    body: str | None = Field(
        None, max_length=120, description="Only the meetings of the body with this slug."
    )
    from_: dt.date | None = Field(
        None, alias="from", description="Only meetings on or after this day (YYYY-MM-DD)."
    )
    to: dt.date | None = Field(None, description="Only meetings on or before this day.")
    status: MeetingStatus | None = None
    order: MeetingOrder = Field(
        MeetingOrder.NEWEST,
        description="newest: the latest start first (the default). oldest: the earliest "
        "first, so from=<today>&order=oldest lists the coming meetings, soonest first.",
    )

    _check_body = field_validator("body")(_no_awkward_slug)


class DecisionFilters(Schema):
    key: bool | None = Field(None, description="true for key decisions only, false for others.")
    from_: dt.date | None = Field(
        None, alias="from", description="Only decisions taken on or after this day."
    )
    to: dt.date | None = Field(None, description="Only decisions taken on or before this day.")
    status: DecisionStatus | None = None


class ForwardPlanFilters(Schema):
    from_: dt.date | None = Field(
        None, alias="from", description="Only decisions expected on or after this day."
    )
    to: dt.date | None = Field(None, description="Only decisions expected on or before this day.")
    status: ForwardPlanStatus | None = None


# --- Search ---------------------------------------------------------------------------------


class SearchFilters(Schema):
    q: str = Field(
        max_length=500,
        description='Words (all must match), "an exact phrase", OR, NOT word or -word, '
        "plan* (a prefix), and ( … ) to group.",
    )
    council: str | None = Field(None, max_length=120, description="A council's slug.")
    body: str | None = Field(
        None, max_length=120, description="A body's slug (give the council too)."
    )
    type: list[str] | None = Field(
        None,
        description="Only these kinds (repeat the parameter for several): agenda_item, "
        "document, decision, minutes.",
    )
    from_: dt.date | None = Field(
        None, alias="from", description="Only things on or after this day."
    )
    to: dt.date | None = Field(None, description="Only things on or before this day.")
    limit: int = Field(20, ge=1, le=100, description="Results per page.")
    offset: int = Field(0, ge=0, le=10_000, description="Results to skip.")

    _check_council = field_validator("council", "body")(_no_awkward_slug)

    @field_validator("type")
    @classmethod
    def _no_empty_kinds(cls, value: list[str] | None) -> list[str] | None:
        return [kind for kind in value if kind] if value else None


class SearchCouncilOut(Schema):
    slug: str
    name: str


class SearchHitOut(Schema):
    kind: str = Field(description="agenda_item, document, decision or minutes.")
    kind_label: str = Field(description="The kind in the reader's language.")
    id: int = Field(description="The id of the agenda item, document or decision.")
    title: str = Field(description="Plain text.")
    title_html: str = Field(
        description="The title, HTML-escaped, with the query's words in <mark>."
    )
    snippet: str = Field(description="An excerpt around the match, plain text.")
    snippet_html: str = Field(
        description="The same excerpt, HTML-escaped, with only <mark>…</mark> as markup."
    )
    url: str = Field(description="Its place on this site (an absolute path).")
    date: dt.date | None = Field(description="The meeting's day, or the decision's.")
    council: SearchCouncilOut
    body: str | None = Field(description="The name of the body, where there is one.")

    @staticmethod
    def resolve_id(obj: Hit) -> int:
        return obj.object_id

    @staticmethod
    def resolve_council(obj: Hit) -> dict[str, str]:
        return {"slug": obj.council_slug, "name": obj.council_name}

    @staticmethod
    def resolve_body(obj: Hit) -> str | None:
        return obj.body_name


class SearchPageOut(Schema):
    items: list[SearchHitOut] = Field(description="The best match first.")
    count: int = Field(description="How many results match in all.")
