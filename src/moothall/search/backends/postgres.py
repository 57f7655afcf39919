"""PostgreSQL: a weighted tsvector per entry with a GIN index, ts_rank, ts_headline.

The vector is the title (weight A) and the text (B for short text such as an item's
description or a decision, C for long documents), in the 'english' configuration. The
query is built by :func:`moothall.search.parser.to_tsquery` from the parsed tree (only
letters, digits and tsquery operators) and handed to ``to_tsquery`` as a parameter.

ts_headline re-parses the text it is given, so it only ever sees :data:`HEADLINE_CHARS`
characters, from a little before the first place a searched word appears as typed (or
from the start): a long document costs no more than a short one.
"""

# ruff: noqa: S608 - the SQL is built from constants and %s placeholders only; every
# value (the rendered query, filters, ids) is a bound parameter.

from __future__ import annotations

from django.db import connection

from moothall.search.backends import (
    MARK_END,
    MARK_START,
    SNIPPET_WORDS,
    Filters,
    Ranked,
    where,
)
from moothall.search.parser import Node, terms, to_tsquery

CONFIG = "english"
# ts_headline reads this much text around the first match (its cost grows with it) …
HEADLINE_CHARS = 1200
HEADLINE_BEFORE = 120
# … found by a plain search for one of the words in this much of the text.
FIND_CHARS = 200_000
# to_tsvector refuses text whose vector would pass 1 MB; a document is indexed up to here.
VECTOR_CHARS = 1_000_000

# Stale entries are never searched, so the GIN index leaves them out.
INSTALL = [
    "CREATE INDEX IF NOT EXISTS search_entry_vector ON search_entry USING gin (search_vector) "
    "WHERE NOT is_stale",
]
UNINSTALL = ["DROP INDEX IF EXISTS search_entry_vector"]

_SNIPPET_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
    'ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
)
_TITLE_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"


class PostgresBackend:
    # Counting, ranking or checking a phrase reads each entry's vector: keep it few.
    rank_limit = 500

    def search(self, node: Node, filters: Filters, *, limit: int, offset: int) -> Ranked:
        tsquery = to_tsquery(node)
        conditions, params = where(filters, connection)
        matches = (
            f"FROM search_entry e, to_tsquery('{CONFIG}', %s) q "
            f"WHERE e.search_vector @@ q AND {conditions}"
        )
        with connection.cursor() as cursor:
            # Counting stops just past the limit (the GIN index finds the matches).
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 {matches} LIMIT %s) m",
                [tsquery, *params, self.rank_limit + 1],
            )
            total = cursor.fetchone()[0]
            ranked = Ranked(total=total, ids=[], rank_limit=self.rank_limit)
            if not total or (ranked.by_relevance and offset >= total):
                return ranked
            # Few matches: ts_rank for each. Many: newest first along a date index,
            # testing entries until the page is full.
            order = (
                "ts_rank(e.search_vector, q) DESC, e.date DESC, e.id DESC"
                if ranked.by_relevance
                else "e.date DESC, e.id DESC"
            )
            cursor.execute(
                f"SELECT e.id {matches} ORDER BY {order} LIMIT %s OFFSET %s",
                [tsquery, *params, limit, offset],
            )
            ranked.ids = [row[0] for row in cursor.fetchall()]
            if not ranked.ids:
                return ranked
            # The excerpt is cut from a window of the text, starting a little before the
            # first place one of the words appears as typed (found by a plain string
            # search), else at the start: ts_headline's cost grows with what it reads.
            words = sorted({term.tokens[0] for term in terms(node)})
            cursor.execute(
                f"SELECT e.id, ts_headline('{CONFIG}', e.title, q, %s), "
                f"ts_headline('{CONFIG}', substr(e.text, greatest(1, coalesce(("
                f"SELECT min(nullif(strpos(lower(left(e.text, {FIND_CHARS})), w), 0)) "
                f"FROM unnest(%s::text[]) w), 1) - {HEADLINE_BEFORE}), {HEADLINE_CHARS}), q, %s) "
                f"FROM search_entry e, to_tsquery('{CONFIG}', %s) q WHERE e.id = ANY(%s)",
                [_TITLE_OPTIONS, words, _SNIPPET_OPTIONS, tsquery, ranked.ids],
            )
            for pk, title, snippet in cursor.fetchall():
                ranked.titles[pk] = title
                ranked.snippets[pk] = snippet
        return ranked

    def write_vectors(self, ids: list[int], text_weight: str) -> None:
        if text_weight not in {"B", "C", "D"}:
            raise ValueError(text_weight)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_entry SET search_vector = "
                f"setweight(to_tsvector('{CONFIG}', title), 'A') || "
                f"setweight(to_tsvector('{CONFIG}', left(text, {VECTOR_CHARS})), %s) "
                "WHERE id = ANY(%s)",
                [text_weight, ids],
            )

    def rebuild_index(self) -> None:
        """The vectors were rewritten row by row by the rebuild; refresh the planner's
        statistics, or it may scan a council's rows instead of the GIN index (measured on
        the demo archive: 39 ms a query before ANALYZE, 0.7 ms after)."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_entry")
