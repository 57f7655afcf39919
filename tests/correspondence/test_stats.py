"""The public response rate: answered within 10 working days, last 12 months, from 10 messages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from moothall.correspondence.models import Message
from moothall.correspondence.stats import (
    ResponseRate,
    answer_deadline,
    period_start,
    response_rate,
    response_rates,
)
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2025, 12, 1)  # a Monday


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def sender(db):
    return factories.UserFactory(email="writer@example.org")


def received(councillor, sender, on: dt.date, replied: dt.date | None = None, hour: int = 12):
    """A message as it stands after the verbs: when it came and when it was first answered."""
    return Message.objects.create(
        council=councillor.council,
        councillor=councillor,
        sender=sender,
        sender_name="Writer",
        sender_postcode="MH1 1AA",
        subject="Subject",
        body=f"Text {on} {replied} {hour}",
        body_hash=f"{on}{replied}{hour}",
        created_at=at(on, hour),
        last_activity_at=at(on, hour),
        first_reply_at=at(replied, 23) if replied else None,
        status="answered" if replied else "sent",
    )


def test_the_tenth_working_day_after_a_message_is_the_last_day_in_time():
    # Monday 2 June 2025 → 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 June.
    assert answer_deadline(dt.date(2025, 6, 2), "england") == dt.date(2025, 6, 16)


def test_weekends_and_the_nations_bank_holidays_do_not_count():
    # Friday 23 May 2025; Monday 26 May is the spring bank holiday.
    assert answer_deadline(dt.date(2025, 5, 23), "england") == dt.date(2025, 6, 9)
    # New Year's Eve 2025: 2 January is a bank holiday in Scotland, not in England.
    assert answer_deadline(dt.date(2025, 12, 31), "england") == dt.date(2026, 1, 15)
    assert answer_deadline(dt.date(2025, 12, 31), "scotland") == dt.date(2026, 1, 16)


def test_a_reply_on_the_tenth_working_day_counts_and_on_the_eleventh_does_not(sender):
    councillor = factories.CouncillorFactory()
    received(councillor, sender, dt.date(2025, 6, 2), replied=dt.date(2025, 6, 16))
    received(councillor, sender, dt.date(2025, 6, 2), replied=dt.date(2025, 6, 17))
    received(councillor, sender, dt.date(2025, 5, 23), replied=dt.date(2025, 6, 9))
    # Sent late on a Sunday evening, answered the second Friday after: in time.
    received(councillor, sender, dt.date(2025, 6, 1), replied=dt.date(2025, 6, 13), hour=23)

    assert response_rate(councillor, today=TODAY) == ResponseRate(counted=4, answered=3, pending=0)


def test_the_same_day_counts_in_time_by_the_councils_nation(sender):
    scottish = factories.CouncillorFactory(council__nation="scotland")
    english = factories.CouncillorFactory(council__nation="england")
    for councillor in (scottish, english):
        received(councillor, sender, dt.date(2025, 12, 31), replied=dt.date(2026, 1, 16))

    rates = response_rates([scottish, english], today=dt.date(2026, 3, 1))

    assert rates[scottish.pk].answered == 1
    assert rates[english.pk].answered == 0


def test_nine_messages_are_not_enough_to_show_a_rate_and_ten_are(sender):
    councillor = factories.CouncillorFactory()
    days = [dt.date(2025, 3, 3) + dt.timedelta(weeks=n) for n in range(10)]
    for day in days[:9]:
        received(councillor, sender, day, replied=day + dt.timedelta(days=1))

    nine = response_rate(councillor, today=TODAY)
    assert (nine.counted, nine.shown) == (9, False)

    received(councillor, sender, days[9], replied=None)
    ten = response_rate(councillor, today=TODAY)
    assert (ten.counted, ten.answered, ten.shown, ten.percent) == (10, 9, True, 90)


def test_a_message_still_within_its_ten_working_days_is_not_counted_yet(sender):
    councillor = factories.CouncillorFactory()
    received(councillor, sender, TODAY - dt.timedelta(days=3))  # Friday 28 November
    received(councillor, sender, TODAY, replied=TODAY)  # answered at once: counts
    received(councillor, sender, dt.date(2025, 11, 14))  # 10th working day was 28 Nov

    assert response_rate(councillor, today=TODAY) == ResponseRate(counted=2, answered=1, pending=1)


def test_only_the_last_twelve_months_count(sender):
    councillor = factories.CouncillorFactory()
    assert period_start(TODAY) == dt.date(2024, 12, 2)
    received(councillor, sender, dt.date(2024, 12, 1), replied=dt.date(2024, 12, 2))
    received(councillor, sender, dt.date(2024, 12, 2), replied=dt.date(2024, 12, 3))

    assert response_rate(councillor, today=TODAY).counted == 1


def test_the_twelve_months_from_a_leap_day():
    assert period_start(dt.date(2028, 2, 29)) == dt.date(2027, 3, 1)


def test_messages_to_other_councillors_do_not_count(sender):
    councillor, other = factories.CouncillorFactory(), factories.CouncillorFactory()
    received(other, sender, dt.date(2025, 6, 2), replied=dt.date(2025, 6, 3))

    assert response_rate(councillor, today=TODAY) == ResponseRate(0, 0, 0)
    assert response_rate(councillor, today=TODAY).percent is None


@pytest.mark.parametrize(
    ("counted", "answered", "percent"),
    [(10, 10, 100), (10, 0, 0), (12, 7, 58), (40, 1, 3), (16, 9, 56), (3, 2, 67)],
)
def test_the_share_is_rounded_to_whole_percent_halves_up(counted, answered, percent):
    assert ResponseRate(counted=counted, answered=answered, pending=0).percent == percent


def test_several_councillors_rates_take_one_query(sender, django_assert_num_queries):
    members = [factories.CouncillorFactory() for _ in range(5)]
    for councillor in members:
        received(councillor, sender, dt.date(2025, 6, 2), replied=dt.date(2025, 6, 3))

    with django_assert_num_queries(1):
        rates = response_rates(members, today=TODAY)

    assert {rate.answered for rate in rates.values()} == {1}
