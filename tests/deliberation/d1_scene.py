"""A small conversation for D1's tests (taking part, moderation, recomputation)."""

from __future__ import annotations

from typing import Any

from moothall.deliberation import domain
from moothall.deliberation.models import Conversation
from tests import factories


def conversation(council: Any, *, status: str = "open", **fields: Any) -> Conversation:
    """A conversation with three seed statements, in ``status``."""
    found = domain.create_conversation(
        council, by=None, title=fields.pop("title", "Our parks"), **fields
    )
    for text in ("More benches in parks", "Longer opening hours", "Dogs on leads everywhere"):
        domain.add_statement(found, text=text)
    if status in ("open", "closed"):
        domain.open_conversation(found, by=None)
    if status == "closed":
        domain.close_conversation(found, by=None)
    found.refresh_from_db()
    return found


def person(email: str) -> Any:
    return factories.UserFactory(email=email)
