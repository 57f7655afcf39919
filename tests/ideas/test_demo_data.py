"""The demo's ideas and needs: believable, quick to build, every status shown, built once."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from moothall.councils.demo_data import mootshire
from moothall.councils.models import Council, Topic
from moothall.demo.registry import DemoContext
from moothall.ideas import demo_data
from moothall.ideas.models import Comment, Idea, IdeaAgendaLink, IdeaResponse, Support
from moothall.meetings import domain as meetings_domain
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def brackenford() -> Council:
    """The fictional area (the demo's first step), without the rest of the demo."""
    mootshire(DemoContext())
    return Council.objects.get(slug="brackenford")


def test_the_demo_gives_brackenford_topics_and_a_year_of_ideas_quickly(brackenford):
    council = brackenford
    reverse("public:home")  # load the URLs first: once per process, not the step's own cost
    # CPU time: the machine may be shared, and the wall clock then says little.
    started = time.process_time()
    line = demo_data.ideas(DemoContext())
    took = time.process_time() - started

    assert took < 5, f"{took:.1f} s of CPU"
    assert line.startswith("Brackenford: 36 ideas and needs, 7 topics, 30 residents")
    ideas = Idea.objects.filter(council=council)
    assert set(ideas.values_list("status", flat=True)) == set(Idea.Status.values)
    assert ideas.filter(kind="need").count() >= 8
    assert ideas.exclude(ward=None).values("ward").distinct().count() >= 4
    assert set(Topic.objects.filter(council=council).values_list("slug", flat=True)) == {
        slug for slug, _name in demo_data.TOPICS
    }
    assert Support.objects.filter(idea__council=council).count() > 150
    assert Comment.objects.filter(idea__council=council, parent__isnull=False).exists()
    assert IdeaResponse.objects.filter(idea__council=council).count() >= 12
    for idea in ideas:
        assert idea.support_count == idea.supports.count()
        assert idea.comment_count == idea.comments.filter(is_removed=False).count()
    oldest = ideas.order_by("created_at").first()
    assert oldest.created_at < timezone.now() - dt.timedelta(days=200)
    merged = ideas.get(status="merged")
    assert merged.merged_into.title == "More benches around the pond in Abbey Park"


def test_running_the_demo_twice_changes_nothing(brackenford):
    demo_data.ideas(DemoContext())
    before = Idea.objects.count(), Support.objects.count(), Comment.objects.count()

    output = demo_data.ideas(DemoContext())

    assert output == "already there: 36 ideas"
    assert (Idea.objects.count(), Support.objects.count(), Comment.objects.count()) == before


def test_with_meetings_one_idea_goes_on_an_agenda_and_one_is_decided(brackenford):
    council = brackenford
    body = factories.BodyFactory(council=council, name="Cabinet", slug="demo-cabinet")
    now = timezone.now()
    upcoming = factories.MeetingFactory(body=body, start=now + dt.timedelta(days=40))
    past = factories.MeetingFactory(body=body, start=now - dt.timedelta(days=30), status="held")
    meetings_domain.add_agenda_item(None, past, title="Apologies", kind="apologies")
    meetings_domain.publish_agenda(None, past, now=now - dt.timedelta(days=40))

    line = demo_data.build(council)

    links = IdeaAgendaLink.objects.filter(idea__council=council).select_related(
        "agenda_item__meeting", "decision"
    )
    assert {link.agenda_item.meeting for link in links} == {upcoming, past}
    decided = links.get(agenda_item__meeting=past)
    assert decided.decision.title == f"Approved: {decided.idea.title}"
    assert "decided at" in line
