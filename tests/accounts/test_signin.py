"""Signing up and signing in: email only or with a password, by code or by the emailed link."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client

from moothall.accounts.models import User
from tests import factories

CODE_IN_EMAIL = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.MULTILINE)
LINK_IN_EMAIL = re.compile(r"^(http://testserver/\S+)$", re.MULTILINE)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts attempts in the cache; each test starts from nothing.
    cache.clear()
    yield
    cache.clear()


def code_from(message: mail.EmailMessage) -> str:
    found = CODE_IN_EMAIL.findall(message.body)
    assert len(found) == 1, message.body
    return found[0]


def link_from(message: mail.EmailMessage) -> str:
    found = LINK_IN_EMAIL.findall(message.body)
    assert len(found) == 1, message.body
    return found[0]


def value_of(html: str, input_id: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bid="{input_id}"[^>]*>', html)
    assert tag is not None, f"no input #{input_id}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else None


def h1_of(html: str) -> str:
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert len(headings) == 1, headings
    return " ".join(headings[0].split())


def signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- Signing up ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resident_can_sign_up_with_only_an_email_address_and_a_code(client):
    response = client.post("/accounts/signup/", {"email": "Nia.Newcomer@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get()
    assert user.email == "nia.newcomer@example.org"
    assert user.has_usable_password() is False
    assert signed_in_user_id(client) is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia.newcomer@example.org"]
    assert message.subject == "Confirm your email address"
    code = code_from(message)
    assert message.body == (
        "Hello,\n\n"
        "Your code to confirm your email address is:\n\n"
        f"{code}\n\n"
        "Enter it on the page where you signed up or added this address.\n\n"
        "The code expires in 15 minutes.\n\n"
        "If you did not ask for this, you can ignore this email.\n\n"
        "From Moothall"
    )

    page = client.get("/accounts/confirm-email/")
    assert h1_of(page.content.decode()) == "Confirm your email address"
    assert "nia.newcomer@example.org" in page.content.decode()

    response = client.post("/accounts/confirm-email/", {"action": "verify", "code": code})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(user.pk)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "nia.newcomer@example.org",
        True,
        True,
    )


@pytest.mark.django_db
def test_a_resident_can_sign_up_with_a_password_too(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "pat.password@example.org", "password1": "a long walk by the river"},
    )

    assert response.status_code == 302
    user = User.objects.get()
    assert user.check_password("a long walk by the river") is True
    code = code_from(mail.outbox[0])
    client.post("/accounts/confirm-email/", {"action": "verify", "code": code})
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_a_wrong_verification_code_is_refused_with_a_govuk_error(client):
    client.post("/accounts/signup/", {"email": "nia.newcomer@example.org"})

    response = client.post("/accounts/confirm-email/", {"action": "verify", "code": "AAAA-AAAA"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert '<li><a href="#id_code">Incorrect code.</a></li>' in html
    assert (
        '<p id="id_code-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Incorrect code.</p>'
    ) in html
    assert "<title>Error: Confirm your email address" in html
    assert signed_in_user_id(client) is None
    assert EmailAddress.objects.get().verified is False


@pytest.mark.django_db
def test_sign_up_without_an_email_address_shows_an_error_summary_linking_to_the_field(client):
    response = client.post("/accounts/signup/", {"email": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert h1_of(html) == "Create an account"
    assert '<li><a href="#id_email">This field is required.</a></li>' in html
    assert 'class="govuk-input govuk-input--error" id="id_email"' in html
    assert User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_short_password_at_sign_up_is_refused_and_nothing_is_created(client):
    response = client.post("/accounts/signup/", {"email": "pat@example.org", "password1": "short"})

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<li><a href="#id_password1">This password is too short. '
        "It must contain at least 10 characters.</a></li>"
    ) in html
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_signing_up_with_an_address_already_taken_says_nothing_and_emails_the_owner(
    client, resident
):
    response = client.post("/accounts/signup/", {"email": "rita.resident@example.org"})

    assert response.status_code == 302
    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["rita.resident@example.org"]]


# --- Signing in ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resident_can_sign_in_with_their_password(client):
    user = factories.UserFactory(email="pat.password@example.org")
    user.set_password("a long walk by the river")
    user.save()

    response = client.post(
        "/accounts/login/",
        {"login": "pat.password@example.org", "password": "a long walk by the river"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(user.pk)
    page = client.get("/")
    assert "Successfully signed in as pat.password@example.org." in page.content.decode()


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_an_error_summary(client):
    user = factories.UserFactory(email="pat.password@example.org")
    user.set_password("a long walk by the river")
    user.save()

    response = client.post(
        "/accounts/login/", {"login": "pat.password@example.org", "password": "not my password"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert h1_of(html) == "Sign in"
    assert (
        '<li><a href="#id_login">The email address and/or password you specified are not '
        "correct.</a></li>"
    ) in html
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_the_sign_in_next_address_is_kept_through_a_password_sign_in(client):
    user = factories.UserFactory(email="pat.password@example.org")
    user.set_password("a long walk by the river")
    user.save()

    page = client.get("/accounts/login/?next=/accounts/profile/")
    assert '<input type="hidden" name="next" value="/accounts/profile/">' in page.content.decode()

    response = client.post(
        "/accounts/login/",
        {
            "login": "pat.password@example.org",
            "password": "a long walk by the river",
            "next": "/accounts/profile/",
        },
    )
    assert response["Location"] == "/accounts/profile/"


@pytest.mark.django_db
def test_a_resident_without_a_password_can_sign_in_with_an_emailed_code(client, resident):
    resident.set_unusable_password()
    resident.save()

    response = client.post("/accounts/login/code/", {"email": "rita.resident@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/confirm/"
    message = mail.outbox[0]
    assert message.subject == "Your sign-in code"
    code = code_from(message)

    response = client.post("/accounts/login/code/confirm/", {"action": "verify", "code": code})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(resident.pk)


@pytest.mark.django_db
def test_the_sign_in_email_carries_the_code_a_link_and_says_where_the_link_works(client, resident):
    client.post("/accounts/login/code/", {"email": "rita.resident@example.org"})

    message = mail.outbox[0]
    code = code_from(message)
    link = link_from(message)
    assert link == f"http://testserver/accounts/login/code/confirm/?code={code}"
    assert message.body == (
        "Hello,\n\n"
        "Your sign-in code is:\n\n"
        f"{code}\n\n"
        "Enter it on the page where you asked for it, or open this link to fill it in for you:\n\n"
        f"{link}\n\n"
        "The link only works in the browser where you began signing in. If you are reading "
        "this on another device or in another browser, type the code into the page you left "
        "open instead.\n\n"
        "The code expires in 3 minutes.\n\n"
        "If you did not ask for this code, you can ignore this email.\n\n"
        "From Moothall"
    )


@pytest.mark.django_db
def test_following_the_emailed_link_fills_in_the_code_and_continue_signs_in(client, resident):
    client.post("/accounts/login/code/", {"email": "rita.resident@example.org"})
    link = link_from(mail.outbox[0])
    code = code_from(mail.outbox[0])
    parts = urlsplit(link)

    page = client.get(f"{parts.path}?{parts.query}")

    html = page.content.decode()
    assert page.status_code == 200
    assert h1_of(html) == "Check your email"
    assert value_of(html, "id_code") == code
    assert signed_in_user_id(client) is None

    response = client.post(parts.path, {"action": "verify", "code": value_of(html, "id_code")})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(resident.pk)


@pytest.mark.django_db
def test_the_emailed_link_keeps_where_the_resident_was_going(client, resident):
    client.post(
        "/accounts/login/code/",
        {"email": "rita.resident@example.org", "next": "/accounts/profile/"},
    )
    link = link_from(mail.outbox[0])
    parts = urlsplit(link)
    assert parse_qs(parts.query)["next"] == ["/accounts/profile/"]

    page = client.get(f"{parts.path}?{parts.query}")
    html = page.content.decode()
    assert '<input type="hidden" name="next" value="/accounts/profile/">' in html

    response = client.post(
        parts.path,
        {"action": "verify", "code": value_of(html, "id_code"), "next": "/accounts/profile/"},
    )
    assert response["Location"] == "/accounts/profile/"


@pytest.mark.django_db
def test_the_emailed_link_never_carries_an_address_on_another_site(client, resident):
    client.post(
        "/accounts/login/code/",
        {"email": "rita.resident@example.org", "next": "https://evil.example/"},
    )

    link = link_from(mail.outbox[0])
    assert "next" not in parse_qs(urlsplit(link).query)


@pytest.mark.django_db
def test_the_emailed_link_in_another_browser_leads_back_to_asking_for_a_code(client, resident):
    client.post("/accounts/login/code/", {"email": "rita.resident@example.org"})
    parts = urlsplit(link_from(mail.outbox[0]))

    other_browser = Client()
    response = other_browser.get(f"{parts.path}?{parts.query}")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/"
    assert signed_in_user_id(other_browser) is None


@pytest.mark.django_db
def test_asking_for_a_code_for_an_unknown_address_gives_nothing_away(client):
    response = client.post("/accounts/login/code/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/confirm/"
    assert [m.to for m in mail.outbox] == [["nobody@example.org"]]
    assert CODE_IN_EMAIL.findall(mail.outbox[0].body) == []


@pytest.mark.django_db
def test_a_wrong_sign_in_code_is_refused_with_an_error_message(client, resident):
    client.post("/accounts/login/code/", {"email": "rita.resident@example.org"})

    response = client.post(
        "/accounts/login/code/confirm/", {"action": "verify", "code": "AAAA-AAAA"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<li><a href="#id_code">Incorrect code.</a></li>' in html
    assert value_of(html, "id_code") == "AAAA-AAAA"
    assert signed_in_user_id(client) is None


# --- Signing out, and pages that need you signed in ----------------------------------------


@pytest.mark.django_db
def test_signing_out_asks_first_and_happens_on_post(client, resident):
    client.force_login(resident)

    page = client.get("/accounts/logout/")
    html = page.content.decode()
    assert h1_of(html) == "Sign out"
    assert '<form method="post" action="/accounts/logout/">' in html
    assert signed_in_user_id(client) == str(resident.pk)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is None
    home = client.get("/")
    assert "You have signed out." in home.content.decode()


@pytest.mark.django_db
def test_the_profile_page_sends_a_visitor_to_sign_in_and_back(client):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


# --- Managing email addresses and confirming it is you -------------------------------------


@pytest.mark.django_db
def test_a_resident_can_add_a_second_email_address_and_confirm_it_by_code(client, resident):
    # Signed in moments ago, so she is not asked to confirm it is her first.
    client.post("/accounts/login/code/", {"email": "rita.resident@example.org"})
    code = code_from(mail.outbox[-1])
    client.post("/accounts/login/code/confirm/", {"action": "verify", "code": code})

    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "rita.at.work@example.org"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    page = client.get("/accounts/confirm-email/").content.decode()
    assert h1_of(page) == "Confirm your email address"
    assert '<a class="govuk-link" href="/accounts/email/">Cancel</a>' in page
    code = code_from(mail.outbox[-1])

    client.post("/accounts/confirm-email/", {"action": "verify", "code": code})

    assert sorted(
        EmailAddress.objects.filter(user=resident).values_list("email", "verified", "primary")
    ) == [
        ("rita.at.work@example.org", True, False),
        ("rita.resident@example.org", True, True),
    ]
    listing = client.get("/accounts/email/").content.decode()
    assert listing.count('<strong class="govuk-tag govuk-tag--green">Verified</strong>') == 2
    assert listing.count('<strong class="govuk-tag govuk-tag--blue">Primary</strong>') == 1


@pytest.mark.django_db
def test_confirming_it_is_you_by_code_works_through_the_emailed_link_too(client, resident):
    resident.set_unusable_password()
    resident.save()
    client.force_login(resident)  # signed in long ago: no recent sign-in in this session

    response = client.get("/accounts/2fa/totp/activate/", follow=True)

    assert response.redirect_chain[-1][0] == (
        "/accounts/reauthenticate/code/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    client.post(
        "/accounts/reauthenticate/code/",
        {"recipient": "rita.resident@example.org", "next": "/accounts/2fa/totp/activate/"},
    )
    message = mail.outbox[-1]
    assert message.subject == "Your code to confirm it is you"
    link = urlsplit(link_from(message))
    assert link.path == "/accounts/reauthenticate/code/confirm/"
    assert parse_qs(link.query) == {
        "code": [code_from(message)],
        "next": ["/accounts/2fa/totp/activate/"],
    }

    page = client.get(f"{link.path}?{link.query}").content.decode()
    assert h1_of(page) == "Confirm it is you"
    response = client.post(
        link.path,
        {
            "action": "verify",
            "code": value_of(page, "id_code"),
            "next": "/accounts/2fa/totp/activate/",
        },
    )

    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
