"""Verbs that change roles and resident verification.

Each verb runs in one transaction, checks permission through
:mod:`moothall.accounts.rules` (raising ``PermissionDenied``), refuses bad input
with ``ValidationError`` before writing anything, and records an audit entry
(:func:`moothall.core.audit.record`) with the actor and the council. Views, the
API, the admin and commands call these; none re-implements them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moothall.accounts.models import ResidentVerification, Role, User
from moothall.accounts.rules import (
    can_change_roles_of,
    can_revoke_verification,
    can_verify_resident,
    forget_cached_permissions,
)
from moothall.core.audit import record
from moothall.core.validation import MAX_REASON_LENGTH
from moothall.councils.models import Council, Councillor


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError(_("Enter a reason."), code="reason_required")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("The reason must be %(limit)d characters or fewer."),
            code="reason_too_long",
            params={"limit": MAX_REASON_LENGTH},
        )
    return reason


def check_role(user: User, council: Council, kind: str, councillor: Councillor | None) -> None:
    """Raise ValidationError unless ``kind`` (with ``councillor``) is a role ``user`` can hold.

    A councillor role must link a councillor record of the same council; no other
    kind of role links one. Used by :func:`grant_role` and by forms before it.
    """
    if kind not in Role.Kind.values:
        raise ValidationError(_("Choose a kind of role."), code="invalid_kind")
    if not user.is_active:
        raise ValidationError(
            _("This account has been deactivated, so it cannot be given a role."),
            code="inactive_user",
        )
    if kind == Role.Kind.COUNCILLOR:
        if councillor is None:
            raise ValidationError(
                _("Choose the councillor record this person's role belongs to."),
                code="councillor_required",
            )
        if councillor.council_id != council.pk:
            raise ValidationError(
                _("That councillor record belongs to another council."),
                code="councillor_elsewhere",
            )
    elif councillor is not None:
        raise ValidationError(
            _("Only a councillor role links to a councillor record."), code="councillor_not_allowed"
        )


def grant_role(
    actor: Any,
    user: User,
    council: Council,
    kind: str,
    councillor: Councillor | None = None,
    reason: str = "",
) -> tuple[Role, bool]:
    """Give ``user`` a role of ``kind`` at ``council``. Returns (role, created).

    Side effects: creates one Role (granted_by = actor) and one audit entry
    "role.granted". Granting a role the person already holds, linked to the same
    councillor record, changes nothing and writes nothing (returns created=False).
    Granting a staff role means the person must set up MFA before their next page.

    Raises PermissionDenied unless the actor may manage roles at ``council`` (and
    never for their own roles); ValidationError for an impossible role.
    """
    if not can_change_roles_of(actor, user, council):
        raise PermissionDenied
    check_role(user, council, kind, councillor)
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        existing = Role.objects.select_for_update().filter(user=user, council=council, kind=kind)
        role = existing.first()
        if role is not None:
            if role.councillor_id != (councillor.pk if councillor else None):
                raise ValidationError(
                    _(
                        "This person is already a councillor here, linked to another "
                        "councillor record. Revoke that role first."
                    ),
                    code="councillor_mismatch",
                )
            return role, False
        try:
            with transaction.atomic():
                role = Role.objects.create(
                    user=user,
                    council=council,
                    kind=kind,
                    councillor=councillor,
                    granted_by=actor,
                )
        except IntegrityError:
            # Someone granted the same role a moment ago (SQLite has no row lock).
            raise ValidationError(
                _("This person was given that role a moment ago."), code="role_exists"
            ) from None
        record(
            "role.granted",
            actor=actor,
            council=council,
            target=role,
            user_id=user.pk,
            kind=kind,
            councillor_id=councillor.pk if councillor else None,
            reason=reason,
        )
    forget_cached_permissions(user)
    return role, True


def revoke_role(actor: Any, role: Role, reason: str) -> None:
    """Take ``role`` away from its holder.

    Side effects: deletes the Role and writes one audit entry "role.revoked" with
    who held it, the kind and the reason. Raises PermissionDenied unless the actor
    may manage roles at the role's council (never their own); ValidationError
    without a reason or when the role is already gone.
    """
    council = role.council
    if not can_change_roles_of(actor, role.user, council):
        raise PermissionDenied
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        current = Role.objects.select_for_update().filter(pk=role.pk).first()
        if current is None:
            raise ValidationError(_("This role has already been revoked."), code="role_gone")
        record(
            "role.revoked",
            actor=actor,
            council=council,
            target=current,
            user_id=current.user_id,
            kind=current.kind,
            councillor_id=current.councillor_id,
            reason=reason,
        )
        current.delete()
    forget_cached_permissions(role.user)


def verify_resident(
    actor: Any, resident: User, council: Council, method: str, reason: str
) -> ResidentVerification:
    """Record that an officer has checked ``resident`` lives in ``council``'s area.

    Side effects: creates one ResidentVerification (verified_by = actor) and one
    audit entry "resident.verified" (with the method and the reason). The
    resident's eligibility at ``council`` becomes "verified resident".

    Raises PermissionDenied unless the actor may verify residents at ``council``
    (never themselves); ValidationError without a reason, for an unknown method,
    a deactivated account, or someone already verified there.
    """
    if not can_verify_resident(actor, resident, council):
        raise PermissionDenied
    if method not in ResidentVerification.Method.values:
        raise ValidationError(_("Choose how you checked."), code="invalid_method")
    reason = _clean_reason(reason, required=True)
    if not resident.is_active:
        raise ValidationError(
            _("This account has been deactivated, so it cannot be verified."),
            code="inactive_user",
        )
    already = _("This person is already a verified resident here.")
    with transaction.atomic():
        # Lock the person so two officers verifying at once queue up here.
        User.objects.select_for_update().filter(pk=resident.pk).first()
        active = ResidentVerification.objects.filter(
            user=resident, council=council, revoked_at__isnull=True
        )
        if active.exists():
            raise ValidationError(already, code="already_verified")
        try:
            with transaction.atomic():
                verification = ResidentVerification.objects.create(
                    user=resident,
                    council=council,
                    method=method,
                    reason=reason,
                    verified_by=actor,
                )
        except IntegrityError:
            raise ValidationError(already, code="already_verified") from None
        record(
            "resident.verified",
            actor=actor,
            council=council,
            target=verification,
            user_id=resident.pk,
            method=method,
            reason=reason,
        )
    return verification


def revoke_verification(actor: Any, verification: ResidentVerification, reason: str) -> None:
    """Withdraw ``verification``: the person is no longer a verified resident there.

    Side effects: sets revoked_at, revoked_by and revocation_reason on the
    verification (the row is kept as history) and writes one audit entry
    "resident.verification_revoked". Raises PermissionDenied unless the actor may
    revoke verifications at its council (never their own); ValidationError
    without a reason or when it is already revoked.
    """
    if not can_revoke_verification(actor, verification):
        raise PermissionDenied
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        locked = ResidentVerification.objects.select_for_update()
        current = locked.filter(pk=verification.pk).first()
        if current is None or current.revoked_at is not None:
            raise ValidationError(
                _("This verification has already been revoked."), code="already_revoked"
            )
        current.revoked_at = timezone.now()
        current.revoked_by = actor
        current.revocation_reason = reason
        current.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        record(
            "resident.verification_revoked",
            actor=actor,
            council=current.council,
            target=current,
            user_id=current.user_id,
            method=current.method,
            reason=reason,
        )
    verification.revoked_at = current.revoked_at
    verification.revoked_by = current.revoked_by
    verification.revocation_reason = current.revocation_reason
