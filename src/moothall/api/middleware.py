"""Open data: any web page may read the API from a browser (CORS), without credentials."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/v1/"


class PublicReadCorsMiddleware:
    """Adds ``Access-Control-Allow-Origin: *`` to API reads and answers pre-flight requests.

    The API is public and read-only and never looks at cookies, so a wildcard
    origin exposes nothing a person couldn't fetch themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        if request.method in {"GET", "HEAD", "OPTIONS"}:
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response
