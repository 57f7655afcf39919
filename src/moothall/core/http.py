"""Facts about the request that several doors (the site, the API) need alike."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http.request import split_domain_port

# Set on the request the first time its address is asked for: the rate limit middleware,
# allauth's own rate limits and the signing verb all ask, and the answer cannot change.
_CACHED = "_moothall_client_ip"


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


def _meta_key(header: str) -> str:
    key = header.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


def _raw_client_ip(meta: dict[str, str]) -> str | None:
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        return meta.get(_meta_key(header))
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


@lru_cache(maxsize=4096)
def _clean(raw: str) -> str | None:
    """An address in its one written form (``ipaddress``), its port dropped; None when it
    is not an address. Cached: one client sends many requests."""
    text = raw.strip()
    try:
        host, port = split_domain_port(text)
        if host and port:
            text = host[1:-1] if host[0] == "[" and host[-1] == "]" else host
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
