"""Following: idempotent, safe under concurrency, only public things of the right council,
and each person's subscriptions are theirs alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from moothall.core.models import AuditEntry
from moothall.notifications import domain
from moothall.notifications.models import NotificationSettings, Subscription
from tests import factories
from tests.notifications.conftest import person

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_following_twice_keeps_one_subscription(council, body, resident):
    first = domain.follow(resident, council, "body", body.pk)
    again = domain.follow(resident, council, "body", body.pk)

    assert again.pk == first.pk
    assert Subscription.objects.filter(user=resident).count() == 1
    assert domain.is_following(resident, "body", body.pk)
    assert AuditEntry.objects.filter(action="notifications.follow").count() == 1


def test_a_follow_takes_the_persons_default_frequency_unless_given(council, body, ward, resident):
    domain.set_default_frequency(resident, "weekly")

    assert domain.follow(resident, council, "body", body.pk).frequency == "weekly"
    assert domain.follow(resident, council, "ward", ward.pk, frequency="daily").frequency == "daily"


def test_following_again_with_a_frequency_changes_only_the_frequency(council, body, resident):
    first = domain.follow(resident, council, "body", body.pk)
    again = domain.follow(resident, council, "body", body.pk, frequency="daily")

    assert again.pk == first.pk
    assert Subscription.objects.get().frequency == "daily"


def test_the_follow_audit_entry_stays_out_of_the_councils_log(council, body, resident):
    domain.follow(resident, council, "body", body.pk)

    entry = AuditEntry.objects.get(action="notifications.follow")
    assert entry.council_id is None
    assert entry.actor == resident


def test_something_of_another_council_cannot_be_followed_at_this_one(council, other_body, resident):
    with pytest.raises(ValidationError) as refused:
        domain.follow(resident, council, "body", other_body.pk)

    assert codes(refused.value) == {"council": ["other_council"]}
    assert not Subscription.objects.exists()


def test_an_unknown_kind_or_a_missing_thing_is_refused(council, body, resident):
    with pytest.raises(ValidationError) as unknown:
        domain.follow(resident, council, "spaceship", body.pk)
    with pytest.raises(ValidationError) as missing:
        domain.follow(resident, council, "body", body.pk + 1000)

    assert codes(unknown.value) == {"kind": ["unknown_kind"]}
    assert codes(missing.value) == {"object_id": ["not_found"]}


def test_a_bad_frequency_is_refused_before_anything_is_written(council, body, resident):
    with pytest.raises(ValidationError) as refused:
        domain.follow(resident, council, "body", body.pk, frequency="hourly")

    assert codes(refused.value) == {"frequency": ["bad_frequency"]}
    assert not Subscription.objects.exists()


def test_nobody_signed_out_or_deactivated_can_follow(council, body):
    gone = person("gone@example.org", is_active=False)

    with pytest.raises(PermissionDenied):
        domain.follow(AnonymousUser(), council, "body", body.pk)
    with pytest.raises(PermissionDenied):
        domain.follow(gone, council, "body", body.pk)


def test_unfollowing_removes_the_subscription_and_is_harmless_twice(council, body, resident):
    domain.follow(resident, council, "body", body.pk)

    domain.unfollow(resident, council, "body", body.pk)
    domain.unfollow(resident, council, "body", body.pk)

    assert not domain.is_following(resident, "body", body.pk)
    assert AuditEntry.objects.filter(action="notifications.unfollow").count() == 1


def test_only_the_follower_may_change_how_often_they_hear(council, body, resident):
    rita = domain.follow(resident, council, "body", body.pk)
    someone = person("someone@example.org")

    with pytest.raises(PermissionDenied):
        domain.set_frequency(someone, rita, "weekly")
    domain.set_frequency(resident, rita, "weekly")

    assert Subscription.objects.get().frequency == "weekly"


def test_unfollowing_touches_only_the_persons_own_subscription(council, body, resident):
    domain.follow(resident, council, "body", body.pk)
    someone = person("someone@example.org")

    domain.unfollow(someone, council, "body", body.pk)

    assert domain.is_following(resident, "body", body.pk)


def test_pausing_email_forgets_what_was_waiting_for_a_digest(council, body, resident):
    subscription = domain.follow(resident, council, "body", body.pk, frequency="daily")
    subscription.pending.create(user=resident, event="x", title="News", url="/x/")

    domain.set_email_paused(resident, True)

    assert NotificationSettings.objects.get(user=resident).email_paused
    assert not subscription.pending.exists()


# --- Concurrency (PostgreSQL: SQLite lets one writer in at a time) --------------------------

FOLLOWS = 200
THREADS = 40  # each with its own connection; the rest of the suite needs some too


@pytest.mark.django_db(transaction=True)
def test_two_hundred_simultaneous_follows_by_one_person_leave_one_subscription():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (SQLite serialises writers)")
    council = factories.CouncilFactory(slug="mootshire")
    body = factories.BodyFactory(council=council)
    resident = person("rita.resident@example.org")
    start = threading.Barrier(THREADS)

    def follow_several(_n: int) -> list[int]:
        try:
            start.wait()
            return [
                domain.follow(resident, council, "body", body.pk).pk
                for _ in range(FOLLOWS // THREADS)
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = [pk for batch in pool.map(follow_several, range(THREADS)) for pk in batch]

    assert len(results) == FOLLOWS
    assert Subscription.objects.count() == 1
    assert set(results) == {Subscription.objects.get().pk}
    assert AuditEntry.objects.filter(action="notifications.follow").count() == 1
