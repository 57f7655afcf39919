"""URL resolution that skips, with one regular expression, the patterns that cannot match.

Django tries a URLconf's patterns one by one, in Python, and builds the list of those it
tried as it goes: a request for the 23rd API endpoint or the 50th page tries 22 or 49
patterns first, which cost a signature request more than the rest of URL handling.
:func:`indexed` gives a resolver (and, recursively, every resolver included under it) an
index: one compiled expression whose alternatives are its patterns' own expressions, in
order, so that a single ``match`` in C finds the first pattern that can match. Django's
own resolution then runs from there, with Django's semantics: a converter that refuses a
value, or an included URLconf that has no match, carries on with the next pattern.

Each alternative is an over-approximation of its pattern: whatever the pattern matches,
the alternative matches (a pattern the index cannot express, such as a ``re_path`` that
is not anchored or sets flags, becomes an alternative that matches everything). So no
pattern before the one the index finds could have matched. A path that matches nothing
is resolved again the plain way, so that the 404 (and DEBUG's list of what was tried) is
exactly Django's. The one difference: a successful match's ``tried`` lists only the
patterns from the index's pick onwards.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, ResolverMatch, RoutePattern

_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")
# After named groups become non-capturing: any "(?" left that is not a non-capturing group
# or a look-around (inline flags, conditionals, named back-references), or a numbered
# back-reference, could mean something else inside a larger expression.
_UNSAFE = re.compile(r"\(\?(?![:=!]|<[=!])|\\[1-9]")


def _expression(pattern: Any) -> str:
    """An expression (without its leading ``^``) that matches at least what ``pattern``
    matches at the start of a path; "" (matches anything) when it cannot be written."""
    if type(pattern.pattern) not in (RoutePattern, RegexPattern):
        return ""  # e.g. LocalePrefixPattern: it depends on the active language
    source = pattern.pattern.regex.pattern
    if not source.startswith("^"):
        return ""  # re_path searches the whole path for an unanchored expression
    text = _NAMED_GROUP.sub("(?:", source[1:])
    if _UNSAFE.search(text):
        return ""
    if isinstance(pattern, URLResolver):
        children = [_expression(child) for child in pattern.url_patterns]
        return f"{text}(?:{'|'.join(children)})" if children else text
    return text


class IndexedResolver(URLResolver):
    """A URLResolver with an index of its patterns (see the module's docstring)."""

    @cached_property
    def url_patterns(self) -> list[Any]:
        patterns = URLResolver.url_patterns.func(self)  # type: ignore[attr-defined]
        return [
            indexed(pattern) if type(pattern) is URLResolver else pattern for pattern in patterns
        ]

    @cached_property
    def _index(self) -> re.Pattern[str] | None:
        alternatives = [_expression(pattern) for pattern in self.url_patterns]
        try:
            return re.compile(
                "(?:" + "|".join(f"(?P<_{i}>{text})" for i, text in enumerate(alternatives)) + ")"
            )
        except (re.error, RecursionError):  # never seen; resolve as Django does
            return None

    @cached_property
    def _tails(self) -> dict[int, URLResolver]:
        return {}

    def _tail(self, start: int) -> URLResolver:
        """This resolver with its first ``start`` patterns left out."""
        tail = self._tails.get(start)
        if tail is None:
            tail = URLResolver(
                self.pattern,
                self.url_patterns[start:],
                self.default_kwargs,
                self.app_name,
                self.namespace,
            )
            self._tails[start] = tail
        return tail

    def resolve(self, path: Any) -> ResolverMatch:
        path = str(path)
        match = self.pattern.match(path)
        index = self._index
        if match is None or index is None:
            return super().resolve(path)
        found = index.match(match[0])
        start = int(found.lastgroup[1:]) if found is not None and found.lastgroup else 0
        if start == 0:
            return super().resolve(path)
        try:
            return self._tail(start).resolve(path)
        except Resolver404:
            return super().resolve(path)  # Django's own 404, listing every pattern tried


def indexed(resolver: URLResolver | URLPattern) -> IndexedResolver:
    """``path("…", include(…))`` resolved through an index (and every resolver under it)."""
    if not isinstance(resolver, URLResolver):
        raise TypeError("indexed() takes an include(): path(route, include(...))")
    return IndexedResolver(
        resolver.pattern,
        resolver.urlconf_name,
        resolver.default_kwargs,
        resolver.app_name,
        resolver.namespace,
    )
