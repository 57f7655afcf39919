"""The public moderation log, written from wherever something is hidden or put back.

The moderation verbs (:mod:`moothall.moderation.domain`) write a line with the rule.
The apps' own moderation verbs (removing an idea comment, a live comment or upload,
taking a shown statement down, and putting them back) call :func:`note` too, so what a
moderator does from an app's own queue is in the public log as well (without a rule:
those verbs take a free-text reason, which is not published here). When an app's verb
runs inside a moderation verb, :func:`note` does nothing: that verb writes the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from moothall.moderation.models import LogEntry

_inside: ContextVar[bool] = ContextVar("moothall_moderation_verb", default=False)


@contextmanager
def moderation_verb() -> Iterator[None]:
    """Around an app's verb called by a moderation verb (which logs it itself)."""
    token = _inside.set(True)
    try:
        yield
    finally:
        _inside.reset(token)


def within_moderation_verb() -> bool:
    """True while an app's verb runs for a moderation verb, which also tells the author:
    an app that emails the author itself should not send a second message."""
    return _inside.get()


def note(council: Any, kind: str, action: str, rule: str = "") -> None:
    """A line in ``council``'s public log: a ``kind`` of thing was ``action`` ("hidden" or
    "restored"). Call it in the verb's transaction."""
    if _inside.get():
        return
    LogEntry.objects.create(council=council, kind=kind, action=action, rule=rule)
