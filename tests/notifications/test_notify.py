"""Telling followers: each person once across every target, now or in their digest,
never the actor, excluded addresses, deactivated or paused people; every email can be
stopped from a link in it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from moothall.notifications import delivery, domain
from moothall.notifications.models import Notification, PendingNotification, Subscription
from tests.notifications.conftest import person

pytestmark = pytest.mark.django_db


def unsubscribe_token_in(message) -> str:
    """The token of the one unsubscribe link in ``message``'s body, which its
    List-Unsubscribe header must give too. (Tokens carry the second they were signed in, so
    the test reads the one sent rather than signing its own.)"""
    [token] = re.findall(
        re.escape(settings.SITE_URL) + r"/notifications/unsubscribe/([^/\s]+)/", message.body
    )
    link = domain.unsubscribe_url(token)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    return token


def announce(council, body, ward=None, **kwargs):
    targets = [("body", body.pk)] + ([("ward", ward.pk)] if ward else [])
    defaults = {
        "event": "agenda_published",
        "title": "Agenda published: Planning Committee",
        "url": "/mootshire/meetings/1/",
        "summary": "Council Chamber, Moot Hall",
        "targets": targets,
    }
    with transaction.atomic():
        domain.notify(council, **{**defaults, **kwargs})


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_follower_of_several_targets_is_told_once(
    council, body, ward, resident, django_capture_on_commit_callbacks
):
    domain.follow(resident, council, "body", body.pk)
    domain.follow(resident, council, "ward", ward.pk)
    bob = person("bob@example.org")
    domain.follow(bob, council, "ward", ward.pk)

    with django_capture_on_commit_callbacks(execute=True):
        announce(council, body, ward)

    assert recipients() == ["bob@example.org", "rita.resident@example.org"]
    assert Notification.objects.get().finished_at is not None


def test_the_email_says_what_happened_and_how_to_stop_it(
    council, body, resident, django_capture_on_commit_callbacks
):
    subscription = domain.follow(resident, council, "body", body.pk)

    with django_capture_on_commit_callbacks(execute=True):
        announce(council, body)

    [message] = mail.outbox
    assert message.subject == "Mootshire: Agenda published: Planning Committee"
    assert "Council Chamber, Moot Hall" in message.body
    assert f"{settings.SITE_URL}/mootshire/meetings/1/" in message.body
    assert "You get this email because you follow Planning Committee" in message.body
    stops = domain.read_token(unsubscribe_token_in(message))
    assert (stops.user_id, stops.all_digests, stops.subscriptions) == (
        resident.pk,
        False,
        [subscription],
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_daily_and_weekly_followers_get_it_in_their_digest_not_now(
    council, body, resident, django_capture_on_commit_callbacks
):
    domain.follow(resident, council, "body", body.pk, frequency="daily")
    weekly = person("wendy@example.org")
    domain.follow(weekly, council, "body", body.pk, frequency="weekly")

    with django_capture_on_commit_callbacks(execute=True):
        announce(council, body)

    assert mail.outbox == []
    assert sorted(PendingNotification.objects.values_list("user__email", flat=True)) == [
        "rita.resident@example.org",
        "wendy@example.org",
    ]


def test_the_daily_digest_lists_what_waits_sends_once_and_leaves_weekly_alone(
    council, body, ward, resident, django_capture_on_commit_callbacks
):
    domain.follow(resident, council, "body", body.pk, frequency="daily")
    weekly = person("wendy@example.org")
    domain.follow(weekly, council, "body", body.pk, frequency="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        announce(council, body, title="Agenda published: Planning Committee")
        announce(council, body, title="Minutes published: Planning Committee")

    with django_capture_on_commit_callbacks(execute=True):
        first = delivery.send_digests("daily")
    with django_capture_on_commit_callbacks(execute=True):
        second = delivery.send_digests("daily")

    assert (first.sent, second.sent) == (1, 0)
    [message] = mail.outbox
    assert message.to == ["rita.resident@example.org"]
    assert message.subject == "Your daily update: 2 new items"
    assert message.body.index("Agenda published") < message.body.index("Minutes published")
    assert "Mootshire County Council" in message.body
    stops = domain.read_token(unsubscribe_token_in(message))
    assert (stops.user_id, stops.all_digests) == (resident.pk, True)
    assert PendingNotification.objects.filter(user=weekly, sent_at__isnull=True).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.send_digests("weekly").sent == 1
    assert mail.outbox[-1].to == ["wendy@example.org"]
    assert mail.outbox[-1].subject == "Your weekly update: 2 new items"


def test_the_actor_excluded_addresses_deactivated_and_paused_people_are_skipped(
    council, body, resident, officer, django_capture_on_commit_callbacks
):
    everyone = {
        "clerk": officer,
        "signer": person("Signer+Petitions@Example.org"),
        "gone": person("gone@example.org", is_active=False),
        "paused": person("paused@example.org"),
        "rita": resident,
    }
    for who in everyone.values():
        if who.is_active:
            domain.follow(who, council, "body", body.pk)
    # Followed before the account was deactivated.
    Subscription.objects.create(
        user=everyone["gone"], council=council, kind="body", object_id=body.pk
    )
    domain.set_email_paused(everyone["paused"], True)

    with django_capture_on_commit_callbacks(execute=True):
        announce(council, body, actor=officer, exclude_emails=["signer+petitions@example.org"])

    assert recipients() == ["rita.resident@example.org"]
    assert not PendingNotification.objects.exists()


def test_a_person_following_twice_is_told_through_their_most_frequent_subscription(
    council, body, ward, resident, django_capture_on_commit_callbacks
):
    domain.follow(resident, council, "body", body.pk, frequency="weekly")
    domain.follow(resident, council, "ward", ward.pk, frequency="immediate")

    with django_capture_on_commit_callbacks(execute=True):
        announce(council, body, ward)

    assert recipients() == ["rita.resident@example.org"]
    assert not PendingNotification.objects.exists()


def test_many_followers_are_told_in_batches_each_once(
    council, body, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(delivery, "BATCH", 2)
    for n in range(5):
        domain.follow(person(f"follower{n}@example.org"), council, "body", body.pk)

    with django_capture_on_commit_callbacks(execute=True):
        announce(council, body)
    notification = Notification.objects.get()
    delivery.fan_out(notification.pk)  # a retried task finds nothing left to do

    assert recipients() == [f"follower{n}@example.org" for n in range(5)]


def test_a_half_done_fan_out_carries_on_from_where_it_stopped(
    council, body, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(delivery, "BATCH", 2)
    for n in range(3):
        domain.follow(person(f"follower{n}@example.org"), council, "body", body.pk)
    announce(council, body)  # its on-commit task is never run here: we play the worker
    notification = Notification.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.fan_out_batch(notification.pk) is True  # then the worker dies
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        delivery.fan_out(notification.pk)  # the retry

    assert recipients() == [
        "follower0@example.org",
        "follower1@example.org",
        "follower2@example.org",
    ]


def test_nothing_is_stored_when_nobody_follows(council, body):
    announce(council, body)

    assert not Notification.objects.exists()


def test_nothing_is_told_when_the_verbs_transaction_rolls_back(
    council, body, resident, django_capture_on_commit_callbacks
):
    domain.follow(resident, council, "body", body.pk)

    def verb_that_fails() -> None:
        with transaction.atomic():
            domain.notify(council, event="x", title="Never", url="/x/", targets=[("body", body.pk)])
            raise RuntimeError("the verb failed after notifying")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        verb_that_fails()

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_digest_items_sent_long_ago_are_forgotten(council, body, resident):
    subscription = domain.follow(resident, council, "body", body.pk, frequency="daily")
    long_ago = timezone.now() - dt.timedelta(days=31)
    subscription.pending.create(user=resident, event="x", title="Old", url="/x/", sent_at=long_ago)

    delivery.send_digests("daily")

    assert not PendingNotification.objects.exists()
