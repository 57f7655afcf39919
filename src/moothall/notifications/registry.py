"""What people can follow: each app registers its own kinds here.

An app puts a ``follow.py`` module beside its models (discovered when the
notifications app is ready, like ``search.py``) and calls :func:`register` for each
kind of thing people may follow::

    from moothall.notifications.registry import register

    register(
        "petition",
        Petition,
        label=_("Petition"),
        is_public=lambda petition: petition.is_public,
        queryset=lambda: Petition.objects.select_related("council"),
    )

A subscription stores only ``(kind, object_id)``; the registration says how to find
the object, its council, whether the public may see it (nobody follows what they
cannot see), what to call it and where it lives on the site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Followable:
    kind: str
    model: type[models.Model]
    label: str | Promise
    council_of: Callable[[Any], Any]
    is_public: Callable[[Any], bool]
    url_of: Callable[[Any], str]
    title_of: Callable[[Any], str]
    # The rows to show, with whatever select_related url_of and council_of need, so that a
    # list of subscriptions costs one query per kind, not one per row.
    queryset: Callable[[], models.QuerySet[Any]]

    def get(self, object_id: int) -> Any | None:
        """The object, or None when it is gone or not public."""
        obj = self.queryset().filter(pk=object_id).first()
        if obj is None or not self.is_public(obj):
            return None
        return obj

    def in_bulk(self, ids: Iterable[int]) -> dict[int, Any]:
        """The public objects among ``ids``, by id (one query)."""
        found = self.queryset().filter(pk__in=list(ids))
        return {obj.pk: obj for obj in found if self.is_public(obj)}


_registry: dict[str, Followable] = {}


def register(
    kind: str,
    model: type[models.Model],
    *,
    label: str | Promise,
    council_of: Callable[[Any], Any] = lambda obj: obj.council,
    is_public: Callable[[Any], bool] = lambda obj: True,
    url_of: Callable[[Any], str] = lambda obj: obj.get_absolute_url(),
    title_of: Callable[[Any], str] = str,
    queryset: Callable[[], models.QuerySet[Any]] | None = None,
) -> None:
    """Let people follow ``model``'s objects as ``kind`` (at most 20 characters)."""
    if not kind or len(kind) > 20:
        raise ValueError("A followable kind is 1 to 20 characters.")
    _registry[kind] = Followable(
        kind=kind,
        model=model,
        label=label,
        council_of=council_of,
        is_public=is_public,
        url_of=url_of,
        title_of=title_of,
        queryset=queryset or model._default_manager.all,
    )


def followable(kind: str) -> Followable | None:
    return _registry.get(kind)


def kinds() -> list[Followable]:
    """Every followable kind, in registration order."""
    return list(_registry.values())
