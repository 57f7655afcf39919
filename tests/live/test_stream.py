"""The live stream (server-sent events) through Django's async test client: events in
order, resuming after a reconnect, gaps and duplicates, slow listeners, both brokers,
and nothing of an exempt item."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient
from django.utils import timezone

from moothall.live import broker, domain
from moothall.live.events import emit, message
from moothall.live.stream import event_stream
from tests import factories
from tests.live.sse_client import SSEReader
from tests.services import require_redis

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def meeting(council):
    found = factories.MeetingFactory(
        body=factories.BodyFactory(council=council), agenda_published_at=timezone.now()
    )
    factories.AgendaItemFactory(meeting=found, title="Apologies", number="1", sort_key="0001.")
    factories.AgendaItemFactory(meeting=found, title="Budget", number="2", sort_key="0002.")
    factories.AgendaItemFactory(
        meeting=found,
        title="Sale of the depot to Acme Ltd",
        number="3",
        sort_key="0003.",
        is_exempt=True,
        exempt_paragraph=3,
    )
    return found


@pytest.fixture(params=["local", "redis"])
def brokers(request, settings):
    """Each test that takes this runs through the in-process hub and through Redis."""
    if request.param == "redis":
        require_redis(REDIS_URL)
        settings.REDIS_URL = REDIS_URL
        settings.LIVE_CHANNEL_PREFIX = f"test-stream:{uuid.uuid4().hex}:"
    else:
        settings.REDIS_URL = ""
    return request.param


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Run a verb as if in its own request: its events are published once it 'commits'
    (the test's transaction never does)."""

    def run(verb, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return verb(*args, **kwargs)

    return sync_to_async(run)


def url(meeting, **query) -> str:
    path = f"/{meeting.council.slug}/meetings/{meeting.pk}/live/events"
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


async def open_stream(meeting, headers=None, **query) -> SSEReader:
    response = await AsyncClient().get(url(meeting, **query), headers=headers or {})
    assert response.status_code == 200
    return SSEReader(aiter(response.streaming_content))


def run(scenario):
    # async_to_sync from the test's thread: the view's database work runs in this thread,
    # inside the test's transaction.
    async_to_sync(scenario)()


def test_a_listener_gets_every_event_in_order_as_the_clerk_works(meeting, officer, act, brokers):
    async def scenario():
        response = await AsyncClient().get(url(meeting))
        reader = SSEReader(aiter(response.streaming_content))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        assert response["Cache-Control"] == "no-cache, no-store, no-transform"
        assert response["X-Accel-Buffering"] == "no"
        assert not response.has_header("Content-Length")
        await act(domain.start_live, officer, meeting)
        await act(domain.next_item, officer, meeting)
        await act(domain.post_blog, officer, meeting, text="Apologies from **Cllr Oak**.")
        await act(domain.next_item, officer, meeting)
        events = await reader.events(4)
        assert [(e.seq, e.kind) for e in events] == [
            (1, "state"),
            (2, "state"),
            (3, "blog"),
            (4, "state"),
        ]
        assert events[0].data == {"status": "live", "private": False, "item": None}
        assert events[1].data["item"]["title"] == "Apologies"
        assert "<strong>Cllr Oak</strong>" in events[2].data["html"]
        assert events[3].data["item"]["title"] == "Budget"
        assert reader.retry == 3000
        assert await reader.nothing_more()
        await reader.close()
        assert broker.get_broker().listeners(meeting.pk) == 0

    run(scenario)


def test_a_listener_that_reconnects_gets_exactly_what_it_missed(meeting, officer, act, brokers):
    async def scenario():
        reader = await open_stream(meeting)
        await act(domain.start_live, officer, meeting)
        await act(domain.next_item, officer, meeting)
        seen = await reader.events(2)
        assert [e.seq for e in seen] == [1, 2]
        await reader.close()  # the connection drops

        await act(domain.post_blog, officer, meeting, text="Missed one.")
        await act(domain.next_item, officer, meeting)
        # EventSource reconnects with the last id it saw; the URL still carries the id
        # the page was rendered with, and the header wins.
        reader = await open_stream(meeting, headers={"Last-Event-ID": "2"}, last_event_id="0")
        missed = await reader.events(2)
        assert [(e.seq, e.kind) for e in missed] == [(3, "blog"), (4, "state")]
        await act(domain.adjourn, officer, meeting, reason="Ten minutes")
        assert (await reader.next_event()).seq == 5
        assert await reader.nothing_more()
        await reader.close()

    run(scenario)


def test_the_page_may_pass_the_last_event_it_rendered_in_the_url(meeting, officer, act):
    async def scenario():
        for verb in (domain.start_live, domain.next_item, domain.next_item):
            await act(verb, officer, meeting)
        reader = await open_stream(meeting, last_event_id="2")
        assert [e.seq for e in await reader.events(1)] == [3]
        assert await reader.nothing_more()
        await reader.close()
        # Nonsense is ignored: the whole stream from the start.
        reader = await open_stream(meeting, headers={"Last-Event-ID": "x"})
        assert [e.seq for e in await reader.events(3)] == [1, 2, 3]
        await reader.close()

    run(scenario)


def test_a_stream_opened_before_the_meeting_goes_live_waits_for_it(meeting, officer, act, brokers):
    async def scenario():
        reader = await open_stream(meeting)
        assert await reader.nothing_more()
        await act(domain.start_live, officer, meeting)
        event = await reader.next_event()
        assert (event.seq, event.kind, event.data["status"]) == (1, "state", "live")
        await reader.close()

    run(scenario)


def test_a_gap_is_filled_from_the_database_and_repeats_are_dropped(meeting, officer, act):
    async def scenario():
        await act(domain.start_live, officer, meeting)
        reader = await open_stream(meeting)
        assert (await reader.next_event()).seq == 1
        # Two events committed, but only the second published yet (publishers on two
        # threads can finish in either order).
        stored = await sync_to_async(
            lambda: [emit(meeting.pk, "removed", {"what": "blog", "id": n}) for n in (1, 2)]
        )()
        broker.publish(meeting.pk, message(stored[1]))
        events = await reader.events(2)
        assert [(e.seq, e.data["id"]) for e in events] == [(2, 1), (3, 2)]
        broker.publish(meeting.pk, message(stored[0]))  # late: already sent
        assert await reader.nothing_more()
        await reader.close()

    run(scenario)


def test_a_listener_that_falls_behind_reads_what_it_lost_from_the_database(
    meeting, officer, act, settings
):
    settings.REDIS_URL = ""
    settings.LIVE_CHANNEL_PREFIX = "test-stream:slow:"
    broker._brokers[("", "test-stream:slow:")] = broker.LocalHub(queue_size=2)

    async def scenario():
        reader = await open_stream(meeting)
        await act(domain.start_live, officer, meeting)
        for n in range(6):
            await act(domain.post_blog, officer, meeting, text=f"Post {n}")
        events = await reader.events(7)
        assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6, 7]
        assert [e.data["html"] for e in events[1:]] == [f"<p>Post {n}</p>" for n in range(6)]
        assert await reader.nothing_more()
        await reader.close()

    try:
        run(scenario)
    finally:
        del broker._brokers[("", "test-stream:slow:")]


def test_the_stream_never_names_an_exempt_item(meeting, officer, act, brokers):
    async def scenario():
        reader = await open_stream(meeting)
        await act(domain.start_live, officer, meeting)
        for _ in range(3):
            await act(domain.next_item, officer, meeting)
        events = await reader.events(4)
        private = events[-1]
        assert private.kind == "state"
        assert private.data["private"] is True
        assert private.data["item"] == {"id": private.data["item"]["id"], "number": "3"}
        assert "Acme" not in json.dumps([e.data for e in events])
        await reader.close()

    run(scenario)


def test_idle_streams_send_heartbeats(meeting, monkeypatch):
    monkeypatch.setattr(broker, "HEARTBEAT_S", 0.01)

    async def scenario():
        reader = SSEReader(event_stream(meeting.pk))
        assert await reader.nothing_more(0.1)
        assert "keep-alive" in reader.comments
        await reader.close()

    run(scenario)


def test_an_unknown_meeting_or_another_councils_meeting_is_not_found(meeting, other_council):
    async def scenario():
        client = AsyncClient()
        pk = meeting.pk
        assert (await client.get(f"/mootshire/meetings/{pk + 1000}/live/events")).status_code == 404
        assert (await client.get(f"/elsewhere/meetings/{pk}/live/events")).status_code == 404
        assert (await client.get(f"/nowhere/meetings/{pk}/live/events")).status_code == 404
        assert (await client.post(f"/mootshire/meetings/{pk}/live/events")).status_code == 405

    run(scenario)
