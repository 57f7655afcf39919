"""A ban stops its person contributing at its council, in every app that takes
contributions, and nowhere else; it ends when lifted or when its time is up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from moothall.budgeting import domain as budgeting
from moothall.budgeting.models import Phase
from moothall.deliberation import domain as deliberation
from moothall.ideas import domain as ideas
from moothall.live import contributions
from moothall.moderation.models import Ban
from moothall.petitions import domain as petitions
from tests import factories
from tests.budgeting.scene import build_scene as build_budget_scene
from tests.deliberation.d1_scene import conversation
from tests.live.contributions_scene import live_meeting, picture

pytestmark = pytest.mark.django_db


def _ban(user, council, **fields):
    return Ban.objects.create(council=council, user=user, rule="spam", **fields)


def _banned(call) -> None:
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.error_list[0].code == "banned"


def _contributions(council, user):
    """Each app's contribution verb, as a thunk writing something new each time."""
    idea = ideas.propose_idea(
        factories.UserFactory(email="ivy.idea@example.org"), council, title="Idea", body="Body"
    )
    meeting = live_meeting(council, comment_moderation="post", media_moderation="post")
    talk = conversation(council, moderation="post")
    participant = deliberation.join(talk, user=user)
    budget = build_budget_scene(council, phase=Phase.IDEAS)
    counter = iter(range(1000))
    return {
        "idea": lambda: ideas.propose_idea(
            user, council, title=f"Idea {next(counter)}", body="A body"
        ),
        "idea_comment": lambda: ideas.comment(user, idea, body=f"Comment {next(counter)}"),
        "petition": lambda: petitions.start_petition(
            user, council, title=f"Petition {next(counter)} about the park", action="Fix it"
        ),
        "live_comment": lambda: contributions.post_comment(
            user, meeting, text=f"Live {next(counter)}"
        ),
        "live_media": lambda: contributions.upload_media(
            user, meeting, data=picture(), caption=f"Photo {next(counter)}"
        ),
        "statement": lambda: deliberation.add_statement(
            talk, text=f"Statement number {next(counter)}", author=participant
        ),
        "project": lambda: budgeting.propose_project(
            user,
            budget.process,
            title=f"Project {next(counter)}",
            description="Benches.",
            budget=budget.whole,
        ),
    }


APPS = ["idea", "idea_comment", "petition", "live_comment", "live_media", "statement", "project"]


@pytest.mark.parametrize("app", APPS)
def test_a_banned_person_cannot_contribute_until_the_ban_ends(council, resident, app):
    contribute = _contributions(council, resident)[app]
    contribute()  # before the ban: fine

    ban = _ban(resident, council, until=timezone.now() + dt.timedelta(days=2))
    _banned(contribute)

    Ban.objects.filter(pk=ban.pk).update(until=timezone.now() - dt.timedelta(minutes=1))
    contribute()  # the ban is over


@pytest.mark.parametrize("app", APPS)
def test_a_permanent_ban_holds_until_lifted_and_only_at_its_council(
    council, other_council, resident, app
):
    contribute = _contributions(council, resident)[app]
    ban = _ban(resident, council)
    _ban(resident, other_council, lifted_at=timezone.now())  # lifted elsewhere: no effect
    _banned(contribute)

    ban.lifted_at = timezone.now()
    ban.save()
    contribute()


def test_a_ban_at_another_council_does_not_count(council, other_council, resident):
    _ban(resident, other_council)
    ideas.propose_idea(resident, council, title="Fine here", body="Body")
