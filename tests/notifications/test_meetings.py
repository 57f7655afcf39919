"""A committee's followers hear of its agendas, decisions, minutes, cancellations and
postponements, through the meetings verbs; never a word about exempt business."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from moothall.meetings import domain as meetings
from moothall.notifications import domain
from moothall.notifications.models import Notification, PendingNotification
from tests.notifications.conftest import ON_TIME, THURSDAY, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(body):
    return meetings.create_meeting(None, body, start=THURSDAY)


@pytest.fixture
def follower(council, body, resident):
    domain.follow(resident, council, "body", body.pk)
    return resident


def test_a_committee_follower_hears_when_its_agenda_is_published(
    meeting, follower, django_capture_on_commit_callbacks
):
    meetings.add_agenda_item(None, meeting, title="Budget")

    with django_capture_on_commit_callbacks(execute=True):
        meetings.publish_agenda(None, meeting, now=ON_TIME)

    [message] = mail.outbox
    assert message.to == ["rita.resident@example.org"]
    assert message.subject == "Mootshire: Agenda published: Planning Committee, 14 March 2030"
    assert f"/mootshire/meetings/{meeting.pk}/" in message.body


def test_the_clerk_who_publishes_is_not_told_of_their_own_work(
    council, body, meeting, officer, django_capture_on_commit_callbacks
):
    domain.follow(officer, council, "body", body.pk)
    meetings.add_agenda_item(officer, meeting, title="Budget")

    with django_capture_on_commit_callbacks(execute=True):
        meetings.publish_agenda(officer, meeting, now=ON_TIME)

    assert mail.outbox == []


def test_an_old_meetings_agenda_brought_in_by_an_import_tells_nobody(
    body, follower, django_capture_on_commit_callbacks
):
    old = meetings.create_meeting(None, body, start=dt.datetime(2020, 3, 12, 18, 30, tzinfo=dt.UTC))

    with django_capture_on_commit_callbacks(execute=True):
        meetings.publish_agenda(None, old, published_elsewhere=True)

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_decision_is_announced_with_its_title_and_page(
    council, meeting, follower, django_capture_on_commit_callbacks
):
    item = meetings.add_agenda_item(None, meeting, title="Local plan")

    with django_capture_on_commit_callbacks(execute=True):
        decision = meetings.record_decision(
            None,
            council,
            title="Local plan adopted",
            text="Resolved: to adopt the local plan.",
            decision_maker="Planning Committee",
            decided_on=dt.date(2030, 3, 14),
            agenda_item=item,
        )

    [message] = mail.outbox
    assert message.subject == "Mootshire: Decision made: Local plan adopted"
    assert f"/mootshire/decisions/{decision.pk}/" in message.body


def test_an_exempt_decision_is_never_described_to_anyone(
    council, body, meeting, follower, django_capture_on_commit_callbacks
):
    weekly = person("wendy@example.org")
    domain.follow(weekly, council, "body", body.pk, frequency="weekly")
    item = meetings.add_agenda_item(None, meeting, title="Land sale", exempt_paragraph=3)

    with django_capture_on_commit_callbacks(execute=True):
        meetings.record_decision(
            None,
            council,
            title="Sell the depot to Acme Ltd for £2m",
            text="Resolved: to sell.",
            decision_maker="Planning Committee",
            decided_on=dt.date(2030, 3, 14),
            agenda_item=item,
        )

    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert not PendingNotification.objects.exists()


def test_cancelling_and_postponing_tell_followers_why(
    body, meeting, follower, django_capture_on_commit_callbacks
):
    other = meetings.create_meeting(None, body, start=THURSDAY + dt.timedelta(days=7))

    with django_capture_on_commit_callbacks(execute=True):
        meetings.cancel_meeting(None, meeting, reason="Not enough business")
        meetings.postpone_meeting(None, other, reason="The chair is ill")

    cancelled, postponed = mail.outbox
    assert cancelled.subject == "Mootshire: Meeting cancelled: Planning Committee, 14 March 2030"
    assert "Not enough business" in cancelled.body
    assert postponed.subject == "Mootshire: Meeting postponed: Planning Committee"
    assert "The chair is ill" in postponed.body


def test_published_minutes_are_announced(body, follower, django_capture_on_commit_callbacks):
    held = meetings.create_meeting(
        None, body, start=dt.datetime(2024, 3, 14, 18, 30, tzinfo=dt.UTC)
    )

    with django_capture_on_commit_callbacks(execute=True):
        meetings.publish_minutes(None, held)

    [message] = mail.outbox
    assert message.subject == "Mootshire: Minutes published: Planning Committee, 14 March 2024"


def test_followers_of_another_committee_hear_nothing(
    council, meeting, resident, django_capture_on_commit_callbacks
):
    from tests import factories

    elsewhere = factories.BodyFactory(council=council, name="Licensing", slug="licensing")
    domain.follow(resident, council, "body", elsewhere.pk)
    meetings.add_agenda_item(None, meeting, title="Budget")

    with django_capture_on_commit_callbacks(execute=True):
        meetings.publish_agenda(None, meeting, now=ON_TIME)

    assert mail.outbox == []
