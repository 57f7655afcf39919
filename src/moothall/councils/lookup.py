"""Who represents me? From a postcode to every council, ward and councillor that serves it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from moothall.councils.models import Council, Councillor, KeyPost, Postcode, Ward
from moothall.councils.postcodes import normalise_postcode

# The order a resident reads their councils in: the widest area first.
TIER_ORDER: dict[str, int] = {
    Council.Tier.COMBINED: 0,
    Council.Tier.COUNTY: 1,
    Council.Tier.UNITARY: 2,
    Council.Tier.DISTRICT: 3,
    Council.Tier.PARISH: 4,
}


class UnknownPostcode(LookupError):
    """A well-formed postcode that is not in the postcode directory."""


@dataclass
class Representation:
    council: Council
    ward: Ward | None
    councillors: list[Councillor] = field(default_factory=list)


@dataclass
class PostcodeAnswer:
    postcode: str
    representations: list[Representation]


def representation_for(postcode: str) -> PostcodeAnswer:
    """Every council covering ``postcode``, its ward there and that ward's current councillors.

    Raises InvalidPostcode for text that is not a postcode and UnknownPostcode
    for one we have no record of. Runs a fixed number of queries.
    """
    canonical = normalise_postcode(postcode)
    try:
        row = Postcode.objects.get(postcode=canonical)
    except Postcode.DoesNotExist:
        raise UnknownPostcode(canonical) from None

    council_codes = [c for c in (row.county_gss, row.district_gss, row.parish_gss) if c]
    # A parish with no wards of its own is one electoral area: its "ward" carries
    # the parish code, so the parish code is looked up among ward codes too.
    ward_codes = [c for c in (row.ward_gss, row.division_gss, row.parish_gss) if c]
    councils = list(Council.objects.filter(gss_code__in=council_codes))
    council_ids = [c.pk for c in councils]
    wards = {
        w.council_id: w
        for w in Ward.objects.filter(
            council_id__in=council_ids, gss_code__in=ward_codes
        ).select_related("council")
    }
    current = (
        Councillor.objects.current()
        .filter(ward__in=list(wards.values()))
        .select_related("person", "party", "ward", "council")
        .prefetch_related(Prefetch("key_posts", queryset=KeyPost.objects.order_by("order")))
        .order_by("person__name")
    )
    by_ward: dict[int, list[Councillor]] = {}
    for councillor in current:
        assert councillor.ward_id is not None
        by_ward.setdefault(councillor.ward_id, []).append(councillor)

    representations = []
    for council in sorted(councils, key=lambda c: (TIER_ORDER.get(c.tier, 9), c.short_name)):
        ward = wards.get(council.pk)
        members = by_ward.get(ward.pk, []) if ward else []
        representations.append(Representation(council=council, ward=ward, councillors=members))
    return PostcodeAnswer(postcode=canonical, representations=representations)
