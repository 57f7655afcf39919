"""The preferences page, the follow button on committee and ward pages, and who may change what."""

from __future__ import annotations

import re

import pytest

from moothall.notifications import domain
from moothall.notifications.models import Subscription
from tests import factories
from tests.notifications.conftest import person

pytestmark = pytest.mark.django_db


def follow_button(html: str) -> str:
    found = re.search(r'<div class="mh-follow".*?</div>', html, re.S)
    assert found, "no follow button on the page"
    return found.group(0)


# --- Preferences ----------------------------------------------------------------------------


def test_the_preferences_page_lists_what_the_person_follows_by_council(
    client, council, other_council, body, ward, other_body, resident
):
    domain.follow(resident, council, "body", body.pk)
    domain.follow(resident, council, "ward", ward.pk, frequency="weekly")
    domain.follow(resident, other_council, "body", other_body.pk)
    client.force_login(resident)

    page = client.get("/notifications/").content.decode()

    elsewhere_at = page.index('id="council-elsewhere"')
    mootshire_at = page.index('id="council-mootshire"')
    assert elsewhere_at < mootshire_at  # councils in name order: Elsewhere, then Mootshire
    mootshire = page[mootshire_at:]
    assert 'href="/mootshire/bodies/planning/">Planning Committee</a>' in mootshire
    assert 'href="/mootshire/wards/ashby/">Ashby</a>' in mootshire
    assert '<option value="weekly" selected>Once a week</option>' in mootshire
    assert 'href="/elsewhere/bodies/licensing/">Licensing</a>' in page[elsewhere_at:mootshire_at]


def test_the_preferences_page_costs_the_same_queries_for_3_or_30_subscriptions(
    client, council, resident, django_assert_max_num_queries
):
    client.force_login(resident)

    def follow_more(n: int) -> None:
        for _ in range(n):
            domain.follow(resident, council, "body", factories.BodyFactory(council=council).pk)
            domain.follow(resident, council, "ward", factories.WardFactory(council=council).pk)

    follow_more(2)
    with django_assert_max_num_queries(8) as few:
        assert client.get("/notifications/").status_code == 200
    follow_more(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/notifications/")
    assert page.content.decode().count('name="frequency"') == 34 + 3  # 34 rows, 3 radios


def test_signed_out_people_are_sent_to_sign_in_for_preferences(client):
    response = client.get("/notifications/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"


def test_a_person_changes_how_often_they_hear_about_one_thing(client, council, body, resident):
    subscription = domain.follow(resident, council, "body", body.pk)
    client.force_login(resident)

    response = client.post(
        f"/notifications/subscriptions/{subscription.pk}/frequency/", {"frequency": "daily"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert Subscription.objects.get().frequency == "daily"


def test_nobody_else_can_see_or_change_a_persons_subscription(client, council, body, resident):
    subscription = domain.follow(resident, council, "body", body.pk)
    client.force_login(person("nosy@example.org"))

    changed = client.post(
        f"/notifications/subscriptions/{subscription.pk}/frequency/", {"frequency": "weekly"}
    )
    stopped = client.post(f"/notifications/subscriptions/{subscription.pk}/stop/")
    page = client.get("/notifications/").content.decode()

    assert (changed.status_code, stopped.status_code) == (404, 404)
    assert Subscription.objects.get().frequency == "immediate"
    assert "Planning Committee" not in page
    assert 'id="following-none"' in page


def test_a_person_stops_following_from_the_preferences_page(client, council, body, resident):
    subscription = domain.follow(resident, council, "body", body.pk)
    client.force_login(resident)

    client.post(f"/notifications/subscriptions/{subscription.pk}/stop/")

    assert not Subscription.objects.exists()


def test_a_bad_frequency_is_a_message_not_an_error(client, council, body, resident):
    subscription = domain.follow(resident, council, "body", body.pk)
    client.force_login(resident)

    response = client.post(
        f"/notifications/subscriptions/{subscription.pk}/frequency/",
        {"frequency": "hourly"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Choose how often you want to hear." in response.content.decode()
    assert Subscription.objects.get().frequency == "immediate"


def test_the_default_frequency_and_pause_are_saved(client, resident):
    client.force_login(resident)

    client.post("/notifications/default/", {"frequency": "weekly"})
    client.post("/notifications/pause/", {"paused": "1"})
    page = client.get("/notifications/").content.decode()

    assert 'id="default-weekly" name="frequency" type="radio" value="weekly" checked' in page
    assert 'id="paused"' in page
    assert 'id="resume"' in page


def test_the_account_page_links_to_notifications(client, resident):
    client.force_login(resident)

    page = client.get("/accounts/profile/").content.decode()

    assert 'href="/notifications/" id="notifications"' in page


# --- The follow button ------------------------------------------------------------------------


def test_the_committee_page_has_a_follow_button_that_comes_back_to_it(
    client, council, body, resident
):
    client.force_login(resident)
    page = client.get("/mootshire/bodies/planning/")
    button = follow_button(page.content.decode())
    assert f'action="/notifications/follow/body/{body.pk}/"' in button
    assert 'name="next" value="/mootshire/bodies/planning/"' in button

    response = client.post(
        f"/notifications/follow/body/{body.pk}/", {"next": "/mootshire/bodies/planning/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/mootshire/bodies/planning/"
    assert domain.is_following(resident, "body", body.pk)
    after = follow_button(client.get("/mootshire/bodies/planning/").content.decode())
    assert f'action="/notifications/unfollow/body/{body.pk}/"' in after
    assert "Stop following" in after


def test_the_ward_page_has_a_follow_button(client, council, ward, resident):
    client.force_login(resident)

    button = follow_button(client.get("/mootshire/wards/ashby/").content.decode())

    assert f'action="/notifications/follow/ward/{ward.pk}/"' in button


def test_signed_out_people_see_a_link_to_sign_in_and_come_back(client, body):
    button = follow_button(client.get("/mootshire/bodies/planning/").content.decode())

    assert 'href="/accounts/login/?next=/mootshire/bodies/planning/"' in button
    assert "Sign in to follow" in button
    assert "<form" not in button


def test_a_signed_out_follow_goes_to_sign_in_and_follows_nothing(client, body):
    response = client.post(
        f"/notifications/follow/body/{body.pk}/", {"next": "/mootshire/bodies/planning/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/mootshire/bodies/planning/"
    assert not Subscription.objects.exists()


def test_a_next_address_elsewhere_is_ignored(client, body, resident):
    client.force_login(resident)

    response = client.post(
        f"/notifications/follow/body/{body.pk}/", {"next": "https://evil.example/"}
    )

    assert response["Location"] == "/mootshire/bodies/planning/"


def test_with_htmx_only_the_button_comes_back(client, body, resident):
    client.force_login(resident)

    response = client.post(
        f"/notifications/follow/body/{body.pk}/",
        {"next": "/mootshire/bodies/planning/"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div class="mh-follow"')
    assert "<html" not in html
    assert 'role="status">You are following Planning Committee.' in html
    assert 'name="next" value="/mootshire/bodies/planning/"' in html
    assert f'hx-post="/notifications/unfollow/body/{body.pk}/"' in html


def test_unfollowing_with_the_button(client, council, body, resident):
    domain.follow(resident, council, "body", body.pk)
    client.force_login(resident)

    client.post(f"/notifications/unfollow/body/{body.pk}/")

    assert not domain.is_following(resident, "body", body.pk)


def test_following_something_unknown_is_not_found(client, body, resident):
    client.force_login(resident)

    assert client.post("/notifications/follow/spaceship/1/").status_code == 404
    assert client.post(f"/notifications/follow/body/{body.pk + 99}/").status_code == 404
    assert client.get(f"/notifications/follow/body/{body.pk}/").status_code == 405
