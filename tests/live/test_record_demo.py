"""The live demo step: a held meeting with a live timeline, blog and a captioned webcast."""

from __future__ import annotations

import pytest

from moothall.demo.registry import DemoContext
from moothall.live.captions import parse
from moothall.live.demo_data import CAPTIONS, live_meeting
from moothall.live.models import BlogPost, ItemSpan, Recording
from moothall.meetings.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_demo_makes_a_held_meeting_followed_live_and_captioned(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        council = factories.CouncilFactory(slug="brackenford", name="Brackenford Borough Council")
        for name in ("Asha Patel", "Brian Cole", "Carys Evans"):
            factories.CouncillorFactory(council=council, person__name=name)
        summary = live_meeting(DemoContext())
    meeting = Meeting.objects.get(source="demo-live")
    assert "a recording with 29 captions in 6 chapters" in summary
    assert meeting.status == "held"
    assert ItemSpan.objects.filter(meeting=meeting).count() == 6
    assert BlogPost.objects.filter(meeting=meeting).count() == 2
    recording = Recording.objects.get(meeting=meeting)
    assert recording.segments.count() == len(parse(CAPTIONS.read_bytes())) == 29
    library = meeting.items.get(title="Library opening hours")
    said = recording.segments.filter(text__contains="eight o'clock on Thursdays").get()
    assert said.item == library
    assert said.speaker == "Officer"
    assert said.councillor is None
    chair = recording.segments.filter(speaker="Speaker 1").first()
    assert chair.councillor.person.name == "Asha Patel"
    assert not recording.segments.filter(item__is_exempt=True).exists()
    # The meeting is replayed on its evening: the first item 30 s after it opened.
    first = ItemSpan.objects.filter(meeting=meeting).order_by("started_at").first()
    assert (first.started_at - meeting.start).total_seconds() == pytest.approx(30, abs=1)
    assert live_meeting(DemoContext()).startswith("already made")
    assert Meeting.objects.filter(source="demo-live").count() == 1
