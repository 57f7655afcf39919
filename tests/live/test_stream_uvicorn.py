"""The live stream end to end, through a real uvicorn server (as ``make demo`` and
production serve it): HTTP headers, events as the clerk works, a client that leaves,
one that comes back with Last-Event-ID; static files still served under ASGI."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import uuid

import pytest
import uvicorn
from django.utils import timezone

from moothall.asgi import application
from moothall.live import broker, domain
from tests import factories
from tests.live.sse_client import Event
from tests.services import require_redis

pytestmark = pytest.mark.django_db(transaction=True)
REDIS_URL = "redis://127.0.0.1:6379/0"
WAIT_S = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=free_port(),
        lifespan="off",
        log_level="warning",
        loop="asyncio",
        timeout_graceful_shutdown=1,
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield config.port
    running.should_exit = True
    thread.join(WAIT_S)


@pytest.fixture(params=["local", "redis"])
def brokers(request, settings):
    if request.param == "redis":
        require_redis(REDIS_URL)
        settings.REDIS_URL = REDIS_URL
        settings.LIVE_CHANNEL_PREFIX = f"test-stream:{uuid.uuid4().hex}:"
    else:
        settings.REDIS_URL = ""
    return request.param


class Listener:
    """A browser's EventSource, reduced to a blocking HTTP/1.1 connection."""

    def __init__(self, port: int, path: str, last_event_id: int | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT_S)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()

    def next_event(self) -> Event:
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if line == "":
                if "id" in fields:
                    import json

                    return Event(int(fields["id"]), fields["event"], json.loads(fields["data"]))
                fields = {}
                continue
            if not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")

    def close(self) -> None:
        self.connection.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]
        self.connection.close()


def wait_until(condition) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_resident_follows_the_meeting_through_uvicorn_and_resumes(
    server, brokers, council, officer
):
    meeting = factories.MeetingFactory(
        body=factories.BodyFactory(council=council), agenda_published_at=timezone.now()
    )
    for n in (1, 2):
        factories.AgendaItemFactory(meeting=meeting, number=str(n), sort_key=f"000{n}.")
    path = f"/{council.slug}/meetings/{meeting.pk}/live/events"

    listener = Listener(server, path)
    assert listener.response.status == 200
    assert listener.response.getheader("Content-Type") == "text/event-stream"
    assert listener.response.getheader("Cache-Control") == "no-cache, no-store, no-transform"
    assert listener.response.getheader("Transfer-Encoding") == "chunked"
    assert listener.response.getheader("Content-Encoding") is None
    wait_until(lambda: broker.get_broker().listeners(meeting.pk) == 1)

    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    assert [(e.seq, e.kind) for e in (listener.next_event(), listener.next_event())] == [
        (1, "state"),
        (2, "state"),
    ]
    listener.close()
    # The server notices the client has gone and ends the stream (and its subscription).
    wait_until(lambda: broker.get_broker().listeners(meeting.pk) == 0)

    domain.post_blog(officer, meeting, text="While you were away.")
    listener = Listener(server, path, last_event_id=2)
    blog = listener.next_event()
    assert (blog.seq, blog.kind, blog.data["html"]) == (3, "blog", "<p>While you were away.</p>")
    wait_until(lambda: broker.get_broker().listeners(meeting.pk) == 1)
    domain.next_item(officer, meeting)
    assert listener.next_event().seq == 4
    listener.close()


def test_static_files_are_served_under_asgi(server):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=WAIT_S)
    connection.request("GET", "/static/moothall/live.js")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/javascript")
    assert len(response.read()) > 0
    connection.close()


def test_an_unknown_meeting_is_not_found_through_uvicorn(server, council):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=WAIT_S)
    connection.request("GET", f"/{council.slug}/meetings/999999/live/events")
    assert connection.getresponse().status == 404
    connection.close()
