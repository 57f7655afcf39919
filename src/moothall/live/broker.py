"""Fan-out of live events: Redis pub/sub when REDIS_URL is set, in-process otherwise.

:func:`publish` is the one entry point the verbs use (through
:func:`moothall.live.events.emit`, after commit, from any thread or process).
:func:`subscribe` is what a stream (an async view) listens with.

With Redis, each process keeps one pub/sub connection, subscribed to the pattern
``<prefix>*``, and fans each message out to the local subscribers of its meeting; the
connection is opened with the first subscriber and closed with the last. Without Redis
(one process: the demo, the tests) a hub in memory does the same, handing messages to
each subscriber's event loop thread-safely.

Delivery is best effort by design: every event is stored before it is published, so a
subscriber that falls behind (its bounded queue overflows) or loses the connection to
Redis is told to *resync* (read what it missed from :class:`LiveEvent`) instead of
slowing everyone else down.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# Messages a subscriber may have waiting before it is told to resync from the database.
QUEUE_SIZE = 256
DEFAULT_PREFIX = "moothall:live:"
# How long a new subscriber waits for Redis to confirm the subscription.
SUBSCRIBE_TIMEOUT_S = 5.0
RECONNECT_DELAY_S = 1.0


class _Resync:
    """Placed in a queue in place of the messages it lost."""


RESYNC = _Resync()
# What ``Subscription.get`` returns when nothing has come for HEARTBEAT_S seconds.
KEEP_ALIVE = ""
HEARTBEAT_S = 15.0


class Subscription:
    """One listener of one meeting, living on one event loop.

    A deque and one waiting future, not an asyncio.Queue, and one heartbeat timer per
    loop, not one per listener: with thousands of listeners the cost of each delivery
    is what limits (measured: bench/bench_live.py)."""

    def __init__(self, meeting_id: int, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self.meeting_id = meeting_id
        self.loop = loop
        self.size = size
        self.pending: collections.deque[str | _Resync] = collections.deque()
        self.waiter: asyncio.Future[None] | None = None
        self.overflowed = False
        self.idle = False

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def deliver(self, wire: str) -> None:
        """Queue one message (on the subscriber's loop). Never blocks: on overflow the
        waiting messages are dropped for one resync marker."""
        if self.overflowed:
            return
        if len(self.pending) >= self.size:
            self.resync()
            return
        self.pending.append(wire)
        self._wake()

    def resync(self) -> None:
        """Tell the subscriber to read what it missed from the database (on its loop)."""
        self.overflowed = True
        self.pending.clear()
        self.pending.append(RESYNC)
        self._wake()

    def keep_alive(self) -> None:
        """The loop's heartbeat: a listener with nothing waiting sends a comment line."""
        if not self.pending:
            self.idle = True
            self._wake()

    def _take(self) -> str | None:
        item = self.pending.popleft()
        if isinstance(item, _Resync):
            self.overflowed = False
            return None
        return item

    async def get(self) -> str | None:
        """The next message's wire form; None: resync from the database; KEEP_ALIVE
        (empty): nothing for a while."""
        while not self.pending:
            if self.idle:
                self.idle = False
                return KEEP_ALIVE
            self.waiter = self.loop.create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        self.idle = False
        return self._take()

    def drain(self) -> list[str | None]:
        """The messages already waiting, without waiting (None: resync, as ``get``)."""
        found: list[str | None] = []
        while self.pending:
            found.append(self._take())
        return found


class _Heartbeat:
    """One timer per event loop for all its listeners."""

    def __init__(self) -> None:
        self.subscribers: set[Subscription] = set()
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            for sub in list(self.subscribers):
                sub.keep_alive()


_heartbeats: dict[asyncio.AbstractEventLoop, _Heartbeat] = {}
_heartbeats_lock = threading.Lock()


def _track(sub: Subscription) -> None:
    with _heartbeats_lock:
        beat = _heartbeats.get(sub.loop)
        if beat is None:
            beat = _heartbeats[sub.loop] = _Heartbeat()
            beat.task = sub.loop.create_task(beat.run())
        beat.subscribers.add(sub)


def _untrack(sub: Subscription) -> None:
    with _heartbeats_lock:
        beat = _heartbeats.get(sub.loop)
        if beat is None:
            return
        beat.subscribers.discard(sub)
        if not beat.subscribers:
            del _heartbeats[sub.loop]
            if beat.task is not None:
                beat.task.cancel()


class LocalHub:
    """In-process fan-out: publish from any thread, subscribers on any event loop."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._lock = threading.Lock()
        self._subscribers: dict[int, set[Subscription]] = {}

    def publish(self, meeting_id: int, wire: str) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(meeting_id, ()))
        for sub in subscribers:
            try:
                sub.loop.call_soon_threadsafe(sub.deliver, wire)
            except RuntimeError:  # its loop has closed: the listener is gone
                self._remove(sub)

    @contextlib.asynccontextmanager
    async def subscribe(self, meeting_id: int) -> AsyncIterator[Subscription]:
        sub = Subscription(meeting_id, asyncio.get_running_loop(), self.queue_size)
        with self._lock:
            self._subscribers.setdefault(meeting_id, set()).add(sub)
        _track(sub)
        try:
            yield sub
        finally:
            _untrack(sub)
            self._remove(sub)

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            found = self._subscribers.get(sub.meeting_id)
            if found is not None:
                found.discard(sub)
                if not found:
                    del self._subscribers[sub.meeting_id]

    def listeners(self, meeting_id: int) -> int:
        with self._lock:
            return len(self._subscribers.get(meeting_id, ()))


class _RedisListener:
    """One pub/sub connection of one event loop, fanning messages out to its subscribers.
    Only ever touched from its own loop."""

    def __init__(self, url: str, prefix: str, queue_size: int) -> None:
        self.url = url
        self.prefix = prefix
        self.queue_size = queue_size
        self.subscribers: dict[int, set[Subscription]] = {}
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def _run(self) -> None:
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError

        while True:
            client = aioredis.Redis.from_url(self.url)
            pubsub = client.pubsub()
            try:
                await pubsub.psubscribe(self.prefix + "*")
                async for message in pubsub.listen():
                    kind = message.get("type")
                    if kind == "psubscribe":
                        self.ready.set()
                    elif kind == "pmessage":
                        self._dispatch(message)
            except (RedisError, OSError):
                logger.warning("live: lost the Redis pub/sub connection; reconnecting")
                # Whatever was published meanwhile is in the database: everyone resyncs
                # once the connection is back.
                self.ready.clear()
                for subs in self.subscribers.values():
                    for sub in subs:
                        sub.resync()
                await asyncio.sleep(RECONNECT_DELAY_S)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        if isinstance(channel, bytes):
            channel = channel.decode()
        try:
            meeting_id = int(channel[len(self.prefix) :])
        except ValueError:
            return
        data = message["data"]
        wire = data.decode() if isinstance(data, bytes) else str(data)
        for sub in list(self.subscribers.get(meeting_id, ())):
            sub.deliver(wire)


class RedisBroker:
    """Fan-out through Redis pub/sub: publish from anywhere, one listening connection per
    process (per event loop, strictly; a server process has one)."""

    def __init__(self, url: str, prefix: str, queue_size: int = QUEUE_SIZE) -> None:
        import redis

        self.url = url
        self.prefix = prefix
        self.queue_size = queue_size
        self._client = redis.Redis.from_url(url)  # its pool is thread-safe
        self._lock = threading.Lock()
        self._listeners: dict[asyncio.AbstractEventLoop, _RedisListener] = {}

    def channel(self, meeting_id: int) -> str:
        return f"{self.prefix}{meeting_id}"

    def publish(self, meeting_id: int, wire: str) -> None:
        from redis.exceptions import RedisError

        try:
            self._client.publish(self.channel(meeting_id), wire)
        except RedisError:
            # The event is stored: listeners pick it up at the next event (a gap) or when
            # they reconnect. The verb that made it has committed and must not fail now.
            logger.exception("live: could not publish event of meeting %s", meeting_id)

    @contextlib.asynccontextmanager
    async def subscribe(self, meeting_id: int) -> AsyncIterator[Subscription]:
        loop = asyncio.get_running_loop()
        with self._lock:
            listener = self._listeners.get(loop)
            if listener is None:
                listener = _RedisListener(self.url, self.prefix, self.queue_size)
                self._listeners[loop] = listener
                listener.start()
        sub = Subscription(meeting_id, loop, self.queue_size)
        listener.subscribers.setdefault(meeting_id, set()).add(sub)
        _track(sub)
        try:
            try:
                await asyncio.wait_for(listener.ready.wait(), SUBSCRIBE_TIMEOUT_S)
            except TimeoutError:
                logger.warning("live: Redis did not confirm the subscription; carrying on")
                sub.resync()  # read the database once it is back
            yield sub
        finally:
            _untrack(sub)
            subs = listener.subscribers.get(meeting_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del listener.subscribers[meeting_id]
            if not listener.subscribers:
                with self._lock:
                    if self._listeners.get(loop) is listener:
                        del self._listeners[loop]
                await asyncio.shield(listener.stop())

    def listeners(self, meeting_id: int) -> int:
        with self._lock:
            found = list(self._listeners.values())
        return sum(len(listener.subscribers.get(meeting_id, ())) for listener in found)


Broker = LocalHub | RedisBroker

_brokers: dict[tuple[str, str], Broker] = {}
_brokers_lock = threading.Lock()


def channel_prefix() -> str:
    return str(settings.LIVE_CHANNEL_PREFIX or DEFAULT_PREFIX)


def get_broker() -> Broker:
    """The process's broker for the current settings (made once per REDIS_URL and prefix)."""
    key = (getattr(settings, "REDIS_URL", "") or "", channel_prefix())
    with _brokers_lock:
        found = _brokers.get(key)
        if found is None:
            found = RedisBroker(key[0], key[1]) if key[0] else LocalHub()
            _brokers[key] = found
        return found


def publish(meeting_id: int, wire: str) -> None:
    """Send one event's wire form to every listener of the meeting (after commit)."""
    get_broker().publish(meeting_id, wire)


def subscribe(meeting_id: int) -> contextlib.AbstractAsyncContextManager[Subscription]:
    """Listen to a meeting's events: ``async with subscribe(id) as sub: await sub.get()``.
    Messages published once this has entered reach ``sub``; ``get()`` returning None
    means some were lost and the listener must read them from the database."""
    return get_broker().subscribe(meeting_id)
