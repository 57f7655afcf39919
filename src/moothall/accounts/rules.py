"""Who may do what: every permission decision in Moothall is made here.

Named predicates answer "may this user do ACTION at this council?". Views,
the API and commands call :func:`can` (or an access helper built on it) and
never test roles themselves. The role × action matrix is in tests.
"""

from __future__ import annotations

import enum
from typing import Any

from moothall.accounts.models import Role

# Roles that act for the council rather than as a resident or an elected member.
STAFF_ROLES = frozenset({Role.Kind.OFFICER, Role.Kind.MODERATOR, Role.Kind.COUNCIL_ADMIN})


class Action(enum.StrEnum):
    VIEW_STAFF_AREA = "view_staff_area"
    VIEW_RESIDENTS = "view_residents"
    VERIFY_RESIDENT = "verify_resident"
    MANAGE_ROLES = "manage_roles"
    EDIT_COUNCIL = "edit_council"
    IMPORT_DATA = "import_data"


# Which council roles may take each action. Platform superusers may take any.
ALLOWED: dict[Action, frozenset[str]] = {
    Action.VIEW_STAFF_AREA: frozenset(STAFF_ROLES),
    Action.VIEW_RESIDENTS: frozenset(STAFF_ROLES),
    Action.VERIFY_RESIDENT: frozenset({Role.Kind.OFFICER, Role.Kind.COUNCIL_ADMIN}),
    Action.MANAGE_ROLES: frozenset({Role.Kind.COUNCIL_ADMIN}),
    Action.EDIT_COUNCIL: frozenset({Role.Kind.COUNCIL_ADMIN}),
    Action.IMPORT_DATA: frozenset({Role.Kind.OFFICER, Role.Kind.COUNCIL_ADMIN}),
}


def roles_at(user: Any, council: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = getattr(user, "_moothall_roles", None)
    if cache is None:
        cache = {}
        for council_id, kind in Role.objects.filter(user=user).values_list("council_id", "kind"):
            cache.setdefault(council_id, set()).add(kind)
        user._moothall_roles = cache
    return frozenset(cache.get(council.pk, ()))


def has_mfa(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_mfa(user: Any) -> bool:
    """Platform staff and anyone holding a staff role at any council must use MFA."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Role.objects.filter(user=user, kind__in=STAFF_ROLES).exists()


def can(user: Any, action: Action, council: Any) -> bool:
    """May ``user`` take ``action`` at ``council``? Staff actions also need MFA turned on."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return has_mfa(user)
    if not roles_at(user, council) & ALLOWED[action]:
        return False
    return has_mfa(user)
