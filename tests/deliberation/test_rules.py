"""Who may do what in a deliberation: the role × step × status matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from moothall.accounts.residents import Eligibility, eligible, meets, remember_eligibility
from moothall.deliberation.models import Participant
from moothall.deliberation.rules import Step, allowed, participant_refusal, refusal
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


# --- Eligibility in one query agrees with the accounts' answer -------------------------------


def test_eligible_agrees_with_eligibility_for_whatever_the_person(council, other_council):
    council.gss_code = "E10000001"
    council.save()
    factories.PostcodeFactory(postcode="MH1 1AA", district_gss="", county_gss="E10000001")
    factories.PostcodeFactory(postcode="MH9 9ZZ", district_gss="E07000999", county_gss="")
    people = {
        "unverified email": factories.UserFactory(email="u@example.org", verified_email=False),
        "no postcode": factories.UserFactory(email="n@example.org"),
        "in the area": factories.UserFactory(email="a@example.org", postcode="MH1 1AA"),
        "in the area, as typed": factories.UserFactory(email="t@example.org", postcode="mh11aa"),
        "elsewhere": factories.UserFactory(email="e@example.org", postcode="MH9 9ZZ"),
        "not a postcode": factories.UserFactory(email="x@example.org", postcode="nonsense"),
        "verified": factories.UserFactory(email="v@example.org"),
        "revoked": factories.UserFactory(email="r@example.org", postcode="MH1 1AA"),
        "verified elsewhere": factories.UserFactory(email="o@example.org"),
        "deactivated": factories.UserFactory(email="d@example.org", is_active=False),
    }
    factories.ResidentVerificationFactory(user=people["verified"], council=council)
    factories.ResidentVerificationFactory(
        user=people["revoked"], council=council, revoked_at=timezone.now()
    )
    factories.ResidentVerificationFactory(user=people["verified elsewhere"], council=other_council)

    for name, user in people.items():
        for level in Eligibility:
            if level == Eligibility.NONE:
                expected: bool | None = True
            else:
                expected = meets(user, council, level) if user.is_active else None
            assert eligible(user, council.pk, level) == expected, (name, level)
            assert eligible(user.pk, council.pk, level) == expected, (name, level)


def test_eligibility_is_remembered_for_the_request_only_when_asked(
    council, resident, django_assert_num_queries
):
    made = conversation(council)
    with django_assert_num_queries(2):
        refusal(resident, made, Step.TAKE_PART)
        refusal(resident, made, Step.ADD_STATEMENT)

    remember_eligibility(resident)
    with django_assert_num_queries(1):
        refusal(resident, made, Step.TAKE_PART)
        refusal(resident, made, Step.ADD_STATEMENT)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Eligibility.NONE, None),
        (Eligibility.EMAIL_VERIFIED, "Sign in to take part."),
        (Eligibility.VERIFIED_RESIDENT, "Sign in to take part."),
    ],
)
def test_a_participant_without_a_user_is_judged_as_an_anonymous_visitor(council, level, expected):
    made = conversation(council, participate_level=level)
    anonymous = Participant(conversation=made, number=0)

    for step in (Step.TAKE_PART, Step.ADD_STATEMENT):
        assert participant_refusal(anonymous, made, step) == expected
        assert participant_refusal(anonymous, made, step) == refusal(AnonymousUser(), made, step)


def test_a_participants_refusal_is_their_users(council, people):
    for level in Eligibility:
        made = conversation(council, title=f"Level {level}", participate_level=level)
        for role, user in people.items():
            if role == "anonymous":
                continue
            joined = Participant(conversation=made, number=0, user_id=user.pk)  # not loaded
            for step in (Step.TAKE_PART, Step.ADD_STATEMENT):
                assert participant_refusal(joined, made, step) == refusal(user, made, step)
