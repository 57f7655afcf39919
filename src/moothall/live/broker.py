"""Fan-out of live events: Redis pub/sub when REDIS_URL is set, in-process otherwise.

(Built by the stream work; ``publish`` is the one entry point the verbs use.)
"""

from __future__ import annotations


def publish(meeting_id: int, wire: str) -> None:
    """Send one event's wire form to every listener of the meeting (after commit)."""
    raise NotImplementedError
