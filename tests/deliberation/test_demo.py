"""The demo's deliberation: Brackenford's town centre conversation, open, post-moderated,
with its opinion groups in the analysis, built once (one build, several checks: building
it takes seconds)."""

from __future__ import annotations

import pytest

from moothall.councils.demo_data import mootshire
from moothall.councils.models import Council
from moothall.deliberation import demo_data, domain, representation
from moothall.deliberation.models import Analysis, Conversation, Participant, Statement, Vote
from moothall.demo.registry import DemoContext, steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def brackenford() -> Council:
    """The fictional area (the demo's first step), without the rest of the demo."""
    mootshire(DemoContext())
    return Council.objects.get(slug="brackenford")


def test_the_demo_builds_an_open_conversation_with_groups_once(brackenford):
    line = demo_data.demo_deliberation(DemoContext())

    made = Conversation.objects.get(council=brackenford, slug=demo_data.SLUG)
    assert line.startswith("Brackenford: “Brackenford town centre: what should change?” (open)")
    assert (made.status, made.moderation, made.mode) == ("open", "post", "improved")
    states = list(Statement.objects.filter(conversation=made).values_list("state", flat=True))
    assert len(states) == len(demo_data.STATEMENTS) == 40
    assert states.count("rejected") == 2
    assert "pending" not in states
    assert Participant.objects.filter(conversation=made).count() == demo_data.PARTICIPANTS
    votes = Vote.objects.filter(conversation=made).count()
    assert 5_000 < votes < 9_000

    # The analysis counts every vote but those on the two removed statements.
    analysis = Analysis.objects.get(conversation=made, mode="improved")
    on_removed = Vote.objects.filter(conversation=made, statement__state="rejected").count()
    assert analysis.votes_counted == votes - on_removed
    assert 2 <= len(analysis.data["groups"]) <= 4
    assert analysis.data["consensus"]["agree"]  # toilets, lighting, start-ups…
    # Closing the High Street divides the groups: one mostly agrees, one mostly disagrees.
    closing = Statement.objects.get(conversation=made, text__startswith="The High Street")
    by_group = analysis.data["statements"][str(closing.number)]["groups"]
    shares = [g["agree"] / max(g["agree"] + g["disagree"], 1) for g in by_group.values()]
    assert max(shares) > 0.7
    assert min(shares) < 0.3

    # About six in ten said something about themselves.
    known = [p for p in representation.profiles(made) if p.ward_id or p.age_band or p.sex]
    assert 150 <= len(known) <= 210

    # A visitor (anyone may take part) is shown a statement to vote on.
    assert domain.first_statement(made) is not None

    # A second run changes nothing.
    before = sorted(Vote.objects.values_list("pk", "value"))
    again = demo_data.demo_deliberation(DemoContext())
    assert again.startswith("already built")
    assert sorted(Vote.objects.values_list("pk", "value")) == before


def test_the_step_runs_after_the_population_figures():
    order = {step.name: step.order for step in steps()}

    assert (
        order["moothall.deliberation.demo_data.demo_deliberation"]
        > order["moothall.population.demo_data.demo_population"]
    )
