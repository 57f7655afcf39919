"""The broker: messages reach every listener of a meeting in the order published, from
any thread; a listener that falls behind is told to resync; Redis and in-process alike."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest

from moothall.live import broker
from tests.services import require_redis

REDIS_URL = "redis://127.0.0.1:6379/0"
WAIT_S = 5.0


def redis_broker(**kwargs) -> broker.RedisBroker:
    # Pub/sub channels are shared by every database of a Redis server: a prefix of our own.
    return broker.RedisBroker(REDIS_URL, f"test-stream:{uuid.uuid4().hex}:", **kwargs)


@pytest.fixture(params=["local", "redis"])
def hub(request):
    if request.param == "local":
        return broker.LocalHub()
    require_redis(REDIS_URL)
    return redis_broker()


async def take(sub: broker.Subscription, count: int) -> list[str | None]:
    async with asyncio.timeout(WAIT_S):
        return [await sub.get() for _ in range(count)]


def publish_from_thread(hub, meeting_id: int, wires: list[str]) -> None:
    thread = threading.Thread(target=lambda: [hub.publish(meeting_id, w) for w in wires])
    thread.start()
    thread.join()


def test_messages_reach_every_listener_of_the_meeting_in_order(hub):
    async def scenario():
        async with hub.subscribe(1) as first, hub.subscribe(1) as second, hub.subscribe(2) as other:
            await asyncio.to_thread(publish_from_thread, hub, 1, ["a", "b", "c"])
            assert await take(first, 3) == ["a", "b", "c"]
            assert await take(second, 3) == ["a", "b", "c"]
            await asyncio.to_thread(hub.publish, 2, "x")
            assert await take(other, 1) == ["x"]
            assert not first.pending

    asyncio.run(scenario())


def test_a_listener_that_leaves_is_forgotten(hub):
    async def scenario():
        async with hub.subscribe(7):
            assert hub.listeners(7) == 1
        assert hub.listeners(7) == 0
        hub.publish(7, "nobody hears this")  # no error, nothing kept

    asyncio.run(scenario())


def test_the_redis_connection_closes_with_the_last_listener():
    hub = redis_broker()

    async def scenario():
        async with hub.subscribe(1), hub.subscribe(2):
            assert len(hub._listeners) == 1  # one connection for the process's loop
        assert hub._listeners == {}

    asyncio.run(scenario())


def test_a_slow_listener_is_told_to_resync_and_does_not_hold_up_others():
    hub = broker.LocalHub(queue_size=3)

    async def scenario():
        async with hub.subscribe(1) as slow, hub.subscribe(1) as quick:
            for n in range(5):
                hub.publish(1, str(n))
                await asyncio.sleep(0)  # the loop hands it over
                assert await take(quick, 1) == [str(n)]
            # The slow one lost what it could not hold: it must read the database.
            assert await take(slow, 1) == [None]
            hub.publish(1, "5")
            assert await take(slow, 1) == ["5"]

    asyncio.run(scenario())


def test_publishing_without_redis_logs_and_carries_on(caplog):
    # A committed verb must not fail because Redis is down: the event is stored.
    hub = broker.RedisBroker("redis://127.0.0.1:1/0", "test-stream:down:")
    hub.publish(1, "lost")
    assert "could not publish event of meeting 1" in caplog.text


def test_redis_is_used_when_redis_url_is_set(settings):
    settings.REDIS_URL = REDIS_URL
    settings.LIVE_CHANNEL_PREFIX = "test-stream:settings:"
    found = broker.get_broker()
    assert isinstance(found, broker.RedisBroker)
    assert found.channel(12) == "test-stream:settings:12"
    settings.REDIS_URL = ""
    assert isinstance(broker.get_broker(), broker.LocalHub)


def test_an_idle_listener_is_woken_for_a_keep_alive(monkeypatch):
    monkeypatch.setattr(broker, "HEARTBEAT_S", 0.01)
    hub = broker.LocalHub()

    async def scenario():
        async with hub.subscribe(1) as sub:
            assert await take(sub, 1) == [broker.KEEP_ALIVE]
            hub.publish(1, "a")
            assert await take(sub, 1) == ["a"]
        assert broker._heartbeats == {}  # the loop's timer went with its last listener

    asyncio.run(scenario())
