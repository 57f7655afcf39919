"""Facts about the request that several doors (the site, the API) need alike."""

from __future__ import annotations

from functools import lru_cache

from allauth.core.internal.httpkit import clean_client_ip
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http.request import HttpHeaders

# Set on the request the first time its address is asked for: the rate limit middleware,
# allauth's own rate limits and the signing verb all ask, and the answer cannot change.
_CACHED = "_moothall_client_ip"

# allauth's own parse (the port dropped, one written form, None when not an address),
# remembered per raw string: one client sends many requests.
_clean = lru_cache(maxsize=4096)(clean_client_ip)


def client_ip(request: HttpRequest) -> str | None:
    """The caller's internet address as allauth's rate limits see it: behind the reverse
    proxy (BEHIND_PROXY) the trusted forwarded address, not the proxy's own. None when it
    cannot be told.

    allauth's rules (``allauth.core.internal.httpkit.get_client_ip``), read from
    ``request.META`` rather than ``request.headers`` (which copies every header) and
    worked out once per request: ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` when set, else the
    ``ALLAUTH_TRUSTED_PROXY_COUNT``-th X-Forwarded-For entry from the right, else
    REMOTE_ADDR. Our ``AccountAdapter.get_client_ip`` returns this, so allauth's rate
    limits and ours count the same visitor; tests/core/test_http.py holds the two
    equal."""
    try:
        return request.__dict__[_CACHED]
    except KeyError:
        pass
    try:
        ip = _clean(raw) if (raw := _raw_client_ip(request.META)) else None
    except ImproperlyConfigured:
        ip = None
    request.__dict__[_CACHED] = ip
    return ip


def _raw_client_ip(meta: dict[str, str]) -> str | None:
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        return meta.get(HttpHeaders.to_wsgi_name(header))
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR") if proxies > 0 else None
    if forwarded:
        entries = forwarded.split(",")
        if len(entries) < proxies:
            # A request that did not come through all our proxies. allauth refuses these
            # too (ImproperlyConfigured); here the address is unknown.
            raise ImproperlyConfigured("ALLAUTH_TRUSTED_PROXY_COUNT does not match X-Forwarded-For")
        if ip := entries[-proxies]:
            return ip
    return meta.get("REMOTE_ADDR")
