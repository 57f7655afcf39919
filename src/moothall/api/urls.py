"""/api/v1/: the ninja API's URLs under the namespace "api", and JSON for every other path."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import URLPattern, re_path, reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from moothall.api.api import api


def api_root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("api:openapi-view"))


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /api/v1/ gets a JSON 404 rather than the site's HTML page
    (for a POST too: it writes nothing, so no CSRF check answers 403 in HTML first)."""
    return JsonResponse({"detail": gettext("Not found.")}, status=404)


def _json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer HEAD like GET, and "method not allowed" as JSON like every other API error.

    ninja answers a method an endpoint lacks with a plain-text 405 (and has no HEAD
    at all, although the CORS pre-flight allows it). The body of a HEAD answer is
    dropped by the server, as for any Django view.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "HEAD":
            request.method = "GET"
            try:
                response = view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        else:
            response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response["Content-Type"].startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse({"detail": gettext("Method not allowed.")}, status=405)
            response["Allow"] = ", ".join(sorted({*allowed.replace(" ", "").split(","), "HEAD"}))
        return response

    return wrapped


def _with_json_errors(pattern: Any) -> Any:
    if isinstance(pattern, URLPattern):
        return URLPattern(
            pattern.pattern, _json_errors(pattern.callback), pattern.default_args, pattern.name
        )
    return pattern


app_name = "api"
urlpatterns = [
    # ninja's own root view answers 404; ours sends people to the docs. The name
    # "api-root" stays, because ninja reverses it to find the API's base path.
    *(_with_json_errors(p) for p in api.urls[0] if getattr(p, "name", None) != "api-root"),
    re_path(r"^$", api_root, name="api-root"),
    # [\s\S] rather than "." so that even a path with a newline in it is caught.
    re_path(r"^[\s\S]*$", not_found),
]
