"""Access helpers: how views, the API and commands fetch what a person may act on.

Each ``get_<thing>_for(user, ...)`` helper decides through :mod:`moothall.accounts.rules`
and raises ``Http404`` when the thing does not exist (or is outside the council in
question) and ``PermissionDenied`` when it exists but the user may not act on it.
The list queries here are scoped to one council and run a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from moothall.accounts.models import ResidentVerification, Role, User
from moothall.accounts.rules import Action, can
from moothall.core.models import AuditEntry
from moothall.councils.models import Council, Postcode


def get_council_for(user: Any, slug: str, action: Action) -> Council:
    """The council at ``slug`` if ``user`` may take ``action`` there.

    Raises Http404 for an unknown slug, PermissionDenied when not allowed.
    """
    council = Council.objects.filter(slug=slug).first()
    if council is None:
        raise Http404("No such council.")
    if not can(user, action, council):
        raise PermissionDenied
    return council


def _require(user: Any, action: Action, council: Council) -> None:
    if not can(user, action, council):
        raise PermissionDenied


# --- Residents ---------------------------------------------------------------


def lives_in(council: Council) -> Exists | None:
    """An expression true for users whose declared postcode lies in ``council``'s area.

    A postcode lies in the area when its district, county or parish GSS code is the
    council's. None when the council has no GSS code: then nobody's postcode can
    place them there (a blank code must never match the blanks in the directory).
    """
    gss = council.gss_code
    if not gss:
        return None
    return Exists(
        Postcode.objects.filter(postcode=OuterRef("postcode")).filter(
            Q(district_gss=gss) | Q(county_gss=gss) | Q(parish_gss=gss)
        )
    )


def _verified_at(council: Council) -> Exists:
    return Exists(
        ResidentVerification.objects.filter(
            user=OuterRef("pk"), council=council, revoked_at__isnull=True
        )
    )


def residents_of(council: Council) -> QuerySet[User]:
    """People whose declared postcode lies in ``council``'s area."""
    in_area = lives_in(council)
    if in_area is None:
        return User.objects.none()
    return User.objects.filter(in_area)


def search_residents(council: Council, query: str = "") -> QuerySet[User]:
    """Residents of ``council`` whose email or name contains ``query``, plus anyone at all
    whose email is exactly ``query`` (someone not yet placed in the area, e.g. who has
    just moved in or whose postcode is new).

    Each row is annotated with ``lives_here`` and ``verified_here``. Ordered by name.
    """
    query = query.strip()
    in_area = lives_in(council)
    if query:
        exact = Q(email__iexact=query)
        matches = Q(email__icontains=query) | Q(name__icontains=query)
        condition = exact if in_area is None else (Q(in_area) & matches) | exact
    elif in_area is not None:
        condition = Q(in_area)
    else:
        return User.objects.none()
    return (
        User.objects.filter(condition)
        .only("pk", "email", "name", "postcode", "is_active")
        .annotate(
            lives_here=in_area if in_area is not None else Value(False, BooleanField()),
            verified_here=_verified_at(council),
        )
        .order_by("name", "email", "pk")
    )


def visible_residents(council: Council, known_email: str = "") -> QuerySet[User]:
    """The people whose records staff at ``council`` may open.

    Those who live in the area, who have (or had) a verification or hold a role
    there, and — when the staff member already knows it — the one person with
    exactly ``known_email``. Everyone else stays out of sight, so a record cannot
    be found by guessing ids.
    """
    condition = Q(
        Exists(ResidentVerification.objects.filter(user=OuterRef("pk"), council=council))
    ) | Q(Exists(Role.objects.filter(user=OuterRef("pk"), council=council)))
    in_area = lives_in(council)
    if in_area is not None:
        condition |= Q(in_area)
    known_email = known_email.strip()
    if known_email and _is_email(known_email):
        condition |= Q(email__iexact=known_email)
    return User.objects.filter(condition)


def _is_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def get_resident_for(user: Any, council: Council, user_id: int, *, known_email: str = "") -> User:
    """A person whose record ``user`` may open at ``council`` (see :func:`visible_residents`).

    Raises PermissionDenied unless ``user`` may view residents there, Http404 when the
    person does not exist or is not one staff at this council may see.
    """
    _require(user, Action.VIEW_RESIDENTS, council)
    resident = visible_residents(council, known_email).filter(pk=user_id).first()
    if resident is None:
        raise Http404("No such resident.")
    return resident


def verification_history(council: Council, resident: User) -> QuerySet[ResidentVerification]:
    """Every verification of ``resident`` at ``council``, newest first."""
    return ResidentVerification.objects.filter(council=council, user=resident).select_related(
        "verified_by", "revoked_by"
    )


def get_verification_for(user: Any, council: Council, verification_id: int) -> ResidentVerification:
    """A verification made at ``council`` that ``user`` may withdraw there.

    Raises PermissionDenied unless ``user`` may revoke verifications at ``council``,
    Http404 when there is no such verification at this council.
    """
    _require(user, Action.REVOKE_VERIFICATION, council)
    verification = (
        ResidentVerification.objects.select_related("user", "council", "verified_by")
        .filter(council=council, pk=verification_id)
        .first()
    )
    if verification is None:
        raise Http404("No such verification.")
    return verification


# --- Roles -------------------------------------------------------------------


def council_roles(council: Council) -> QuerySet[Role]:
    """Everyone's roles at ``council``, ready to list (fixed query count)."""
    return (
        Role.objects.filter(council=council)
        .select_related("user", "councillor__person", "councillor__ward", "granted_by")
        .order_by("user__name", "user__email", "kind", "pk")
    )


def get_role_for(user: Any, council: Council, role_id: int) -> Role:
    """A role at ``council`` that ``user`` may manage; Http404 if not at this council."""
    _require(user, Action.MANAGE_ROLES, council)
    role = council_roles(council).filter(pk=role_id).first()
    if role is None:
        raise Http404("No such role.")
    return role


# --- Audit log ---------------------------------------------------------------


def get_audit_entries_for(user: Any, council: Council) -> QuerySet[AuditEntry]:
    """The council's audit log, newest first, if ``user`` may read it."""
    _require(user, Action.VIEW_AUDIT_LOG, council)
    return AuditEntry.objects.filter(council=council).select_related("actor")
