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
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext_lazy as _

from moothall.accounts.models import ResidentVerification, User
from moothall.accounts.rules import is_active_user
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


# --- Eligibility in one query, for steps asked often (a vote) ----------------------------

_REMEMBERED = "_moothall_eligible"


def remember_eligibility(user: Any) -> None:
    """Have :func:`eligible` remember its answers on this ``user`` object (a view's
    ``request.user``, which lives for one request), so a page asks once per council and
    level however many steps it checks."""
    if is_active_user(user) and getattr(user, _REMEMBERED, None) is None:
        setattr(user, _REMEMBERED, {})


def eligible(who: Any, council_id: int, level: Eligibility) -> bool | None:
    """Is ``who`` (a user, or a user's id) tied to the council at least as strongly as
    ``level``? None when the account does not exist or is not active (but always True
    at ``Eligibility.NONE``, without a query). The same answer as
    ``meets(user, council, level)`` in :mod:`moothall.accounts.residents` (its tests
    compare them), in one query rather than three."""
    remembered: dict[tuple[int, int], bool | None] | None = getattr(who, _REMEMBERED, None)
    key = (council_id, int(level))
    if remembered is not None and key in remembered:
        return remembered[key]
    answer = _eligible(who if isinstance(who, int) else who.pk, council_id, level)
    if remembered is not None:
        remembered[key] = answer
    return answer


def _eligible(user_id: int, council_id: int, level: Eligibility) -> bool | None:
    if level <= Eligibility.NONE:
        return True
    email = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    verified = ResidentVerification.objects.filter(
        user=OuterRef("pk"), council_id=council_id, revoked_at__isnull=True
    )
    gss = Subquery(
        Council.objects.filter(pk=council_id).exclude(gss_code="").values("gss_code")[:1]
    )
    in_area = Postcode.objects.filter(postcode=OuterRef("postcode")).filter(
        Q(district_gss=gss) | Q(county_gss=gss) | Q(parish_gss=gss)
    )
    wanted = level >= Eligibility.POSTCODE_IN_AREA
    row = (
        User.objects.filter(pk=user_id)
        .annotate(
            email_ok=Exists(email),
            verified_here=Exists(verified) if wanted else Value(False),
            in_area=Exists(in_area) if level == Eligibility.POSTCODE_IN_AREA else Value(False),
        )
        .values_list("is_active", "email_ok", "verified_here", "in_area", "postcode")
        .first()
    )
    if row is None or not row[0]:
        return None
    _active, email_ok, verified_here, in_area_found, postcode = row
    if not email_ok:
        return False
    if level >= Eligibility.VERIFIED_RESIDENT:
        return bool(verified_here)
    if level >= Eligibility.POSTCODE_IN_AREA:
        if verified_here or in_area_found:
            return True
        return _in_area_after_all(postcode, council_id)
    return True


def _in_area_after_all(postcode: str, council_id: int) -> bool:
    """A postcode stored as typed ("mh11aa", from before profiles normalised it) is looked
    up again in its canonical form (rare: one more query)."""
    if not postcode:
        return False
    try:
        canonical = normalise_postcode(postcode)
    except InvalidPostcode:
        return False
    if canonical == postcode:
        return False
    council = Council.objects.filter(pk=council_id).only("gss_code").first()
    if council is None or not council.gss_code:
        return False
    code = council.gss_code
    return Postcode.objects.filter(
        Q(district_gss=code) | Q(county_gss=code) | Q(parish_gss=code), postcode=canonical
    ).exists()
