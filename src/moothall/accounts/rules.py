"""Who may do what: every permission decision in Moothall is made here.

Named predicates answer "may this user do ACTION at this council?". Views,
the API and commands call :func:`can` (or an access helper built on it) and
never test roles themselves. The role × action matrix is in tests.

Roles are per council. A person with no role row is a resident (being signed
in is enough). Platform superusers may take any action at any council. Every
staff action also needs two-factor authentication (TOTP) turned on.

Each user object caches its roles and its MFA state for the life of the
object (one request); :func:`forget_cached_permissions` clears that cache
when a verb changes a person's roles.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from moothall.accounts.models import Role

# Roles that act for the council rather than as a resident or an elected member.
STAFF_ROLES = frozenset({Role.Kind.OFFICER, Role.Kind.MODERATOR, Role.Kind.COUNCIL_ADMIN})


class Action(enum.StrEnum):
    # Open the council's back-office at /<council>/staff/.
    VIEW_STAFF_AREA = "view_staff_area"
    # Search and open the records of people who live in the council's area.
    VIEW_RESIDENTS = "view_residents"
    # Mark someone as a verified resident, or withdraw that.
    VERIFY_RESIDENT = "verify_resident"
    REVOKE_VERIFICATION = "revoke_verification"
    # See who holds roles at the council, grant and revoke them.
    MANAGE_ROLES = "manage_roles"
    # Read the council's audit log of staff actions.
    VIEW_AUDIT_LOG = "view_audit_log"
    # Change the council's own record and policy (name, brand, petition scheme…).
    EDIT_COUNCIL = "edit_council"
    # Run importers (councillors, meetings) for the council.
    IMPORT_DATA = "import_data"
    # Clerk's work: bodies, meetings, agendas, documents, attendance, votes, decisions,
    # the forward plan, and deciding residents' questions and deputations.
    MANAGE_MEETINGS = "manage_meetings"
    # Read exempt (Part II, Schedule 12A) agenda items, documents and decisions.
    VIEW_EXEMPT = "view_exempt"
    # Officer work on ideas and petitions: change an idea's status, merge duplicates,
    # enter paper petitions, own and meet response obligations, place an idea or a
    # petition on a meeting's agenda, link the decision, publish the council's response.
    MANAGE_VOICE = "manage_voice"
    # Look after what residents contribute: moderate petitions (publish or reject with a
    # published reason), see abuse flags and alerts, invalidate signatures in bulk,
    # remove comments.
    MODERATE = "moderate"
    # Run participatory budgeting: set up processes and budgets, move phases, review and
    # cost projects, enter paper ballots, publish results and report on delivery.
    MANAGE_BUDGETS = "manage_budgets"
    # Run consultations: build, open and close surveys and deliberations, enter paper
    # responses, import and export Polis data, and load ward population figures.
    MANAGE_CONSULTATIONS = "manage_consultations"


_OFFICERS_AND_ADMINS = frozenset({Role.Kind.OFFICER, Role.Kind.COUNCIL_ADMIN})
_ADMINS = frozenset({Role.Kind.COUNCIL_ADMIN})

# Which council roles may take each action. Platform superusers may take any.
# Moderators look after contributions, not people's records: they are kept out of
# the resident register on purpose (UK GDPR data minimisation).
ALLOWED: dict[Action, frozenset[str]] = {
    Action.VIEW_STAFF_AREA: frozenset(STAFF_ROLES),
    Action.VIEW_RESIDENTS: _OFFICERS_AND_ADMINS,
    Action.VERIFY_RESIDENT: _OFFICERS_AND_ADMINS,
    Action.REVOKE_VERIFICATION: _OFFICERS_AND_ADMINS,
    Action.MANAGE_ROLES: _ADMINS,
    Action.VIEW_AUDIT_LOG: _ADMINS,
    Action.EDIT_COUNCIL: _ADMINS,
    Action.IMPORT_DATA: _OFFICERS_AND_ADMINS,
    Action.MANAGE_MEETINGS: _OFFICERS_AND_ADMINS,
    Action.VIEW_EXEMPT: _OFFICERS_AND_ADMINS,
    Action.MANAGE_VOICE: _OFFICERS_AND_ADMINS,
    Action.MODERATE: frozenset(STAFF_ROLES),
    Action.MANAGE_BUDGETS: _OFFICERS_AND_ADMINS,
    Action.MANAGE_CONSULTATIONS: _OFFICERS_AND_ADMINS,
}


# --- Facts about a user ------------------------------------------------------


def is_active_user(user: Any) -> bool:
    """Signed in with an account that has not been deactivated."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_platform_admin(user: Any) -> bool:
    """A superuser of the whole instance (not merely a user of the Django admin)."""
    return is_active_user(user) and bool(user.is_superuser)


def _roles_by_council(user: Any) -> dict[int, frozenset[str]]:
    cache: dict[int, frozenset[str]] | None = getattr(user, "_moothall_roles", None)
    if cache is None:
        found: dict[int, set[str]] = {}
        for council_id, kind in Role.objects.filter(user=user).values_list("council_id", "kind"):
            found.setdefault(council_id, set()).add(kind)
        cache = {council_id: frozenset(kinds) for council_id, kinds in found.items()}
        user._moothall_roles = cache
    return cache


def roles_at(user: Any, council: Any) -> frozenset[str]:
    """The kinds of role ``user`` holds at ``council`` (empty when inactive or anonymous)."""
    if not is_active_user(user):
        return frozenset()
    return _roles_by_council(user).get(council.pk, frozenset())


def holds_staff_role(user: Any) -> bool:
    """Holds an officer, moderator or council admin role at any council."""
    if not is_active_user(user):
        return False
    return any(kinds & STAFF_ROLES for kinds in _roles_by_council(user).values())


def has_mfa(user: Any) -> bool:
    """Has turned on TOTP two-factor authentication (recovery codes alone do not count)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached: bool | None = getattr(user, "_moothall_has_mfa", None)
    if cached is None:
        from allauth.mfa.models import Authenticator

        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._moothall_has_mfa = cached
    return cached


def needs_mfa(user: Any) -> bool:
    """Platform staff and anyone holding a staff role at any council must use MFA."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return holds_staff_role(user)


def forget_cached_permissions(user: Any) -> None:
    """Drop the roles and MFA state cached on ``user`` (after their roles change)."""
    for attribute in ("_moothall_roles", "_moothall_has_mfa"):
        if hasattr(user, attribute):
            delattr(user, attribute)


# --- Council-wide decisions --------------------------------------------------


def can(user: Any, action: Action, council: Any) -> bool:
    """May ``user`` take ``action`` at ``council``? Staff actions also need MFA turned on."""
    if not is_active_user(user):
        return False
    if is_platform_admin(user):
        return has_mfa(user)
    if not roles_at(user, council) & ALLOWED[action]:
        return False
    return has_mfa(user)


def actions_at(user: Any, council: Any, actions: Iterable[Action] = tuple(Action)) -> set[Action]:
    """Which of ``actions`` ``user`` may take at ``council`` (for menus and dashboards)."""
    return {action for action in actions if can(user, action, council)}


# --- Decisions about one person or record ------------------------------------


def is_same_person(actor: Any, user: Any) -> bool:
    return bool(getattr(actor, "pk", None) is not None and actor.pk == user.pk)


def can_change_roles_of(actor: Any, user: Any, council: Any) -> bool:
    """Grant or revoke ``user``'s roles at ``council``. Nobody changes their own roles here:
    a council admin must not lift themselves, nor lock their council out by mistake."""
    return can(actor, Action.MANAGE_ROLES, council) and not is_same_person(actor, user)


def can_verify_resident(actor: Any, resident: Any, council: Any) -> bool:
    """Mark ``resident`` as a verified resident of ``council``; never one's own record."""
    return can(actor, Action.VERIFY_RESIDENT, council) and not is_same_person(actor, resident)


def can_revoke_verification(actor: Any, verification: Any) -> bool:
    """Withdraw ``verification`` (at its own council); never one's own."""
    own = getattr(actor, "pk", None) is not None and actor.pk == verification.user_id
    return can(actor, Action.REVOKE_VERIFICATION, verification.council) and not own


def can_submit_to_meetings(user: Any) -> bool:
    """Ask a public question, send a deputation or ask to speak: any signed-in person
    (whether the meeting still takes submissions is the verb's business, not a permission)."""
    return is_active_user(user)


def can_withdraw_submission(user: Any, submission: Any) -> bool:
    """Only the person who sent a submission may withdraw it."""
    return is_active_user(user) and submission.submitter_id == user.pk


def is_councillor_at(user: Any, council: Any) -> bool:
    """Holds a councillor role at ``council`` (an elected member, not staff: no MFA rule)."""
    return Role.Kind.COUNCILLOR in roles_at(user, council)


def can_respond_publicly(user: Any, council: Any) -> bool:
    """Publish a response on a resident's idea in the council's name or as its councillor:
    officers and council admins (with MFA, as for any staff action) and councillors."""
    return can(user, Action.MANAGE_VOICE, council) or is_councillor_at(user, council)


def can_contribute(user: Any) -> bool:
    """Propose an idea, comment, support, follow, start a petition, write to a councillor:
    any signed-in person. How strongly they must be tied to the council (email verified,
    postcode in the area, verified resident) is the verb's business, set per council."""
    return is_active_user(user)


def is_author(user: Any, thing: Any, field: str = "author_id") -> bool:
    """Did ``user`` write ``thing`` (an idea, a comment, a petition…)?"""
    return is_active_user(user) and getattr(thing, field, None) == user.pk
