"""The moderation back-office: the queue, one item (hide, restore, dismiss, warn, ban),
bans and lifting them, and each space's pre- or post-moderation."""

from __future__ import annotations

import pytest

from moothall.deliberation import domain as deliberation
from moothall.live import contributions
from moothall.live.models import Contribution, LiveSettings
from moothall.moderation import domain, registry
from moothall.moderation.models import Ban, Flag, LogEntry, Warning
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE = "/mootshire/staff/moderation/"
BANS = QUEUE + "bans/"
SETTINGS = QUEUE + "settings/"


@pytest.fixture
def scene(council, resident):
    from tests.moderation.scene import build_scene

    return build_scene(council, resident)


def _item(kind, pk):
    return f"{QUEUE}items/{kind}/{pk}/"


@pytest.fixture
def reported(scene):
    for email, reason in (("a@example.org", "spam"), ("b@example.org", "spam")):
        domain.flag(
            factories.UserFactory(email=email, name="Rob Reporter"),
            "live_comment",
            scene.live_comment,
            reason=reason,
            note="It is an advert",
        )
    domain.flag(
        factories.UserFactory(email="c@example.org"), "statement", scene.statement, reason="abusive"
    )
    return scene


ROLES = ["resident", "councillor_user", "officer", "moderator", "council_admin", "outsider"]
MODERATES = {"officer", "moderator", "council_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_moderation_pages(client, request, reported, role):
    client.force_login(request.getfixturevalue(role))
    pages = [QUEUE, _item("live_comment", reported.live_comment.pk), BANS]
    for url in pages:
        expected = 200 if role in MODERATES else 403
        assert client.get(url).status_code == expected, url
    assert client.get(SETTINGS).status_code == (200 if role == "council_admin" else 403)


def test_anonymous_visitors_are_asked_to_sign_in(client, reported):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_queue_groups_reports_with_counts_and_reasons_and_names_no_reporter(
    client, reported, moderator
):
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()

    assert "Comment at a live meeting" in html
    assert "Statement in a deliberation" in html
    assert "Spam or advertising (2)" in html
    assert "Abusive or hateful (1)" in html
    assert html.index("Comment at a live meeting") < html.index("Statement in a deliberation")
    for secret in ("Rob Reporter", "a@example.org", "rita.resident@example.org"):
        assert secret not in html


def test_the_queue_links_to_what_waits_in_pre_moderated_spaces(
    client, council, resident, moderator
):
    from tests.live.contributions_scene import live_meeting

    meeting = live_meeting(council, comment_moderation="pre")
    contributions.post_comment(resident, meeting, text="Waiting for a moderator")
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()
    assert "Comments at live meetings" in html
    assert "1 waiting" in html
    assert "/mootshire/staff/meetings/live/moderation/" in html


def test_the_item_page_shows_the_text_the_shown_name_and_reports_but_no_email(
    client, reported, moderator
):
    client.force_login(moderator)
    html = client.get(_item("live_comment", reported.live_comment.pk)).content.decode()
    assert "Cheap watches here" in html
    assert "Rita Resident" in html
    assert "It is an advert" in html
    assert "rita.resident@example.org" not in html
    assert "Rob Reporter" not in html


def test_an_item_of_another_council_or_kind_is_not_found(client, reported, outsider, moderator):
    client.force_login(moderator)
    assert client.get(_item("no_kind", 1)).status_code == 404
    assert client.get(_item("live_comment", 999_999)).status_code == 404
    client.force_login(outsider)
    url = f"/elsewhere/staff/moderation/items/live_comment/{reported.live_comment.pk}/"
    assert client.get(url).status_code == 404


def test_hiding_from_the_item_page(client, reported, moderator):
    client.force_login(moderator)
    url = _item("live_comment", reported.live_comment.pk)

    refused = client.post(url + "hide/", {"hide-explanation": "No adverts"})
    assert refused.status_code == 400
    assert "Choose the rule it breaks." in refused.content.decode()
    assert not LogEntry.objects.exists()

    done = client.post(url + "hide/", {"hide-rule": "spam", "hide-explanation": "No adverts"})
    assert done.status_code == 302
    reported.live_comment.refresh_from_db()
    assert reported.live_comment.status == Contribution.REMOVED
    assert LogEntry.objects.get().rule == "spam"
    assert not Flag.objects.filter(kind="live_comment", resolved_at__isnull=True).exists()

    back = client.post(url + "restore/")
    assert back.status_code == 302
    reported.live_comment.refresh_from_db()
    assert reported.live_comment.status == Contribution.PUBLISHED


def test_restoring_what_is_not_hidden_says_why(client, reported, moderator):
    client.force_login(moderator)
    response = client.post(_item("live_comment", reported.live_comment.pk) + "restore/")
    assert response.status_code == 400
    assert "This is not hidden." in response.content.decode()


def test_dismissing_warning_and_banning_from_the_item_page(client, reported, moderator, resident):
    client.force_login(moderator)
    url = _item("statement", reported.statement.pk)

    assert client.post(url + "dismiss/").status_code == 302
    assert Flag.objects.get(kind="statement").outcome == "dismissed"

    assert client.post(url + "warn/", {"warn-rule": "abusive"}).status_code == 302
    assert Warning.objects.get().user == resident

    no_days = client.post(url + "ban/", {"ban-rule": "abusive", "ban-length": "days"})
    assert no_days.status_code == 400
    assert "Enter the number of days." in no_days.content.decode()
    assert not Ban.objects.exists()

    assert (
        client.post(
            url + "ban/", {"ban-rule": "abusive", "ban-length": "days", "ban-days": "14"}
        ).status_code
        == 302
    )
    ban = Ban.objects.get()
    assert (ban.user, ban.until is not None) == (resident, True)
    assert client.post(url + "unknown/").status_code == 404


def test_the_bans_page_lists_and_lifts_bans(client, reported, moderator, resident):
    ban = domain.ban(moderator, "live_comment", reported.live_comment, rule="spam")
    client.force_login(moderator)
    html = client.get(BANS).content.decode()
    assert "Rita Resident" in html
    assert "Permanent" in html
    assert "rita.resident@example.org" not in html

    assert client.post(f"{BANS}{ban.pk}/lift/").status_code == 302
    ban.refresh_from_db()
    assert ban.lifted_by == moderator
    assert "Nobody is banned." in client.get(BANS).content.decode()


def test_a_ban_of_another_council_cannot_be_lifted_here(client, reported, moderator, outsider):
    ban = domain.ban(moderator, "live_comment", reported.live_comment, rule="spam")
    client.force_login(outsider)
    assert client.post(f"/elsewhere/staff/moderation/bans/{ban.pk}/lift/").status_code == 404
    ban.refresh_from_db()
    assert ban.lifted_at is None


def test_switching_live_comments_to_pre_moderation_takes_effect(
    client, council, resident, council_admin, scene
):
    client.force_login(council_admin)
    page = client.get(SETTINGS).content.decode()
    assert "Comments at live meetings" in page
    assert "Comments on ideas" in page
    assert "Petitions" in page
    assert "Statements in “Our parks”" in page

    response = client.post(SETTINGS + "live_comments/", {"live_comments-mode": "pre"})
    assert response.status_code == 302
    assert LiveSettings.for_council(council).comment_moderation == "pre"
    waiting = contributions.post_comment(resident, scene.meeting, text="Now it waits")
    assert waiting.status == Contribution.PENDING


def test_switching_a_conversation_to_pre_moderation_takes_effect(
    client, council_admin, scene, resident
):
    client.force_login(council_admin)
    key = f"conversation-{scene.conversation.pk}"
    assert client.post(f"{SETTINGS}{key}/", {f"{key}-mode": "pre"}).status_code == 302
    scene.conversation.refresh_from_db()
    assert scene.conversation.moderation == "pre"
    made = deliberation.add_statement(
        scene.conversation, text="A brand new thought", author=scene.participant
    )
    assert made.state == "pending"


def test_a_bad_mode_or_a_fixed_space_is_refused(client, council_admin, scene, monkeypatch):
    # Every space of the apps takes both modes today; the registry allows one that does not.
    fixed = registry.Space(key="fixed", label="Fixed", mode=registry.POST, modes=(registry.POST,))
    providers = [*registry._space_providers, lambda council: [fixed]]
    monkeypatch.setattr(registry, "_space_providers", providers)
    client.force_login(council_admin)
    bad = client.post(SETTINGS + "live_media/", {"live_media-mode": "sometimes"})
    assert bad.status_code == 400
    assert client.post(SETTINGS + "fixed/", {"fixed-mode": "pre"}).status_code == 400
    assert client.post(SETTINGS + "nowhere/", {"nowhere-mode": "pre"}).status_code == 404


def test_a_moderator_cannot_change_modes(client, moderator, council, scene):
    client.force_login(moderator)
    response = client.post(SETTINGS + "live_comments/", {"live_comments-mode": "pre"})
    assert response.status_code == 403
    assert LiveSettings.for_council(council).comment_moderation == "post"
