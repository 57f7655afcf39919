"""Every URL route of the site, walked from the root resolver: for the tests that must
cover them all (the role × action matrix, the rate limits on writes)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(name with namespaces, full pattern) of every URL pattern below ``resolver``."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            yield name, prefix + str(entry.pattern)


def all_routes() -> list[tuple[str, str]]:
    """(name, full pattern) of every route of the site."""
    return list(walk(get_resolver()))
