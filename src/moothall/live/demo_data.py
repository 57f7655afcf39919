"""Demo: one held Cabinet meeting of Brackenford followed live and kept on the record.

Through the verbs: the meeting and its agenda (:mod:`moothall.meetings.domain`), the
live run through the items with two live-blog posts and a couple of residents' comments
(:mod:`moothall.live.domain`, :mod:`moothall.live.contributions`), then a webcast
recording with its captions (``demo/cabinet.vtt``) aligned to the agenda by the live
timeline, and three of its voices named (:mod:`moothall.live.record`).

The live verbs stamp the present moment; the demo then replays the meeting on its own
evening by moving each of those moments onto a script of the evening (same order, same
gaps as written below). Idempotent: the meeting is found again by its source id.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from moothall.councils.models import Council, Councillor
from moothall.demo.registry import DemoContext, demo_step
from moothall.live.models import BlogPost, Comment, ItemSpan, LiveEvent, LiveMeeting, Recording
from moothall.meetings.models import Body, Meeting, TimelineEntry

DEMO_COUNCIL = "brackenford"
SOURCE = "demo-live"
SOURCE_ID = "cabinet-2026-10-15"
LONDON = zoneinfo.ZoneInfo("Europe/London")
START = dt.datetime(2026, 10, 15, 18, 30, tzinfo=LONDON)
WEBCAST = "https://webcasts.example.org/brackenford/cabinet-2026-10-15"
CAPTIONS = Path(__file__).parent / "demo" / "cabinet.vtt"

# (title, kind, exempt paragraph, seconds after the opening at which it is taken up)
AGENDA = [
    ("Apologies for absence", "apologies", None, 30),
    ("Declarations of interest", "declarations", None, 150),
    ("Minutes of the meeting held on 17 September 2026", "minutes", None, 270),
    ("Library opening hours", "report", None, 420),
    ("Riverside play area", "report", None, 1500),
    ("Sale of the former highways depot", "exempt", 3, 2460),
]
ENDS_AT = 3000
BLOG = [
    (3, "The Cabinet is discussing **later opening at the central library** on Thursdays."),
    (4, "Approved: new play equipment for Riverside Park, due to reopen by the end of June."),
]
COMMENTS = [
    (3, "Evening opening would really help those of us who work until six."),
    (4, "Good news for Riverside. Will the new roundabout be wheelchair friendly?"),
]
# Voices of the caption file and which councillor (by place in name order) each is.
SPEAKERS = {"Speaker 1": 0, "Speaker 2": 1, "Speaker 3": 2}


def _body(council: Council) -> Body:
    from moothall.meetings import domain

    found = Body.objects.filter(council=council, kind=Body.Kind.CABINET).order_by("id").first()
    return found or domain.create_body(None, council, name="Cabinet", kind=Body.Kind.CABINET)


class _Script:
    """Pairs each real moment a verb stamped with the moment it stands for on the
    evening, then moves every stamp of the meeting onto the evening."""

    def __init__(self) -> None:
        self.marks: list[tuple[dt.datetime, dt.datetime]] = []

    def at(self, seconds: float, action: Callable[[], Any]) -> Any:
        self.marks.append((timezone.now(), START + dt.timedelta(seconds=seconds)))
        return action()

    def evening(self, moment: dt.datetime | None) -> dt.datetime | None:
        if moment is None:
            return None
        real, meant = self.marks[0]
        for mark_real, mark_meant in self.marks:
            if mark_real <= moment:
                real, meant = mark_real, mark_meant
        return meant + (moment - real)

    def replay(self, meeting: Meeting) -> None:
        move = self.evening
        for live in LiveMeeting.objects.filter(meeting=meeting):
            live.started_at = move(live.started_at) or live.started_at
            live.ended_at = move(live.ended_at)
            live.save(update_fields=["started_at", "ended_at"])
        for span in ItemSpan.objects.filter(meeting=meeting):
            span.started_at = move(span.started_at) or span.started_at
            span.ended_at = move(span.ended_at)
            span.save(update_fields=["started_at", "ended_at"])
        for model, field in (
            (TimelineEntry, "at"),
            (LiveEvent, "at"),
            (BlogPost, "created_at"),
            (Comment, "created_at"),
        ):
            for row in model.objects.filter(meeting=meeting):
                when = getattr(row, field)
                if when >= self.marks[0][0]:
                    setattr(row, field, move(when))
                    row.save(update_fields=[field])


def _comment(meeting: Meeting, text: str) -> None:
    from moothall.accounts.models import User
    from moothall.live import contributions

    resident = User.objects.filter(email="resident@mootshire.example").first()
    if resident is None:
        return
    # The demo resident may not be allowed to comment here: the meeting goes on without.
    with contextlib.suppress(PermissionDenied, ValidationError):
        contributions.post_comment(resident, meeting, text=text)


def _go_live(meeting: Meeting) -> None:
    from moothall.live import domain as live

    script = _Script()
    script.at(0, lambda: live.start_live(None, meeting))
    for index, (_title, _kind, _paragraph, offset) in enumerate(AGENDA):
        script.at(offset, lambda: live.next_item(None, meeting))
        for item_index, text in BLOG:
            if item_index == index:
                script.at(offset + 20, partial(live.post_blog, None, meeting, text=text))
        for item_index, text in COMMENTS:
            if item_index == index:
                script.at(offset + 45, partial(_comment, meeting, text))
    script.at(ENDS_AT, lambda: live.end_live(None, meeting))
    script.replay(meeting)


def _record(meeting: Meeting) -> Recording:
    from moothall.live import record

    recording = record.add_recording(
        None,
        meeting,
        url=WEBCAST,
        title="Webcast of the meeting",
        started_at=START - dt.timedelta(minutes=1),
    )
    record.import_captions(None, recording, data=CAPTIONS.read_bytes())
    councillors = list(
        Councillor.objects.filter(council=meeting.council).order_by("person__name", "id")[:3]
    )
    for label, place in SPEAKERS.items():
        if place < len(councillors):
            record.name_speaker(None, recording, speaker=label, councillor=councillors[place])
    return recording


@demo_step(order=70)
def live_meeting(context: DemoContext) -> str:
    """A held Cabinet meeting with its live timeline, blog, comments and captioned webcast."""
    from moothall.meetings import domain

    council = Council.objects.filter(slug=DEMO_COUNCIL).first()
    if council is None:
        return f"skipped: no council {DEMO_COUNCIL!r} (the Mootshire step makes it)"
    found = Meeting.objects.filter(council=council, source=SOURCE, source_id=SOURCE_ID).first()
    if found is not None:
        return f"already made: {found}"
    with transaction.atomic():
        meeting = domain.create_meeting(
            None,
            _body(council),
            start=START,
            end=START + dt.timedelta(seconds=ENDS_AT),
            venue="Council Chamber, Brackenford Town Hall",
            webcast_url=WEBCAST,
            source=SOURCE,
            source_id=SOURCE_ID,
        )
        for title, kind, paragraph, _offset in AGENDA:
            domain.add_agenda_item(
                None, meeting, title=title, kind=kind, exempt_paragraph=paragraph
            )
        domain.publish_agenda(None, meeting, now=START - dt.timedelta(days=8))
        _go_live(meeting)
        recording = _record(meeting)
    segments = recording.segments.count()
    chapters = recording.chapters.count()
    return (
        f"{meeting}: live timeline, blog, a recording with {segments} captions "
        f"in {chapters} chapters"
    )
