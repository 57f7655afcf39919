"""Residents' comments at a live meeting, and their moderation: who may, when, how much,
and what the public stream is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from moothall.core.models import AuditEntry
from moothall.live import contributions as c
from moothall.live.models import Comment, Contribution, LiveEvent, LiveMeeting
from tests import factories
from tests.live.contributions_scene import go_private, live_meeting

PRIVATE = (
    "The meeting is in private session: comments and uploads are closed until it returns "
    "to public business."
)


def _code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


def _events(meeting, kind=None):
    found = LiveEvent.objects.filter(meeting=meeting).order_by("seq")
    return list(found.filter(kind=kind) if kind else found)


@pytest.fixture
def meeting(council):
    return live_meeting(council, comment_moderation="post")


# --- Posting --------------------------------------------------------------------------


def test_a_resident_comments_on_the_item_under_way_and_it_is_shown_at_once(meeting, resident):
    comment = c.post_comment(resident, meeting, text="  Please fix the crossing.  ")

    assert comment.status == Contribution.PUBLISHED
    assert comment.text == "Please fix the crossing."
    assert comment.item == meeting.public_item
    assert comment.display_name == "Rita Resident"
    (event,) = _events(meeting)
    assert event.kind == "comment"
    assert event.data == {
        "id": comment.pk,
        "name": "Rita Resident",
        "text": "Please fix the crossing.",
        "item_id": meeting.public_item.pk,
        "at": comment.created_at.isoformat(),
    }
    assert AuditEntry.objects.filter(action="live.comment").count() == 1


def test_under_pre_moderation_a_comment_waits_and_nothing_is_sent(council, resident):
    meeting = live_meeting(council, comment_moderation="pre")

    comment = c.post_comment(resident, meeting, text="A question about parking.")

    assert comment.status == Contribution.PENDING
    assert _events(meeting) == []


def test_a_person_without_a_name_is_shown_as_a_resident_never_by_email(meeting):
    nameless = factories.UserFactory(email="no.name@example.org", name="")

    comment = c.post_comment(nameless, meeting, text="Hello")

    assert comment.display_name == "A resident"
    assert "example.org" not in str(_events(meeting)[0].data)


def test_a_comment_is_kept_as_plain_text_without_control_characters(meeting, resident):
    comment = c.post_comment(
        resident, meeting, text="<b>Bold</b>\x07 claim\r\nsecond\u202eline\x1b[31m"
    )

    assert comment.text == "<b>Bold</b> claim\nsecondline[31m"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\u202e"])
def test_an_empty_comment_is_refused(meeting, resident, text):
    with pytest.raises(ValidationError) as refused:
        c.post_comment(resident, meeting, text=text)

    assert _code(refused.value) == "empty"
    assert Comment.objects.count() == 0


def test_a_comment_longer_than_the_councils_limit_is_refused(council, resident):
    meeting = live_meeting(council, comment_max_length=50)

    c.post_comment(resident, meeting, text="x" * 50)
    with pytest.raises(ValidationError) as refused:
        c.post_comment(resident, meeting, text="x" * 51)

    assert _code(refused.value) == "too_long"
    assert Comment.objects.count() == 1


def test_comments_beyond_the_limit_in_ten_minutes_are_refused(council, resident):
    meeting = live_meeting(council, comments_per_window=2, comment_moderation="post")
    c.post_comment(resident, meeting, text="one")
    c.post_comment(resident, meeting, text="two")

    with pytest.raises(ValidationError) as refused:
        c.post_comment(resident, meeting, text="three")

    assert refused.value.code == "rate_limited"
    assert Comment.objects.count() == 2
    assert len(_events(meeting)) == 2


def test_the_limit_counts_only_the_last_ten_minutes_and_only_that_person(council, resident):
    meeting = live_meeting(council, comments_per_window=1)
    old = c.post_comment(resident, meeting, text="earlier")
    Comment.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(minutes=11))
    other = factories.UserFactory(email="someone@example.org", name="Sam")

    c.post_comment(resident, meeting, text="now")
    c.post_comment(other, meeting, text="me too")

    assert Comment.objects.count() == 3


@pytest.mark.parametrize("status", ["adjourned", "ended"])
def test_no_comment_is_taken_while_adjourned_or_after_the_end(council, resident, status):
    meeting = live_meeting(council, status=status)

    with pytest.raises(ValidationError) as refused:
        c.post_comment(resident, meeting, text="Hello")

    assert refused.value.code == "not_live"
    assert Comment.objects.count() == 0


def test_no_comment_is_taken_before_the_meeting_goes_live(council, resident):
    meeting = factories.MeetingFactory(body__council=council)

    with pytest.raises(ValidationError) as refused:
        c.post_comment(resident, meeting, text="Hello")

    assert refused.value.code == "not_live"


def test_no_comment_is_taken_in_private_session_and_the_message_says_why(meeting, resident):
    go_private(meeting)

    with pytest.raises(ValidationError) as refused:
        c.post_comment(resident, meeting, text="What are they saying?")

    assert refused.value.code == "private_session"
    assert refused.value.messages == [PRIVATE]
    assert Comment.objects.count() == 0
    assert _events(meeting) == []


def test_comments_open_again_when_the_meeting_returns_to_public_business(meeting, resident):
    go_private(meeting)
    LiveMeeting.objects.filter(meeting=meeting).update(current_item=meeting.public_item)

    assert c.post_comment(resident, meeting, text="Back again").status == "published"


# --- Who may post --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("resident", True),
        ("councillor_user", True),
        ("officer", True),
        ("moderator", True),
        ("council_admin", True),
        ("outsider", True),  # a verified email: anyone may take part in an open meeting
        ("anonymous", False),
        ("unverified", False),
        ("inactive", False),
    ],
)
def test_who_may_comment(request, meeting, persona, allowed):
    if persona == "anonymous":
        user = AnonymousUser()
    elif persona == "unverified":
        user = factories.UserFactory(email="new@example.org", verified_email=False)
    elif persona == "inactive":
        user = factories.UserFactory(email="gone@example.org", is_active=False)
    else:
        user = request.getfixturevalue(persona)

    if allowed:
        assert c.post_comment(user, meeting, text="Hello").pk
    else:
        with pytest.raises(PermissionDenied):
            c.post_comment(user, meeting, text="Hello")
        assert Comment.objects.count() == 0
    assert c.may_contribute(user, meeting.council) is allowed


# --- Moderation ---------------------------------------------------------------------------


@pytest.fixture
def waiting(council, resident):
    meeting = live_meeting(council, comment_moderation="pre")
    return c.post_comment(resident, meeting, text="Is the budget settled?")


MODERATION_ROLES = [
    ("moderator", True),
    ("officer", True),
    ("council_admin", True),
    ("platform_admin", True),
    ("resident", False),
    ("councillor_user", False),
    ("outsider", False),
]


@pytest.mark.parametrize(("persona", "allowed"), MODERATION_ROLES)
@pytest.mark.parametrize("action", ["publish", "reject", "remove"])
def test_who_may_moderate_comments(request, council, resident, persona, allowed, action):
    meeting = live_meeting(council, comment_moderation="pre")
    comment = c.post_comment(resident, meeting, text="Hello")
    if action == "remove":
        c.decide_comment(request.getfixturevalue("moderator"), comment, publish=True)
    actor = request.getfixturevalue(persona)

    def act():
        if action == "remove":
            return c.remove_comment(actor, comment, reason="Off topic")
        return c.decide_comment(actor, comment, publish=action == "publish")

    if allowed:
        act()
        comment.refresh_from_db()
        assert (
            comment.status
            == {
                "publish": "published",
                "reject": "rejected",
                "remove": "removed",
            }[action]
        )
    else:
        before = Comment.objects.get(pk=comment.pk).status
        with pytest.raises(PermissionDenied):
            act()
        assert Comment.objects.get(pk=comment.pk).status == before


def test_publishing_a_waiting_comment_sends_it_to_the_page(waiting, moderator):
    c.decide_comment(moderator, waiting, publish=True)

    waiting.refresh_from_db()
    assert waiting.status == Contribution.PUBLISHED
    assert waiting.decided_by == moderator
    (event,) = _events(waiting.meeting)
    assert (event.kind, event.data["id"], event.data["text"]) == (
        "comment",
        waiting.pk,
        "Is the budget settled?",
    )
    assert AuditEntry.objects.filter(action="live.publish_comment", actor=moderator).exists()


def test_rejecting_a_waiting_comment_sends_nothing_and_keeps_the_reason(waiting, moderator):
    c.decide_comment(moderator, waiting, publish=False, reason="Personal abuse")

    waiting.refresh_from_db()
    assert (waiting.status, waiting.reason) == (Contribution.REJECTED, "Personal abuse")
    assert _events(waiting.meeting) == []
    assert AuditEntry.objects.get(action="live.reject_comment").details["reason"] == (
        "Personal abuse"
    )


def test_a_comment_is_decided_once(waiting, moderator):
    c.decide_comment(moderator, waiting, publish=False)

    with pytest.raises(ValidationError) as refused:
        c.decide_comment(moderator, waiting, publish=True)

    assert refused.value.code == "decided"
    assert _events(waiting.meeting) == []


def test_removing_a_published_comment_tells_the_page(meeting, resident, moderator):
    comment = c.post_comment(resident, meeting, text="Rude words")

    c.remove_comment(moderator, comment, reason="Abusive")

    comment.refresh_from_db()
    assert (comment.status, comment.reason) == (Contribution.REMOVED, "Abusive")
    assert [(e.kind, e.data) for e in _events(meeting)][-1] == (
        "removed",
        {"what": "comment", "id": comment.pk},
    )
    assert AuditEntry.objects.filter(action="live.remove_comment").count() == 1


def test_removing_needs_a_reason(meeting, resident, moderator):
    comment = c.post_comment(resident, meeting, text="Rude words")

    with pytest.raises(ValidationError) as refused:
        c.remove_comment(moderator, comment, reason="  ")

    assert _code(refused.value) == "reason_required"
    assert Comment.objects.get(pk=comment.pk).status == Contribution.PUBLISHED


def test_only_a_published_comment_can_be_removed(waiting, moderator):
    with pytest.raises(ValidationError) as refused:
        c.remove_comment(moderator, waiting, reason="Abusive")

    assert refused.value.code == "not_published"


def test_a_comment_can_be_moderated_in_private_session(waiting, moderator):
    go_private(waiting.meeting)

    c.decide_comment(moderator, waiting, publish=True)

    assert Comment.objects.get(pk=waiting.pk).status == Contribution.PUBLISHED


def test_events_are_published_to_the_broker_after_commit(
    meeting, resident, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("moothall.live.broker.publish", lambda mid, wire: sent.append((mid, wire)))

    with django_capture_on_commit_callbacks(execute=True):
        comment = c.post_comment(resident, meeting, text="Live!")

    assert len(sent) == 1
    assert sent[0][0] == meeting.pk
    assert f'"id":{comment.pk}' in sent[0][1]
