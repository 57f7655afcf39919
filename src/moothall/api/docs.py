"""The API docs page: Swagger UI from the files django-ninja ships, under our strict CSP.

django-ninja's own template passes Swagger's settings in an inline
``<script type="application/json">`` block; ours keeps every script a file from
our origin, passes the one setting it needs in a data attribute, and lists the
endpoints in plain HTML so the page is useful without JavaScript.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


class BundledSwagger(DocsBase):
    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        endpoints = [
            {"method": method.upper(), "path": path, "summary": operation.get("summary", "")}
            for path, operations in schema["paths"].items()
            for method, operation in operations.items()
            if method in HTTP_METHODS
        ]
        context = {
            "api": api,
            "openapi_url": self.get_openapi_url(api, kwargs),
            "endpoints": endpoints,
        }
        return render(request, self.template, context)
