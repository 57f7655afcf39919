"""Open council business: bodies, meetings, agendas, documents, decisions, votes."""

from moothall.meetings.models.bodies import Body, Membership
from moothall.meetings.models.decisions import (
    Decision,
    ForwardPlanEntry,
    Vote,
    VoteRecord,
)
from moothall.meetings.models.documents import Document, StoredFile
from moothall.meetings.models.meetings import (
    AgendaItem,
    Attendance,
    Declaration,
    Meeting,
    MeetingSettings,
    PublicSubmission,
    TimelineEntry,
)

__all__ = [
    "AgendaItem",
    "Attendance",
    "Body",
    "Decision",
    "Declaration",
    "Document",
    "ForwardPlanEntry",
    "Meeting",
    "MeetingSettings",
    "Membership",
    "PublicSubmission",
    "StoredFile",
    "TimelineEntry",
    "Vote",
    "VoteRecord",
]
