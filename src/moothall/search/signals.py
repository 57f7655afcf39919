"""The index follows commits.

When a registered object (or one that others depend on) is saved or deleted:

1. at once, inside the writer's transaction, the entries concerned are marked stale, so
   they leave search results in the same commit that changes the object (an item made
   exempt is never findable after its commit, even for the moment before re-indexing,
   and stays unfindable if re-indexing fails);
2. after commit, one callback per transaction recomputes them all (which clears the
   mark, removes what is now exempt or gone, adds what is newly public).

Verbs that change rows with ``QuerySet.update()`` send no signals: the dependencies
registered with :func:`moothall.search.registry.depends` cover them (for example the
papers of an agenda item, re-read whenever the item or its meeting is saved).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save

from moothall.search import index, registry

logger = logging.getLogger(__name__)

_watched: set[type[models.Model]] = set()


class _Batch:
    """What to recompute when the current transaction commits."""

    def __init__(self) -> None:
        self.pks: dict[type[models.Model], set[int]] = {}
        self.lookups: set[tuple[type[models.Model], tuple[tuple[str, Any], ...]]] = set()
        self.done = False
        self.position = -1  # where its callback sits in connection.run_on_commit

    def is_pending(self) -> bool:
        hooks = connection.run_on_commit
        return (
            not self.done
            and 0 <= self.position < len(hooks)
            and hooks[self.position][1] == self.flush
        )

    def flush(self) -> None:
        self.done = True
        targets = {model: set(pks) for model, pks in self.pks.items()}
        for model, lookup in self.lookups:
            found = model._default_manager.filter(**dict(lookup)).values_list("pk", flat=True)
            targets.setdefault(model, set()).update(found)
        for model, pks in targets.items():
            index.reindex(model, pks)


_local = threading.local()


def _current_batch() -> _Batch:
    """The batch of the transaction in progress, registered once with on_commit."""
    batch: _Batch | None = getattr(_local, "batch", None)
    # A batch whose callback already ran, or was dropped with a rolled-back transaction
    # (or savepoint), takes nothing more: start another.
    if batch is None or not batch.is_pending():
        batch = _Batch()
        batch.position = len(connection.run_on_commit)
        transaction.on_commit(batch.flush, robust=True)
        _local.batch = batch
    return batch


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loaddata: the rebuild command indexes fixtures
    if instance.pk is None:
        return
    # Recorded (and marked stale) before the batch may run: outside a transaction
    # on_commit runs the callback at once.
    own = bool(registry.registrations_for(sender))
    affected = {
        (model, tuple(sorted(lookup.items())))
        for dependency in registry.dependencies_for(sender)
        for model, lookup in dependency(instance)
    }
    if own:
        index.mark_stale(sender, [instance.pk])
    for model, lookup in affected:
        index.mark_stale(model, model._default_manager.filter(**dict(lookup)))
    in_transaction = connection.in_atomic_block
    batch = _current_batch() if in_transaction else _Batch()
    if own:
        batch.pks.setdefault(sender, set()).add(instance.pk)
    batch.lookups.update(affected)
    if not in_transaction:
        # Autocommit: the change is already committed; index now, as on_commit would.
        try:
            batch.flush()
        except Exception:
            logger.exception("Could not update the search index")


def watch(model: type[models.Model]) -> None:
    """Follow saves and deletes of ``model`` (called by the registry)."""
    if model in _watched:
        return
    _watched.add(model)
    uid = f"moothall.search:{model._meta.label}"
    post_save.connect(_changed, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(_changed, sender=model, weak=False, dispatch_uid=uid + ":delete")


def object_changed(instance: models.Model) -> None:
    """Follow a change the ORM sent no signal for (see registry.changed)."""
    _changed(type(instance), instance)
