"""What the site search indexes: each app registers its own content here.

An app puts a ``search.py`` module beside its models (discovered when the search app
is ready, like the demo's ``demo_data.py``) and calls :func:`register` for each kind of
thing it wants found::

    from moothall.search.registry import Entry, register

    def entries_for(petition: Petition) -> list[Entry]:
        if not petition.is_public:
            return []  # never index what the public may not see
        return [Entry(council_id=..., kind="petition", object_id=petition.pk, ...)]

    register("petition", Petition, entries_for, label=_("Petition"),
             queryset=lambda: Petition.objects.select_related("council"),
             council_field="council")

``entries_for`` returns nothing for anything the public may not see: exempt, draft,
hidden. When an object is saved or deleted its entries are marked stale at once (in the
same transaction, so they drop out of results) and recomputed after commit. When an
object's visibility depends on another object (a document on its agenda item and its
meeting), :func:`depends` says which registered objects to recompute when that other
object changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise

EntriesFor = Callable[[Any], list["Entry"]]
# Given a changed instance, the registered objects to recompute, as (model, lookup) pairs:
# (AgendaItem, {"meeting_id": 7}) means AgendaItem.objects.filter(meeting_id=7).
Affected = Callable[[Any], Iterable[tuple[type[models.Model], dict[str, Any]]]]


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One searchable thing, as the index stores it."""

    council_id: int
    kind: str
    object_id: int
    title: str
    text: str
    date: dt.date  # the meeting's, the decision's, the petition's…: filters and sorts by it
    url: str
    body_id: int | None = None


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str | Promise


@dataclass(frozen=True)
class Registration:
    kind: str
    model: type[models.Model]
    entries_for: EntriesFor
    label: str | Promise
    # The rows to index, with whatever select_related entries_for needs (no query per row).
    queryset: Callable[[], models.QuerySet[Any]]
    # Lookup from the model to its council's id, for rebuilding one council.
    council_field: str
    # PostgreSQL weight of the text (the title is always "A"): "B" for short, pointed
    # text (an item's description, a decision), "C" for long documents.
    text_weight: str = "B"


@dataclass
class _Registry:
    registrations: dict[str, Registration] = field(default_factory=dict)
    dependencies: dict[type[models.Model], list[Affected]] = field(default_factory=dict)


_registry = _Registry()


def register(
    kind: str,
    model: type[models.Model],
    entries_for: EntriesFor,
    *,
    label: str | Promise,
    queryset: Callable[[], models.QuerySet[Any]] | None = None,
    council_field: str = "council",
    text_weight: str = "B",
) -> None:
    """Make ``model``'s objects searchable as ``kind`` (one kind per registration; a model
    may be registered under several kinds, each ``entries_for`` choosing its own objects)."""
    if text_weight not in {"B", "C", "D"}:
        raise ValueError("text_weight must be B, C or D")
    _registry.registrations[kind] = Registration(
        kind=kind,
        model=model,
        entries_for=entries_for,
        label=label,
        queryset=queryset or model._default_manager.all,
        council_field=council_field,
        text_weight=text_weight,
    )
    from moothall.search import signals

    signals.watch(model)


def depends(model: type[models.Model], affected: Affected) -> None:
    """When a ``model`` instance is saved or deleted, recompute what ``affected`` returns."""
    _registry.dependencies.setdefault(model, []).append(affected)
    from moothall.search import signals

    signals.watch(model)


def registrations() -> list[Registration]:
    return list(_registry.registrations.values())


def registration(kind: str) -> Registration | None:
    return _registry.registrations.get(kind)


def registrations_for(model: type[models.Model]) -> list[Registration]:
    return [r for r in _registry.registrations.values() if r.model is model]


def dependencies_for(model: type[models.Model]) -> list[Affected]:
    return list(_registry.dependencies.get(model, []))


def kinds() -> list[Kind]:
    """Every kind of thing the search finds, in registration order, with its label."""
    return [Kind(r.kind, r.label) for r in _registry.registrations.values()]


def changed(instance: models.Model) -> None:
    """Treat ``instance`` as saved: for code that writes with ``QuerySet.update()`` or
    ``bulk_create()`` (which send no signals). Its entries (and those depending on it)
    leave results at once and are recomputed after commit."""
    from moothall.search import signals

    signals.object_changed(instance)
