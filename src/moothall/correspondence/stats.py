"""Each councillor's public response rate, as WriteToThem publishes MPs' and councillors'.

The share of messages received in the last 12 months that the councillor answered
within 10 working days (weekends and the bank holidays of the council's nation not
counted; the day the message came is day 0, so a reply on the 10th working day after
it is in time). A message still inside its 10 working days without an answer is not
counted yet: it may still be answered in time. The rate is published only once at
least 10 messages count, so one unanswered message cannot define anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone

from moothall.correspondence.models import Message
from moothall.councils.models import Councillor
from moothall.meetings.law import working_days_after

ANSWER_WITHIN_WORKING_DAYS = 10
MINIMUM_MESSAGES = 10


@dataclass(frozen=True)
class ResponseRate:
    counted: int  # messages whose outcome is known (answered in time, or their time is up)
    answered: int  # of those, answered within the working days
    pending: int  # still within their working days, unanswered: not counted yet

    @property
    def shown(self) -> bool:
        return self.counted >= MINIMUM_MESSAGES

    @property
    def percent(self) -> int | None:
        """The share in whole percent, halves rounded up (None when nothing counts)."""
        if not self.counted:
            return None
        return (200 * self.answered + self.counted) // (2 * self.counted)


def period_start(today: dt.date) -> dt.date:
    """The first day of the 12 months up to ``today``: the day after the same date last year."""
    try:
        a_year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        a_year_ago = today.replace(year=today.year - 1, day=28)
    return a_year_ago + dt.timedelta(days=1)


@lru_cache(maxsize=4096)
def answer_deadline(received: dt.date, nation: str) -> dt.date:
    """The last day a reply counts as in time for a message received on ``received``."""
    return working_days_after(received, ANSWER_WITHIN_WORKING_DAYS, nation)


def _rate(
    rows: Iterable[tuple[dt.datetime, dt.datetime | None]], nation: str, today: dt.date
) -> ResponseRate:
    counted = answered = pending = 0
    for created_at, first_reply_at in rows:
        deadline = answer_deadline(timezone.localdate(created_at), nation)
        if first_reply_at is not None and timezone.localdate(first_reply_at) <= deadline:
            counted += 1
            answered += 1
        elif today > deadline:
            counted += 1
        else:
            pending += 1
    return ResponseRate(counted=counted, answered=answered, pending=pending)


def _since(today: dt.date) -> dt.datetime:
    start = period_start(today)
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min))


def response_rate(councillor: Councillor, *, today: dt.date | None = None) -> ResponseRate:
    """``councillor``'s response rate on ``today`` (default: today). One query."""
    return response_rates([councillor], today=today)[councillor.pk]


def response_rates(
    councillors: Iterable[Councillor], *, today: dt.date | None = None
) -> dict[int, ResponseRate]:
    """Response rates of several councillors (each judged by their own council's nation),
    keyed by councillor id. One query, whatever the number of councillors."""
    members = {c.pk: c for c in councillors}
    today = today or timezone.localdate()
    rows: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = {pk: [] for pk in members}
    if members:
        found = (
            Message.objects.filter(
                councillor_id__in=list(members),
                created_at__gte=_since(today),
                created_at__lt=timezone.make_aware(
                    dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min)
                ),
            )
            .order_by()
            .values_list(
                "councillor_id", "councillor__council__nation", "created_at", "first_reply_at"
            )
        )
        nations: dict[int, str] = {}
        for councillor_id, nation, created_at, first_reply_at in found:
            nations[councillor_id] = nation
            rows[councillor_id].append((created_at, first_reply_at))
    else:
        nations = {}
    return {pk: _rate(rows[pk], nations.get(pk, "england"), today) for pk in members}
