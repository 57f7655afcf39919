"""A strict Content-Security-Policy on every response; messages stored only when used.

No inline script or style anywhere: every script and stylesheet is a file
served from our own origin. Images may come from councils' own HTTPS sites
(councillor photos published by ModernGov) as well as from us.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' https:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class LazyMessageMiddleware(MessageMiddleware):
    """Django's messages middleware, with each request's message store made when it is
    first used (a message added, or the messages read) rather than for every request.

    Most requests (every API call, most pages) neither add nor show a message; making the
    store (a cookie store and a session store behind a fallback) and then asking it to
    save nothing was a measurable part of a signature's cost. A store never made has no
    message to keep, so skipping its update changes nothing."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        store = getattr(request, "_messages", None)
        if isinstance(store, SimpleLazyObject) and store._wrapped is empty:  # type: ignore[attr-defined]
            return response
        return super().process_response(request, response)
