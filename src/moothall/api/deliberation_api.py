"""Deliberations in the API (read-only): conversations, their statements and their reports.

Reads show exactly what the public site shows (``deliberation.rules``, Step.SEE_REPORT
for nobody in particular): a conversation being prepared (draft) is a 404 like an
unknown slug; only statements shown to participants appear, with their votes; the
report is the site's report.json (:func:`moothall.deliberation.report.as_json`).
Participants are never named.

The lead wires ``deliberation_router`` into ``consultations_router``.
"""

# No ``from __future__ import annotations`` here: ninja reads these signatures at
# import time.

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Router
from ninja.pagination import paginate

from moothall.api.deliberation_schemas import (
    ConversationDetailOut,
    ConversationOut,
    DeliberationReportOut,
)
from moothall.api.endpoints import _council_or_404
from moothall.api.pagination import LimitOffset
from moothall.api.schemas import ErrorOut, ValidationErrorOut
from moothall.councils.models import Council
from moothall.deliberation.models import Conversation, Statement, Status, Vote
from moothall.deliberation.report import as_json, report_for

deliberation_router = Router(tags=["Deliberations"])

PUBLIC_ONLY = (
    "Public data only, as the site shows it: a conversation being prepared (draft) never "
    "appears, nor any statement waiting for moderation or removed, and no participant is "
    "named."
)


def _described(text: str) -> str:
    return f"{text}\n\n{PUBLIC_ONLY}"


def public_conversations(council: Council) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(council=council)
        .exclude(status=Status.DRAFT)
        .select_related("council")
    )


def _conversation_or_404(council: Council, conversation_slug: str) -> Conversation:
    found = public_conversations(council).filter(slug=conversation_slug).first()
    if found is None:
        raise Http404(
            gettext("%(council)s has no conversation “%(slug)s”.")
            % {"council": council.short_name, "slug": conversation_slug}
        )
    return found


@deliberation_router.get(
    "/councils/{slug:slug}/deliberations",
    response={200: list[ConversationOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="deliberations",
    operation_id="list_council_deliberations",
    summary="A council's deliberations (Polis-style conversations), the newest first",
    description=_described(
        "Each conversation with its status (open or closed), how its opinion groups are "
        "found (mode), its dates, and links to its statements and report. imported=true "
        "for a conversation imported from a Polis open-data export."
    ),
)
@paginate(LimitOffset)
def list_council_deliberations(request: HttpRequest, slug: str) -> QuerySet[Conversation]:
    return public_conversations(_council_or_404(slug)).order_by("-created_at", "-pk")


@deliberation_router.get(
    "/councils/{slug:slug}/deliberations/{slug:conversation_slug}",
    response={200: ConversationDetailOut, 404: ErrorOut},
    url_name="deliberation",
    by_alias=True,
    operation_id="get_deliberation",
    summary="One conversation: its description and every shown statement with its votes",
    description=_described(
        "Statements by number, each with its agree, disagree and pass votes now, and "
        "whether the council wrote it to start the conversation (is_seed) or it is about "
        "the conversation itself (is_meta)."
    ),
)
def get_deliberation(request: HttpRequest, slug: str, conversation_slug: str) -> Any:
    conversation = _conversation_or_404(_council_or_404(slug), conversation_slug)
    statements = (
        Statement.objects.filter(conversation=conversation, state=Statement.State.ACCEPTED)
        .annotate(
            agree=Count("votes", filter=Q(votes__value=Vote.AGREE)),
            disagree=Count("votes", filter=Q(votes__value=Vote.DISAGREE)),
            passed=Count("votes", filter=Q(votes__value=Vote.PASS)),
        )
        .order_by("number")
    )
    conversation.public_participants = (  # type: ignore[attr-defined]
        Vote.objects.filter(conversation=conversation).values("participant_id").distinct().count()
    )
    shown: list[dict[str, Any]] = [
        {
            "number": s.number,
            "text": s.text,
            "is_seed": s.is_seed,
            "is_meta": s.is_meta,
            "agree": s.agree,
            "disagree": s.disagree,
            "pass": s.passed,
            "created_at": s.created_at,
        }
        for s in statements
    ]
    conversation.public_statements = shown  # type: ignore[attr-defined]
    # Votes on the shown statements, as the report counts them.
    conversation.public_votes = sum(s["agree"] + s["disagree"] + s["pass"] for s in shown)  # type: ignore[attr-defined]
    return conversation


@deliberation_router.get(
    "/councils/{slug:slug}/deliberations/{slug:conversation_slug}/report",
    response={200: DeliberationReportOut, 404: ErrorOut},
    url_name="deliberation_report",
    by_alias=True,
    operation_id="get_deliberation_report",
    summary="A conversation's report: opinion groups, common ground, map and participation",
    description=_described(
        "The stored analysis in the conversation's mode (analysis null until it has been "
        "worked out): each shown statement with its votes now, its votes per opinion group "
        "(by letter) and its agree share weighted to the population; the groups with their "
        "size, centre and representative statements (repness); the consensus statements; "
        "group-informed consensus; every participant's place on the map (by number only); "
        "and votes and new participants per day, week or month."
    ),
)
def get_deliberation_report(request: HttpRequest, slug: str, conversation_slug: str) -> Any:
    conversation = _conversation_or_404(_council_or_404(slug), conversation_slug)
    return as_json(report_for(conversation), conversation)
