"""/api/v1/: the ninja API's URLs under the namespace "api", and JSON for every other path."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import re_path, reverse
from django.utils.translation import gettext

from moothall.api.api import api


def api_root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("api:openapi-view"))


def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /api/v1/ gets a JSON 404 rather than the site's HTML page."""
    return JsonResponse({"detail": gettext("Not found.")}, status=404)


app_name = "api"
urlpatterns = [
    # ninja's own root view answers 404; ours sends people to the docs. The name
    # "api-root" stays, because ninja reverses it to find the API's base path.
    *(p for p in api.urls[0] if getattr(p, "name", None) != "api-root"),
    re_path(r"^$", api_root, name="api-root"),
    # [\s\S] rather than "." so that even a path with a newline in it is caught.
    re_path(r"^[\s\S]*$", not_found),
]
