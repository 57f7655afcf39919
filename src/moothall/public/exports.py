"""Open data downloads of a council's business as CSV: decisions, and recorded votes by
councillor. Public content only (the same querysets as the pages); streamed, so the size
of the archive does not matter."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from moothall.meetings.models import Decision, Vote, VoteRecord
from moothall.public.meeting_views import _council

BATCH = 2000


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_response(name: str, header: list[str], rows: Iterator[list[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(["" if value is None else _safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _safe_cell(value: Any) -> Any:
    """Text starting = + - @ is read as a formula by spreadsheets: prefix it with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_safe
def decisions_csv(request: HttpRequest, council: str) -> StreamingHttpResponse:
    """Every public decision of the council, newest first."""
    found = _council(council)
    queryset = (
        Decision.objects.public()
        .filter(council=found)
        .select_related("meeting__body")
        .order_by("-decided_on", "-id")
    )
    statuses = dict(Decision.Status.choices)

    def rows() -> Iterator[list[Any]]:
        for decision in queryset.iterator(chunk_size=BATCH):
            meeting = decision.meeting
            yield [
                decision.pk,
                decision.decided_on.isoformat(),
                decision.title,
                decision.decision_maker,
                meeting.body.name if meeting else "",
                meeting.pk if meeting else "",
                "yes" if decision.is_key_decision else "no",
                "yes" if decision.lacks_notice else "no",
                decision.key_decision_exception,
                decision.call_in_deadline.isoformat() if decision.call_in_deadline else "",
                decision.status,
                str(statuses.get(decision.status, decision.status)),
                settings.SITE_URL + f"/{found.slug}/decisions/{decision.pk}/",
            ]

    return _csv_response(
        f"{found.slug}-decisions-{timezone.localdate():%Y-%m-%d}.csv",
        [
            "id",
            "decided_on",
            "title",
            "decision_maker",
            "body",
            "meeting_id",
            "key_decision",
            "lacks_notice",
            "key_decision_exception",
            "call_in_deadline",
            "status",
            "status_label",
            "url",
        ],
        rows(),
    )


@require_safe
def votes_csv(request: HttpRequest, council: str) -> StreamingHttpResponse:
    """Every councillor's position in every public recorded vote of the council."""
    found = _council(council)
    votes = Vote.objects.public().filter(meeting__council=found)
    queryset = (
        VoteRecord.objects.filter(vote__in=votes)
        .select_related(
            "vote__meeting__body", "vote__agenda_item", "councillor__person", "councillor__party"
        )
        .order_by("-vote__meeting__start", "vote_id", "councillor__person__name", "id")
    )

    def rows() -> Iterator[list[Any]]:
        for record in queryset.iterator(chunk_size=BATCH):
            vote = record.vote
            meeting = vote.meeting
            party = record.councillor.party
            yield [
                vote.pk,
                meeting.pk,
                timezone.localtime(meeting.start).date().isoformat(),
                meeting.body.name,
                vote.agenda_item.number if vote.agenda_item else "",
                vote.motion,
                vote.outcome,
                vote.votes_for,
                vote.votes_against,
                vote.abstentions,
                record.councillor_id,
                record.councillor.person.name,
                party.name if party else "",
                record.position,
            ]

    return _csv_response(
        f"{found.slug}-votes-{timezone.localdate():%Y-%m-%d}.csv",
        [
            "vote_id",
            "meeting_id",
            "meeting_date",
            "body",
            "agenda_item",
            "motion",
            "outcome",
            "votes_for",
            "votes_against",
            "abstentions",
            "councillor_id",
            "councillor",
            "party",
            "position",
        ],
        rows(),
    )
