"""Pre-moderation of ideas and comments: while the council checks them first, a new idea
or comment waits, seen by its author (and moderators) alone, counted and told to nobody,
until a moderator approves it (published, followers told, author emailed) or rejects it
(hidden, with the public log and the author told). The council sets it per space."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from moothall.core.models import AuditEntry
from moothall.ideas import domain
from moothall.ideas.models import Comment, Idea, IdeaSettings
from moothall.moderation import domain as moderation
from moothall.moderation import registry
from moothall.moderation.models import LogEntry
from moothall.notifications.domain import follow, is_following
from moothall.notifications.models import Notification
from moothall.notifications.registry import followable
from moothall.search.query import search
from tests.ideas.scene import build_scene, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, other_council, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        built = build_scene(council, other_council, resident)
    return built


def checked_first(council, council_admin, *, ideas=True, comments=True) -> None:
    """The council sets pre-moderation as a council admin does: the space's mode."""
    moderation.set_space_mode(council_admin, council, "ideas", "pre" if ideas else "post")
    moderation.set_space_mode(
        council_admin, council, "idea_comments", "pre" if comments else "post"
    )


def propose(author, scene, title="Crossing on Hill Road"):
    return domain.propose_idea(
        author, scene.council, title=title, body="Cars are **fast**.", ward=scene.hill_ward
    )


def space(council, key):
    return next(s for s in registry.spaces(council) if s.key == key)


def test_the_council_sets_each_space_and_the_change_is_audited(council, council_admin, scene):
    assert (space(council, "ideas").mode, space(council, "idea_comments").mode) == (
        "post",
        "post",
    )
    checked_first(council, council_admin, comments=False)

    rules = IdeaSettings.for_council(council)
    assert (rules.premoderate_ideas, rules.premoderate_comments) == (True, False)
    assert space(council, "ideas").mode == "pre"
    entry = AuditEntry.objects.filter(action="ideas.update_settings").latest("id")
    assert entry.actor == council_admin
    assert entry.details["after"] == {"premoderate_ideas": True}
    assert AuditEntry.objects.filter(action="moderation.set_space_mode").count() == 2


def test_a_waiting_idea_is_seen_by_its_author_alone_and_nobody_is_told(
    client, council, council_admin, scene, resident, django_capture_on_commit_callbacks
):
    checked_first(council, council_admin)
    neighbour = person("ned.neighbour@example.org", council)
    follow(neighbour, council, "ward", scene.hill_ward.pk)

    with django_capture_on_commit_callbacks(execute=True):
        idea = propose(resident, scene)

    assert idea.awaiting_moderation
    assert not Notification.objects.filter(event="idea.proposed", title=idea.title).exists()
    assert not is_following(resident, "idea", idea.pk)
    assert search("crossing", council=council).total == 0
    kind = followable("idea")
    assert kind is not None
    assert kind.get(idea.pk) is None
    assert idea.title not in client.get(f"/{council.slug}/ideas/").content.decode()
    api = f"/api/v1/councils/{council.slug}/ideas"
    assert idea.pk not in [item["id"] for item in client.get(api).json()["items"]]
    assert client.get(f"{api}/{idea.pk}").status_code == 404
    # Nobody else may open it, not even by its short address.
    assert client.get(idea.get_absolute_url()).status_code == 404
    assert client.get(f"/{council.slug}/ideas/{idea.pk}/").status_code == 404
    client.force_login(neighbour)
    assert client.get(idea.get_absolute_url()).status_code == 404
    # Its author sees it, saying it waits; no support, comment or report until published.
    client.force_login(resident)
    page = client.get(idea.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Waiting to be checked" in text
    assert "moderators can see this until a moderator has checked it" in text
    assert "Report this idea" not in text
    assert "Support this idea" not in text
    assert 'name="body"' not in text
    with pytest.raises(ValidationError) as refused:
        domain.support_idea(neighbour, idea)
    assert refused.value.code == "closed_for_support"
    with pytest.raises(ValidationError) as refused:
        domain.comment(neighbour, idea, body="Yes")
    assert refused.value.code == "awaiting_moderation"
    with pytest.raises(ValidationError) as refused:
        moderation.flag(neighbour, "idea", idea, reason="spam")
    assert refused.value.code == "not_shown"


def test_the_form_and_the_message_say_ideas_are_checked_first(
    client, council, council_admin, scene, resident
):
    checked_first(council, council_admin)
    client.force_login(resident)
    form = client.get(f"/{council.slug}/ideas/new/").content.decode()
    assert "A moderator checks every idea before it is published" in form
    assert "Send it to be checked" in form

    response = client.post(
        f"/{council.slug}/ideas/new/",
        {"kind": "idea", "title": "A pond for newts", "body": "In Moot Park."},
        follow=True,
    )
    assert response.status_code == 200
    assert "will be published once a moderator has checked it" in response.content.decode()
    assert Idea.objects.get(title="A pond for newts").awaiting_moderation


def test_approving_publishes_the_idea_tells_followers_and_the_author(
    client, council, council_admin, moderator, scene, resident, django_capture_on_commit_callbacks
):
    checked_first(council, council_admin)
    neighbour = person("ned.neighbour@example.org", council)
    follow(neighbour, council, "ward", scene.hill_ward.pk)
    with django_capture_on_commit_callbacks(execute=True):
        idea = propose(resident, scene)
    waiting = space(council, "ideas")
    assert waiting.pending == 1
    assert waiting.queue_url.endswith("?kind=idea")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(moderator, "idea", idea)

    idea.refresh_from_db()
    assert not idea.awaiting_moderation
    assert space(council, "ideas").pending == 0
    notification = Notification.objects.get(event="idea.proposed", title=idea.title)
    assert notification.actor == resident  # the author is not told of their own idea
    assert notification.targets == [["idea", idea.pk], ["ward", scene.hill_ward.pk]]
    assert is_following(resident, "idea", idea.pk)
    assert search("crossing", council=council).total == 1
    assert client.get(idea.get_absolute_url()).status_code == 200
    assert AuditEntry.objects.filter(action="ideas.approve", actor=moderator).exists()
    assert AuditEntry.objects.filter(action="moderation.approve", actor=moderator).exists()
    told = [m for m in mail.outbox if m.to == ["rita.resident@example.org"]]
    assert len(told) == 1
    assert "now published" in told[0].subject
    # Approving twice is refused; so is approving what never waited.
    with pytest.raises(ValidationError) as refused:
        moderation.approve(moderator, "idea", idea)
    assert refused.value.code == "not_pending"


def test_only_a_moderator_approves(council, council_admin, scene, resident, officer):
    checked_first(council, council_admin)
    idea = propose(resident, scene)
    with pytest.raises(PermissionDenied):
        moderation.approve(resident, "idea", idea)
    with pytest.raises(PermissionDenied):
        domain.approve_idea(resident, idea)
    idea.refresh_from_db()
    assert idea.awaiting_moderation


def test_rejecting_a_waiting_idea_hides_it_for_good_unless_restored(
    client, council, council_admin, moderator, scene, resident, django_capture_on_commit_callbacks
):
    checked_first(council, council_admin)
    idea = propose(resident, scene)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide(moderator, "idea", idea, rule="spam", explanation="An advert.")

    idea.refresh_from_db()
    assert idea.is_hidden
    assert not idea.awaiting_moderation
    assert space(council, "ideas").pending == 0
    assert client.get(idea.get_absolute_url()).status_code == 410
    entry = LogEntry.objects.get(council=council, kind="idea")
    assert (entry.action, entry.rule) == ("hidden", "spam")
    assert [m.to for m in mail.outbox] == [["rita.resident@example.org"]]

    moderation.restore(moderator, "idea", idea)
    idea.refresh_from_db()
    assert idea.is_public
    assert client.get(idea.get_absolute_url()).status_code == 200


def test_a_waiting_comment_is_its_authors_alone_until_approved(
    client, council, council_admin, moderator, scene, resident, django_capture_on_commit_callbacks
):
    checked_first(council, council_admin, ideas=False)
    other = person("olga@example.org", council)
    idea = scene.idea
    before = Notification.objects.filter(event="idea.commented").count()

    made = domain.comment(other, idea, body="A bin by the bench too.")

    assert made.awaiting_moderation
    idea.refresh_from_db()
    assert idea.comment_count == 0
    assert Notification.objects.filter(event="idea.commented").count() == before
    assert "A bin by the bench" not in client.get(idea.get_absolute_url()).content.decode()
    api = client.get(f"/api/v1/councils/{council.slug}/ideas/{idea.pk}").json()
    assert api["comments"] == []
    client.force_login(resident)
    assert "A bin by the bench" not in client.get(idea.get_absolute_url()).content.decode()
    client.force_login(other)
    mine = client.get(idea.get_absolute_url()).content.decode()
    assert "A bin by the bench" in mine
    assert "Only you can see this comment until a moderator has checked it." in mine
    with pytest.raises(ValidationError) as refused:
        domain.comment(resident, idea, body="Agreed", parent=made)
    assert refused.value.error_dict["parent"][0].code == "awaiting_moderation"
    with pytest.raises(ValidationError) as refused:
        moderation.flag(resident, "idea_comment", made, reason="spam")
    assert refused.value.code == "not_shown"

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(moderator, "idea_comment", made)

    idea.refresh_from_db()
    assert idea.comment_count == 1
    notification = Notification.objects.filter(event="idea.commented").latest("id")
    assert notification.actor == other
    client.logout()
    assert "A bin by the bench" in client.get(idea.get_absolute_url()).content.decode()
    assert AuditEntry.objects.filter(action="ideas.approve_comment").exists()


def test_a_rejected_waiting_comment_never_counted_and_restoring_counts_it(
    council, council_admin, moderator, scene
):
    checked_first(council, council_admin, ideas=False)
    other = person("olga@example.org", council)
    made = domain.comment(other, scene.idea, body="Buy cheap watches")

    moderation.hide(moderator, "idea_comment", made, rule="spam")
    made.refresh_from_db()
    scene.idea.refresh_from_db()
    assert made.is_removed
    assert not made.awaiting_moderation
    assert scene.idea.comment_count == 0
    assert space(council, "idea_comments").pending == 0

    moderation.restore(moderator, "idea_comment", made)
    scene.idea.refresh_from_db()
    assert scene.idea.comment_count == 1


def test_the_form_says_comments_are_checked_and_the_message_says_it_waits(
    client, council, council_admin, scene, resident
):
    checked_first(council, council_admin, ideas=False)
    client.force_login(resident)
    page = client.get(scene.idea.get_absolute_url()).content.decode()
    assert "A moderator checks comments before they are published." in page
    response = client.post(
        f"/{council.slug}/ideas/{scene.idea.pk}/comments/", {"body": "Lovely"}, follow=True
    )
    assert "Your comment will be published once a moderator has" in response.content.decode()
    assert Comment.objects.get(body="Lovely").awaiting_moderation


def test_signed_out_the_page_has_no_comment_form_and_does_not_read_the_setting(
    client, council, council_admin, scene
):
    checked_first(council, council_admin, ideas=False)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(scene.idea.get_absolute_url()).content.decode()

    assert "Sign in to comment" in page
    assert "A moderator checks comments before they are published." not in page
    table = IdeaSettings._meta.db_table
    assert not [q for q in queries.captured_queries if table in q["sql"]]


def test_switching_back_to_post_moderation_leaves_what_waits_waiting(
    council, council_admin, moderator, scene, resident
):
    checked_first(council, council_admin)
    idea = propose(resident, scene)
    checked_first(council, council_admin, ideas=False, comments=False)

    idea.refresh_from_db()
    assert idea.awaiting_moderation
    assert space(council, "ideas").pending == 1
    later = propose(resident, scene, title="Another crossing")
    assert not later.awaiting_moderation


def test_the_staff_waiting_page_lists_and_decides(
    client, council, council_admin, moderator, scene, resident
):
    checked_first(council, council_admin)
    idea = propose(resident, scene)
    made = domain.comment(resident, scene.idea, body="Please hurry")
    client.force_login(moderator)
    base = f"/{council.slug}/staff/moderation/"

    everything = client.get(base + "waiting/").content.decode()
    assert "Crossing on Hill Road" in everything
    assert "Please hurry" in everything
    only_ideas = client.get(base + "waiting/?kind=idea").content.decode()
    assert "Crossing on Hill Road" in only_ideas
    assert "Please hurry" not in only_ideas
    assert client.get(base + "waiting/?kind=nonsense").status_code == 200
    queue = client.get(base).content.decode()
    assert "waiting/?kind=idea" in queue

    item = client.get(f"{base}items/idea/{idea.pk}/").content.decode()
    assert "Approve and publish it" in item
    assert "Reject it" in item
    response = client.post(f"{base}items/idea/{idea.pk}/approve/")
    assert response.status_code == 302
    idea.refresh_from_db()
    assert not idea.awaiting_moderation
    again = client.post(f"{base}items/idea/{idea.pk}/approve/")
    assert again.status_code == 400
    assert "This is not waiting to be checked." in again.content.decode()

    client.post(
        f"{base}items/idea_comment/{made.pk}/hide/",
        {"hide-rule": "off_topic", "hide-explanation": ""},
    )
    made.refresh_from_db()
    assert made.is_removed
    assert "Nothing is waiting to be checked." in client.get(base + "waiting/").content.decode()


def test_a_resident_cannot_open_the_waiting_page(client, council, resident):
    client.force_login(resident)
    assert client.get(f"/{council.slug}/staff/moderation/waiting/").status_code == 403
