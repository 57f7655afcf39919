"""The role × action matrix: who may do what at Mootshire, written out by hand.

The table is deliberately literal (not derived from ``rules.ALLOWED``): changing
who may do something must change this file too.
"""

from __future__ import annotations

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.models import AnonymousUser

from moothall.accounts.models import Role
from moothall.accounts.rules import (
    Action,
    actions_at,
    can,
    can_change_roles_of,
    can_revoke_verification,
    can_verify_resident,
    forget_cached_permissions,
    has_mfa,
    needs_mfa,
    roles_at,
)
from tests import factories

PERSONAS = (
    "anonymous",
    "resident",
    "councillor_user",
    "officer",
    "moderator",
    "council_admin",
    "outsider",
    "platform_admin",
)

# fmt: off
# Columns: anonymous, resident, councillor_user, officer, moderator, council_admin,
#          outsider (an officer at Elsewhere), platform_admin.
MATRIX_AT_MOOTSHIRE = {
    Action.VIEW_STAFF_AREA:     (False, False, False, True,  True,  True,  False, True),
    Action.VIEW_RESIDENTS:      (False, False, False, True,  False, True,  False, True),
    Action.VERIFY_RESIDENT:     (False, False, False, True,  False, True,  False, True),
    Action.REVOKE_VERIFICATION: (False, False, False, True,  False, True,  False, True),
    Action.MANAGE_ROLES:        (False, False, False, False, False, True,  False, True),
    Action.VIEW_AUDIT_LOG:      (False, False, False, False, False, True,  False, True),
    Action.EDIT_COUNCIL:        (False, False, False, False, False, True,  False, True),
    Action.IMPORT_DATA:         (False, False, False, True,  False, True,  False, True),
    Action.MANAGE_MEETINGS:     (False, False, False, True,  False, True,  False, True),
    Action.VIEW_EXEMPT:         (False, False, False, True,  False, True,  False, True),
    Action.MANAGE_VOICE:        (False, False, False, True,  False, True,  False, True),
    Action.MODERATE:            (False, False, False, True,  True,  True,  False, True),
    Action.MANAGE_BUDGETS:      (False, False, False, True,  False, True,  False, True),
    Action.MANAGE_CONSULTATIONS: (False, False, False, True,  False, True,  False, True),
}

# The same people at Elsewhere, where only the outsider holds a role (officer).
MATRIX_AT_ELSEWHERE = {
    Action.VIEW_STAFF_AREA:     (False, False, False, False, False, False, True,  True),
    Action.VIEW_RESIDENTS:      (False, False, False, False, False, False, True,  True),
    Action.VERIFY_RESIDENT:     (False, False, False, False, False, False, True,  True),
    Action.REVOKE_VERIFICATION: (False, False, False, False, False, False, True,  True),
    Action.MANAGE_ROLES:        (False, False, False, False, False, False, False, True),
    Action.VIEW_AUDIT_LOG:      (False, False, False, False, False, False, False, True),
    Action.EDIT_COUNCIL:        (False, False, False, False, False, False, False, True),
    Action.IMPORT_DATA:         (False, False, False, False, False, False, True,  True),
    Action.MANAGE_MEETINGS:     (False, False, False, False, False, False, True,  True),
    Action.VIEW_EXEMPT:         (False, False, False, False, False, False, True,  True),
    Action.MANAGE_VOICE:        (False, False, False, False, False, False, True,  True),
    Action.MODERATE:            (False, False, False, False, False, False, True,  True),
    Action.MANAGE_BUDGETS:      (False, False, False, False, False, False, True,  True),
    Action.MANAGE_CONSULTATIONS: (False, False, False, False, False, False, True,  True),
}
# fmt: on


def _cases(matrix):
    return [
        pytest.param(action, persona, allowed, id=f"{action.value}-{persona}")
        for action, row in matrix.items()
        for persona, allowed in zip(PERSONAS, row, strict=True)
    ]


def _persona(request, name):
    if name == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(name)


def test_the_matrices_cover_every_action():
    assert set(MATRIX_AT_MOOTSHIRE) == set(Action)
    assert set(MATRIX_AT_ELSEWHERE) == set(Action)


@pytest.mark.parametrize(("action", "persona", "allowed"), _cases(MATRIX_AT_MOOTSHIRE))
def test_who_may_do_what_at_mootshire(request, council, other_council, action, persona, allowed):
    user = _persona(request, persona)
    assert can(user, action, council) is allowed


@pytest.mark.parametrize(("action", "persona", "allowed"), _cases(MATRIX_AT_ELSEWHERE))
def test_who_may_do_what_at_another_council(
    request, council, other_council, action, persona, allowed
):
    user = _persona(request, persona)
    assert can(user, action, other_council) is allowed


@pytest.mark.parametrize("action", list(Action))
def test_an_officer_without_mfa_may_do_nothing(council, action):
    user = factories.UserFactory(email="new.officer@example.org")
    factories.RoleFactory(user=user, council=council, kind=Role.Kind.COUNCIL_ADMIN)

    assert can(user, action, council) is False


def test_an_officer_may_act_once_mfa_is_turned_on(council):
    user = factories.UserFactory(email="new.officer@example.org")
    factories.RoleFactory(user=user, council=council, kind=Role.Kind.OFFICER)
    assert can(user, Action.VIEW_RESIDENTS, council) is False

    factories.give_mfa(user)
    forget_cached_permissions(user)

    assert can(user, Action.VIEW_RESIDENTS, council) is True


def test_recovery_codes_alone_do_not_count_as_mfa(council):
    user = factories.UserFactory(email="codes.only@example.org")
    factories.RoleFactory(user=user, council=council, kind=Role.Kind.OFFICER)
    RecoveryCodes.activate(user)

    assert has_mfa(user) is False
    assert can(user, Action.VIEW_STAFF_AREA, council) is False


def test_a_superuser_without_mfa_may_do_nothing(council):
    user = factories.UserFactory(email="root@example.org", is_staff=True, is_superuser=True)

    assert actions_at(user, council) == set()


@pytest.mark.parametrize("action", list(Action))
def test_a_deactivated_council_admin_may_do_nothing(council, council_admin, action):
    council_admin.is_active = False
    council_admin.save()

    assert can(council_admin, action, council) is False
    assert roles_at(council_admin, council) == frozenset()


def test_platform_staff_who_are_not_superusers_have_no_council_powers(council):
    user = factories.UserFactory(email="support@example.org", is_staff=True)
    factories.give_mfa(user)

    assert actions_at(user, council) == set()


def test_a_moderator_can_open_the_back_office_and_moderate_and_nothing_else(council, moderator):
    assert actions_at(moderator, council) == {Action.VIEW_STAFF_AREA, Action.MODERATE}


def test_an_officer_can_work_with_residents_and_imports(council, officer):
    assert actions_at(officer, council) == {
        Action.VIEW_STAFF_AREA,
        Action.VIEW_RESIDENTS,
        Action.VERIFY_RESIDENT,
        Action.REVOKE_VERIFICATION,
        Action.IMPORT_DATA,
        Action.MANAGE_MEETINGS,
        Action.VIEW_EXEMPT,
        Action.MANAGE_VOICE,
        Action.MODERATE,
        Action.MANAGE_BUDGETS,
        Action.MANAGE_CONSULTATIONS,
    }


def test_roles_are_read_once_per_user_object(council, officer, django_assert_num_queries):
    with django_assert_num_queries(2):  # the roles, then whether TOTP is on
        for action in Action:
            can(officer, action, council)


@pytest.mark.parametrize(
    ("persona", "needs"),
    [
        ("anonymous", False),
        ("resident", False),
        ("councillor_user", False),
        ("officer", True),
        ("moderator", True),
        ("council_admin", True),
        ("outsider", True),
        ("platform_admin", True),
    ],
)
def test_who_must_use_mfa(request, council, persona, needs):
    assert needs_mfa(_persona(request, persona)) is needs


def test_platform_staff_must_use_mfa(db):
    user = factories.UserFactory(email="support@example.org", is_staff=True)

    assert needs_mfa(user) is True


def test_a_council_admin_cannot_change_their_own_roles(council, council_admin, officer):
    assert can_change_roles_of(council_admin, council_admin, council) is False
    assert can_change_roles_of(council_admin, officer, council) is True


def test_an_officer_cannot_change_anyones_roles(council, officer, resident):
    assert can_change_roles_of(officer, resident, council) is False


def test_a_platform_admin_cannot_change_their_own_roles_here(council, platform_admin):
    assert can_change_roles_of(platform_admin, platform_admin, council) is False


def test_an_officer_can_verify_a_resident_but_not_themselves(council, officer, resident):
    assert can_verify_resident(officer, resident, council) is True
    assert can_verify_resident(officer, officer, council) is False


def test_an_officer_of_another_council_cannot_verify_here(council, outsider, resident):
    assert can_verify_resident(outsider, resident, council) is False


def test_an_officer_cannot_revoke_their_own_verification(council, officer, council_admin):
    own = factories.ResidentVerificationFactory(user=officer, council=council)
    theirs = factories.ResidentVerificationFactory(user=council_admin, council=council)

    assert can_revoke_verification(officer, own) is False
    assert can_revoke_verification(officer, theirs) is True


def test_an_outsider_cannot_revoke_a_verification_made_here(council, outsider, resident):
    verification = factories.ResidentVerificationFactory(user=resident, council=council)

    assert can_revoke_verification(outsider, verification) is False
