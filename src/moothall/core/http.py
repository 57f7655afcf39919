"""Facts about the request that several doors (the site, the API) need alike."""

from __future__ import annotations

import ipaddress

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's internet address as allauth's rate limits see it: behind the reverse
    proxy (BEHIND_PROXY) the trusted forwarded address, not the proxy's own. None when it
    cannot be told."""
    try:
        return str(ipaddress.ip_address(get_adapter(request).get_client_ip(request)))
    except (PermissionDenied, ImproperlyConfigured, ValueError):
        return None
