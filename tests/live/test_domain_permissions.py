"""Who may run a meeting live: the role × verb matrix.

The clerk's live verbs are for Mootshire's officers and council admins (and platform
admins); the council's live policy for its admins only; never a resident, a councillor,
a moderator or the outsider (an officer of Elsewhere). A refused call raises
PermissionDenied and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from moothall.core.models import AuditEntry
from moothall.live import domain
from moothall.live.models import BlogPost, ItemSpan, LiveEvent, LiveMeeting, LiveSettings
from moothall.meetings import domain as meetings
from moothall.meetings.models import TimelineEntry
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident",
    "councillor_user",
    "moderator",
    "officer",
    "council_admin",
    "outsider",
    "platform_admin",
]
CLERKS = {"officer", "council_admin", "platform_admin"}
ADMINS = {"council_admin", "platform_admin"}


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            LiveMeeting,
            LiveEvent,
            ItemSpan,
            BlogPost,
            LiveSettings,
            TimelineEntry,
            AuditEntry,
        )
    )


def build_scene(council) -> SimpleNamespace:
    """A meeting ready to go live, one sitting on its first item (with a blog post) and
    one adjourned; built by the system (actor None)."""
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")

    def meeting():
        made = factories.MeetingFactory(body=body, agenda_published_at=timezone.now())
        for position in range(3):
            factories.AgendaItemFactory(meeting=made, position=position)
        meetings.renumber(made)
        return made

    ready, sitting, adjourned = meeting(), meeting(), meeting()
    domain.start_live(None, sitting)
    domain.next_item(None, sitting)
    domain.next_item(None, sitting)
    post = domain.post_blog(None, sitting, text="Hello")
    domain.start_live(None, adjourned)
    domain.adjourn(None, adjourned)
    return SimpleNamespace(
        council=council, ready=ready, sitting=sitting, adjourned=adjourned, post=post
    )


Verb = Callable[[Any, SimpleNamespace], object]

CLERK_VERBS: dict[str, Verb] = {
    "start_live": lambda a, s: domain.start_live(a, s.ready),
    "go_to_item": lambda a, s: domain.go_to_item(a, s.sitting, s.sitting.items.last()),
    "next_item": lambda a, s: domain.next_item(a, s.sitting),
    "previous_item": lambda a, s: domain.previous_item(a, s.sitting),
    "adjourn": lambda a, s: domain.adjourn(a, s.sitting, reason="Break"),
    "resume": lambda a, s: domain.resume(a, s.adjourned),
    "end_live": lambda a, s: domain.end_live(a, s.sitting),
    "post_blog": lambda a, s: domain.post_blog(a, s.sitting, text="Item 2 begins."),
    "remove_blog_post": lambda a, s: domain.remove_blog_post(a, s.post, reason="Typo"),
}
ADMIN_VERBS: dict[str, Verb] = {
    "update_live_settings": lambda a, s: domain.update_live_settings(
        a, s.council, comment_moderation="pre"
    ),
}
VERBS = {**CLERK_VERBS, **ADMIN_VERBS}
ALLOWED = dict.fromkeys(CLERK_VERBS, CLERKS) | dict.fromkeys(ADMIN_VERBS, ADMINS)


class _Undo(Exception):
    """Raised to roll a savepoint back after an allowed call."""


@pytest.mark.parametrize("role", ROLES)
def test_the_role_verb_matrix(request, council, role):
    actor = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    scene = build_scene(council)
    before = counts()
    outcomes = {}
    for verb, call in VERBS.items():
        try:
            with transaction.atomic():
                call(actor, scene)
                raise _Undo
        except _Undo:
            outcomes[verb] = "allowed"
        except PermissionDenied:
            outcomes[verb] = "denied" if counts() == before else "denied but wrote"
        scene.post.refresh_from_db()
    expected = {verb: "allowed" if role in ALLOWED[verb] else "denied" for verb in VERBS}
    assert outcomes == expected
    assert counts() == before


def test_every_verb_of_the_live_domain_is_in_the_matrix():
    public = {
        name
        for name, value in vars(domain).items()
        if callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", "") == domain.__name__
    }
    # Reading the state is no action.
    not_actions = {"live_state", "is_private", "blog_data", "blog_photo_url"}
    assert public - not_actions == set(VERBS)


def test_a_clerk_without_two_factor_authentication_may_not_run_a_meeting(council):
    clerk = factories.UserFactory(email="nomfa.officer@example.org")
    factories.RoleFactory(user=clerk, council=council, kind="officer")
    scene = build_scene(council)
    before = counts()
    for verb in ("start_live", "next_item", "post_blog"):
        with pytest.raises(PermissionDenied):
            CLERK_VERBS[verb](clerk, scene)
    assert counts() == before
