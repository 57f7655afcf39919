"""Mootshire's live meetings for the browser tests, and the ASGI server that streams them.

- ``meeting``: the Cabinet's meeting of Thursday 14 March 2030, agenda published:
  1. Apologies, 2. Library budget, 3. an exempt item ("Sale of the depot", Schedule 12A
  paragraph 3), 4. Date of the next meeting. Not started: the tests take it live through
  the clerk's verbs (:mod:`moothall.live.domain`).
- ``held``: the Cabinet's meeting of 7 March 2030, held, with its live timeline (item
  spans: a minute an item, two on the exempt one) and ``recording``, a webcast whose WebVTT captions are imported
  and aligned to the agenda (the captions of ``tests/live/record_scene.py``); "Speaker 2"
  is named as Cllr Ada Jones.
- ``officer`` is the clerk (MFA on, the persona of ``tests/conftest.py``); ``resident``
  (Rita, email verified) follows and comments.

The live page follows a server-sent event stream, which Django's test live server (a
threaded WSGI server) cannot serve: under WSGI a ``StreamingHttpResponse`` over an async
iterator is first read to its end, and a live stream has none. :func:`serve_asgi` runs
uvicorn on ``moothall.asgi`` in a thread of the test process, so it shares the test
database and the in-process broker the verbs publish to (as
``tests/live/test_stream_uvicorn.py`` does).
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext

from moothall.accounts.models import User
from moothall.councils.models import Council, Councillor
from moothall.live import contributions, record
from moothall.live import domain as live
from moothall.live.models import BlogPost, Comment, ItemSpan, LiveSettings, Media, Recording
from moothall.meetings import domain as meetings
from moothall.meetings.models import AgendaItem, Body, Meeting
from tests import factories
from tests.live.contributions_scene import picture
from tests.live.record_scene import CAPTIONS

LONDON = ZoneInfo("Europe/London")
MEETS = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
HELD = dt.datetime(2030, 3, 7, 18, 30, tzinfo=LONDON)
WEBCAST = "https://webcast.example.org/mootshire/cabinet-2030-03-07"
WAIT_S = 10.0


@dataclass
class LiveScene:
    council: Council
    body: Body
    meeting: Meeting
    apologies: AgendaItem
    budget: AgendaItem
    depot: AgendaItem
    next_meeting: AgendaItem
    held: Meeting
    recording: Recording
    ada: Councillor
    officer: User
    resident: User

    @property
    def live_path(self) -> str:
        return f"/{self.council.slug}/meetings/{self.meeting.pk}/live/"

    @property
    def meeting_path(self) -> str:
        return f"/{self.council.slug}/meetings/{self.meeting.pk}/"

    @property
    def console_path(self) -> str:
        return f"/{self.council.slug}/staff/meetings/{self.meeting.pk}/live/"


def _agenda(meeting: Meeting) -> tuple[AgendaItem, AgendaItem, AgendaItem, AgendaItem]:
    apologies = meetings.add_agenda_item(None, meeting, title="Apologies", kind="apologies")
    budget = meetings.add_agenda_item(None, meeting, title="Library budget")
    depot = meetings.add_agenda_item(
        None, meeting, title="Sale of the depot", kind="exempt", exempt_paragraph=3
    )
    following = meetings.add_agenda_item(None, meeting, title="Date of the next meeting")
    return apologies, budget, depot, following


def build_live_scene(council: Council, *, officer: User, resident: User) -> LiveScene:
    body = meetings.create_body(None, council, name="Cabinet", kind="cabinet")
    meeting = meetings.create_meeting(None, body, start=MEETS, venue="Council Chamber, Moot Hall")
    apologies, budget, depot, following = _agenda(meeting)
    meetings.publish_agenda(None, meeting, now=MEETS - dt.timedelta(days=14))

    held = meetings.create_meeting(None, body, start=HELD, venue="Council Chamber, Moot Hall")
    held_items = _agenda(held)
    meetings.publish_agenda(None, held, now=HELD - dt.timedelta(days=14))
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.HELD)
    held.refresh_from_db()
    # The live timeline as the clerk left it: a minute on each item, two on the depot
    # (all the captions from 2:00 to 4:00 were said in private).
    for item, start, end in zip(held_items, (0, 1, 2, 4), (1, 2, 4, 5), strict=True):
        ItemSpan.objects.create(
            meeting=held,
            item=item,
            started_at=HELD + dt.timedelta(minutes=start),
            ended_at=HELD + dt.timedelta(minutes=end),
        )
    recording = record.add_recording(
        officer, held, url=WEBCAST, title="Webcast of the Cabinet", started_at=HELD
    )
    record.import_captions(officer, recording, data=CAPTIONS.encode())
    ada = factories.CouncillorFactory(council=council, person__name="Ada Jones")
    record.name_speaker(officer, recording, speaker="Speaker 2", councillor=ada)
    recording.refresh_from_db()

    for item in (apologies, budget, depot, following):
        item.refresh_from_db()
    meeting.refresh_from_db()
    return LiveScene(
        council=council,
        body=body,
        meeting=meeting,
        apologies=apologies,
        budget=budget,
        depot=depot,
        next_meeting=following,
        held=held,
        recording=recording,
        ada=ada,
        officer=officer,
        resident=resident,
    )


def moderate_first(council: Council, *, comments: bool = True, media: bool = True) -> None:
    """The council checks residents' comments (and files) before they appear."""
    LiveSettings.objects.update_or_create(
        council=council,
        defaults={
            "comment_moderation": "pre" if comments else "post",
            "media_moderation": "pre" if media else "post",
        },
    )


def go_live_on_budget(scene: LiveScene) -> None:
    """The clerk starts the meeting and takes the apologies, then the library budget."""
    live.start_live(scene.officer, scene.meeting)
    live.next_item(scene.officer, scene.meeting)
    live.next_item(scene.officer, scene.meeting)


def news_from_the_meeting(scene: LiveScene) -> tuple[BlogPost, Comment, Media]:
    """On the live meeting: a blog post with a photo, a published comment (post-moderation)
    and a photo from the public gallery (published by the moderator)."""
    post = live.post_blog(
        scene.officer,
        scene.meeting,
        text="The **library budget** is moved by Cllr Jones.",
        link="https://www.example.org/library-budget",
        photo=picture(),
        photo_alt="The council chamber from the public gallery",
    )
    comment = contributions.post_comment(
        scene.resident, scene.meeting, text="Please keep the mobile library."
    )
    media = contributions.upload_media(
        scene.resident, scene.meeting, data=picture(), caption="Cllr Jones speaking"
    )
    if media.status != "published":
        media = contributions.decide_media(scene.officer, media, publish=True)
    return post, comment, media


# --- The ASGI server -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_asgi(application: Any = None) -> Iterator[str]:
    """uvicorn serving ``moothall.asgi`` (or ``application``) in a thread of this process;
    yields its base URL."""
    if application is None:
        from moothall.asgi import application

    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=_free_port(),
        lifespan="off",
        log_level="warning",
        loop="asyncio",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        # The browser reaches no host name but localhost (see tests/browser/conftest.py).
        yield f"http://localhost:{config.port}"
    finally:
        server.should_exit = True
        thread.join(WAIT_S)


def sign_in_at(context: BrowserContext, base_url: str, user: User) -> None:
    """A session made by Django's test client, handed to the browser for ``base_url``."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
