"""Regressions found in the security review: each test is an attack that must fail."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client

from moothall.accounts.models import User
from moothall.core.models import AuditEntry
from tests import factories

CODE_IN_EMAIL = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.MULTILINE)
ATTACKER_PASSWORD = "mallory knows this one"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def code_from(message: mail.EmailMessage) -> str:
    found = CODE_IN_EMAIL.findall(message.body)
    assert len(found) == 1, message.body
    return found[0]


@pytest.mark.django_db
def test_a_password_set_at_sign_up_by_someone_else_stops_working_once_the_owner_signs_in_by_code():
    # Mallory signs up first with Rita's address and a password of her own; she cannot
    # read Rita's mail, so the address stays unconfirmed and she cannot sign in yet.
    mallory = Client()
    mallory.post("/accounts/signup/", {"email": "rita@example.org", "password1": ATTACKER_PASSWORD})
    account = User.objects.get(email="rita@example.org")
    assert account.has_usable_password() is True

    # Rita, who never set a password, signs in with a code sent to her address.
    rita = Client()
    mail.outbox.clear()
    rita.post("/accounts/login/code/", {"email": "rita@example.org"})
    rita.post(
        "/accounts/login/code/confirm/", {"action": "verify", "code": code_from(mail.outbox[0])}
    )
    assert rita.session.get(SESSION_KEY) == str(account.pk)

    # Mallory's password must not open Rita's now-confirmed account.
    later = Client()
    response = later.post(
        "/accounts/login/", {"login": "rita@example.org", "password": ATTACKER_PASSWORD}
    )

    assert later.session.get(SESSION_KEY) is None
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.has_usable_password() is False
    assert list(AuditEntry.objects.values_list("action", "actor_id", "target_id")) == [
        ("account.unproven_password_removed", account.pk, str(account.pk))
    ]
    # Rita is still signed in.
    assert rita.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_a_resident_who_signed_up_with_a_password_keeps_it_after_confirming_their_address():
    client = Client()
    client.post("/accounts/signup/", {"email": "pat@example.org", "password1": ATTACKER_PASSWORD})
    client.post("/accounts/confirm-email/", {"action": "verify", "code": code_from(mail.outbox[0])})
    client.post("/accounts/logout/")

    response = client.post(
        "/accounts/login/", {"login": "pat@example.org", "password": ATTACKER_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session.get(SESSION_KEY) == str(User.objects.get().pk)
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_signing_in_by_code_keeps_the_password_of_an_account_already_confirmed(resident):
    resident.set_password(ATTACKER_PASSWORD)
    resident.save()
    client = Client()
    client.post("/accounts/login/code/", {"email": resident.email})
    client.post(
        "/accounts/login/code/confirm/", {"action": "verify", "code": code_from(mail.outbox[0])}
    )

    resident.refresh_from_db()
    assert client.session.get(SESSION_KEY) == str(resident.pk)
    assert resident.check_password(ATTACKER_PASSWORD) is True


# --- Staff and two-factor authentication ----------------------------------------------------


def officer_with_password_and_app(council):
    user = factories.UserFactory(email="olive.officer@example.org", name="Olive Officer")
    user.set_password(ATTACKER_PASSWORD)
    user.save()
    factories.RoleFactory(user=user, council=council, kind="officer")
    factories.give_mfa(user)
    return user


@pytest.mark.django_db
def test_an_officer_who_gave_their_password_but_not_their_app_code_cannot_open_the_back_office(
    council,
):
    officer = officer_with_password_and_app(council)
    client = Client()

    response = client.post(
        "/accounts/login/", {"login": officer.email, "password": ATTACKER_PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"

    for url in ("/mootshire/staff/", "/mootshire/staff/residents/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), url
    assert client.session.get(SESSION_KEY) is None


@pytest.mark.django_db
def test_an_officer_who_signed_in_by_code_still_needs_their_app_code(council):
    officer = officer_with_password_and_app(council)
    client = Client()
    client.post("/accounts/login/code/", {"email": officer.email})

    response = client.post(
        "/accounts/login/code/confirm/", {"action": "verify", "code": code_from(mail.outbox[0])}
    )

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.session.get(SESSION_KEY) is None
    assert client.get("/mootshire/staff/")["Location"] == "/accounts/login/?next=/mootshire/staff/"


@pytest.mark.django_db
def test_an_officer_who_turns_off_their_app_loses_the_back_office_until_they_turn_it_on_again(
    client, council
):
    officer = officer_with_password_and_app(council)
    client.force_login(officer)
    assert client.get("/mootshire/staff/").status_code == 200

    response = client.post("/accounts/2fa/totp/deactivate/")
    assert (
        response["Location"]
        == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Fdeactivate%2F"
    )
    # Confirming it is them carries out the request they had made.
    response = client.post(
        "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Fdeactivate%2F",
        {"password": ATTACKER_PASSWORD},
    )

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=officer, type="totp").count() == 0
    response = client.get("/mootshire/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


# --- Someone at a signed-in browser -----------------------------------------------------------


@pytest.mark.django_db
def test_someone_at_a_residents_signed_in_browser_cannot_add_a_password_without_her_code(resident):
    resident.set_unusable_password()
    resident.save()
    client = Client()
    client.force_login(resident)  # signed in days ago; someone else is at the keyboard now

    response = client.post(
        "/accounts/password/set/", {"password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD}
    )

    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/reauthenticate/code/?next=%2Faccounts%2Fpassword%2Fset%2F"
    )
    resident.refresh_from_db()
    assert resident.has_usable_password() is False


@pytest.mark.django_db
def test_someone_at_a_residents_signed_in_browser_cannot_add_their_own_email_address(resident):
    client = Client()
    client.force_login(resident)

    response = client.post("/accounts/email/", {"action_add": "", "email": "mallory@example.org"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert list(EmailAddress.objects.filter(user=resident).values_list("email", flat=True)) == [
        "rita.resident@example.org"
    ]
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_profile_page_with_a_residents_postcode_is_not_kept_by_the_browser(client, resident):
    client.force_login(resident)

    response = client.get("/accounts/profile/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
