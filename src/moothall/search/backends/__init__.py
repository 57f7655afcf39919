"""One interface, one full-text engine per database: FTS5 on SQLite, tsvector on PostgreSQL.

A backend takes a parsed query (:mod:`moothall.search.parser`) and filters, and returns
the total number of matches and one page of entry ids, best first, with the title and
an excerpt of each marked up by the engine. The engine marks matches with the control
characters :data:`MARK_START` and :data:`MARK_END` (stripped from all indexed text), so
that :mod:`moothall.search.query` can escape everything and then turn only those into
``<mark>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from moothall.search.parser import Node

MARK_START = "\x02"
MARK_END = "\x03"
# Words of context in an excerpt (the engines count a little differently).
SNIPPET_WORDS = 28
# Up to a backend's ``rank_limit`` matches are counted exactly and ranked by relevance.
# Beyond it the count stops ("more than 1,000") and results come newest first, walking a
# date index: ranking every entry that mentions "council" would cost more than a whole
# page may (PostgreSQL re-reads each entry's vector to rank it or check a phrase).


@dataclass(frozen=True)
class Filters:
    council_id: int | None = None
    council_slug: str | None = None
    body_id: int | None = None
    kinds: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # For saved-search digests: entries first indexed in (indexed_after, indexed_until].
    indexed_after: dt.datetime | None = None
    indexed_until: dt.datetime | None = None


@dataclass
class Ranked:
    total: int  # exact up to rank_limit; rank_limit + 1 means "more than rank_limit"
    ids: list[int]
    rank_limit: int
    titles: dict[int, str] = field(default_factory=dict)
    snippets: dict[int, str] = field(default_factory=dict)

    @property
    def by_relevance(self) -> bool:
        return self.total <= self.rank_limit


class Backend(Protocol):
    rank_limit: int

    def search(self, node: Node, filters: Filters, *, limit: int, offset: int) -> Ranked: ...

    def write_vectors(self, ids: list[int], text_weight: str) -> None: ...

    def rebuild_index(self) -> None: ...


def where(filters: Filters, db: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
    """SQL conditions on the entry table (alias ``e``) shared by both engines."""
    # Written out (not a parameter) so PostgreSQL can use its partial GIN index.
    sql = ["e.is_stale = false"]
    params: list[Any] = []
    if filters.council_id is not None:
        sql.append("e.council_id = %s")
        params.append(filters.council_id)
    elif filters.council_slug is not None:
        sql.append("e.council_id = (SELECT c.id FROM councils_council c WHERE c.slug = %s)")
        params.append(filters.council_slug)
    if filters.body_id is not None:
        sql.append("e.body_id = %s")
        params.append(filters.body_id)
    if filters.kinds:
        sql.append("e.kind IN (" + ", ".join(["%s"] * len(filters.kinds)) + ")")
        params.extend(filters.kinds)
    if filters.date_from is not None:
        sql.append("e.date >= %s")
        params.append(db.ops.adapt_datefield_value(filters.date_from))
    if filters.date_to is not None:
        sql.append("e.date <= %s")
        params.append(db.ops.adapt_datefield_value(filters.date_to))
    if filters.indexed_after is not None:
        sql.append("e.indexed_at > %s")
        params.append(db.ops.adapt_datetimefield_value(filters.indexed_after))
    if filters.indexed_until is not None:
        sql.append("e.indexed_at <= %s")
        params.append(db.ops.adapt_datetimefield_value(filters.indexed_until))
    return " AND ".join(sql), params


def get_backend() -> Backend:
    """The engine of the default database."""
    if connection.vendor == "sqlite":
        from moothall.search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()
    if connection.vendor == "postgresql":
        from moothall.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise ImproperlyConfigured(f"Search supports SQLite and PostgreSQL, not {connection.vendor}.")
