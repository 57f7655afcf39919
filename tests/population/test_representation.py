"""Who took part against the population: the figures, worked out by hand on a small area,
and suppression of every group of fewer than 10 people."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.population.bands import Profile
from moothall.population.representation import (
    GroupRow,
    Participation,
    participation,
    profiles_from,
    suppress,
)
from tests.population.html import column_headers, tables
from tests.population.scene import build_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(council):
    return build_area(council)


def example(area) -> list[Profile]:
    """50 people: 20 young women in Abbey; in Brook 10 young men, 10 older women and 10
    who said nothing about themselves but their ward."""
    a, b = area.abbey.pk, area.brook.pk
    return (
        [Profile(a, "16_24", "female")] * 20
        + [Profile(b, "16_24", "male")] * 10
        + [Profile(b, "65_74", "female")] * 10
        + [Profile(b, None, None)] * 10
    )


def row(rows: list[GroupRow], key: str) -> GroupRow:
    return next(r for r in rows if r.key == key)


def test_participation_by_ward_age_and_sex_worked_out_by_hand(area):
    found = participation(area.council, example(area))

    assert (found.participants, found.population, found.per_thousand) == (50, 16000, 3.125)
    assert [(w.name, w.participants, w.population, w.per_thousand) for w in found.wards] == [
        ("Abbey", 20, 4000, 5.0),
        ("Brook", 30, 12000, 2.5),
    ]
    assert found.unknown_ward == 0
    # Ages: 40 answered, 30 of them 16-24; the population is half 16-24, half 65-74.
    young, old = row(found.age_bands, "16_24"), row(found.age_bands, "65_74")
    assert (young.participants, young.share_of_participants, young.share_of_population) == (
        30,
        0.75,
        0.5,
    )
    assert (old.participants, old.share_of_participants, old.share_of_population) == (
        10,
        0.25,
        0.5,
    )
    assert row(found.age_bands, "35_44").participants == 0
    assert row(found.age_bands, "35_44").share_of_population == 0.0
    assert found.unknown_age == 10
    female, male = row(found.sexes, "female"), row(found.sexes, "male")
    assert (female.participants, female.share_of_participants, female.share_of_population) == (
        30,
        0.75,
        0.5,
    )
    assert (male.participants, male.share_of_participants) == (10, 0.25)
    assert found.unknown_sex == 10
    assert (found.asked_age, found.asked_sex, found.any_suppressed) == (True, True, False)


def test_small_groups_are_suppressed_with_one_more_to_cover_them(area):
    a, b = area.abbey.pk, area.brook.pk
    profiles = [Profile(a, "16_24", "female")] * 25 + [Profile(b, "16_24", "female")] * 12
    profiles += [Profile(None, "65_74", "female")] * 3  # 40 people

    found = participation(area.council, profiles)

    # 3 of unknown ward would be 40 - 25 - 12: Brook's 12 is hidden too.
    assert [(w.name, w.participants, w.per_thousand) for w in found.wards] == [
        ("Abbey", 25, 6.25),
        ("Brook", None, None),
    ]
    assert found.unknown_ward is None
    assert found.participants == 40
    # Three 65-74s are suppressed, and so the 37 of 16-24 with them (no age unknown here:
    # 0 is shown, so 37 would give the 3 away).
    assert row(found.age_bands, "65_74").participants is None
    assert row(found.age_bands, "16_24").participants is None
    assert row(found.sexes, "female").participants == 40
    assert found.any_suppressed


def test_fewer_than_ten_people_show_nothing_at_all(area):
    profiles = [Profile(area.abbey.pk, "16_24", "female")] * 9

    found = participation(area.council, profiles)

    assert found.participants is None
    assert found.per_thousand is None
    assert [w.participants for w in found.wards] == [None, 0]
    assert row(found.age_bands, "16_24").participants is None
    assert row(found.sexes, "female").participants is None


def test_shares_are_of_everyone_when_the_number_who_did_not_answer_is_hidden(area):
    a = area.abbey.pk
    profiles = [Profile(a, "16_24", "female")] * 30 + [Profile(a, "65_74", "male")] * 15
    profiles += [Profile(a, None, None)] * 5  # 50 people, 5 did not say

    found = participation(area.council, profiles)

    # 30 / 45 would give away that 5 did not answer; 30 / 50 does not.
    assert found.unknown_age is None
    assert row(found.age_bands, "16_24").participants == 30
    assert row(found.age_bands, "16_24").share_of_participants == 0.6


def test_without_population_figures_only_participants_are_shown(council):
    area = build_area(council, figures=False)
    found = participation(council, [Profile(area.abbey.pk, None, None)] * 12)

    assert (found.participants, found.population, found.per_thousand) == (12, None, None)
    assert [(w.name, w.participants, w.population) for w in found.wards] == [("Abbey", 12, None)]
    assert not found.asked_age
    assert not found.asked_sex


def test_profiles_from_rows_treat_prefer_not_to_say_as_unknown():
    assert profiles_from([(1, "prefer_not_to_say", "male"), (None, "16_24", "")]) == [
        Profile(1, None, "male"),
        Profile(None, "16_24", None),
    ]


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([20, 27, 3], [None, 27, None]),
        ([0, 15, 12], [0, 15, 12]),
        ([5, 5, 30], [None, None, 30]),
        ([3, 0, 30], [None, 0, None]),
        ([3, 0, 4], [None, 0, None]),
        ([9], [None]),
        ([0, 0], [0, 0]),
        ([4, 11, 11, 11], [None, None, 11, 11]),
    ],
)
def test_suppress_hides_small_counts_and_enough_others_to_cover_them(counts, shown):
    assert suppress(counts) == shown


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8))
def test_no_suppressed_count_can_be_worked_out_from_the_others(counts):
    shown = suppress(counts)
    hidden = [c for c, s in zip(counts, shown, strict=True) if s is None]
    assert all(s is None or s == 0 or s >= 10 for s in shown)
    # (When the whole table holds fewer than 10, its total is not shown either.)
    assert sum(hidden) == 0 or sum(hidden) >= 10 or sum(counts) < 10
    assert [s for s in shown if s is not None] == [
        c for c, s in zip(counts, shown, strict=True) if s is not None
    ]


def shown_counts(found: Participation) -> list[int]:
    counts = [found.participants, found.unknown_ward, found.unknown_age, found.unknown_sex]
    counts += [w.participants for w in found.wards]
    counts += [r.participants for r in found.age_bands + found.sexes]
    return [c for c in counts if c is not None]


PROFILE = st.tuples(
    st.sampled_from([0, 1, None]),
    st.sampled_from([None, "16_24", "25_34", "65_74", "75_plus"]),
    st.sampled_from([None, "female", "male"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(PROFILE, max_size=80))
def test_no_count_of_one_to_nine_people_is_ever_shown(area, rows):
    wards = [area.abbey.pk, area.brook.pk]
    profiles = [Profile(None if w is None else wards[w], a, s) for w, a, s in rows]

    found = participation(area.council, profiles)
    html = render_to_string("population/_representation.html", {"participation": found})

    assert all(c == 0 or c >= 10 for c in shown_counts(found))
    for caption, body in tables(html).items():
        for cells in body:
            count = cells[1]
            assert count == "fewer than 10" or count.replace(",", "").isdigit(), caption
            assert count == "fewer than 10" or int(count.replace(",", "")) not in range(1, 10)
    # Each table's hidden rows together hold 0 or at least 10 people.
    for table in (
        [w.participants for w in found.wards] + [found.unknown_ward],
        [r.participants for r in found.age_bands] + [found.unknown_age],
    ):
        if found.participants is not None:
            assert found.participants - sum(c for c in table if c is not None) in (
                0,
                *range(10, 999),
            )


def test_the_partial_is_accessible_tables_with_fewer_than_ten_shown_in_words(area):
    a, b = area.abbey.pk, area.brook.pk
    profiles = [Profile(a, "16_24", "female")] * 25 + [Profile(b, "65_74", "male")] * 4
    profiles += [Profile(b, None, "female")] * 8

    html = render_to_string(
        "population/_representation.html", {"participation": participation(area.council, profiles)}
    )

    found = tables(html)
    assert list(found) == ["Participants by ward", "Participants by age", "Participants by sex"]
    assert found["Participants by ward"] == [
        ["Abbey", "25", "4,000", "6.3"],
        ["Brook", "12", "12,000", "1.0"],
        ["Ward not known or outside the council’s wards", "0", "", ""],
        ["All wards", "37", "16,000", "2.3"],
    ]
    assert found["Participants by age"][1] == ["16 to 24", "25", "67.6%", "50.0%"]
    assert found["Participants by age"][6] == ["65 to 74", "fewer than 10", "not shown", "50.0%"]
    assert found["Participants by age"][-1] == [
        "Not known or prefer not to say",
        "fewer than 10",
        "",
        "",
    ]
    assert column_headers(html)[0] == [
        "Ward",
        "Participants",
        "Residents",
        "Participants per 1,000 residents",
    ]
    assert html.count("<caption") == html.count("<table") == 3
    assert 'scope="row"' in html
    assert "<td></td>" not in html
    assert "To protect people’s privacy" in html
