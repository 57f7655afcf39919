"""The shapes of deliberations (Polis-style conversations) in the API: conversations, their
shown statements with vote counts, and their reports.

Field names are part of the public contract: keep them. As elsewhere, text nobody filled
in is ``null``, never ``""``; dates and times are ISO 8601; descriptions are Markdown as
written.

Only what the public site shows reaches these schemas: the endpoints never load a
conversation being prepared (draft), and only statements shown to participants
(accepted) appear, never one waiting for moderation or removed. Participants are never
named: on the map they are numbers.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

from django.urls import reverse
from ninja import Field, Schema

from moothall.deliberation.models import Conversation, Mode, Status

if TYPE_CHECKING:
    ConversationStatus: TypeAlias = str
    ConversationMode: TypeAlias = str
else:
    # A draft is never public, so it is no status here.
    ConversationStatus = StrEnum(
        "ConversationStatus", {m.name: m.value for m in Status if m != Status.DRAFT}
    )
    ConversationMode = StrEnum("ConversationMode", {m.name: m.value for m in Mode})


def _text_or_none(value: str) -> str | None:
    return value or None


def _kwargs(obj: Conversation) -> dict[str, str]:
    return {"slug": obj.council.slug, "conversation_slug": obj.slug}


class ConversationOut(Schema):
    slug: str
    title: str
    summary: str | None
    status: ConversationStatus = Field(
        description="open (taking part) or closed. A conversation being prepared (draft) is "
        "never in the API."
    )
    status_label: str = Field(description="The status, in the reader's language.")
    mode: ConversationMode = Field(
        description="How opinion groups are found: polis (the published Polis formulas) or "
        "improved (deterministic and stable)."
    )
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    imported: bool = Field(description="Imported from a Polis open-data export.")
    url: str = Field(description="The conversation's page on this site (an absolute path).")
    report_url: str = Field(description="Its report on this site (an absolute path).")
    api_url: str = Field(description="This conversation in the API (an absolute path).")
    report_api_url: str = Field(description="Its report in the API (an absolute path).")

    @staticmethod
    def resolve_summary(obj: Conversation) -> str | None:
        return _text_or_none(obj.summary)

    @staticmethod
    def resolve_status_label(obj: Conversation) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_imported(obj: Conversation) -> bool:
        return bool(obj.imported_meta)

    @staticmethod
    def resolve_url(obj: Conversation) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_report_url(obj: Conversation) -> str:
        return reverse(
            "public:conversation_report", kwargs={"council": obj.council.slug, "slug": obj.slug}
        )

    @staticmethod
    def resolve_api_url(obj: Conversation) -> str:
        return reverse("api:deliberation", kwargs=_kwargs(obj))

    @staticmethod
    def resolve_report_api_url(obj: Conversation) -> str:
        return reverse("api:deliberation_report", kwargs=_kwargs(obj))


class ConversationStatementOut(Schema):
    """A statement shown to participants, with its votes now."""

    number: int = Field(description="Its number in the conversation (Polis' comment id).")
    text: str
    is_seed: bool = Field(description="Written by the council to start the conversation.")
    is_meta: bool = Field(description="About the conversation itself; never used for groups.")
    agree: int
    disagree: int
    passed: int = Field(alias="pass", description="Passes (unsure).")
    created_at: dt.datetime

    model_config = {"populate_by_name": True}


class ConversationDetailOut(ConversationOut):
    description: str | None = Field(description="In Markdown.")
    participants: int = Field(description="People who have voted.")
    votes: int = Field(description="Votes on the shown statements.")
    statements: list[ConversationStatementOut] = Field(description="Shown statements, by number.")

    @staticmethod
    def resolve_description(obj: Conversation) -> str | None:
        return _text_or_none(obj.description)

    # The endpoint loads these onto the conversation (its own names are related managers).
    @staticmethod
    def resolve_participants(obj: Conversation) -> int:
        return obj.public_participants  # type: ignore[attr-defined]

    @staticmethod
    def resolve_votes(obj: Conversation) -> int:
        return obj.public_votes  # type: ignore[attr-defined]

    @staticmethod
    def resolve_statements(obj: Conversation) -> list[dict[str, Any]]:
        return obj.public_statements  # type: ignore[attr-defined]


# --- Report --------------------------------------------------------------------------


class DeliberationConversationRefOut(Schema):
    council: str
    slug: str
    title: str
    status: str
    mode: str


class DeliberationAnalysisOut(Schema):
    computed_at: dt.datetime = Field(description="When the opinion map was worked out.")
    mode: ConversationMode
    votes_counted: int
    participants_counted: int
    statements_counted: int


class DeliberationGroupVotesOut(Schema):
    agree: int
    disagree: int
    passed: int = Field(alias="pass")

    model_config = {"populate_by_name": True}


class DeliberationStatementResultOut(Schema):
    statement: int
    text: str
    is_seed: bool
    is_meta: bool
    agree: int = Field(description="Votes now.")
    disagree: int
    passed: int = Field(alias="pass")
    weighted_agree_share: float | None = Field(
        description="The agree share weighted to the population by ward, age band and sex "
        "(null when fewer than 10 weighted people voted, or nobody said who they are)."
    )
    group_informed_consensus: float | None
    consensus: str | None = Field(description="agree or disagree when it is common ground.")
    groups: dict[str, DeliberationGroupVotesOut] = Field(
        description="Votes by opinion group (by letter), at the time of the analysis."
    )

    model_config = {"populate_by_name": True}


class DeliberationRepnessOut(Schema):
    statement: int
    text: str
    direction: str = Field(description="agree or disagree: how the group sets itself apart.")
    repness: float
    repness_test: float
    p_success: float
    p_test: float
    n_success: int
    n_trials: int


class DeliberationGroupOut(Schema):
    index: int
    label: str = Field(description="Its letter: A, B, C …")
    size: int
    centroid: list[float] = Field(description="Its centre on the map: [x, y].")
    repness: list[DeliberationRepnessOut] = Field(description="The statements that set it apart.")


class DeliberationConsensusItemOut(Schema):
    statement: int
    text: str
    p_success: float
    p_test: float


class DeliberationConsensusOut(Schema):
    agree: list[DeliberationConsensusItemOut]
    disagree: list[DeliberationConsensusItemOut]


class DeliberationMapPointOut(Schema):
    x: float
    y: float
    group: int | None
    n_votes: int


class DeliberationPeriodOut(Schema):
    start: dt.date
    votes: int
    new_participants: int
    participants_so_far: int


class DeliberationParticipationOut(Schema):
    unit: str = Field(description="day, week or month.")
    periods: list[DeliberationPeriodOut]


class DeliberationWeightingOut(Schema):
    method: str = Field(description="none, raking or post-stratification.")
    people: int = Field(description="Participants who could be weighted.")


class DeliberationReportOut(Schema):
    conversation: DeliberationConversationRefOut
    analysis: DeliberationAnalysisOut | None = Field(
        description="null until the opinion map has been worked out."
    )
    participants: int
    votes: int
    statements: list[DeliberationStatementResultOut]
    groups: list[DeliberationGroupOut]
    consensus: DeliberationConsensusOut
    group_informed_consensus: dict[str, float]
    participant_map: dict[str, DeliberationMapPointOut] = Field(
        description="Each participant, by number only: their place on the map and group."
    )
    participation: DeliberationParticipationOut
    weighting: DeliberationWeightingOut
