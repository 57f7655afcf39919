"""Read-side queries shared by the public site and the API (fixed query counts)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from moothall.councils.models import Council, Councillor, KeyPost, TermOfOffice, Ward


def councillors_of(council: Council, *, include_former: bool = False) -> QuerySet[Councillor]:
    """A council's councillors (current ones unless asked) with what a list shows, prefetched."""
    qs = Councillor.objects.filter(council=council)
    if not include_former:
        qs = qs.current()
    return with_details(qs).order_by("person__name", "pk")


def with_details(qs: QuerySet[Councillor]) -> QuerySet[Councillor]:
    return qs.select_related("person", "party", "ward", "council").prefetch_related(
        Prefetch("key_posts", queryset=KeyPost.objects.order_by("order", "pk")),
        Prefetch("terms", queryset=TermOfOffice.objects.order_by("start_date", "pk")),
    )


def councils_with_counts() -> QuerySet[Council]:
    """Every council with its ward count and current-councillor count annotated."""
    today = timezone.localdate()
    # Both conditions on the same joined term row: a term that has begun and not ended.
    current = (
        Q(councillors__terms__end_date__isnull=True) | Q(councillors__terms__end_date__gte=today)
    ) & (
        Q(councillors__terms__start_date__isnull=True)
        | Q(councillors__terms__start_date__lte=today)
    )
    return Council.objects.select_related("parent").annotate(
        ward_count=Count("wards", distinct=True),
        councillor_count=Count("councillors", filter=current, distinct=True),
    )


def councils_named(q: str = "") -> QuerySet[Council]:
    """Councils whose official or short name contains ``q`` (all when blank), by nation, name."""
    words = " ".join(q.split())
    qs = Council.objects.all()
    if words:
        qs = qs.filter(Q(name__icontains=words) | Q(short_name__icontains=words))
    return qs.order_by("nation", "short_name", "pk")


def councillors_of_ward(ward: Ward, *, include_former: bool = False) -> QuerySet[Councillor]:
    """A ward's councillors (current ones unless asked) with what a list shows, prefetched."""
    qs = Councillor.objects.filter(ward=ward)
    if not include_former:
        qs = qs.current()
    return with_details(qs).order_by("person__name", "pk")


def holds_office(councillor: Councillor, on: dt.date | None = None) -> bool:
    """Whether one of the councillor's terms is current (no query when terms are prefetched)."""
    return any(term.is_current(on) for term in councillor.terms.all())


def is_former(councillor: Councillor, on: dt.date | None = None) -> bool:
    """Out of office with no term to come: not someone elected whose term has yet to begin."""
    on = on or timezone.localdate()
    terms = councillor.terms.all()
    upcoming = any(t.start_date is not None and t.start_date > on for t in terms)
    return not upcoming and not any(t.is_current(on) for t in terms)
