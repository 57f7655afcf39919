"""Every account page renders in the site's GOV.UK layout, with one h1 and nothing inline.

The Content-Security-Policy refuses inline scripts, inline styles and inline event
handlers, so a page that carried any would break in the browser; these tests catch it
in the HTML first.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests import factories

PASSWORD = "a long walk by the river"


class Tags(HTMLParser):
    """Every start tag of a page with its attribute names, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def assert_govuk_page(html: str, heading: str) -> None:
    """One h1 reading ``heading``, the site layout, and nothing the CSP would block."""
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert [" ".join(h.split()) for h in headings] == [heading]
    assert '<h1 class="govuk-heading-l">' in html
    assert 'class="govuk-template__body' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    tags = Tags(html).tags
    assert [attrs for tag, attrs in tags if tag == "script" and "src" not in attrs] == []
    assert [tag for tag, _ in tags if tag == "style"] == []
    assert [attrs for _, attrs in tags if "style" in attrs] == []
    assert [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")] == []
    assert [attrs for tag, attrs in tags if tag == "input" and attrs.get("type") == "submit"] == []
    assert "placeholder=" not in html


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def app_code(secret: str) -> str:
    if 30 - time.time() % 30 < 1.5:
        time.sleep(1.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# --- How each page is reached ----------------------------------------------------------------
# Each returns the path to open with the client it was given, after putting the client in
# the state the page needs (signed in, half-way through signing in, ...).


def anonymous(path: str) -> Callable[[Client], str]:
    return lambda client: path


def signed_in_resident(path: str, *, password: bool = True) -> Callable[[Client], str]:
    def arrange(client: Client) -> str:
        user = factories.UserFactory(email="rita.resident@example.org", postcode="MH1 1AA")
        if password:
            with_password(user)
            client.post(
                "/accounts/login/", {"login": "rita.resident@example.org", "password": PASSWORD}
            )
        else:
            user.set_unusable_password()
            user.save()
            client.post("/accounts/login/code/", {"email": "rita.resident@example.org"})
            code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE)
            assert code is not None
            client.post("/accounts/login/code/confirm/", {"action": "verify", "code": code[1]})
        return path

    return arrange


def resident_signed_in_long_ago(path: str, *, password: bool) -> Callable[[Client], str]:
    def arrange(client: Client) -> str:
        user = factories.UserFactory(email="rita.resident@example.org")
        if password:
            with_password(user)
        else:
            user.set_unusable_password()
            user.save()
        client.force_login(user)
        return path

    return arrange


def officer_with_mfa(path: str) -> Callable[[Client], str]:
    def arrange(client: Client) -> str:
        council = factories.CouncilFactory(slug="mootshire", name="Mootshire County Council")
        user = with_password(factories.UserFactory(email="olive.officer@example.org"))
        factories.RoleFactory(user=user, council=council, kind="officer")
        secret = decrypt(factories.give_mfa(user).instance.data["secret"])
        RecoveryCodes.activate(user)
        client.post(
            "/accounts/login/", {"login": "olive.officer@example.org", "password": PASSWORD}
        )
        client.post("/accounts/2fa/authenticate/", {"code": app_code(secret)})
        return path

    return arrange


def officer_with_mfa_signed_in_long_ago(path: str) -> Callable[[Client], str]:
    def arrange(client: Client) -> str:
        user = with_password(factories.UserFactory(email="olive.officer@example.org"))
        factories.give_mfa(user)
        client.force_login(user)
        return path

    return arrange


def half_way_through_mfa_sign_in(client: Client) -> str:
    user = with_password(factories.UserFactory(email="olive.officer@example.org"))
    factories.give_mfa(user)
    client.post("/accounts/login/", {"login": "olive.officer@example.org", "password": PASSWORD})
    return "/accounts/2fa/authenticate/"


def waiting_for_a_sign_in_code(client: Client) -> str:
    factories.UserFactory(email="rita.resident@example.org")
    client.post("/accounts/login/code/", {"email": "rita.resident@example.org"})
    return "/accounts/login/code/confirm/"


def following_the_sign_in_link(client: Client) -> str:
    waiting_for_a_sign_in_code(client)
    link = re.search(r"^(http://testserver/\S+)$", mail.outbox[-1].body, re.MULTILINE)
    assert link is not None
    parts = urlsplit(link.group(1))
    return f"{parts.path}?{parts.query}"


def waiting_for_a_verification_code(client: Client) -> str:
    client.post("/accounts/signup/", {"email": "nia.newcomer@example.org"})
    return "/accounts/confirm-email/"


def confirming_it_is_you_by_code(client: Client) -> str:
    resident_signed_in_long_ago("", password=False)(client)
    client.post(
        "/accounts/reauthenticate/code/",
        {"recipient": "rita.resident@example.org", "next": "/accounts/2fa/totp/activate/"},
    )
    return "/accounts/reauthenticate/code/confirm/?next=/accounts/2fa/totp/activate/"


def following_a_password_reset_link(client: Client) -> str:
    with_password(factories.UserFactory(email="rita.resident@example.org"))
    client.post("/accounts/password/reset/", {"email": "rita.resident@example.org"})
    link = re.search(r"^(http://testserver/\S+)$", mail.outbox[-1].body, re.MULTILINE)
    assert link is not None
    # allauth swaps the key in the address for one kept in the session, then redirects.
    response = client.get(urlsplit(link.group(1)).path)
    return response["Location"]


PAGES = {
    "sign in": (anonymous("/accounts/login/"), "Sign in"),
    "create an account": (anonymous("/accounts/signup/"), "Create an account"),
    "ask for a sign-in code": (
        anonymous("/accounts/login/code/"),
        "Sign in with an emailed code",
    ),
    "enter the sign-in code": (waiting_for_a_sign_in_code, "Check your email"),
    "the sign-in link": (following_the_sign_in_link, "Check your email"),
    "confirm an email address": (waiting_for_a_verification_code, "Confirm your email address"),
    "reset a password": (anonymous("/accounts/password/reset/"), "Reset your password"),
    "password reset sent": (anonymous("/accounts/password/reset/done/"), "Check your email"),
    "password reset link": (following_a_password_reset_link, "Choose a new password"),
    "password reset link that failed": (
        anonymous("/accounts/password/reset/key/1-set-password/"),
        "This link does not work",
    ),
    "account inactive": (anonymous("/accounts/inactive/"), "This account is closed"),
    "profile": (signed_in_resident("/accounts/profile/"), "Your account"),
    "sign out": (signed_in_resident("/accounts/logout/"), "Sign out"),
    "email addresses": (signed_in_resident("/accounts/email/"), "Email addresses"),
    "change password": (signed_in_resident("/accounts/password/change/"), "Change your password"),
    "set a password": (
        signed_in_resident("/accounts/password/set/", password=False),
        "Set a password",
    ),
    "confirm it is you with a password": (
        resident_signed_in_long_ago("/accounts/reauthenticate/", password=True),
        "Confirm it is you",
    ),
    "confirm it is you by email": (
        resident_signed_in_long_ago("/accounts/reauthenticate/code/", password=False),
        "Confirm it is you",
    ),
    "enter the code to confirm it is you": (confirming_it_is_you_by_code, "Confirm it is you"),
    "two-factor authentication": (
        signed_in_resident("/accounts/2fa/"),
        "Two-factor authentication",
    ),
    "set up an authenticator app": (
        signed_in_resident("/accounts/2fa/totp/activate/"),
        "Set up an authenticator app",
    ),
    "enter an app code at sign-in": (
        half_way_through_mfa_sign_in,
        "Enter your authentication code",
    ),
    "two-factor authentication when on": (
        officer_with_mfa("/accounts/2fa/"),
        "Two-factor authentication",
    ),
    "turn off two-factor authentication": (
        officer_with_mfa("/accounts/2fa/totp/deactivate/"),
        "Turn off two-factor authentication",
    ),
    "recovery codes": (officer_with_mfa("/accounts/2fa/recovery-codes/"), "Recovery codes"),
    "generate recovery codes": (
        officer_with_mfa("/accounts/2fa/recovery-codes/generate/"),
        "Generate new recovery codes",
    ),
    "confirm it is you with an app code": (
        officer_with_mfa_signed_in_long_ago("/accounts/2fa/reauthenticate/"),
        "Confirm it is you",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES.keys())
def test_each_account_page_is_a_clean_govuk_page(client, page):
    arrange, heading = PAGES[page]
    path = arrange(client)

    response = client.get(path)

    assert response.status_code == 200, response.get("Location")
    assert_govuk_page(response.content.decode(), heading)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "form"),
    [
        ("sign in", {"login": "", "password": ""}),
        ("create an account", {"email": "not an email"}),
        ("ask for a sign-in code", {"email": ""}),
        ("reset a password", {"email": ""}),
    ],
)
def test_each_account_form_with_errors_is_still_a_clean_govuk_page(client, page, form):
    arrange, heading = PAGES[page]
    path = arrange(client)

    response = client.post(path, form)

    html = response.content.decode()
    assert response.status_code == 200
    assert_govuk_page(html, heading)
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in html
    assert f"<title>Error: {heading}" in html


@pytest.mark.django_db
def test_the_account_pages_under_the_account_menu_link_back_to_the_profile(client):
    path = signed_in_resident("/accounts/email/")(client)

    html = client.get(path).content.decode()

    assert '<a href="/accounts/profile/" class="govuk-back-link">Your account</a>' in html
