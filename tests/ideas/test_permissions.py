"""Who may use the ideas verbs: the role × verb matrix.

Anyone signed in with a verified email may propose, comment and withdraw a support; only
people whose postcode lies in Mootshire may support (the default rule); only the author
edits and adds pictures; moderators (and officers and admins) remove comments and
pictures; officers and council admins act on ideas; councillors may also respond; the
council's admin sets the rules. The outsider (an officer of Elsewhere) takes part as a
person, never as staff. A refused call raises PermissionDenied and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from moothall.core.models import AuditEntry
from moothall.ideas import domain
from moothall.ideas.models import (
    Comment,
    Idea,
    IdeaAgendaLink,
    IdeaImage,
    IdeaResponse,
    IdeaSettings,
    IdeaTimelineEntry,
    Support,
)
from moothall.meetings.models import AgendaItem
from moothall.notifications.models import Notification, Subscription
from tests import factories
from tests.ideas.scene import build_scene, person, png

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
SIGNED_IN = set(ROLES) - {"anonymous"}
MODERATORS = {"moderator", "officer", "council_admin", "platform_admin"}
MANAGERS = {"officer", "council_admin", "platform_admin"}
ADMINS = {"council_admin", "platform_admin"}
MODELS = (
    AgendaItem,
    AuditEntry,
    Comment,
    Idea,
    IdeaAgendaLink,
    IdeaImage,
    IdeaResponse,
    IdeaSettings,
    IdeaTimelineEntry,
    Notification,
    Subscription,
    Support,
)


def counts() -> dict[str, int]:
    tables = [model._meta.db_table for model in MODELS]
    # Table names come from the models, never from input.
    sql = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return dict(zip(tables, row, strict=True))


def setting(council, other_council, resident) -> SimpleNamespace:
    scene = build_scene(council, other_council, resident)
    supporter = person("sue.supporter@example.org", council)
    duplicate = domain.propose_idea(supporter, council, title="Seats in Moot Park", body="B")
    domain.support_idea(supporter, duplicate)
    comment = domain.comment(supporter, scene.idea, body="Yes please")
    removed = domain.remove_comment(
        None, domain.comment(supporter, scene.idea, body="Buy watches"), reason="Spam."
    )
    image = domain.add_image(resident, scene.idea, data=png(), alt_text="The pond")
    hidden = domain.propose_idea(supporter, council, title="Cheap watches", body="Spam")
    domain.hide_idea(None, hidden, reason="Spam.")
    # Pre-moderation for a moment: one idea and one comment wait for a moderator.
    domain.update_idea_settings(None, council, premoderate_ideas=True, premoderate_comments=True)
    waiting = domain.propose_idea(supporter, council, title="A new bench", body="By the pond")
    waiting_comment = domain.comment(supporter, scene.idea, body="And a bin")
    domain.update_idea_settings(None, council, premoderate_ideas=False, premoderate_comments=False)
    link = domain.place_idea_on_agenda(None, duplicate, scene.meeting)
    decision = factories.DecisionFactory(council=council, meeting=scene.meeting)
    return SimpleNamespace(
        council=council,
        idea=scene.idea,
        duplicate=duplicate,
        comment=comment,
        removed=removed,
        image=image,
        hidden=hidden,
        waiting=waiting,
        waiting_comment=waiting_comment,
        link=link,
        decision=decision,
        meeting=scene.meeting,
    )


Verb = Callable[[Any, SimpleNamespace], object]

VERBS: dict[str, Verb] = {
    "propose_idea": lambda a, s: domain.propose_idea(a, s.council, title="T", body="B"),
    "edit_idea": lambda a, s: domain.edit_idea(a, s.idea, kind="need", title="T", body="B"),
    "add_image": lambda a, s: domain.add_image(a, s.idea, data=png(), alt_text="More"),
    "remove_image": lambda a, s: domain.remove_image(a, s.image, reason="Shows a face."),
    "support_idea": lambda a, s: domain.support_idea(a, s.idea),
    "withdraw_support": lambda a, s: domain.withdraw_support(a, s.duplicate),
    "comment": lambda a, s: domain.comment(a, s.idea, body="Hello", parent=s.comment),
    "remove_comment": lambda a, s: domain.remove_comment(a, s.comment, reason="Spam."),
    "restore_comment": lambda a, s: domain.restore_comment(a, s.removed),
    "hide_idea": lambda a, s: domain.hide_idea(a, s.idea, reason="Spam."),
    "restore_idea": lambda a, s: domain.restore_idea(a, s.hidden),
    "approve_idea": lambda a, s: domain.approve_idea(a, s.waiting),
    "approve_comment": lambda a, s: domain.approve_comment(a, s.waiting_comment),
    "set_idea_status": lambda a, s: domain.set_idea_status(a, s.idea, "under_consideration"),
    "respond_to_idea": lambda a, s: domain.respond_to_idea(a, s.idea, body="Thanks."),
    "merge_ideas": lambda a, s: domain.merge_ideas(a, s.duplicate, s.idea),
    "place_idea_on_agenda": lambda a, s: domain.place_idea_on_agenda(a, s.idea, s.meeting),
    "link_idea_decision": lambda a, s: domain.link_idea_decision(a, s.link, s.decision),
    "update_idea_settings": lambda a, s: domain.update_idea_settings(a, s.council, support_level=3),
}
ALLOWED: dict[str, set[str]] = {
    "propose_idea": SIGNED_IN,
    "edit_idea": {"resident"},
    "add_image": {"resident"},
    "remove_image": {"resident"} | MODERATORS,
    # The default rule: a postcode in the area. Only the resident has given one.
    "support_idea": {"resident"},
    "withdraw_support": SIGNED_IN,
    "comment": SIGNED_IN,
    "remove_comment": MODERATORS,
    "restore_comment": MODERATORS,
    "hide_idea": MODERATORS,
    "restore_idea": MODERATORS,
    "approve_idea": MODERATORS,
    "approve_comment": MODERATORS,
    "set_idea_status": MANAGERS,
    "respond_to_idea": MANAGERS | {"councillor_user"},
    "merge_ideas": MANAGERS,
    "place_idea_on_agenda": MANAGERS,
    "link_idea_decision": MANAGERS,
    "update_idea_settings": ADMINS,
}


class _Undo(Exception):
    """Raised to roll a savepoint back after an allowed call."""


def actor_for(request, role: str):
    if role == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(role)


def reload(scene: SimpleNamespace, ids: dict[str, int]) -> SimpleNamespace:
    """The same scene, read again (a verb may have changed or deleted the objects in memory;
    deleting sets their pk to None, hence the saved ids)."""
    return SimpleNamespace(
        **{name: type(value).objects.get(pk=ids[name]) for name, value in vars(scene).items()}
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_role_verb_matrix(request, council, other_council, resident, role):
    """Every verb, for one role: allowed ones succeed, the others raise PermissionDenied and
    write nothing. Each call runs in a savepoint rolled back afterwards."""
    actor = actor_for(request, role)
    scene = setting(council, other_council, resident)
    ids = {name: value.pk for name, value in vars(scene).items()}
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
        scene = reload(scene, ids)
    expected = {verb: "allowed" if role in ALLOWED[verb] else "denied" for verb in VERBS}
    assert outcomes == expected
    assert counts() == before


def test_every_verb_of_the_domain_is_in_the_matrix():
    public = {
        name
        for name, value in vars(domain).items()
        if callable(value)
        and not isinstance(value, type)
        and not name.startswith("_")
        and getattr(value, "__module__", "") == domain.__name__
    }
    # Questions, not changes.
    queries = {"needed_level", "may", "next_statuses"}
    assert public - queries == set(VERBS)


def test_an_officer_without_two_factor_authentication_may_not_act(council, other_council, resident):
    clerk = factories.UserFactory(email="nomfa.officer@example.org")
    factories.RoleFactory(user=clerk, council=council, kind="officer")
    scene = setting(council, other_council, resident)
    before = counts()

    for verb in ("set_idea_status", "merge_ideas", "remove_comment", "respond_to_idea"):
        with pytest.raises(PermissionDenied):
            VERBS[verb](clerk, scene)

    assert counts() == before


def test_the_outsider_acts_on_ideas_at_their_own_council_only(
    council, other_council, resident, outsider
):
    scene = setting(council, other_council, resident)
    theirs = domain.propose_idea(outsider, other_council, title="Elsewhere idea", body="B")

    domain.set_idea_status(outsider, theirs, "accepted")
    with pytest.raises(PermissionDenied):
        domain.merge_ideas(outsider, scene.duplicate, scene.idea)

    assert Idea.objects.get(pk=theirs.pk).status == "accepted"


def test_a_deactivated_resident_may_not_take_part(council, other_council, resident):
    scene = setting(council, other_council, resident)
    resident.is_active = False
    resident.save()

    for verb in ("propose_idea", "support_idea", "comment", "edit_idea"):
        with pytest.raises(PermissionDenied):
            VERBS[verb](resident, scene)
