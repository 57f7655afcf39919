"""Searching: the one function the site, the API and the digests call.

    results = search('"bin collection" OR recycling -garden', council="mootshire")
    results.total, results.more, results.hits[0].snippet_html

Three or four queries whatever the number of matches: the matches, found only up to just
past the backend's ``rank_limit`` (and on PostgreSQL only counted, the page being asked
for next, with LIMIT in SQL); the page ranked by relevance when there are no more than
that limit, else newest first along a date index; the excerpts of that page only; and the
page's rows with their council and body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from moothall.search import registry
from moothall.search.backends import MARK_END, MARK_START, Filters, get_backend
from moothall.search.models import IndexEntry
from moothall.search.parser import QueryError, parse

__all__ = ["Hit", "QueryError", "SearchResults", "highlight", "search"]

MAX_LIMIT = 100
MAX_OFFSET = 1_000


@dataclass(frozen=True)
class Hit:
    kind: str
    kind_label: str
    object_id: int
    title: str
    title_html: SafeString
    snippet: str
    snippet_html: SafeString
    url: str
    date: dt.date
    council_slug: str
    council_name: str
    body_id: int | None
    body_name: str | None


@dataclass
class SearchResults:
    query: str
    # Every match when ``more`` is False; otherwise the backend's limit (1,000 on SQLite,
    # 500 on PostgreSQL) and there are more than that.
    total: int
    more: bool
    # "relevance" (best first), or "newest" (by date) when there are more than ``total``.
    order: str
    limit: int
    offset: int
    hits: list[Hit] = field(default_factory=list)


def highlight(marked: str) -> SafeString:
    """Escape text from the engine, then turn only its match markers into ``<mark>``."""
    escaped = str(escape(marked))
    # Everything but our own markers was escaped just above.
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _plain(marked: str) -> str:
    return marked.replace(MARK_START, "").replace(MARK_END, "")


def _id_of(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    pk = getattr(value, "pk", None)
    if isinstance(pk, int):
        return pk
    raise TypeError(f"expected an id or a model instance, not {value!r}")


def search(
    query: str,
    *,
    council: Any = None,
    body: Any = None,
    kinds: Iterable[str] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 20,
    offset: int = 0,
    indexed_after: dt.datetime | None = None,
    indexed_until: dt.datetime | None = None,
) -> SearchResults:
    """Find public content matching ``query``, best first.

    ``council`` is a slug or a Council; ``body`` a Body or its id; ``kinds`` registered
    kinds (:func:`moothall.search.registry.kinds`). ``indexed_after``/``indexed_until``
    keep only entries first indexed in that window (for saved-search digests).
    Raises :class:`QueryError` (a user-facing message) for a malformed query or an
    unknown kind.
    """
    node = parse(query or "")
    wanted = tuple(dict.fromkeys(kinds or ()))
    for kind in wanted:
        if registry.registration(kind) is None:
            raise QueryError(_("There is no type of result called “%(kind)s”.") % {"kind": kind})
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    filters = Filters(
        council_slug=council if isinstance(council, str) and council else None,
        council_id=None if isinstance(council, str) else _id_of(council),
        body_id=_id_of(body),
        kinds=wanted,
        date_from=date_from,
        date_to=date_to,
        indexed_after=indexed_after,
        indexed_until=indexed_until,
    )
    ranked = get_backend().search(node, filters, limit=limit, offset=offset)
    results = SearchResults(
        query=query,
        total=min(ranked.total, ranked.rank_limit),
        more=not ranked.by_relevance,
        order="relevance" if ranked.by_relevance else "newest",
        limit=limit,
        offset=offset,
    )
    if not ranked.ids:
        return results
    rows = {
        row.pk: row
        for row in IndexEntry.objects.filter(pk__in=ranked.ids)
        .select_related("council", "body")
        .only(
            "kind",
            "object_id",
            "title",
            "url",
            "date",
            "council__slug",
            "council__name",
            "body__name",
        )
    }
    labels = {kind.kind: str(kind.label) for kind in registry.kinds()}
    for pk in ranked.ids:
        row = rows.get(pk)
        if row is None:  # removed between the two queries
            continue
        title = ranked.titles.get(pk) or row.title
        snippet = ranked.snippets.get(pk) or ""
        results.hits.append(
            Hit(
                kind=row.kind,
                kind_label=labels.get(row.kind, row.kind),
                object_id=row.object_id,
                title=row.title,
                title_html=highlight(title),
                snippet=_plain(snippet),
                snippet_html=highlight(snippet),
                url=row.url,
                date=row.date,
                council_slug=row.council.slug,
                council_name=row.council.name,
                body_id=row.body_id,
                body_name=row.body.name if row.body else None,
            )
        )
    return results
