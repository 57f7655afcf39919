"""Rate limits on every write: each POST, PUT, PATCH or DELETE, on the site and the API.

A request that changes something counts against a budget per *route class* (signing a
petition, the API, signing in, the staff back-office, the rest of the site) and per
caller: the signed-in person, else the client's address as ``core.http.client_ip`` sees
it (behind the proxy, the visitor's own address). Budgets are fixed windows counted in the
Django cache: Redis when ``REDIS_URL`` is set, so every app process shares them; the
in-process cache otherwise, where each process counts on its own.

Over budget, the site answers a GOV.UK page and the API its JSON error shape, both 429
with ``Retry-After``. Settings (see settings.py): ``RATE_LIMITS_ENABLED`` and
``RATE_LIMITS`` (class → "count/period", period ``s``, ``m``, ``h`` or a number of
seconds). The limits sit in front of every view, so a new write endpoint cannot escape
them; the verbs' own quiet abuse checks (petition floods) still run behind them.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from moothall.core.http import client_ip

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The route classes, first match wins; anything else is "site".
_CLASSES: list[tuple[str, re.Pattern[str]]] = [
    # Signing a petition, and confirming or withdrawing a signature by its emailed token.
    ("sign", re.compile(r"^/[^/]+/petitions/\d+/sign/$")),
    ("sign", re.compile(r"^/api/v1/councils/[^/]+/petitions/\d+/signatures/?$")),
    ("sign", re.compile(r"^/api/v1/signatures/(confirm|withdraw)/?$")),
    ("api", re.compile(r"^/api/")),
    ("account", re.compile(r"^/accounts/")),
    ("staff", re.compile(r"^/admin/|^/[^/]+/staff/")),
]

_PERIODS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


@lru_cache(maxsize=64)
def parse(rate: str) -> Limit:
    """ "30/m" → 30 per 60 seconds; "5/300" → 5 per 300 seconds."""
    try:
        count, period = rate.strip().split("/")
        seconds = _PERIODS[period] if period in _PERIODS else int(period)
        limit = Limit(int(count), seconds)
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"a rate limit is written like 30/m, got {rate!r}") from None
    if limit.count < 1 or limit.seconds < 1:
        raise ImproperlyConfigured(f"a rate limit must allow at least one write, got {rate!r}")
    return limit


def route_class(path: str) -> str:
    for name, pattern in _CLASSES:
        if pattern.match(path):
            return name
    return "site"


def caller(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request) or 'unknown'}"


def hit(route: str, who: str, limit: Limit, now: float | None = None) -> int | None:
    """Count one write; None while within the limit, else the seconds until it resets."""
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    key = f"ratelimit:{route}:{who}:{limit.seconds}:{window}"
    # One extra second of life so a key never vanishes between add() and incr().
    if cache.add(key, 1, timeout=limit.seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired in between: this write starts the window again
            cache.set(key, 1, timeout=limit.seconds + 1)
            count = 1
    if count <= limit.count:
        return None
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": gettext("Too many requests. Try again in %(seconds)d seconds.")
                % {"seconds": retry_after}
            },
            status=429,
        )
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in UNSAFE_METHODS and settings.RATE_LIMITS_ENABLED:
            route = route_class(request.path_info)
            rates = settings.RATE_LIMITS
            limit = parse(rates.get(route, rates["site"]))  # parsed once per distinct rate
            retry_after = hit(route, caller(request), limit)
            if retry_after is not None:
                return too_many(request, retry_after)
        return self.get_response(request)
