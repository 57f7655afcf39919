"""What can be reported and hidden, and the spaces whose moderation a council sets.

Each app puts a ``moderation.py`` module beside its models (discovered when the
moderation app is ready) and registers its kinds of contribution::

    register(Kind(name="idea_comment", label=_("Comment on an idea"), ...))

A kind says how to find its objects at one council, who wrote one (for warnings, bans
and notices), whether it is hidden, and how to hide and restore it *through the app's
own verbs* (which keep their own audit entries and side effects). The moderation verbs
(:mod:`moothall.moderation.domain`) add the flags, the public log, the author's notice
and their own audit entry.

Spaces (:class:`Space`) are the places where contributions arrive, each moderated
before (``pre``) or after (``post``) it is shown. The mode is stored where the app
already keeps it (its settings, a conversation): a space reads and sets it there, so
there is one source of truth. An app registers a function listing a council's spaces.
In a pre-moderated space a contribution waits, seen only by its author and moderators,
until a moderator approves it (the kind's ``approve``) or rejects it (hides it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise

PRE = "pre"
POST = "post"


@dataclass(frozen=True, kw_only=True)
class Kind:
    name: str
    label: str | Promise
    # The objects of this kind at one council (with whatever the callables below need).
    at_council: Callable[[Any], models.QuerySet[Any]]
    council_of: Callable[[Any], Any]
    author_of: Callable[[Any], Any]
    # The name the public sees beside it (never an email address).
    author_name: Callable[[Any], str]
    is_hidden: Callable[[Any], bool]
    # The same as a filter on ``at_council`` (for the list of what is hidden).
    hidden_lookup: dict[str, Any]
    # Shown to the public now (published, not hidden, not waiting): what may be reported.
    is_shown: Callable[[Any], bool]
    hide: Callable[[Any, Any, str], Any]
    restore: Callable[[Any, Any], Any] | None
    url_of: Callable[[Any], str]
    # The text a moderator judges (staff pages only).
    excerpt: Callable[[Any], str]
    # Pre-moderation, for kinds whose app holds contributions back until a moderator
    # approves them: which are waiting (the same as a filter on ``at_council``), and the
    # app's verb that publishes one: (actor, obj). Rejecting one is hiding it.
    is_pending: Callable[[Any], bool] = lambda obj: False
    pending_lookup: dict[str, Any] | None = None
    approve: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True, kw_only=True)
class Space:
    key: str
    label: str | Promise
    mode: str
    # The modes the space supports (an app may take only one).
    modes: tuple[str, ...] = (PRE, POST)
    # Sets the mode through the app's own verb: (actor, mode).
    set_mode: Callable[[Any, str], Any] | None = None
    # Contributions waiting for a moderator, and where they are decided.
    pending: int = 0
    queue_url: str = ""


_kinds: dict[str, Kind] = {}
_space_providers: list[Callable[[Any], list[Space]]] = []


def register(kind: Kind) -> None:
    _kinds[kind.name] = kind


def register_spaces(provider: Callable[[Any], list[Space]]) -> None:
    """``provider(council)`` lists the council's spaces of one app."""
    if provider not in _space_providers:
        _space_providers.append(provider)


def kind(name: str) -> Kind | None:
    return _kinds.get(name)


def kinds() -> list[Kind]:
    return list(_kinds.values())


def pending_kinds() -> list[Kind]:
    """The kinds whose contributions can wait for a moderator (the general queue)."""
    return [k for k in _kinds.values() if k.pending_lookup is not None and k.approve]


def label_of(name: str) -> str | Promise:
    found = _kinds.get(name)
    return found.label if found is not None else name


def find(name: str, council: Any, pk: int) -> tuple[Kind, Any] | None:
    """The ``name`` object ``pk`` at ``council``, with its kind; None if there is none."""
    found = _kinds.get(name)
    if found is None:
        return None
    obj = found.at_council(council).filter(pk=pk).first()
    return (found, obj) if obj is not None else None


def spaces(council: Any) -> list[Space]:
    result: list[Space] = []
    for provider in _space_providers:
        result.extend(provider(council))
    return result
