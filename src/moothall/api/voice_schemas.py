"""The shapes of community voice in the API: petitions, their counts and obligations, ideas.

Field names are part of the public contract: keep them. As in ``schemas``, text nobody
filled in is ``null``, never ``""``; dates and times are ISO 8601; Markdown fields are
given as written (the site renders them).

Only what the public may see reaches these schemas: the endpoints load public petitions
only (never a draft, nor one gathering sponsors or awaiting moderation), public timeline
lines only, and hearings, agenda links and decisions only where the meetings' own rules
make them public. No signer, supporter or commenter's email address, postcode or internet
address is ever shaped here. Every schema reads instances the endpoint has already loaded,
so serialising runs no queries.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import StrictBool, StrictStr, field_validator

from moothall.api.meeting_schemas import MeetingRef, _named_choices, _no_awkward_slug
from moothall.api.schemas import WardOut
from moothall.councils.models import Councillor
from moothall.ideas.models import Comment, Idea, IdeaAgendaLink, IdeaImage, IdeaResponse
from moothall.ideas.queries import LISTED_STATUSES, SORTS
from moothall.meetings.models import AgendaItem, Decision
from moothall.petitions.models import Basis, Hearing, Obligation, Petition, PetitionEvent

# The statuses in which a petition is public; the others (draft, gathering sponsors,
# awaiting moderation) never leave the council's back office.
PUBLIC_PETITION_STATUSES = [
    s for s in Petition.Status.values if Petition(status=s).is_public
]  # open, closed, responded, debated, rejected

# The timeline's details the public may read. Anything else a verb stores (now or later)
# stays out unless it is added here on purpose.
_PUBLIC_EVENT_DETAILS = frozenset(
    {
        "closes_on",
        "obligation",
        "threshold",
        "due_on",
        "count",
        "hearing",
        "hearing_kind",
        "meeting",
        "item",
        "date",
        "decision",
    }
)
# A reason is published with a rejection or an early closure; never, say, an invalidation's.
_EVENTS_WITH_PUBLIC_REASON = frozenset({PetitionEvent.Kind.REJECTED, PetitionEvent.Kind.CLOSED})

# A confirmation link's token, as ``petitions.models.new_token`` makes them.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"  # noqa: S105 - a shape, not a secret
_TOKEN = re.compile(TOKEN_PATTERN)


if TYPE_CHECKING:
    # For the type checker these are the model's values; at run time, named enums.
    IdeaKind: TypeAlias = str
    IdeaListedStatus: TypeAlias = str
    IdeaStatus: TypeAlias = str
    IdeaSort: TypeAlias = str
    ObligationKind: TypeAlias = str
    HearingKind: TypeAlias = str
    PetitionStatus: TypeAlias = str
    PetitionEventKind: TypeAlias = str
    SigningBasis: TypeAlias = str
else:
    IdeaKind = _named_choices("IdeaKind", Idea.Kind)
    IdeaStatus = _named_choices("IdeaStatus", Idea.Status)
    # Merged ideas are never listed, so they are no filter.
    IdeaListedStatus = StrEnum(
        "IdeaListedStatus", {m.name: m.value for m in Idea.Status if m.value in LISTED_STATUSES}
    )
    IdeaSort = StrEnum("IdeaSort", {key.upper(): key for key in SORTS})
    ObligationKind = _named_choices("ObligationKind", Obligation.Kind)
    HearingKind = _named_choices("HearingKind", Hearing.Kind)
    PetitionStatus = StrEnum(
        "PetitionStatus",
        {m.name: m.value for m in Petition.Status if m.value in PUBLIC_PETITION_STATUSES},
    )
    PetitionEventKind = _named_choices("PetitionEventKind", PetitionEvent.Kind)
    SigningBasis = _named_choices("SigningBasis", Basis)


def _text_or_none(value: str) -> str | None:
    return value or None


def _council_slug(obj: Any) -> str:
    return obj.council.slug


# --- Shared references ------------------------------------------------------------------


class TopicOut(Schema):
    slug: str
    name: str


class ItemRef(Schema):
    """The agenda item a petition or idea was placed on (given once the agenda is published)."""

    id: int
    number: str
    title: str
    url: str = Field(description="The item on its meeting's page (an absolute path).")

    @staticmethod
    def resolve_url(obj: AgendaItem) -> str:
        return obj.get_absolute_url()


class DecisionRef(Schema):
    """A public decision taken on a petition or idea."""

    id: int
    title: str
    decided_on: dt.date
    url: str = Field(description="The decision's page on this site (an absolute path).")
    api_url: str = Field(description="This decision in the API (an absolute path).")

    @staticmethod
    def resolve_url(obj: Decision) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Decision) -> str:
        return reverse("api:decision", kwargs={"slug": _council_slug(obj), "id": obj.pk})


def _public_item(item: AgendaItem) -> AgendaItem | None:
    # An item is public once its meeting's agenda is (the endpoints already leave out
    # hearings and links on exempt items).
    return item if item.meeting.is_agenda_published and not item.is_exempt else None


# --- Petitions --------------------------------------------------------------------------


class PetitionRef(Schema):
    """A petition named in another answer (an obligation, a confirmed signature)."""

    id: int
    title: str
    status: PetitionStatus
    url: str = Field(description="The petition's page on this site (an absolute path).")
    api_url: str = Field(description="This petition in the API (an absolute path).")

    @staticmethod
    def resolve_url(obj: Petition) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Petition) -> str:
        return reverse("api:petition", kwargs={"slug": _council_slug(obj), "id": obj.pk})


class PetitionOut(PetitionRef):
    action: str = Field(description="What the petition asks the council to do.")
    topic: TopicOut | None
    ward: WardOut | None = Field(description="The ward the petition is about, if any.")
    started_by: str | None = Field(description="The name its creator chose to show.")
    paper: bool = Field(description="Started on paper and entered by an officer.")
    opened_at: dt.datetime | None = Field(description="When it was published.")
    closes_on: dt.date | None
    closed_at: dt.datetime | None
    live_count: int = Field(
        description="Confirmed signatures and verified paper signatures, now. A signature "
        "counts once its emailed confirmation link is followed."
    )

    @staticmethod
    def resolve_started_by(obj: Petition) -> str | None:
        return _text_or_none(obj.creator_name)

    @staticmethod
    def resolve_paper(obj: Petition) -> bool:
        return obj.is_paper

    @staticmethod
    def resolve_live_count(obj: Petition) -> int:
        # Set by the endpoint from petitions.domain.live_counts (one query per page).
        return obj.public_live_count  # type: ignore[attr-defined]


class WardCountOut(Schema):
    ward: WardOut | None = Field(
        description="null for signatures from outside the council's wards, and for paper "
        "signatures counted without addresses."
    )
    count: int


class ObligationOut(Schema):
    """What the council owes a petition once enough people signed."""

    id: int
    kind: ObligationKind = Field(
        description="respond (an officer response), hear (a committee hearing) or debate "
        "(a full-council debate)."
    )
    threshold: int = Field(description="The number of signatures that created it.")
    owner: str | None = Field(description="Who answers for it: an officer's name, or a team.")
    created_at: dt.datetime
    due_on: dt.date = Field(description="The deadline, in working days from its creation.")
    fulfilled_at: dt.datetime | None
    overdue: bool = Field(description="Unfulfilled and past its deadline.")

    @staticmethod
    def resolve_owner(obj: Obligation) -> str | None:
        # A name, never str(user): that falls back to the officer's email address.
        if obj.owner is not None and obj.owner.name:
            return str(obj.owner.name)
        return _text_or_none(obj.owner_name)

    @staticmethod
    def resolve_overdue(obj: Obligation) -> bool:
        return obj.is_overdue()


class CouncilObligationOut(ObligationOut):
    petition: PetitionRef


class HearingOut(Schema):
    """The petition on a meeting's agenda: a committee hearing or a full-council debate."""

    id: int
    kind: HearingKind
    meeting: MeetingRef
    agenda_item: ItemRef | None = Field(description="null until the agenda is published.")
    decision: DecisionRef | None = Field(description="The decision taken, once linked.")
    outcome: str | None
    concluded_at: dt.datetime | None

    @staticmethod
    def resolve_meeting(obj: Hearing) -> Any:
        return obj.agenda_item.meeting

    @staticmethod
    def resolve_agenda_item(obj: Hearing) -> AgendaItem | None:
        return _public_item(obj.agenda_item)

    @staticmethod
    def resolve_decision(obj: Hearing) -> Decision | None:
        # Loaded by the endpoint through Decision.objects.public(): None when not public.
        return obj.public_decision  # type: ignore[attr-defined]

    @staticmethod
    def resolve_outcome(obj: Hearing) -> str | None:
        return _text_or_none(obj.outcome)


class PetitionEventOut(Schema):
    at: dt.datetime
    kind: PetitionEventKind
    label: str = Field(description="The kind of step, in the reader's language.")
    details: dict[str, Any] = Field(
        description="What the step was about, e.g. threshold and due_on for a threshold, "
        "meeting, item and date for a placing on an agenda, reason for a rejection."
    )

    @staticmethod
    def resolve_at(obj: PetitionEvent) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_label(obj: PetitionEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_details(obj: PetitionEvent) -> dict[str, Any]:
        details = obj.details if isinstance(obj.details, dict) else {}
        shown = {key: value for key, value in details.items() if key in _PUBLIC_EVENT_DETAILS}
        if obj.kind in _EVENTS_WITH_PUBLIC_REASON and details.get("reason"):
            shown["reason"] = details["reason"]
        return shown


class ThresholdsOut(Schema):
    """The council's petition scheme: signatures needed for each step (null: no such step)."""

    respond: int | None
    hear: int | None
    debate: int | None


class PetitionDetailOut(PetitionOut):
    background: str | None = Field(description="In Markdown.")
    rejection_reason: str | None = Field(description="Published when a petition is rejected.")
    response: str | None = Field(description="The council's response, in Markdown.")
    responded_at: dt.datetime | None
    count_by_ward: list[WardCountOut] = Field(description="The live count by ward, largest first.")
    thresholds: ThresholdsOut
    obligations: list[ObligationOut]
    hearings: list[HearingOut]
    timeline: list[PetitionEventOut] = Field(description="Its public history, oldest first.")

    @staticmethod
    def resolve_background(obj: Petition) -> str | None:
        return _text_or_none(obj.background)

    @staticmethod
    def resolve_rejection_reason(obj: Petition) -> str | None:
        return _text_or_none(obj.rejection_reason)

    @staticmethod
    def resolve_response(obj: Petition) -> str | None:
        return _text_or_none(obj.response)

    @staticmethod
    def resolve_count_by_ward(obj: Petition) -> list[dict[str, Any]]:
        return [{"ward": ward, "count": n} for ward, n in obj.public_count_by_ward]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_thresholds(obj: Petition) -> dict[str, int | None]:
        scheme = obj.public_scheme  # type: ignore[attr-defined]
        return {
            "respond": scheme.response_threshold,
            "hear": scheme.hearing_threshold,
            "debate": scheme.debate_threshold,
        }

    @staticmethod
    def resolve_obligations(obj: Petition) -> list[Obligation]:
        return obj.public_obligations  # type: ignore[attr-defined]

    @staticmethod
    def resolve_hearings(obj: Petition) -> list[Hearing]:
        return obj.public_hearings  # type: ignore[attr-defined]

    @staticmethod
    def resolve_timeline(obj: Petition) -> list[PetitionEvent]:
        return obj.public_timeline  # type: ignore[attr-defined]


# --- Signing ----------------------------------------------------------------------------


class SignatureIn(Schema):
    """Signing needs no account. Nothing counts until the link emailed to ``email`` is
    followed (on the site, or by posting its token to /signatures/confirm)."""

    name: StrictStr = Field(description="Up to 200 characters.")
    email: StrictStr = Field(description="The confirmation link is sent here.")
    postcode: StrictStr = Field(description="A full UK postcode; it gives the ward.")
    basis: SigningBasis = Field(
        description="Why you may sign: lives, works or studies in the area (as the "
        "council's scheme allows). Someone who lives there needs a postcode in the area."
    )
    declaration: StrictBool = Field(
        description="true: the signer declares that they live, work or study in the area, "
        "as chosen. Anything else is refused."
    )
    wants_updates: StrictBool = Field(
        True, description="Email the signer when the petition moves on."
    )


class SignatureAcceptedOut(Schema):
    status: str = Field(
        description='Always "confirmation_sent": the answer never says whether this '
        "address had already signed."
    )


class TokenIn(Schema):
    token: StrictStr = Field(description="The token from the emailed link.")

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        # Anything else is no token we made; refusing it here keeps awkward text (a NUL,
        # which PostgreSQL refuses) away from the database.
        if not _TOKEN.match(value):
            raise ValueError(gettext("This is not a link's token."))
        return value


class SignatureStatusOut(Schema):
    status: str = Field(
        description="confirmed (it counts) or withdrawn (it does not). A signature struck "
        "out by moderators answers confirmed: signers are not told."
    )
    petition: PetitionRef | None = Field(
        description="null while the petition is not yet public (a sponsor confirming)."
    )


class RefusalProblem(Schema):
    """One problem with the body: ``type`` is the refusal's code (e.g. invalid_email,
    postcode_outside, declaration_required) or pydantic's kind (e.g. bool_type)."""

    type: str
    loc: list[str | int] = Field(description='Where: e.g. ["body", "email"].')
    msg: str


class RefusalOut(Schema):
    """The body was refused (status 422); nothing was written."""

    detail: list[RefusalProblem]


class CodedErrorOut(Schema):
    """A request that cannot be done: the petition has closed (409), the link is unknown
    (404). ``detail`` is a sentence for people, ``code`` is for programs."""

    detail: str
    code: str = Field(description="e.g. not_open, closed, unknown_token.")


# --- Filters ----------------------------------------------------------------------------


class PetitionFilters(Schema):
    status: PetitionStatus | None = None
    topic: str | None = Field(None, max_length=120, description="A topic's slug.")
    ward: str | None = Field(None, max_length=120, description="A ward's slug.")

    _check_slugs = field_validator("topic", "ward")(_no_awkward_slug)


class ObligationFilters(Schema):
    open: bool | None = Field(None, description="true: not yet fulfilled; false: fulfilled.")
    overdue: bool | None = Field(
        None, description="true: unfulfilled and past the deadline; false: all others."
    )
    kind: ObligationKind | None = None


class IdeaFilters(Schema):
    topic: str | None = Field(None, max_length=120, description="A topic's slug.")
    ward: str | None = Field(None, max_length=120, description="A ward's slug.")
    status: IdeaListedStatus | None = None
    kind: IdeaKind | None = None
    sort: IdeaSort = Field(
        "newest",
        description="newest (the default), supported (most supporters first) or active "
        "(most recently active first).",
    )

    _check_slugs = field_validator("topic", "ward")(_no_awkward_slug)


# --- Ideas ------------------------------------------------------------------------------


class PointOut(Schema):
    latitude: float
    longitude: float


class IdeaOut(Schema):
    id: int
    kind: IdeaKind
    title: str
    body: str = Field(description="In Markdown.")
    status: IdeaStatus
    status_reason: str | None = Field(description="The published reason for the status.")
    topic: TopicOut | None
    ward: WardOut | None
    point: PointOut | None = Field(description="A place on the map, when one was given.")
    author: str | None = Field(description="The proposer's name; null shows as “a resident”.")
    support_count: int
    comment_count: int
    created_at: dt.datetime
    last_activity_at: dt.datetime
    url: str = Field(description="The idea's page on this site (an absolute path).")
    api_url: str = Field(description="This idea in the API (an absolute path).")

    @staticmethod
    def resolve_status_reason(obj: Idea) -> str | None:
        return _text_or_none(obj.status_reason)

    @staticmethod
    def resolve_point(obj: Idea) -> dict[str, float] | None:
        if obj.latitude is None or obj.longitude is None:
            return None
        return {"latitude": float(obj.latitude), "longitude": float(obj.longitude)}

    @staticmethod
    def resolve_author(obj: Idea) -> str | None:
        return _text_or_none(obj.author.name) if obj.author is not None else None

    @staticmethod
    def resolve_url(obj: Idea) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Idea) -> str:
        return reverse("api:idea", kwargs={"slug": _council_slug(obj), "id": obj.pk})


class IdeaRef(Schema):
    id: int
    title: str


class ImageOut(Schema):
    alt_text: str = Field(description="What the picture shows, for people who cannot see it.")
    content_type: str
    width: int
    height: int
    url: str = Field(description="The picture on this site (an absolute path).")

    @staticmethod
    def resolve_url(obj: IdeaImage) -> str:
        return obj.get_absolute_url()


class ResponderOut(Schema):
    id: int
    name: str
    url: str = Field(description="The councillor's page on this site (an absolute path).")
    api_url: str = Field(description="This councillor in the API (an absolute path).")

    @staticmethod
    def resolve_name(obj: Councillor) -> str:
        return obj.name

    @staticmethod
    def resolve_url(obj: Councillor) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Councillor) -> str:
        return reverse("api:councillor", kwargs={"id": obj.pk})


class IdeaResponseOut(Schema):
    id: int
    author: str | None = Field(description="Who responded; null for the council itself.")
    councillor: ResponderOut | None = Field(description="Set when a councillor responded.")
    body: str = Field(description="In Markdown.")
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: IdeaResponse) -> str | None:
        return _text_or_none(obj.display_name)


class CommentOut(Schema):
    """A comment; replies name their ``parent``, so threads can be rebuilt."""

    id: int
    parent: int | None = Field(description="The id of the comment this one replies to.")
    depth: int = Field(description="0 for a comment, 1 for a reply, and so on.")
    author: str | None = Field(description="The commenter's name; null shows as “a resident”.")
    body: str | None = Field(description="null when a moderator removed the comment.")
    removed: bool
    removed_reason: str | None = Field(description="The moderator's published reason.")
    created_at: dt.datetime

    @staticmethod
    def resolve_parent(obj: Comment) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_author(obj: Comment) -> str | None:
        return _text_or_none(obj.author.name) if obj.author is not None else None

    @staticmethod
    def resolve_body(obj: Comment) -> str | None:
        return None if obj.is_removed else obj.body

    @staticmethod
    def resolve_removed(obj: Comment) -> bool:
        return obj.is_removed

    @staticmethod
    def resolve_removed_reason(obj: Comment) -> str | None:
        return _text_or_none(obj.removed_reason) if obj.is_removed else None


class AgendaLinkOut(Schema):
    meeting: MeetingRef
    agenda_item: ItemRef | None = Field(description="null until the agenda is published.")
    decision: DecisionRef | None

    @staticmethod
    def resolve_meeting(obj: IdeaAgendaLink) -> Any:
        return obj.agenda_item.meeting

    @staticmethod
    def resolve_agenda_item(obj: IdeaAgendaLink) -> AgendaItem | None:
        return _public_item(obj.agenda_item)

    @staticmethod
    def resolve_decision(obj: IdeaAgendaLink) -> Decision | None:
        # ideas.queries.public_agenda_links loads it through Decision.objects.public().
        return obj.decision


class IdeaTimelineOut(Schema):
    at: dt.datetime
    kind: str = Field(description="e.g. created, status_changed, response_published, merged.")
    text: str = Field(description="What happened, in a sentence in the reader's language.")

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return str(obj.describe())


class IdeaDetailOut(IdeaOut):
    merged_into: IdeaRef | None = Field(
        description="For a merged duplicate: the idea its supporters now count on."
    )
    merged_from: list[IdeaRef] = Field(description="Duplicates merged into this idea.")
    images: list[ImageOut]
    responses: list[IdeaResponseOut]
    agenda_links: list[AgendaLinkOut] = Field(
        description="The meetings it was placed before, and the decisions taken."
    )
    timeline: list[IdeaTimelineOut] = Field(description="Its public history, oldest first.")
    comments: list[CommentOut] = Field(description="Oldest first; a reply after its parent.")

    @staticmethod
    def resolve_merged_from(obj: Idea) -> list[Idea]:
        return obj.public_merged_from  # type: ignore[attr-defined]

    @staticmethod
    def resolve_images(obj: Idea) -> list[IdeaImage]:
        return obj.public_images  # type: ignore[attr-defined]

    @staticmethod
    def resolve_responses(obj: Idea) -> list[IdeaResponse]:
        return obj.public_responses  # type: ignore[attr-defined]

    @staticmethod
    def resolve_agenda_links(obj: Idea) -> list[IdeaAgendaLink]:
        return obj.public_agenda_links  # type: ignore[attr-defined]

    @staticmethod
    def resolve_timeline(obj: Idea) -> list[Any]:
        return obj.public_timeline  # type: ignore[attr-defined]

    @staticmethod
    def resolve_comments(obj: Idea) -> list[Comment]:
        return obj.public_comments  # type: ignore[attr-defined]
