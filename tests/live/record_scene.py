"""A held meeting of Mootshire's Cabinet for the record tests: three public items and an
exempt one, two councillors, and small recordings made in memory."""

from __future__ import annotations

import datetime as dt
import struct

from moothall.live.models import ItemSpan
from tests import factories

START = dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)

CAPTIONS = """WEBVTT

00:00:05.000 --> 00:00:09.000
<v Chair>Welcome to the meeting. Item one is apologies.

00:01:05.000 --> 00:01:12.000
<v Speaker 2>The library budget adds forty thousand pounds for the mobile library.

00:01:12.000 --> 00:01:20.000
<v Speaker 2>It keeps the mobile library visiting every village.

00:02:05.000 --> 00:02:10.000
<v Chair>We now go into private session for the depot sale.

00:03:05.000 --> 00:03:10.000
<v Speaker 3>The bidder offered two million for the depot.
"""


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4() -> bytes:
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2") + box(b"free", b"\x00" * 64)


def wav(frames: int = 800) -> bytes:
    pcm = b"\x00\x00" * frames
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


class Scene:
    def __init__(self, council) -> None:
        self.council = council
        body = factories.BodyFactory(council=council, name="Cabinet")
        self.meeting = factories.MeetingFactory(
            body=body, start=START, status="held", agenda_published_at=START - dt.timedelta(days=7)
        )
        make = factories.AgendaItemFactory
        self.apologies = make(meeting=self.meeting, title="Apologies", number="1", sort_key="0001.")
        self.budget = make(
            meeting=self.meeting, title="Library budget", number="2", sort_key="0002."
        )
        self.depot = make(
            meeting=self.meeting,
            title="Sale of the depot",
            number="3",
            sort_key="0003.",
            kind="exempt",
            exempt_paragraph=3,
            is_exempt=True,
        )
        self.ada = factories.CouncillorFactory(council=council, person__name="Ada Jones")
        self.ben = factories.CouncillorFactory(council=council, person__name="Ben Smith")

    def spans(self, origin: dt.datetime = START) -> None:
        """The live timeline: apologies from 0:00, budget from 1:00, depot from 2:00."""
        for item, offset in ((self.apologies, 0), (self.budget, 60), (self.depot, 120)):
            ItemSpan.objects.create(
                meeting=self.meeting,
                item=item,
                started_at=origin + dt.timedelta(seconds=offset),
                ended_at=origin + dt.timedelta(seconds=offset + 60),
            )
