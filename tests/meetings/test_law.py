"""The law on notice: clear working days, bank holidays per nation, default notice periods.

Every date below is a real calendar date; each test names the bank holidays it crosses
(as the `holidays` package lists them for England, Wales, Scotland and Northern Ireland).
"""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.meetings import law
from moothall.meetings.models import MeetingSettings
from tests import factories

D = dt.date
NATIONS = ["england", "wales", "scotland", "northern-ireland"]


# --- Bank holidays and working days -------------------------------------------------


@pytest.mark.parametrize(
    ("day", "nation", "expected"),
    [
        # Easter 2026: Good Friday 3 April everywhere, Easter Monday 6 April except Scotland.
        (D(2026, 4, 3), "england", True),
        (D(2026, 4, 3), "scotland", True),
        (D(2026, 4, 6), "england", True),
        (D(2026, 4, 6), "wales", True),
        (D(2026, 4, 6), "northern-ireland", True),
        (D(2026, 4, 6), "scotland", False),
        # New Year: 1 January everywhere; 2 January only in Scotland.
        (D(2026, 1, 1), "england", True),
        (D(2026, 1, 2), "scotland", True),
        (D(2026, 1, 2), "england", False),
        (D(2026, 1, 2), "wales", False),
        # St Patrick's Day (Tuesday 17 March 2026) only in Northern Ireland.
        (D(2026, 3, 17), "northern-ireland", True),
        (D(2026, 3, 17), "england", False),
        # Christmas 2026: Friday 25, Boxing Day Saturday 26, substitute Monday 28.
        (D(2026, 12, 25), "england", True),
        (D(2026, 12, 28), "england", True),
        (D(2026, 12, 28), "wales", True),
        # Summer bank holiday: first Monday of August in Scotland, last Monday elsewhere.
        (D(2026, 8, 3), "scotland", True),
        (D(2026, 8, 3), "england", False),
        (D(2026, 8, 31), "england", True),
        (D(2026, 8, 31), "scotland", False),
    ],
)
def test_bank_holidays_are_those_of_the_councils_nation(day, nation, expected):
    assert law.is_bank_holiday(day, nation) is expected


def test_weekends_and_bank_holidays_are_not_working_days():
    assert law.is_working_day(D(2026, 3, 13), "england")  # a Friday
    assert not law.is_working_day(D(2026, 3, 14), "england")  # Saturday
    assert not law.is_working_day(D(2026, 3, 15), "england")  # Sunday
    assert not law.is_working_day(D(2026, 4, 6), "england")  # Easter Monday
    assert law.is_working_day(D(2026, 4, 6), "scotland")  # Easter Monday is worked there


def test_an_unknown_nation_follows_the_english_calendar():
    assert law.is_bank_holiday(D(2026, 4, 6), "atlantis")
    assert not law.is_bank_holiday(D(2026, 1, 2), "atlantis")


# --- Counting clear working days ---------------------------------------------------------


def test_clear_days_exclude_publication_day_meeting_day_and_the_weekend():
    # Published Monday 11 March 2030, meeting Monday 18 March 2030: Tue 12 – Fri 15 are clear.
    assert law.clear_working_days_between(D(2030, 3, 11), D(2030, 3, 18), "england") == 4


def test_clear_days_over_easter_skip_good_friday_and_easter_monday_in_england():
    # Friday 27 March to Thursday 9 April 2026: 30, 31 March, 1, 2, 7, 8 April are clear;
    # Good Friday (3 April) and Easter Monday (6 April) are not.
    assert law.clear_working_days_between(D(2026, 3, 27), D(2026, 4, 9), "england") == 6
    assert law.clear_working_days_between(D(2026, 3, 27), D(2026, 4, 9), "wales") == 6
    # Scotland works on Easter Monday.
    assert law.clear_working_days_between(D(2026, 3, 27), D(2026, 4, 9), "scotland") == 7


def test_there_are_no_clear_days_between_adjacent_days_or_after_the_meeting():
    assert law.clear_working_days_between(D(2030, 3, 13), D(2030, 3, 14), "england") == 0
    assert law.clear_working_days_between(D(2030, 3, 14), D(2030, 3, 14), "england") == 0
    assert law.clear_working_days_between(D(2030, 3, 20), D(2030, 3, 14), "england") == 0


# --- The publication deadline -----------------------------------------------------------


def test_five_clear_days_before_an_ordinary_thursday_is_the_wednesday_of_the_week_before():
    # Thursday 14 March 2030, no bank holidays: clear days Thu 7, Fri 8, Mon 11, Tue 12, Wed 13.
    assert law.publication_deadline(D(2030, 3, 14), 5, "england") == D(2030, 3, 6)


def test_a_monday_meeting_can_be_published_as_late_as_the_sunday_eight_days_before():
    # Monday 2 February 2026; clear days Mon 26 – Fri 30 January. Publishing on the weekend
    # before (Saturday 24 or Sunday 25) still leaves five clear days.
    deadline = law.publication_deadline(D(2026, 2, 2), 5, "england")
    assert deadline == D(2026, 1, 25)
    assert deadline.weekday() == 6  # a Sunday
    assert law.clear_working_days_between(D(2026, 1, 24), D(2026, 2, 2), "england") == 5
    assert law.clear_working_days_between(D(2026, 1, 25), D(2026, 2, 2), "england") == 5
    assert law.clear_working_days_between(D(2026, 1, 26), D(2026, 2, 2), "england") == 4
    assert law.is_published_on_time(D(2026, 1, 25), D(2026, 2, 2), 5, "england")
    assert not law.is_published_on_time(D(2026, 1, 26), D(2026, 2, 2), 5, "england")


def test_three_clear_days_before_a_monday_meeting_start_on_the_previous_wednesday():
    # Monday 16 March 2026, parish council in England: clear Wed 11, Thu 12, Fri 13.
    assert law.publication_deadline(D(2026, 3, 16), 3, "england") == D(2026, 3, 10)


def test_easter_pushes_the_english_deadline_back_two_working_days():
    # Thursday 9 April 2026, 5 clear days: Wed 8, Tue 7, (Easter Monday 6), (Good Friday 3),
    # Thu 2, Wed 1 April, Tue 31 March. Without Easter the deadline would be Wed 1 April.
    assert law.publication_deadline(D(2026, 4, 9), 5, "england") == D(2026, 3, 30)


def test_scotland_works_on_easter_monday_so_its_deadline_is_a_day_later():
    # Same meeting in Scotland: only Good Friday (3 April) is a holiday.
    assert law.publication_deadline(D(2026, 4, 9), 5, "scotland") == D(2026, 3, 31)


def test_a_welsh_council_gives_three_clear_days_over_easter():
    # Tuesday 7 April 2026 in Wales: Easter Monday 6 and Good Friday 3 April are holidays,
    # so the clear days are Thu 2, Wed 1 April and Tue 31 March.
    assert law.publication_deadline(D(2026, 4, 7), 3, "wales") == D(2026, 3, 30)


def test_christmas_boxing_day_substitute_and_new_year_are_skipped_in_england():
    # Tuesday 5 January 2027: Fri 1 Jan (New Year), Mon 28 Dec (Boxing Day substitute,
    # Boxing Day 2026 being a Saturday) and Fri 25 Dec (Christmas) are holidays. Clear days:
    # Mon 4 Jan, Thu 31, Wed 30, Tue 29, Thu 24 Dec.
    assert law.publication_deadline(D(2027, 1, 5), 5, "england") == D(2026, 12, 23)


def test_scotland_also_skips_its_second_of_january_holiday_at_christmas():
    # Same meeting in Scotland: 2 January 2027 is a Saturday, so its holiday moves to
    # Monday 4 January. Clear days: Thu 31, Wed 30, Tue 29, Thu 24, Wed 23 December.
    assert law.publication_deadline(D(2027, 1, 5), 5, "scotland") == D(2026, 12, 22)


def test_scotlands_second_of_january_on_a_friday_moves_the_deadline_into_the_old_year():
    # Wednesday 7 January 2026, 3 clear days. England: Tue 6, Mon 5, Fri 2 are clear, so
    # the deadline is New Year's Day itself (publishing on a holiday is allowed).
    assert law.publication_deadline(D(2026, 1, 7), 3, "england") == D(2026, 1, 1)
    # Scotland: Fri 2 January (New Year Holiday) and Thu 1 are holidays: Tue 6, Mon 5 and
    # Wed 31 December are clear.
    assert law.publication_deadline(D(2026, 1, 7), 3, "scotland") == D(2025, 12, 30)


def test_christmas_day_and_boxing_day_substitutes_on_monday_and_tuesday_are_skipped():
    # Christmas 2027 falls on a Saturday: substitutes Mon 27 and Tue 28 December.
    # Thursday 30 December 2027, parish council (3 days): clear Wed 29, Fri 24, Thu 23.
    assert law.publication_deadline(D(2027, 12, 30), 3, "england") == D(2027, 12, 22)


def test_st_patricks_day_counts_only_in_northern_ireland():
    # Thursday 19 March 2026, 3 clear days; St Patrick's Day is Tuesday 17 March.
    assert law.publication_deadline(D(2026, 3, 19), 3, "northern-ireland") == D(2026, 3, 12)
    assert law.publication_deadline(D(2026, 3, 19), 3, "england") == D(2026, 3, 15)


def test_a_negative_notice_period_is_refused():
    with pytest.raises(ValueError, match="clear_days"):
        law.publication_deadline(D(2030, 3, 14), -1, "england")


def test_with_no_notice_required_the_deadline_is_the_meeting_day():
    assert law.publication_deadline(D(2030, 3, 14), 0, "england") == D(2030, 3, 14)


@settings(max_examples=300, deadline=None, database=None)
@given(
    meeting=st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)),
    clear_days=st.integers(min_value=0, max_value=10),
    nation=st.sampled_from(NATIONS),
)
def test_publishing_on_the_deadline_gives_exactly_the_clear_days_and_a_day_later_fewer(
    meeting, clear_days, nation
):
    deadline = law.publication_deadline(meeting, clear_days, nation)
    day_after = deadline + dt.timedelta(days=1)
    assert law.clear_working_days_between(deadline, meeting, nation) == clear_days
    assert law.is_published_on_time(deadline, meeting, clear_days, nation)
    assert not law.is_published_on_time(day_after, meeting, clear_days, nation)
    if clear_days:
        assert law.clear_working_days_between(day_after, meeting, nation) < clear_days
    else:
        # Nothing is fewer than no days: with no notice the deadline is the meeting day.
        assert deadline == meeting


# --- Working days either side (public submissions, call-in) ------------------------------


def test_the_call_in_period_runs_over_easter_in_working_days():
    # Published Thursday 2 April 2026, 5 working days: Good Friday and Easter Monday are
    # skipped, so Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April.
    assert law.working_days_after(D(2026, 4, 2), 5, "england") == D(2026, 4, 13)
    # In Scotland Easter Monday is worked: Mon 6 – Fri 10.
    assert law.working_days_after(D(2026, 4, 2), 5, "scotland") == D(2026, 4, 10)


def test_the_submission_deadline_counts_back_working_days_over_the_weekend():
    # Tuesday 17 March 2026, 3 working days before: Mon 16, Fri 13, Thu 12.
    assert law.working_days_before(D(2026, 3, 17), 3, "england") == D(2026, 3, 12)
    # Thursday 19 March 2026 in Northern Ireland skips St Patrick's Day (Tue 17): Wed 18,
    # Mon 16, Fri 13.
    assert law.working_days_before(D(2026, 3, 19), 3, "northern-ireland") == D(2026, 3, 13)


def test_zero_working_days_either_side_is_the_day_itself():
    assert law.working_days_after(D(2026, 4, 3), 0, "england") == D(2026, 4, 3)
    assert law.working_days_before(D(2026, 4, 3), 0, "england") == D(2026, 4, 3)


# --- The forward plan --------------------------------------------------------------------


def test_a_forward_plan_entry_needs_28_clear_calendar_days():
    # Decision Tuesday 30 June 2026: published by Monday 1 June leaves 2–29 June clear.
    deadline = law.forward_plan_deadline(D(2026, 6, 30))
    assert deadline == D(2026, 6, 1)
    assert (D(2026, 6, 30) - deadline).days - 1 == 28


def test_the_forward_plan_counts_calendar_days_even_over_easter():
    # Decision Wednesday 29 April 2026; Good Friday and Easter Monday still count as days.
    assert law.forward_plan_deadline(D(2026, 4, 29)) == D(2026, 3, 31)


# --- Default notice per tier and nation ----------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "nation", "days"),
    [
        ("district", "england", 5),
        ("county", "england", 5),
        ("unitary", "england", 5),
        ("combined", "england", 5),
        ("parish", "england", 3),
        ("unitary", "wales", 3),
        ("county", "wales", 3),
        ("parish", "wales", 3),
        ("unitary", "scotland", 3),
        ("district", "northern-ireland", 3),
    ],
)
def test_the_default_notice_follows_tier_and_nation(tier, nation, days):
    assert law.default_notice_clear_days(tier, nation) == days


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tier", "nation", "days"),
    [("district", "england", 5), ("unitary", "wales", 3), ("parish", "england", 3)],
)
def test_a_council_without_settings_gets_the_laws_default_notice(tier, nation, days):
    council = factories.CouncilFactory(tier=tier, nation=nation)
    found = MeetingSettings.for_council(council)
    assert found.pk is None
    assert found.notice_clear_days == days
    assert found.call_in_days == 5
    assert found.public_submission_days == 3


@pytest.mark.django_db
def test_a_councils_saved_settings_override_the_default():
    council = factories.CouncilFactory(tier="district", nation="england")
    MeetingSettings.objects.create(council=council, notice_clear_days=7, call_in_days=3)
    found = MeetingSettings.for_council(council)
    assert (found.notice_clear_days, found.call_in_days) == (7, 3)
