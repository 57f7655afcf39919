"""The read-only public endpoints: councils, wards, councillors and postcodes.

Each view fetches through the shared read queries (``councils.queries``,
``councils.lookup``) and returns model instances for the schemas to shape.
Unknown slugs and ids raise Http404, which the API answers as JSON.
"""

# No ``from __future__ import annotations`` here: ninja reads these signatures at
# import time and cannot resolve ``Query[...]`` from a string annotation.

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Path, Query, Router
from ninja.pagination import paginate

from moothall.api.pagination import LimitOffset
from moothall.api.schemas import (
    CouncilDetailOut,
    CouncilFilters,
    CouncillorDetailOut,
    CouncillorOut,
    CouncilOut,
    ErrorOut,
    PostcodeOut,
    ValidationErrorOut,
    WardOut,
)
from moothall.councils.lookup import PostcodeAnswer, representation_for
from moothall.councils.models import Council, Councillor, TermOfOffice, Ward
from moothall.councils.queries import (
    councillors_of,
    councils_named,
    councils_with_counts,
    with_details,
)

router = Router()


def _council_or_404(slug: str) -> Council:
    council = Council.objects.filter(slug=slug).first()
    if council is None:
        raise Http404(gettext("There is no council “%(slug)s”.") % {"slug": slug})
    return council


@router.get(
    "/councils",
    response={200: list[CouncilOut], 422: ValidationErrorOut},
    url_name="councils",
    operation_id="list_councils",
    summary="Every council, filtered by tier, nation or name",
    tags=["councils"],
)
@paginate(LimitOffset)
def list_councils(request: HttpRequest, filters: Query[CouncilFilters]) -> QuerySet[Council]:
    councils = councils_named(filters.q or "").select_related("parent")
    if filters.tier:
        councils = councils.filter(tier=filters.tier)
    if filters.nation:
        councils = councils.filter(nation=filters.nation)
    return councils.order_by("short_name", "pk")


@router.get(
    "/councils/{slug:slug}",
    response={200: CouncilDetailOut, 404: ErrorOut},
    url_name="council",
    operation_id="get_council",
    summary="One council, with its child councils and counts",
    tags=["councils"],
)
def get_council(request: HttpRequest, slug: str) -> Council:
    council = (
        councils_with_counts()
        .prefetch_related(
            Prefetch("children", queryset=Council.objects.order_by("short_name", "pk"))
        )
        .filter(slug=slug)
        .first()
    )
    if council is None:
        raise Http404(gettext("There is no council “%(slug)s”.") % {"slug": slug})
    return council


@router.get(
    "/councils/{slug:slug}/wards",
    response={200: list[WardOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_wards",
    operation_id="list_council_wards",
    summary="A council's wards or electoral divisions",
    tags=["councils"],
)
@paginate(LimitOffset)
def list_council_wards(request: HttpRequest, slug: str) -> QuerySet[Ward]:
    return _council_or_404(slug).wards.order_by("name", "pk")


@router.get(
    "/councils/{slug:slug}/councillors",
    response={200: list[CouncillorOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_councillors",
    operation_id="list_council_councillors",
    summary="A council's current councillors, or all of them with include_former=true",
    tags=["councillors"],
)
@paginate(LimitOffset)
def list_council_councillors(
    request: HttpRequest, slug: str, include_former: bool = False
) -> QuerySet[Councillor]:
    return councillors_of(_council_or_404(slug), include_former=include_former)


@router.get(
    "/councillors/{int:id}",
    response={200: CouncillorDetailOut, 404: ErrorOut},
    url_name="councillor",
    operation_id="get_councillor",
    summary="One councillor, current or former",
    tags=["councillors"],
)
def get_councillor(request: HttpRequest, id: Path[int]) -> Councillor:
    # An id beyond the column's range matches nothing (Django checks), so it is a 404 too.
    councillor = with_details(Councillor.objects.filter(pk=id)).first()
    if councillor is None:
        raise Http404(gettext("There is no councillor %(id)s.") % {"id": id})
    return councillor


@router.get(
    "/postcodes/{path:postcode}",
    response={200: PostcodeOut, 400: ErrorOut, 404: ErrorOut},
    url_name="postcode",
    operation_id="get_postcode",
    summary="Who represents a postcode: each council, its ward there and the ward's councillors",
    tags=["postcodes"],
)
def get_postcode(request: HttpRequest, postcode: str) -> dict[str, object]:
    # InvalidPostcode and UnknownPostcode become 400 and 404 in the API's handlers.
    answer: PostcodeAnswer = representation_for(postcode)
    councillors = [c for r in answer.representations for c in r.councillors]
    # The lookup loads what a page shows; the API also lists terms: one more query.
    prefetch_related_objects(
        councillors, Prefetch("terms", queryset=TermOfOffice.objects.order_by("start_date", "pk"))
    )
    return {"postcode": answer.postcode, "representation": answer.representations}
