"""A meeting's live events as server-sent events, in order, without loss.

The stream subscribes to the broker *first*, then sends the stored events the client has
not seen (``seq`` after its ``Last-Event-ID``), then what the broker brings. An event
committed before the subscription is in the database; one committed after it comes
through the broker (possibly also found in the database: numbers already sent are
dropped). A number that arrives ahead of its turn (publishers on several threads) or a
resync (a slow listener, a lost Redis connection) is filled in from :class:`LiveEvent`.

Wire format, one event: ``id: <seq>\\nevent: <kind>\\ndata: <json>\\n\\n``, where the JSON is
the event's data (see :mod:`moothall.live.events`). Comment lines keep idle connections
(and the proxies between) open.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection

from moothall.live import broker
from moothall.live.models import LiveEvent

# How long the browser waits before reconnecting after the connection drops (ms).
RETRY_MS = 3000
# Stored events are read in batches (a long meeting's history is a few thousand at most).
REPLAY_BATCH = 500


def sse(seq: int, kind: str, data: Any) -> bytes:
    """One event in the text/event-stream format. JSON without indentation has no line
    breaks (they are escaped inside strings), so ``data`` is always a single line."""
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"id: {seq}\nevent: {kind}\ndata: {payload}\n\n".encode()


def _stored(meeting_id: int, after: int, before: int | None) -> list[tuple[int, str, Any]]:
    rows = LiveEvent.objects.filter(meeting_id=meeting_id, seq__gt=after)
    if before is not None:
        rows = rows.filter(seq__lt=before)
    try:
        return list(rows.order_by("seq").values_list("seq", "kind", "data")[:REPLAY_BATCH])
    finally:
        # A stream lives for hours and reads the database only now and then: it must not
        # hold a connection meanwhile (2,000 listeners would be 2,000 PostgreSQL
        # connections). Inside a transaction (a test's) the connection is not ours.
        if not connection.in_atomic_block:
            connection.close()


stored_events = sync_to_async(_stored)


@functools.lru_cache(maxsize=64)
def _from_wire(wire: str) -> tuple[int, bytes]:
    # Every listener of a meeting in this process receives the same message: parse and
    # format it once, not once per listener.
    message = json.loads(wire)
    seq = int(message["seq"])
    return seq, sse(seq, message["kind"], message["data"])


async def event_stream(meeting_id: int, last_event_id: int = 0) -> AsyncIterator[bytes]:
    """The stream of one meeting for a client that has seen events up to ``last_event_id``.
    Runs until the client leaves (the server cancels it)."""
    async with broker.subscribe(meeting_id) as sub:
        last = last_event_id
        yield f"retry: {RETRY_MS}\n\n".encode()

        async def catch_up(before: int | None = None) -> list[bytes]:
            """The stored events after ``last`` (and before ``before``)."""
            nonlocal last
            found: list[bytes] = []
            while True:
                rows = await stored_events(meeting_id, last, before)
                for seq, kind, data in rows:
                    last = seq
                    found.append(sse(seq, kind, data))
                if len(rows) < REPLAY_BATCH:
                    return found

        if replay := await catch_up():
            yield b"".join(replay)
        while True:
            first = await sub.get()
            if first == broker.KEEP_ALIVE:
                yield b": keep-alive\n\n"
                continue
            # Whatever else is waiting goes out in the same write: under load the
            # batches grow and the cost per event falls.
            out: list[bytes] = []
            for wire in [first, *sub.drain()]:
                if wire is None:  # messages were lost on the way: the database has them
                    out += await catch_up()
                    continue
                seq, formatted = _from_wire(wire)
                if seq <= last:
                    continue
                if seq > last + 1:
                    out += await catch_up(before=seq)
                last = seq
                out.append(formatted)
            if out:
                yield b"".join(out)
