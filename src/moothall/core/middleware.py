"""A strict Content-Security-Policy on every response; messages stored only when used;
the language chosen without the work of language prefixes in URLs, which Moothall has not.

No inline script or style anywhere: every script and stylesheet is a file
served from our own origin. Images may come from councils' own HTTPS sites
(councillor photos published by ModernGov) as well as from us.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware import locale
from django.utils import translation
from django.utils.cache import patch_vary_headers
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


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, for URLs without a language prefix: the language is the one the cookie
    (the switcher's choice) or ``Accept-Language`` asks for, else ``LANGUAGE_CODE``; the
    answer says its language and varies on ``Accept-Language``.

    Django's own also looks for a language in each request's path, twice, and works out
    whether the URLs use ``i18n_patterns``, twice; that was half of its cost, and a
    twentieth of a signature's Python. Moothall's URLs carry no language, so this one
    refuses to start if they ever do (Django's would then be needed again)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
            raise ImproperlyConfigured(
                "moothall.core.middleware.LocaleMiddleware does not handle i18n_patterns: "
                "use django.middleware.locale.LocaleMiddleware"
            )

    def process_request(self, request: HttpRequest) -> None:
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # in its usual form ("CY": "cy")

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
