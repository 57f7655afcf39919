"""An idea moderators hid leaves the public site — lists, its page (which says why),
search, the API, following — takes no support or comments, and comes back whole when
restored."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from moothall.ideas import domain
from moothall.ideas.models import Idea
from moothall.moderation import domain as moderation
from moothall.moderation.models import LogEntry
from moothall.notifications.registry import followable
from moothall.search.query import search
from tests.ideas.scene import build_scene, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, other_council, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        built = build_scene(council, other_council, resident)
    return built


def hide(moderator, idea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide(moderator, "idea", idea, rule="abusive", explanation="Names a neighbour.")


def test_a_hidden_idea_leaves_every_public_place_and_its_page_says_why(
    client, scene, council, moderator, django_capture_on_commit_callbacks
):
    idea = scene.idea
    assert search("benches", council=council).total == 1
    hide(moderator, idea, django_capture_on_commit_callbacks)

    page = client.get(idea.get_absolute_url())
    assert page.status_code == 410
    text = page.content.decode()
    assert "This idea has been hidden" in text
    assert "Names a neighbour." in text
    assert "More <strong>benches</strong>" not in text  # the body is not shown
    listing = client.get(f"/{council.slug}/ideas/").content.decode()
    assert idea.title not in listing
    assert client.get(f"/api/v1/councils/{council.slug}/ideas/{idea.pk}").status_code == 404
    api_list = client.get(f"/api/v1/councils/{council.slug}/ideas").json()
    assert idea.pk not in [item["id"] for item in api_list["items"]]
    assert search("benches", council=council).total == 0
    kind = followable("idea")
    assert kind is not None
    assert kind.get(idea.pk) is None
    # The public log says an idea was hidden, and under which rule, not what it said.
    entry = LogEntry.objects.get(council=council, kind="idea")
    assert (entry.action, entry.rule) == ("hidden", "abusive")


def test_a_hidden_idea_takes_no_support_or_comments(
    client, scene, council, moderator, django_capture_on_commit_callbacks
):
    idea = scene.idea
    supporter = person("sam.supporter@example.org", council)
    hide(moderator, idea, django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError) as refused:
        domain.support_idea(supporter, idea)
    assert refused.value.code == "closed_for_support"
    with pytest.raises(ValidationError) as refused:
        domain.comment(supporter, idea, body="Still a good idea")
    assert refused.value.code == "hidden"
    client.force_login(supporter)
    assert client.post(f"/{council.slug}/ideas/{idea.pk}/support/").status_code == 404
    idea.refresh_from_db()
    assert (idea.support_count, idea.comment_count) == (0, 0)


def test_a_restored_idea_comes_back_with_its_supports(
    client, scene, council, moderator, django_capture_on_commit_callbacks
):
    idea = scene.idea
    supporter = person("sam.supporter@example.org", council)
    domain.support_idea(supporter, idea)
    hide(moderator, idea, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.restore(moderator, "idea", idea)

    idea.refresh_from_db()
    assert not idea.is_hidden
    assert idea.hidden_reason == ""
    assert idea.support_count == 1
    assert client.get(idea.get_absolute_url()).status_code == 200
    assert search("benches", council=council).total == 1
    assert [e.action for e in LogEntry.objects.filter(kind="idea").order_by("pk")] == [
        "hidden",
        "restored",
    ]


@pytest.mark.parametrize("role", ["resident", "councillor_user", "officer", "outsider"])
def test_only_moderating_staff_of_the_council_hide_an_idea(request, scene, role):
    actor = request.getfixturevalue(role)
    if role == "officer":  # officers moderate too (Action.MODERATE is every staff role)
        domain.hide_idea(actor, scene.idea, reason="Spam")
        assert Idea.objects.get(pk=scene.idea.pk).is_hidden
        return
    with pytest.raises(PermissionDenied):
        domain.hide_idea(actor, scene.idea, reason="Spam")
    assert not Idea.objects.get(pk=scene.idea.pk).is_hidden


def test_hiding_needs_a_reason_and_restoring_needs_a_hidden_idea(scene, moderator):
    with pytest.raises(ValidationError):
        domain.hide_idea(moderator, scene.idea, reason="  ")
    with pytest.raises(ValidationError) as refused:
        domain.restore_idea(moderator, scene.idea)
    assert refused.value.code == "not_hidden"
