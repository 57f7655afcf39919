"""The role × step × phase matrix of surveys, written out by hand.

Every step in every phase for ten people at Mootshire. The tables are literal (not derived
from ``rules.OPEN_IN``): changing who may do what, or when, must change this file too.

The survey here asks for answers from anyone with a verified email address
(``answer_level`` 1) and publishes its results when it closes. Staff have verified emails
and no postcode: level 1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from moothall.accounts.residents import Eligibility
from moothall.surveys import domain
from moothall.surveys.models import Status
from moothall.surveys.rules import Phase, Step, allowed, phase_of, refusal
from tests import factories
from tests.surveys.test_domain import MOOT_POSTCODE, OUTSIDE_POSTCODE, setting

PEOPLE = (
    "anonymous",  # not signed in
    "unverified",  # signed in, email address not verified
    "email_only",  # email verified, postcode outside the council's area
    "in_area",  # email verified, postcode in the council's area
    "verified",  # a verified resident of the council (no postcode given)
    "moderator",
    "officer",
    "council_admin",
    "other_officer",  # an officer of another council
    "platform_admin",
)

T, F = True, False

# fmt: off
# Columns: anonymous, unverified, email_only, in_area, verified, moderator, officer,
#          council_admin, other_officer, platform_admin.
MATRIX = {
    Phase.DRAFT: {
        Step.VIEW:        (F, F, F, F, F, F, T, T, F, T),
        Step.ANSWER:      (F, F, F, F, F, F, F, F, F, F),
        Step.MANAGE:      (F, F, F, F, F, F, T, T, F, T),
        Step.ENTER_PAPER: (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS: (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.UPCOMING: {
        Step.VIEW:        (T, T, T, T, T, T, T, T, T, T),
        Step.ANSWER:      (F, F, F, F, F, F, F, F, F, F),
        Step.MANAGE:      (F, F, F, F, F, F, T, T, F, T),
        Step.ENTER_PAPER: (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS: (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.OPEN: {
        Step.VIEW:        (T, T, T, T, T, T, T, T, T, T),
        Step.ANSWER:      (F, F, T, T, T, T, T, T, T, T),
        Step.MANAGE:      (F, F, F, F, F, F, T, T, F, T),
        Step.ENTER_PAPER: (F, F, F, F, F, F, T, T, F, T),
        Step.SEE_RESULTS: (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.CLOSED: {
        Step.VIEW:        (T, T, T, T, T, T, T, T, T, T),
        Step.ANSWER:      (F, F, F, F, F, F, F, F, F, F),
        Step.MANAGE:      (F, F, F, F, F, F, T, T, F, T),
        Step.ENTER_PAPER: (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS: (T, T, T, T, T, T, T, T, T, T),
    },
}

# Who may answer an open survey at each level the council sets.
BY_LEVEL = {
    Eligibility.NONE:              (T, T, T, T, T, T, T, T, T, T),
    Eligibility.EMAIL_VERIFIED:    (F, F, T, T, T, T, T, T, T, T),
    Eligibility.POSTCODE_IN_AREA:  (F, F, F, T, T, F, F, F, F, F),
    Eligibility.VERIFIED_RESIDENT: (F, F, F, F, T, F, F, F, F, F),
}
# fmt: on

NOW = timezone.now()
DAY = dt.timedelta(days=1)


@pytest.fixture
def people(council, moderator, officer, council_admin, outsider, platform_admin):
    setting(council)
    survey = domain.create_survey(
        council, by=None, title="Parks", answer_level=Eligibility.EMAIL_VERIFIED
    )
    verified = factories.UserFactory(email="vera.verified@example.org", name="Vera Verified")
    factories.ResidentVerificationFactory(user=verified, council=council)
    found = {
        "anonymous": AnonymousUser(),
        "unverified": factories.UserFactory(
            email="una.unverified@example.org", verified_email=False, postcode=MOOT_POSTCODE
        ),
        "email_only": factories.UserFactory(
            email="olly.out@example.org", postcode=OUTSIDE_POSTCODE
        ),
        "in_area": factories.UserFactory(email="mo.moot@example.org", postcode=MOOT_POSTCODE),
        "verified": verified,
        "moderator": moderator,
        "officer": officer,
        "council_admin": council_admin,
        "other_officer": outsider,
        "platform_admin": platform_admin,
    }
    return survey, found


def put_in(survey, phase: Phase) -> None:
    """Give ``survey`` (in memory) a status and dates that make ``phase``."""
    survey.opens_at = survey.closes_at = None
    if phase == Phase.DRAFT:
        survey.status = Status.DRAFT
    elif phase == Phase.UPCOMING:
        survey.status, survey.opens_at = Status.OPEN, NOW + DAY
    elif phase == Phase.OPEN:
        survey.status, survey.opens_at, survey.closes_at = Status.OPEN, NOW - DAY, NOW + DAY
    else:
        survey.status = Status.CLOSED


def grid(survey, people, steps):
    return {step: tuple(allowed(people[name], survey, step) for name in PEOPLE) for step in steps}


def test_the_matrix_covers_every_step_in_every_phase():
    assert set(MATRIX) == set(Phase)
    for rows in MATRIX.values():
        assert set(rows) == set(Step)
        assert all(len(row) == len(PEOPLE) for row in rows.values())


@pytest.mark.parametrize("phase", list(Phase), ids=[p.value for p in Phase])
def test_who_may_take_each_step_in_each_phase(people, phase):
    survey, found = people
    put_in(survey, phase)

    assert phase_of(survey) == phase
    assert grid(survey, found, list(Step)) == MATRIX[phase]


@pytest.mark.parametrize("level", list(BY_LEVEL), ids=[level.name for level in BY_LEVEL])
def test_who_may_answer_at_each_level_the_council_sets(people, level):
    survey, found = people
    put_in(survey, Phase.OPEN)
    survey.answer_level = level

    assert grid(survey, found, [Step.ANSWER]) == {Step.ANSWER: BY_LEVEL[level]}


def test_a_survey_whose_closing_date_has_passed_is_closed_without_being_closed(people):
    survey, found = people
    survey.status = Status.OPEN
    survey.closes_at = NOW - dt.timedelta(seconds=1)

    assert phase_of(survey) == Phase.CLOSED
    assert refusal(found["in_area"], survey, Step.ANSWER) == "This survey has closed."
    assert allowed(found["anonymous"], survey, Step.SEE_RESULTS)


def test_a_survey_opens_at_its_opening_date(people):
    survey, found = people
    survey.status = Status.OPEN
    survey.opens_at = NOW + dt.timedelta(hours=1)

    assert phase_of(survey) == Phase.UPCOMING
    assert refusal(found["in_area"], survey, Step.ANSWER).startswith("This survey opens on ")
    assert phase_of(survey, NOW + dt.timedelta(hours=2)) == Phase.OPEN


def test_unpublished_results_are_for_staff_only(people):
    survey, found = people
    put_in(survey, Phase.CLOSED)
    survey.results_public = False

    assert grid(survey, found, [Step.SEE_RESULTS]) == {
        Step.SEE_RESULTS: (F, F, F, F, F, F, T, T, F, T)
    }
    assert refusal(found["in_area"], survey, Step.SEE_RESULTS) == (
        "The council has not published the results of this survey."
    )


@pytest.mark.parametrize(
    ("level", "words"),
    [
        (Eligibility.EMAIL_VERIFIED, "Sign in with a verified email address"),
        (Eligibility.POSTCODE_IN_AREA, "Only people whose postcode is in the council’s area"),
        (Eligibility.VERIFIED_RESIDENT, "Only verified residents"),
    ],
)
def test_a_refusal_to_answer_says_what_to_do(people, level, words):
    survey, found = people
    put_in(survey, Phase.OPEN)
    survey.answer_level = level

    assert refusal(found["anonymous"], survey, Step.ANSWER).startswith(words)


def test_staff_without_two_factor_authentication_may_not_manage(council, people):
    survey, _found = people
    officer = factories.UserFactory(email="no.mfa@example.org")
    factories.RoleFactory(user=officer, council=council, kind="officer")

    assert refusal(officer, survey, Step.MANAGE) == "Only council staff can do this."


def test_a_deactivated_officer_may_do_nothing_staff_do(people):
    survey, found = people
    put_in(survey, Phase.OPEN)
    officer = found["officer"]
    officer.is_active = False

    assert not allowed(officer, survey, Step.MANAGE)
    assert not allowed(officer, survey, Step.ENTER_PAPER)
