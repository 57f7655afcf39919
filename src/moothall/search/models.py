"""The search index (one row per searchable thing) and residents' saved searches.

The full-text index itself lives beside ``search_entry`` and depends on the database:

- SQLite: ``search_entry_fts``, an FTS5 table with external content (``search_entry``,
  rowid = entry id), kept in step by triggers (:mod:`moothall.search.backends.sqlite`).
- PostgreSQL: the ``search_vector`` column below with a GIN index, written by the indexer.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndexEntry(models.Model):
    """One searchable thing: what the public may read of an agenda item, document, decision…

    Written only by :mod:`moothall.search.index`. Exempt and unpublished content never
    gets a row. ``is_stale`` is set in the same transaction as any change to the object
    the row comes from and cleared when the row is recomputed after commit: until then
    the row is left out of results, so a failed or late re-index fails closed.
    """

    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    body = models.ForeignKey(
        "meetings.Body", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField()
    is_stale = models.BooleanField(default=False)
    # When the thing first became searchable: saved-search digests send what is newer.
    indexed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=40)
    url = models.CharField(max_length=500)
    # PostgreSQL only (NULL on SQLite): title weighted A, text B or C. Its GIN index is
    # created by a migration that runs only on PostgreSQL.
    search_vector = SearchVectorField(null=True, editable=False)
    # Last, so that SQLite reads the other columns without walking a long text's pages.
    title = models.CharField(max_length=500)
    text = models.TextField(blank=True)

    class Meta:
        db_table = "search_entry"
        verbose_name_plural = "index entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique"),
        ]
        indexes = [
            # Newest-first pages of a large result set walk these backwards; they carry
            # every filtered column so that filters are checked in the index alone.
            models.Index(
                fields=["council", "date", "id", "kind", "body", "is_stale"],
                name="search_entry_council_date",
            ),
            models.Index(
                fields=["date", "id", "kind", "council", "body", "is_stale"],
                name="search_entry_date",
            ),
            models.Index(fields=["indexed_at"], name="search_entry_indexed_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class SavedSearch(models.Model):
    """A resident's query and filters, run again for an email digest of new matches."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    query = models.CharField(_("search"), max_length=500)
    council = models.ForeignKey(
        "councils.Council", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey(
        "meetings.Body", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kinds = models.JSONField(default=list, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The digest sends entries indexed after this (starts at creation: only new matches).
    last_sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.query}"
