"""SQLite: an FTS5 table over ``search_entry``, ranked by bm25, excerpts by snippet().

The FTS table has external content (``content='search_entry'``, rowid = entry id): the
text is stored once, in ``search_entry``, and triggers keep the index in step with
every insert, delete and change of title or text. Porter stemming matches
"plans" with "planning", as PostgreSQL's English configuration does.

Django rebuilds a SQLite table (dropping its triggers) when a migration alters it, so
:func:`install` runs after every ``migrate`` as well as in the first migration; it is
idempotent.
"""

# ruff: noqa: S608 - the SQL is built from constants and %s placeholders only; every
# value (the rendered query, filters, ids) is a bound parameter.

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from moothall.search.backends import (
    MARK_END,
    MARK_START,
    SNIPPET_WORDS,
    Filters,
    Ranked,
    where,
)
from moothall.search.parser import Node, Not, Term, to_fts5

FTS_TABLE = "search_entry_fts"

INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, text,
        content='search_entry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='2 3'
    )""",
    # FTS5 gives entry ids; this lets the filters be checked without reading the rows
    # (which hold the long text).
    """CREATE INDEX IF NOT EXISTS search_entry_filters
        ON search_entry (id, kind, council_id, body_id, date, is_stale)""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_fts_insert AFTER INSERT ON search_entry BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_fts_delete AFTER DELETE ON search_entry BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_fts_update
        AFTER UPDATE OF title, text ON search_entry BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO {FTS_TABLE}(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
]

UNINSTALL = [
    "DROP INDEX IF EXISTS search_entry_filters",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

# bm25 weights of the FTS columns: a word in the title counts ten times one in the text.
_BM25 = f"bm25({FTS_TABLE}, 10.0, 1.0)"


def install(db: BaseDatabaseWrapper) -> None:
    """Create the FTS table and its triggers if missing (the table must already exist)."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE]
        )
        fresh = cursor.fetchone() is None
        for statement in INSTALL:
            cursor.execute(statement)
        if fresh:
            # Index whatever rows exist already (none, on a new database).
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def uninstall(db: BaseDatabaseWrapper) -> None:
    with db.cursor() as cursor:
        for statement in UNINSTALL:
            cursor.execute(statement)


def _costly_to_probe(node: Node) -> bool:
    if isinstance(node, Term):
        return node.prefix or len(node.tokens) > 1
    if isinstance(node, Not):
        return _costly_to_probe(node.child)
    return any(_costly_to_probe(child) for child in node.children)


class _Desc:
    """Sorts a value in reverse inside an ascending sort key."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return bool(self.value > other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


class SQLiteBackend:
    # FTS5 counts and bm25-ranks a thousand matches in a few milliseconds.
    rank_limit = 1000

    def search(self, node: Node, filters: Filters, *, limit: int, offset: int) -> Ranked:
        match = to_fts5(node)
        conditions, params = where(filters, connection)
        # CROSS JOIN keeps FTS5 the outer loop: left to itself the planner may walk a
        # filter index and ask FTS5 about every entry in it, which is far slower.
        matches = (
            f"FROM {FTS_TABLE} CROSS JOIN search_entry e ON e.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {conditions}"
        )
        with connection.cursor() as cursor:
            # One pass gives up to rank_limit + 1 matches with their bm25 score: few
            # enough, and they are the whole answer, ranked here; more, and they only
            # say so. FTS5 yields matches one by one, so the pass stops at the limit.
            cursor.execute(
                f"SELECT e.id, {_BM25}, e.date {matches} LIMIT %s",
                [match, *params, self.rank_limit + 1],
            )
            found = cursor.fetchall()
            ranked = Ranked(total=len(found), ids=[], rank_limit=self.rank_limit)
            if not found or (ranked.by_relevance and offset >= len(found)):
                return ranked
            if ranked.by_relevance:
                # Best first; ties newest first (dates are ISO text, ids integers).
                found.sort(key=lambda row: (row[1], _Desc(row[2]), -row[0]))
                ranked.ids = [row[0] for row in found[offset : offset + limit]]
            else:
                ranked.ids = self._newest(cursor, node, match, conditions, params, limit, offset)
            if not ranked.ids:
                return ranked
            # Excerpts only for the page shown, never for every match.
            placeholders = ", ".join(["%s"] * len(ranked.ids))
            cursor.execute(
                f"SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), "
                f"snippet({FTS_TABLE}, 1, %s, %s, %s, %s) "
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
                [
                    MARK_START,
                    MARK_END,
                    MARK_START,
                    MARK_END,
                    "…",
                    SNIPPET_WORDS,
                    match,
                    *ranked.ids,
                ],
            )
            for pk, title, snippet in cursor.fetchall():
                ranked.titles[pk] = title
                ranked.snippets[pk] = snippet
        return ranked

    @staticmethod
    def _newest(
        cursor: Any,
        node: Node,
        match: str,
        conditions: str,
        params: list[Any],
        limit: int,
        offset: int,
    ) -> list[int]:
        """A page of matches newest first, walking a date index backwards."""
        if _costly_to_probe(node):
            # A prefix or a phrase: FTS5 finds the matches once, into a list of ids.
            # (Asked entry by entry, it would merge every word starting with the prefix,
            # or read the phrase's positions, again for each entry.)
            cursor.execute(
                f"SELECT e.id FROM search_entry e WHERE {conditions} AND e.id IN "
                f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
                "ORDER BY e.date DESC, e.id DESC LIMIT %s OFFSET %s",
                [*params, match, limit, offset],
            )
        else:
            # Ask FTS5 about each entry (a rowid lookup) until the page is full.
            cursor.execute(
                f"SELECT e.id FROM search_entry e WHERE {conditions} AND EXISTS "
                f"(SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"AND {FTS_TABLE}.rowid = e.id) "
                "ORDER BY e.date DESC, e.id DESC LIMIT %s OFFSET %s",
                [*params, match, limit, offset],
            )
        return [row[0] for row in cursor.fetchall()]

    def write_vectors(self, ids: list[int], text_weight: str) -> None:
        """Nothing to do: the triggers keep the FTS table in step."""

    def rebuild_index(self) -> None:
        """Recreate whatever is missing, then re-read every row into the FTS index."""
        install(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
