"""The role × phase matrix of participatory budgeting, written out by hand.

Every step in every phase for ten people at Mootshire. The tables are deliberately
literal (not derived from ``rules.OPEN_IN``): changing who may do what, or when, must
change this file too. A table per phase is checked in one test, so a failure shows the
whole grid that differs.

With the default levels a process takes ideas from anyone with a verified email address
(``propose_level`` 1) and votes from people whose postcode is in the council's area
(``vote_level`` 2). Staff have verified emails and no postcode: level 1.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from moothall.accounts.residents import Eligibility
from moothall.budgeting.models import Phase
from moothall.budgeting.rules import Step, allowed, refusal
from tests import factories
from tests.budgeting.scene import build_scene

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
        Step.VIEW:            (F, F, F, F, F, F, T, T, F, T),
        Step.PROPOSE:         (F, F, F, F, F, F, F, F, F, F),
        Step.REVIEW:          (F, F, F, F, F, F, T, T, F, T),
        Step.EDIT:            (F, F, F, F, F, F, T, T, F, T),
        Step.VOTE:            (F, F, F, F, F, F, F, F, F, F),
        Step.ENTER_PAPER:     (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS:     (F, F, F, F, F, F, F, F, F, F),
        Step.REPORT_DELIVERY: (F, F, F, F, F, F, F, F, F, F),
        Step.CHANGE_PHASE:    (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.IDEAS: {
        Step.VIEW:            (T, T, T, T, T, T, T, T, T, T),
        Step.PROPOSE:         (F, F, T, T, T, T, T, T, T, T),
        Step.REVIEW:          (F, F, F, F, F, F, T, T, F, T),
        Step.EDIT:            (F, F, F, F, F, F, T, T, F, T),
        Step.VOTE:            (F, F, F, F, F, F, F, F, F, F),
        Step.ENTER_PAPER:     (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS:     (F, F, F, F, F, F, F, F, F, F),
        Step.REPORT_DELIVERY: (F, F, F, F, F, F, F, F, F, F),
        Step.CHANGE_PHASE:    (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.REVIEW: {
        Step.VIEW:            (T, T, T, T, T, T, T, T, T, T),
        Step.PROPOSE:         (F, F, F, F, F, F, F, F, F, F),
        Step.REVIEW:          (F, F, F, F, F, F, T, T, F, T),
        Step.EDIT:            (F, F, F, F, F, F, T, T, F, T),
        Step.VOTE:            (F, F, F, F, F, F, F, F, F, F),
        Step.ENTER_PAPER:     (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS:     (F, F, F, F, F, F, F, F, F, F),
        Step.REPORT_DELIVERY: (F, F, F, F, F, F, F, F, F, F),
        Step.CHANGE_PHASE:    (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.VOTING: {
        Step.VIEW:            (T, T, T, T, T, T, T, T, T, T),
        Step.PROPOSE:         (F, F, F, F, F, F, F, F, F, F),
        Step.REVIEW:          (F, F, F, F, F, F, F, F, F, F),
        Step.EDIT:            (F, F, F, F, F, F, F, F, F, F),
        Step.VOTE:            (F, F, F, T, T, F, F, F, F, F),
        Step.ENTER_PAPER:     (F, F, F, F, F, F, T, T, F, T),
        Step.SEE_RESULTS:     (F, F, F, F, F, F, F, F, F, F),
        Step.REPORT_DELIVERY: (F, F, F, F, F, F, F, F, F, F),
        Step.CHANGE_PHASE:    (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.RESULTS: {
        Step.VIEW:            (T, T, T, T, T, T, T, T, T, T),
        Step.PROPOSE:         (F, F, F, F, F, F, F, F, F, F),
        Step.REVIEW:          (F, F, F, F, F, F, F, F, F, F),
        Step.EDIT:            (F, F, F, F, F, F, F, F, F, F),
        Step.VOTE:            (F, F, F, F, F, F, F, F, F, F),
        Step.ENTER_PAPER:     (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS:     (T, T, T, T, T, T, T, T, T, T),
        Step.REPORT_DELIVERY: (F, F, F, F, F, F, T, T, F, T),
        Step.CHANGE_PHASE:    (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.DELIVERY: {
        Step.VIEW:            (T, T, T, T, T, T, T, T, T, T),
        Step.PROPOSE:         (F, F, F, F, F, F, F, F, F, F),
        Step.REVIEW:          (F, F, F, F, F, F, F, F, F, F),
        Step.EDIT:            (F, F, F, F, F, F, F, F, F, F),
        Step.VOTE:            (F, F, F, F, F, F, F, F, F, F),
        Step.ENTER_PAPER:     (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS:     (T, T, T, T, T, T, T, T, T, T),
        Step.REPORT_DELIVERY: (F, F, F, F, F, F, T, T, F, T),
        Step.CHANGE_PHASE:    (F, F, F, F, F, F, T, T, F, T),
    },
    Phase.CLOSED: {
        Step.VIEW:            (T, T, T, T, T, T, T, T, T, T),
        Step.PROPOSE:         (F, F, F, F, F, F, F, F, F, F),
        Step.REVIEW:          (F, F, F, F, F, F, F, F, F, F),
        Step.EDIT:            (F, F, F, F, F, F, F, F, F, F),
        Step.VOTE:            (F, F, F, F, F, F, F, F, F, F),
        Step.ENTER_PAPER:     (F, F, F, F, F, F, F, F, F, F),
        Step.SEE_RESULTS:     (T, T, T, T, T, T, T, T, T, T),
        Step.REPORT_DELIVERY: (F, F, F, F, F, F, F, F, F, F),
        Step.CHANGE_PHASE:    (F, F, F, F, F, F, T, T, F, T),
    },
}

# Who may propose (ideas phase) or vote (voting phase) at each level a council can set.
BY_LEVEL = {
    Eligibility.EMAIL_VERIFIED:    (F, F, T, T, T, T, T, T, T, T),
    Eligibility.POSTCODE_IN_AREA:  (F, F, F, T, T, F, F, F, F, F),
    Eligibility.VERIFIED_RESIDENT: (F, F, F, F, T, F, F, F, F, F),
}
# fmt: on


@pytest.fixture
def people(request, council, moderator, officer, council_admin, outsider, platform_admin):
    scene = build_scene(council, phase=Phase.DRAFT)
    verified = factories.UserFactory(email="vera.verified@example.org", name="Vera Verified")
    factories.ResidentVerificationFactory(user=verified, council=council)
    found = {
        "anonymous": AnonymousUser(),
        "unverified": factories.UserFactory(
            email="una.unverified@example.org", verified_email=False
        ),
        "email_only": scene.outsider,
        "in_area": scene.moot_resident,
        "verified": verified,
        "moderator": moderator,
        "officer": officer,
        "council_admin": council_admin,
        "other_officer": outsider,
        "platform_admin": platform_admin,
    }
    return scene.process, found


def grid(process, people, steps):
    return {step: tuple(allowed(people[name], process, step) for name in PEOPLE) for step in steps}


def test_the_matrix_covers_every_step_in_every_phase():
    assert set(MATRIX) == set(Phase)
    for rows in MATRIX.values():
        assert set(rows) == set(Step)
        assert all(len(row) == len(PEOPLE) for row in rows.values())


@pytest.mark.parametrize("phase", list(Phase), ids=[p.value for p in Phase])
def test_who_may_take_each_step_in_each_phase(people, phase):
    process, found = people
    process.phase = phase

    assert grid(process, found, list(Step)) == MATRIX[phase]


@pytest.mark.parametrize("level", list(BY_LEVEL), ids=[level.name for level in BY_LEVEL])
def test_who_may_propose_at_each_level_the_council_sets(people, level):
    process, found = people
    process.phase = Phase.IDEAS
    process.propose_level = level

    assert grid(process, found, [Step.PROPOSE]) == {Step.PROPOSE: BY_LEVEL[level]}


@pytest.mark.parametrize("level", list(BY_LEVEL), ids=[level.name for level in BY_LEVEL])
def test_who_may_vote_at_each_level_the_council_sets(people, level):
    process, found = people
    process.phase = Phase.VOTING
    process.vote_level = level

    assert grid(process, found, [Step.VOTE]) == {Step.VOTE: BY_LEVEL[level]}


def test_the_propose_level_does_not_decide_who_votes_nor_the_other_way_round(people):
    process, found = people
    process.propose_level = Eligibility.VERIFIED_RESIDENT
    process.vote_level = Eligibility.EMAIL_VERIFIED
    process.phase = Phase.VOTING
    assert allowed(found["email_only"], process, Step.VOTE)
    process.phase = Phase.IDEAS
    assert not allowed(found["in_area"], process, Step.PROPOSE)


def test_a_deactivated_officer_may_do_nothing_staff_do(people):
    process, found = people
    officer = found["officer"]
    officer.is_active = False
    process.phase = Phase.VOTING
    for step in (Step.ENTER_PAPER, Step.CHANGE_PHASE):
        assert refusal(officer, process, step) == "Only council staff can do this."


@pytest.mark.parametrize(
    ("person", "phase", "step", "message"),
    [
        ("anonymous", Phase.DRAFT, Step.VIEW, "This process is not published yet."),
        ("moderator", Phase.IDEAS, Step.REVIEW, "Only council staff can do this."),
        ("anonymous", Phase.IDEAS, Step.PROPOSE, "Sign in with a verified email address"),
        ("unverified", Phase.IDEAS, Step.PROPOSE, "Sign in with a verified email address"),
        ("email_only", Phase.VOTING, Step.VOTE, "Add a postcode in the council’s area"),
        ("in_area", Phase.REVIEW, Step.PROPOSE, "This process is not collecting ideas now."),
        ("in_area", Phase.RESULTS, Step.VOTE, "Voting is not open."),
        ("officer", Phase.RESULTS, Step.ENTER_PAPER, "Voting is not open."),
        ("in_area", Phase.VOTING, Step.SEE_RESULTS, "The results are not published yet."),
        ("officer", Phase.VOTING, Step.EDIT, "cannot change once voting has started"),
        ("officer", Phase.VOTING, Step.REVIEW, "cannot be reviewed once voting has started"),
        ("officer", Phase.VOTING, Step.REPORT_DELIVERY, "once results are published"),
    ],
)
def test_a_refusal_says_why_in_words(people, person, phase, step, message):
    process, found = people
    process.phase = phase

    assert message in (refusal(found[person], process, step) or "")


def test_a_verified_resident_is_told_so_when_the_council_asks_for_more(people):
    process, found = people
    process.phase = Phase.VOTING
    process.vote_level = Eligibility.VERIFIED_RESIDENT

    assert "Only verified residents" in (refusal(found["in_area"], process, Step.VOTE) or "")
