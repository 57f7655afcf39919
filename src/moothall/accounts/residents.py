"""Residents: their own profile, and how sure we are that they belong to a council's area.

``update_profile`` is the one verb that changes a person's name and declared
postcode. ``eligibility_for`` answers "how strongly is this person tied to this
council?" on a four-step scale that participation features (petitions, votes,
budgets) compare against with ``meets``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from moothall.accounts.models import ResidentVerification, User
from moothall.core.audit import record
from moothall.councils.models import Council, Postcode
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode

NAME_MAX_LENGTH = User._meta.get_field("name").max_length or 200


class Eligibility(models.IntegerChoices):
    """How strongly a person is tied to a council's area; each level includes those below."""

    NONE = 0, _("Not signed in or email not verified")
    EMAIL_VERIFIED = 1, _("Email address verified")
    POSTCODE_IN_AREA = 2, _("Postcode in the council’s area")
    VERIFIED_RESIDENT = 3, _("Verified resident")


def update_profile(user: User, *, name: str, postcode: str) -> list[str]:
    """Set ``user``'s name and declared postcode; return the names of the fields that changed.

    The postcode is normalised ("sw1a1aa" becomes "SW1A 1AA"); an empty one
    clears it. Raises InvalidPostcode for text that is not a postcode and
    ValidationError for a name that is too long, before anything is written.

    Side effects, in one transaction and only when something changed: saves
    the user and writes a "profile.updated" audit entry listing the changed
    fields (never their values: a postcode says where someone lives).
    """
    name = name.strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("Name must be %(max)d characters or fewer."), params={"max": NAME_MAX_LENGTH}
        )
    canonical = normalise_postcode(postcode) if postcode.strip() else ""

    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        changed = [
            field
            for field, value in (("name", name), ("postcode", canonical))
            if getattr(current, field) != value
        ]
        if changed:
            current.name = name
            current.postcode = canonical
            current.save(update_fields=changed)
            record("profile.updated", actor=user, target=current, fields=changed)
    user.name = name
    user.postcode = canonical
    return changed


@dataclass(frozen=True)
class _Facts:
    """What eligibility depends on, loaded once for a person."""

    email_verified: bool
    area_codes: frozenset[str]  # GSS codes of the council areas their postcode lies in
    verified_at: frozenset[int]  # ids of councils with an unrevoked verification


def _facts(user: Any) -> _Facts | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    email_verified = EmailAddress.objects.filter(user=user, verified=True).exists()
    area_codes: frozenset[str] = frozenset()
    if user.postcode:
        try:
            canonical = normalise_postcode(user.postcode)
        except InvalidPostcode:
            canonical = ""
        row = Postcode.objects.filter(postcode=canonical).first() if canonical else None
        if row is not None:
            area_codes = frozenset(
                code for code in (row.district_gss, row.county_gss, row.parish_gss) if code
            )
    verified_at = frozenset(
        ResidentVerification.objects.filter(user=user, revoked_at__isnull=True)
        .order_by()
        .values_list("council_id", flat=True)
    )
    return _Facts(email_verified=email_verified, area_codes=area_codes, verified_at=verified_at)


def _level(facts: _Facts | None, council: Council) -> Eligibility:
    if facts is None or not facts.email_verified:
        return Eligibility.NONE
    if council.pk in facts.verified_at:
        return Eligibility.VERIFIED_RESIDENT
    if council.gss_code and council.gss_code in facts.area_codes:
        return Eligibility.POSTCODE_IN_AREA
    return Eligibility.EMAIL_VERIFIED


def eligibility_for(user: Any, council: Council) -> Eligibility:
    """The strongest tie ``user`` has to ``council`` (anonymous users: NONE). Three queries."""
    return _level(_facts(user), council)


def eligibilities_for(user: Any, councils: Iterable[Council]) -> dict[int, Eligibility]:
    """``eligibility_for`` at several councils at once, keyed by council id; three queries."""
    facts = _facts(user)
    return {council.pk: _level(facts, council) for council in councils}


def meets(user: Any, council: Council, level: Eligibility) -> bool:
    """Is ``user`` tied to ``council`` at least as strongly as ``level``?"""
    return eligibility_for(user, council) >= level
