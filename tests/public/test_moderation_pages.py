"""Residents' "Report this" form and the public moderation log."""

from __future__ import annotations

import pytest

from moothall.moderation import domain
from moothall.moderation.models import Flag
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, resident):
    from tests.moderation.scene import build_scene

    return build_scene(council, resident)


def _url(kind, pk, council="mootshire"):
    return f"/{council}/report/{kind}/{pk}/"


@pytest.fixture
def reporter():
    return factories.UserFactory(email="rob.reporter@example.org", name="Rob Reporter")


def test_reporting_asks_to_sign_in_first(client, scene):
    response = client.get(_url("idea_comment", scene.idea_comment.pk))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("kind", ["idea_comment", "live_comment", "live_media", "statement"])
def test_a_resident_reports_something_with_a_reason_from_the_list(client, scene, reporter, kind):
    client.force_login(reporter)
    obj = scene.of(kind)
    page = client.get(_url(kind, obj.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="radio"' in html
    assert "Spam or advertising" in html
    assert 'name="csrfmiddlewaretoken"' in html

    done = client.post(_url(kind, obj.pk), {"reason": "abusive", "note": "Rude"})

    assert done.status_code == 200
    assert "Thank you for your report" in done.content.decode()
    flag = Flag.objects.get()
    assert (flag.kind, flag.object_id, flag.reporter, flag.reason, flag.note) == (
        kind,
        obj.pk,
        reporter,
        "abusive",
        "Rude",
    )


def test_a_report_without_a_reason_or_twice_is_refused_with_a_message(client, scene, reporter):
    client.force_login(reporter)
    url = _url("live_comment", scene.live_comment.pk)
    missing = client.post(url, {"note": "x"})
    assert missing.status_code == 400
    assert "Choose why you are reporting this." in missing.content.decode()
    assert not Flag.objects.exists()

    client.post(url, {"reason": "spam"})
    again = client.post(url, {"reason": "spam"})
    assert again.status_code == 400
    assert "You have already reported this." in again.content.decode()
    assert Flag.objects.count() == 1


def test_nothing_to_report_is_not_found(client, scene, reporter, other_council, moderator):
    client.force_login(reporter)
    assert client.get(_url("no_such_kind", 1)).status_code == 404
    assert client.get(_url("idea_comment", 999_999)).status_code == 404
    # The comment is Mootshire's, not Elsewhere's.
    assert client.get(_url("idea_comment", scene.idea_comment.pk, "elsewhere")).status_code == 404
    domain.hide(moderator, "idea_comment", scene.idea_comment, rule="spam")
    assert client.get(_url("idea_comment", scene.idea_comment.pk)).status_code == 404
    assert (
        client.post(_url("idea_comment", scene.idea_comment.pk), {"reason": "spam"}).status_code
        == 404
    )


def test_the_public_log_says_what_kind_when_and_which_rule_but_not_what_or_who(
    client, scene, moderator, other_council
):
    empty = client.get("/mootshire/moderation-log/")
    assert empty.status_code == 200
    assert "Nothing has been hidden yet." in empty.content.decode()

    domain.hide(
        moderator,
        "idea_comment",
        scene.idea_comment,
        rule="spam",
        explanation="Selling wristwatches",
    )
    domain.hide(moderator, "statement", scene.statement, rule="abusive")
    domain.restore(moderator, "statement", scene.statement)

    html = client.get("/mootshire/moderation-log/").content.decode()
    assert "Comment on an idea" in html
    assert "Statement in a deliberation" in html
    assert "Spam or advertising" in html
    assert "Abusive or hateful" in html
    assert html.count("Hidden") >= 2
    assert "Restored" in html
    for secret in (
        "cheap watches",
        "crooks",
        "Rita Resident",
        "rita.resident@example.org",
        "Morgan",
        "Ads",
        f"/report/idea_comment/{scene.idea_comment.pk}/",
    ):
        assert secret.lower() not in html.lower(), secret
    # Elsewhere's log is its own.
    assert (
        "Nothing has been hidden yet." in client.get("/elsewhere/moderation-log/").content.decode()
    )


def test_the_log_is_paginated(client, council):
    from moothall.moderation.models import LogEntry

    LogEntry.objects.bulk_create(
        LogEntry(council=council, kind="live_comment", action="hidden", rule="spam")
        for _ in range(60)
    )
    first = client.get("/mootshire/moderation-log/").content.decode()
    assert first.count('<tr class="govuk-table__row">') == 51  # the header and 50 rows
    second = client.get("/mootshire/moderation-log/?page=2").content.decode()
    assert second.count('<tr class="govuk-table__row">') == 11


def test_report_links_sit_on_contributions_and_hidden_ones_leave_the_pages(
    client, scene, moderator
):
    idea_page = scene.idea.get_absolute_url()
    live_page = f"/mootshire/meetings/{scene.meeting.pk}/live/"
    html = client.get(idea_page).content.decode()
    assert f"/mootshire/report/idea_comment/{scene.idea_comment.pk}/" in html
    live = client.get(live_page).content.decode()
    assert f"/mootshire/report/live_comment/{scene.live_comment.pk}/" in live
    assert f"/mootshire/report/live_media/{scene.live_media.pk}/" in live
    assert "Cheap watches here" in live

    domain.hide(moderator, "idea_comment", scene.idea_comment, rule="spam")
    domain.hide(moderator, "live_comment", scene.live_comment, rule="spam")
    domain.hide(moderator, "live_media", scene.live_media, rule="personal")

    html = client.get(idea_page).content.decode()
    assert "spam.example" not in html
    assert "This comment was removed by a moderator: Spam or advertising" in html
    live = client.get(live_page).content.decode()
    assert "Cheap watches here" not in live
    assert "The chamber from the gallery" not in live
    assert f"/report/live_comment/{scene.live_comment.pk}/" not in live


def test_the_voting_card_offers_to_report_a_residents_statement_but_not_a_seed(scene, council):
    from django.template.loader import render_to_string

    card = "public/deliberations/take_part_card.html"
    mine = render_to_string(card, {"statement": scene.statement, "council": council})
    assert f"/mootshire/report/statement/{scene.statement.pk}/" in mine
    seed = scene.conversation.statements.exclude(pk=scene.statement.pk).first()
    seed.is_seed = True  # as the council's own opening statements are
    theirs = render_to_string(card, {"statement": seed, "council": council})
    assert "/report/statement/" not in theirs
