"""Writing the index: recompute the entries of some objects, mark them stale, rebuild all.

Only this module writes :class:`~moothall.search.models.IndexEntry` rows. Recomputing is
idempotent and cheap when nothing changed (a content hash per row), so callers may ask
for more objects than strictly needed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from moothall.search import registry
from moothall.search.backends import MARK_END, MARK_START, get_backend
from moothall.search.models import IndexEntry
from moothall.search.registry import Entry, Registration

BATCH_SIZE = 200
# Longer documents are searchable up to here (about 150 pages of text).
MAX_TEXT_CHARS = 1_000_000

# Control characters (our highlight markers among them) never reach the index.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
assert _CONTROL.match(MARK_START)
assert _CONTROL.match(MARK_END)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted


def _clean(entry: Entry) -> dict[str, Any]:
    return {
        "council_id": entry.council_id,
        "body_id": entry.body_id,
        "title": _CONTROL.sub("", entry.title)[:500],
        "text": _CONTROL.sub("", entry.text)[:MAX_TEXT_CHARS],
        "date": entry.date,
        "url": entry.url[:500],
    }


def _hash(values: dict[str, Any]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for key in ("council_id", "body_id", "title", "text", "date", "url"):
        digest.update(str(values[key]).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def _chunks(items: list[int], size: int = BATCH_SIZE) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _entries(reg: Registration, objects: Iterable[models.Model]) -> dict[int, Entry]:
    produced: dict[int, Entry] = {}
    for obj in objects:
        for entry in reg.entries_for(obj):
            if entry.kind != reg.kind or entry.object_id != obj.pk or obj.pk in produced:
                raise ValueError(
                    f"{reg.kind}: entries_for must give at most one entry, of kind "
                    f"{reg.kind!r} and object_id {obj.pk}, per object"
                )
            produced[obj.pk] = entry
    return produced


_UPDATED_FIELDS = [
    "council_id",
    "body_id",
    "title",
    "text",
    "date",
    "url",
    "content_hash",
    "updated_at",
    "is_stale",
]


def _write(reg: Registration, pks: list[int], produced: dict[int, Entry], force: bool) -> Counts:
    """Bring the rows of ``reg.kind`` for ``pks`` in line with ``produced``."""
    counts = Counts()
    existing = {
        row.object_id: row
        for row in IndexEntry.objects.filter(kind=reg.kind, object_id__in=pks).only(
            "id", "object_id", "content_hash", "is_stale"
        )
    }
    now = timezone.now()
    create: list[IndexEntry] = []
    update: list[IndexEntry] = []
    fresh: list[int] = []
    for pk, entry in produced.items():
        values = _clean(entry)
        digest = _hash(values)
        row = existing.get(pk)
        if row is None:
            create.append(
                IndexEntry(
                    kind=reg.kind,
                    object_id=pk,
                    content_hash=digest,
                    indexed_at=now,
                    updated_at=now,
                    **values,
                )
            )
        elif row.content_hash != digest or force:
            # Forced (a rebuild): rewrite even an unchanged row, in case the row or the
            # engine's index drifted from it.
            if row.content_hash == digest:
                counts.unchanged += 1
            else:
                counts.updated += 1
            for key, value in values.items():
                setattr(row, key, value)
            row.content_hash, row.updated_at, row.is_stale = digest, now, False
            update.append(row)
        else:
            counts.unchanged += 1
            if row.is_stale:
                fresh.append(row.pk)
    gone = [row.pk for pk, row in existing.items() if pk not in produced]
    if gone:
        counts.deleted = IndexEntry.objects.filter(pk__in=gone).delete()[0]
    if fresh:
        IndexEntry.objects.filter(pk__in=fresh).update(is_stale=False)
    written: list[int] = []
    if create:
        IndexEntry.objects.bulk_create(create, batch_size=50)
        written.extend(row.pk for row in create)
        counts.created = len(create)
    for row in update:
        # One row at a time: a document's text can be large.
        IndexEntry.objects.filter(pk=row.pk).update(
            **{field: getattr(row, field) for field in _UPDATED_FIELDS}
        )
        written.append(row.pk)
    if written:
        get_backend().write_vectors(written, reg.text_weight)
    return counts


def reindex(model: type[models.Model], pks: Iterable[int], *, force: bool = False) -> Counts:
    """Recompute the entries of ``model``'s objects ``pks`` (gone objects lose theirs)."""
    counts = Counts()
    wanted = sorted(set(pks))
    for reg in registry.registrations_for(model):
        for chunk in _chunks(wanted):
            with transaction.atomic():
                objects = reg.queryset().filter(pk__in=chunk)
                counts.add(_write(reg, chunk, _entries(reg, objects), force))
    return counts


def mark_stale(model: type[models.Model], pks: Iterable[int] | models.QuerySet[Any]) -> None:
    """Take the entries of these objects out of results until they are recomputed."""
    kinds = [reg.kind for reg in registry.registrations_for(model)]
    if not kinds:
        return
    if isinstance(pks, models.QuerySet):
        IndexEntry.objects.filter(kind__in=kinds, object_id__in=pks.values("pk")).update(
            is_stale=True
        )
    else:
        ids = list(pks)
        for chunk in _chunks(ids):
            IndexEntry.objects.filter(kind__in=kinds, object_id__in=chunk).update(is_stale=True)


@dataclass
class RebuildSummary:
    counts: Counts
    by_kind: dict[str, int]


def rebuild(
    *,
    council: Any = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> RebuildSummary:
    """Recompute every entry (of one council, or all) from the registered content.

    Rows are rewritten in place rather than dropped, so each keeps the time it was first
    indexed (saved-search digests would otherwise resend everything). Entries whose
    object is gone, or whose kind is no longer registered, are deleted.
    """
    counts = Counts()
    by_kind: dict[str, int] = {}
    for reg in registry.registrations():
        queryset = reg.queryset()
        if council is not None:
            queryset = queryset.filter(**{f"{reg.council_field}_id": council.pk})
        seen: set[int] = set()
        last = 0
        while True:
            with transaction.atomic():
                batch = list(queryset.filter(pk__gt=last).order_by("pk")[:batch_size])
                if not batch:
                    break
                last = batch[-1].pk
                pks = [obj.pk for obj in batch]
                produced = _entries(reg, batch)
                counts.add(_write(reg, pks, produced, force=True))
                seen.update(produced)
            if progress is not None:
                progress(reg.kind, len(batch))
        by_kind[reg.kind] = len(seen)
        # Rows of this kind (and council) whose object no longer gives an entry.
        leftovers = IndexEntry.objects.filter(kind=reg.kind)
        if council is not None:
            leftovers = leftovers.filter(council=council)
        stale_ids = [
            pk
            for pk, object_id in leftovers.values_list("pk", "object_id")
            if object_id not in seen
        ]
        for chunk in _chunks(stale_ids):
            counts.deleted += IndexEntry.objects.filter(pk__in=chunk).delete()[0]
    # Regenerate the engine's own index from the rows (FTS5 'rebuild'; on PostgreSQL the
    # vectors were rewritten above).
    get_backend().rebuild_index()
    unknown = IndexEntry.objects.exclude(kind__in=[reg.kind for reg in registry.registrations()])
    if council is not None:
        unknown = unknown.filter(council=council)
    counts.deleted += unknown.delete()[0]
    return RebuildSummary(counts=counts, by_kind=by_kind)
