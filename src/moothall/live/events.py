"""The numbered events of a meeting's live stream.

Verbs call :func:`emit` inside their own transaction. The event takes the meeting's
next number (the row lock on :class:`LiveMeeting` makes numbers follow commit order),
is stored, and is published to listeners once the transaction commits
(:mod:`moothall.live.broker`). A listener that sees a gap, or reconnects with
``Last-Event-ID``, reads what it missed from the stored events.

Event kinds and their data (what the public may see, nothing more):

``state``    {"status": "live|adjourned|ended", "private": bool,
              "item": {"id", "number", "title"} | null}   (title omitted when private)
``blog``     {"id", "html", "link", "photo_url", "photo_alt", "item_id", "at"}
``comment``  {"id", "name", "text", "item_id", "at"}   (text is plain; the page escapes it)
``media``    {"id", "kind", "url", "caption", "content_type", "name", "item_id", "at"}
``removed``  {"what": "blog|comment|media", "id"}
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import F

from moothall.live.models import LiveEvent, LiveMeeting

KINDS = frozenset({"state", "blog", "comment", "media", "removed"})


def message(event: LiveEvent) -> str:
    """The wire form of an event, as the broker carries it."""
    return json.dumps(
        {"seq": event.seq, "kind": event.kind, "data": event.data}, separators=(",", ":")
    )


def emit(meeting_id: int, kind: str, data: dict[str, Any]) -> LiveEvent:
    """Number, store and (after commit) publish one event of a live meeting."""
    if kind not in KINDS:
        raise ValueError(f"unknown live event kind {kind!r}")
    from moothall.live import broker

    with transaction.atomic():
        updated = LiveMeeting.objects.filter(meeting_id=meeting_id).update(
            last_seq=F("last_seq") + 1
        )
        if not updated:
            raise LiveMeeting.DoesNotExist(f"meeting {meeting_id} has not gone live")
        seq = LiveMeeting.objects.filter(meeting_id=meeting_id).values_list("last_seq", flat=True)[
            0
        ]
        event = LiveEvent.objects.create(meeting_id=meeting_id, seq=seq, kind=kind, data=data)
        wire = message(event)
        transaction.on_commit(lambda: broker.publish(meeting_id, wire))
    return event
