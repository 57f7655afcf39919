"""The law on notice, as plain functions of dates (no Django models, no database).

Local Government Act 1972 s.100B (England) and its Welsh counterpart require an
agenda and its reports to be open to inspection a number of *clear working days*
before a meeting: 5 for principal councils in England, 3 in Wales and for parish,
town and community councils. Clear days exclude the day the agenda is published,
the day of the meeting, Saturdays, Sundays and the bank holidays of the council's
nation. Key decisions need a forward-plan entry 28 clear days ahead (calendar days,
again excluding both end days).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

# The `holidays` package names the four UK nations as subdivisions of GB.
_SUBDIVISION = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}

FORWARD_PLAN_CLEAR_DAYS = 28


@lru_cache(maxsize=256)
def _bank_holidays(nation: str, year: int) -> frozenset[dt.date]:
    subdivision = _SUBDIVISION.get(nation, "ENG")
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year).keys())


def is_bank_holiday(day: dt.date, nation: str) -> bool:
    return day in _bank_holidays(nation, day.year)


def is_working_day(day: dt.date, nation: str) -> bool:
    """Monday to Friday and not a bank holiday in ``nation`` (``Council.Nation`` value)."""
    return day.weekday() < 5 and not is_bank_holiday(day, nation)


def clear_working_days_between(published: dt.date, meeting: dt.date, nation: str) -> int:
    """How many clear working days lie strictly between publication and the meeting."""
    count = 0
    day = published + dt.timedelta(days=1)
    while day < meeting:
        if is_working_day(day, nation):
            count += 1
        day += dt.timedelta(days=1)
    return count


def publication_deadline(meeting: dt.date, clear_days: int, nation: str) -> dt.date:
    """The last date an agenda may be published with ``clear_days`` clear working days.

    Count back working days from the day before the meeting; the day before the
    ``clear_days``-th of them is the deadline (publication day itself is not clear,
    so the deadline may be any day, working or not, but publishing on it is on time).
    """
    if clear_days < 0:
        raise ValueError("clear_days must not be negative")
    if clear_days == 0:
        return meeting  # no notice needed: even the meeting day itself will do
    day = meeting
    found = 0
    while found < clear_days:
        day -= dt.timedelta(days=1)
        if is_working_day(day, nation):
            found += 1
    return day - dt.timedelta(days=1)


def is_published_on_time(
    published: dt.date, meeting: dt.date, clear_days: int, nation: str
) -> bool:
    return published <= publication_deadline(meeting, clear_days, nation)


def working_days_before(day: dt.date, working_days: int, nation: str) -> dt.date:
    """The date ``working_days`` working days before ``day`` (``day`` itself excluded)."""
    found = 0
    while found < working_days:
        day -= dt.timedelta(days=1)
        if is_working_day(day, nation):
            found += 1
    return day


def working_days_after(day: dt.date, working_days: int, nation: str) -> dt.date:
    """The date ``working_days`` working days after ``day`` (``day`` itself excluded)."""
    found = 0
    while found < working_days:
        day += dt.timedelta(days=1)
        if is_working_day(day, nation):
            found += 1
    return day


def forward_plan_deadline(decision: dt.date) -> dt.date:
    """The last date a key decision's forward-plan entry may be published: 28 clear days."""
    return decision - dt.timedelta(days=FORWARD_PLAN_CLEAR_DAYS + 1)


def default_notice_clear_days(tier: str, nation: str) -> int:
    """5 clear days for principal councils in England (LGA 1972 s.100B as amended);
    3 for parish and town councils, in Wales, and in Scotland (LG (Scotland) Act 1973
    s.50B) and Northern Ireland (LGA (NI) 2014 s.46)."""
    if tier != "parish" and nation == "england":
        return 5
    return 3
