"""Moothall's LocaleMiddleware chooses the language and labels the answer exactly as
Django's does for URLs without a language prefix, and will not run with them."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory
from django.urls import clear_url_caches, path
from django.utils import translation

from moothall.core.middleware import LocaleMiddleware

COOKIES = [None, "cy", "en-gb", "en", "fr", "CY", ""]
ACCEPT = [None, "cy", "en-US,en;q=0.9", "fr-FR, cy;q=0.5", "de", "*", "cy-GB", "nonsense;;q=x"]
PATHS = ["/", "/api/v1/councils/", "/cy/", "/en-gb/petitions/", "/no/such/page/"]


def answer(middleware_class, path, cookie, accept, status):
    factory = RequestFactory()
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept is not None else {}
    request = factory.get(path, **headers)
    if cookie is not None:
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
    seen = {}

    def view(request):
        seen["active"] = translation.get_language()
        response = HttpResponse("ok", status=status)
        response.headers["Vary"] = "Cookie"
        return response

    try:
        response = middleware_class(view)(request)
    finally:
        translation.deactivate()
    return {
        "LANGUAGE_CODE": request.LANGUAGE_CODE,
        "active in the view": seen["active"],
        "status": response.status_code,
        "headers": dict(response.headers),
    }


@pytest.mark.parametrize("status", [200, 404])
@pytest.mark.parametrize("path", PATHS)
def test_the_language_and_the_headers_are_those_of_djangos_middleware(path, status):
    for cookie, accept in itertools.product(COOKIES, ACCEPT):
        ours = answer(LocaleMiddleware, path, cookie, accept, status)
        assert ours == answer(DjangoLocaleMiddleware, path, cookie, accept, status), (
            cookie,
            accept,
        )
        assert ours["headers"]["Vary"] == "Cookie, Accept-Language"


def test_a_welsh_choice_is_honoured_and_said():
    ours = answer(LocaleMiddleware, "/", "cy", "en-GB", 200)
    assert (ours["LANGUAGE_CODE"], ours["headers"]["Content-Language"]) == ("cy", "cy")
    ours = answer(LocaleMiddleware, "/", None, "cy", 200)
    assert (ours["LANGUAGE_CODE"], ours["headers"]["Content-Language"]) == ("cy", "cy")
    ours = answer(LocaleMiddleware, "/", None, None, 200)
    assert ours["headers"]["Content-Language"] == settings.LANGUAGE_CODE


urlpatterns = i18n_patterns(path("here/", lambda request: HttpResponse()))


def test_it_refuses_urls_with_a_language_prefix(settings):
    settings.ROOT_URLCONF = __name__  # the settings fixture puts it back
    clear_url_caches()
    with pytest.raises(ImproperlyConfigured, match="i18n_patterns"):
        LocaleMiddleware(lambda request: HttpResponse())
