"""Who may do what in a deliberation: the role × step × status matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from moothall.accounts.residents import Eligibility
from moothall.deliberation.rules import Step, allowed, refusal
from tests import factories
from tests.deliberation.d1_scene import conversation

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident",
    "councillor_user",
    "moderator",
    "officer",
    "council_admin",
    "outsider",
    "platform_admin",
]
STAFF = {"moderator", "officer", "council_admin", "platform_admin"}
MANAGERS = {"officer", "council_admin", "platform_admin"}
SIGNED_IN = set(ROLES) - {"anonymous"}

EXPECTED: dict[tuple[Step, str], set[str]] = {}
for status in ("draft", "open", "closed"):
    EXPECTED[Step.MANAGE, status] = MANAGERS
    EXPECTED[Step.MODERATE, status] = STAFF
    EXPECTED[Step.VIEW, status] = STAFF if status == "draft" else set(ROLES)
    EXPECTED[Step.SEE_REPORT, status] = STAFF if status == "draft" else set(ROLES)
    EXPECTED[Step.TAKE_PART, status] = SIGNED_IN if status == "open" else set()
    EXPECTED[Step.ADD_STATEMENT, status] = SIGNED_IN if status == "open" else set()


@pytest.fixture
def people(request):
    return {
        role: AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
        for role in ROLES
    }


@pytest.mark.parametrize("status", ["draft", "open", "closed"])
def test_the_matrix(council, people, status):
    made = conversation(council, status=status)

    may = {
        step: {role for role, user in people.items() if allowed(user, made, step)} for step in Step
    }

    assert may == {step: EXPECTED[step, status] for step in Step}


def test_every_refusal_says_why(council, people):
    made = conversation(council, status="draft")
    for step in Step:
        for _role, user in people.items():
            if not allowed(user, made, step):
                assert refusal(user, made, step)


def test_anyone_may_take_part_when_the_council_asks_for_nothing(council):
    made = conversation(council, participate_level=Eligibility.NONE)

    assert allowed(AnonymousUser(), made, Step.TAKE_PART)
    assert allowed(AnonymousUser(), made, Step.ADD_STATEMENT)


def test_a_postcode_in_the_area_is_needed_where_the_council_asks_for_it(council, resident):
    made = conversation(council, participate_level=Eligibility.POSTCODE_IN_AREA)
    assert "postcode" in (refusal(resident, made, Step.TAKE_PART) or "")

    council.gss_code = "E10000001"
    council.save()
    factories.PostcodeFactory(postcode="MH1 1AA", district_gss="", county_gss="E10000001")
    made.council = council
    assert allowed(resident, made, Step.TAKE_PART)


def test_dates_limit_taking_part_in_an_open_conversation(council, resident):
    now = timezone.now()
    early = conversation(council, title="Early", opens_at=now + dt.timedelta(hours=1))
    late = conversation(
        council,
        title="Late",
        opens_at=now - dt.timedelta(days=2),
        closes_at=now - dt.timedelta(hours=1),
    )

    assert "opens on" in (refusal(resident, early, Step.TAKE_PART) or "")
    assert "closed" in (refusal(resident, late, Step.TAKE_PART) or "")
    assert allowed(resident, late, Step.VIEW)


def test_statements_are_refused_when_the_council_turned_them_off(council, resident):
    made = conversation(council, allow_statements=False)

    assert allowed(resident, made, Step.TAKE_PART)
    assert "new statements" in (refusal(resident, made, Step.ADD_STATEMENT) or "")
