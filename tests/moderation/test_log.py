"""What a moderator does from an app's own queue is in the public log too (without a
rule); through the moderation verbs, once, with the rule; pre-moderation's rejections
(never shown) are not."""

from __future__ import annotations

import pytest

from moothall.deliberation import domain as deliberation
from moothall.ideas import domain as ideas
from moothall.live import contributions
from moothall.moderation import domain
from moothall.moderation.models import LogEntry
from tests.deliberation.d1_scene import conversation
from tests.live.contributions_scene import live_meeting

pytestmark = pytest.mark.django_db


def _lines():
    return list(LogEntry.objects.order_by("id").values_list("kind", "action", "rule"))


def test_the_apps_own_verbs_write_the_public_log(scene, council, moderator):
    ideas.remove_comment(moderator, scene.idea_comment, reason="Advert")
    ideas.restore_comment(moderator, scene.idea_comment)
    contributions.remove_comment(moderator, scene.live_comment, reason="Advert")
    contributions.restore_comment(moderator, scene.live_comment)
    contributions.remove_media(moderator, scene.live_media, reason="A face")
    deliberation.moderate_statement(scene.statement, by=moderator, accept=False, reason="Rude")
    deliberation.moderate_statement(scene.statement, by=moderator, accept=True)

    assert _lines() == [
        ("idea_comment", "hidden", ""),
        ("idea_comment", "restored", ""),
        ("live_comment", "hidden", ""),
        ("live_comment", "restored", ""),
        ("live_media", "hidden", ""),
        ("statement", "hidden", ""),
        ("statement", "restored", ""),
    ]
    assert set(LogEntry.objects.values_list("council", flat=True)) == {council.pk}


def test_through_the_moderation_verbs_one_line_with_the_rule(scene, moderator):
    domain.hide(moderator, "statement", scene.statement, rule="abusive")
    domain.restore(moderator, "statement", scene.statement)
    assert _lines() == [("statement", "hidden", "abusive"), ("statement", "restored", "")]


def test_rejections_in_pre_moderation_are_not_hidings(council, resident, moderator):
    meeting = live_meeting(council, comment_moderation="pre")
    waiting = contributions.post_comment(resident, meeting, text="Please wait")
    contributions.decide_comment(moderator, waiting, publish=False, reason="Off topic")
    talk = conversation(council, moderation="pre")
    pending = deliberation.add_statement(
        talk, text="A pending thought", author=deliberation.join(talk, user=resident)
    )
    deliberation.moderate_statement(pending, by=moderator, accept=False, reason="Off topic")

    assert _lines() == []
