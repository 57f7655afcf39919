"""The NinjaAPI instance: its endpoints, its docs page and how errors are answered.

Every error is JSON with a 4xx status: ``{"detail": "..."}`` (validation errors
carry ninja's list of problems under ``detail`` with status 422).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI

from moothall.api.budgeting import budgeting_router
from moothall.api.consultations import consultations_router
from moothall.api.docs import BundledSwagger
from moothall.api.endpoints import router
from moothall.api.live_api import router as live_router
from moothall.api.meetings import router as meetings_router
from moothall.api.voice import ideas_router, petitions_router
from moothall.councils.lookup import UnknownPostcode
from moothall.councils.postcodes import InvalidPostcode

api = NinjaAPI(
    title="Moothall API",
    version="1",
    description=(
        "Public data about councils, wards, councillors and who represents each postcode; "
        "the open record of council business (bodies, meetings, agendas, documents, "
        "decisions, votes); and community voice: petitions with live counts by ward, the "
        "obligations they create, ideas and needs. Nothing staff-only is here: exempt "
        "business, unpublished papers and draft petitions never appear. The only writes are "
        "signing a petition and confirming or withdrawing a signature with its emailed "
        "token, under the same rules as the site. "
        "Lists take `limit` and `offset` and answer `items` and `count`."
    ),
    urls_namespace="api",
    docs=BundledSwagger(),
)
api.add_router("", router)
api.add_router("", meetings_router)
api.add_router("", live_router)
api.add_router("", petitions_router)
api.add_router("", ideas_router)
api.add_router("", budgeting_router)
api.add_router("", consultations_router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    detail = str(exc) or gettext("Not found.")
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(InvalidPostcode)
def invalid_postcode(request: HttpRequest, exc: InvalidPostcode) -> HttpResponse:
    detail = gettext("Enter a real postcode, like SW1A 1AA.")
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(UnknownPostcode)
def unknown_postcode(request: HttpRequest, exc: UnknownPostcode) -> HttpResponse:
    detail = gettext("We don't have %(postcode)s in our postcode directory.") % {
        "postcode": exc.args[0]
    }
    return api.create_response(request, {"detail": detail}, status=404)
