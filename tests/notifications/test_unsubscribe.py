"""One-click unsubscribe (RFC 8058): the mail provider POSTs to the link with no cookies and
no CSRF token; a damaged or forged link is a clear page, never a 500."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client

from moothall.core.models import AuditEntry
from moothall.notifications import domain
from moothall.notifications.models import Subscription

pytestmark = pytest.mark.django_db


def path_of(token: str) -> str:
    return f"/notifications/unsubscribe/{token}/"


@pytest.fixture
def provider() -> Client:
    """A mail provider's one-click POST: no session, no CSRF cookie, CSRF checks on."""
    return Client(enforce_csrf_checks=True)


def test_a_one_click_post_without_cookies_stops_that_subscription(
    provider, council, body, ward, resident
):
    subscription = domain.follow(resident, council, "body", body.pk)
    domain.follow(resident, council, "ward", ward.pk)

    response = provider.post(
        path_of(domain.unsubscribe_token(subscription)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    assert list(Subscription.objects.values_list("kind", flat=True)) == ["ward"]
    assert AuditEntry.objects.filter(action="notifications.unsubscribe").count() == 1


def test_opening_the_link_says_what_will_stop_and_changes_nothing(client, council, body, resident):
    subscription = domain.follow(resident, council, "body", body.pk)
    token = domain.unsubscribe_token(subscription)

    response = client.get(path_of(token))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Committee: Planning Committee (Mootshire County Council)" in html
    assert f'<form method="post" action="/notifications/unsubscribe/{token}/"' in html
    assert Subscription.objects.exists()


def test_using_the_link_twice_is_harmless(provider, council, body, resident):
    token = domain.unsubscribe_token(domain.follow(resident, council, "body", body.pk))

    provider.post(path_of(token))
    again = provider.post(path_of(token))

    assert again.status_code == 200
    assert "you had already unsubscribed" in again.content.decode()


def test_the_digest_link_stops_every_digest_but_not_immediate_emails(
    provider, council, body, ward, resident
):
    domain.follow(resident, council, "body", body.pk, frequency="daily")
    domain.follow(resident, council, "ward", ward.pk, frequency="immediate")

    response = provider.post(path_of(domain.digests_token(resident)))

    assert response.status_code == 200
    assert "We will not send you any more daily or weekly digests" in response.content.decode()
    assert list(Subscription.objects.values_list("kind", flat=True)) == ["ward"]


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "eyJzIjoxLCJ1IjoxfQ:1tXyZa:forgedsignatureforgedsignatureforge",
        signing.dumps({"s": 1, "u": 1}, salt="some.other.purpose"),
        signing.dumps([1, 2], salt="moothall.notifications.unsubscribe"),
        signing.dumps({"x": 1}, salt="moothall.notifications.unsubscribe"),
        "%00",
    ],
)
def test_a_bad_or_forged_link_is_a_clear_400_page(provider, council, body, resident, token):
    domain.follow(resident, council, "body", body.pk)

    opened = provider.get(path_of(token))
    posted = provider.post(path_of(token))

    for response in (opened, posted):
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    assert Subscription.objects.exists()


def test_a_token_stops_only_the_subscription_of_the_person_it_was_issued_for(
    provider, council, body, resident
):
    from tests.notifications.conftest import person

    rita = domain.follow(resident, council, "body", body.pk)
    bob = domain.follow(person("bob@example.org"), council, "body", body.pk)
    # Never issued (the signature cannot be made without the secret key), but were it:
    mixed = signing.dumps(
        {"s": bob.pk, "u": rita.user_id}, salt="moothall.notifications.unsubscribe"
    )

    response = provider.post(path_of(mixed))

    assert response.status_code == 200
    assert "you had already unsubscribed" in response.content.decode()
    assert Subscription.objects.count() == 2
