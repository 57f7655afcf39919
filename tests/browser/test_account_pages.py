"""Signing in, signing up and looking after an account, in a real browser.

Every account page meets WCAG 2.2 AA (axe-core) in English and in Welsh, keeps to the
Content-Security-Policy, and signing in works with the keyboard alone.

The pages are reached as a person reaches them (forms sent, codes asked for), so the
half-finished sign-ins that allauth keeps in the session are real. Forms are found by
their address, not their words, so the same walk serves both languages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from moothall.accounts.models import User
from tests import factories
from tests.browser.conftest import (
    PASSWORD,
    AxeAudit,
    Console,
    ScriptsRan,
    SignIn,
    Speak,
    at_path,
    sign_in_with_password,
    submit,
    with_password,
)
from tests.public.area import Area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

Check = Callable[[str, str], None]


def _focused(page: Page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " href: document.activeElement.getAttribute('href')})"
    )


def _tab_to(page: Page, **wanted: str) -> dict:
    """Press Tab until the focused element has the ``wanted`` id or href (at most 40 times)."""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if all(focused[key] == value for key, value in wanted.items()):
            return focused
    raise AssertionError(f"Tab never reached {wanted}; it stopped at {_focused(page)}")


# --- The walks: each visits pages in order and calls ``check(label, path)`` on each -------------


def walk_signed_out(page: Page, check: Check, *, existing_email: str, new_email: str) -> None:
    page.goto("/accounts/login/")
    check("sign in", "/accounts/login/")
    submit(page, "form[action='/accounts/login/']")
    # The error summary takes the focus, so a screen reader reads out what went wrong first.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("sign in, sent empty", "/accounts/login/")

    page.goto("/accounts/signup/")
    check("create an account", "/accounts/signup/")

    page.goto("/accounts/password/reset/")
    check("reset a password", "/accounts/password/reset/")
    page.locator("#id_email").fill(existing_email)
    submit(page, "form[action='/accounts/password/reset/']")
    check("password reset sent", "/accounts/password/reset/done/")

    page.goto("/accounts/login/code/")
    check("ask for a sign-in code", "/accounts/login/code/")
    page.locator("#id_email").fill(existing_email)
    submit(page, "form[action='/accounts/login/code/']")
    check("enter the sign-in code", "/accounts/login/code/confirm/")
    # "Cancel and start again" ends the half-finished sign-in.
    page.locator("main form[action='/accounts/logout/'] button").click()
    check("sign in, after cancelling a code", "/accounts/login/")

    page.goto("/accounts/signup/")
    page.locator("#id_email").fill(new_email)
    submit(page, "form[action='/accounts/signup/']")
    check("confirm an email address", "/accounts/confirm-email/")


def walk_signed_in(page: Page, check: Check, *, email: str) -> None:
    """As someone with a password, signed in through the form a moment ago."""
    sign_in_with_password(page, email)
    check("home, signed in", "/")

    page.goto("/accounts/profile/")
    check("profile", "/accounts/profile/")
    page.locator("#id_postcode").fill("not a postcode")
    submit(page, "form[action='/accounts/profile/']")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("profile, with a wrong postcode", "/accounts/profile/")

    page.goto("/accounts/email/")
    check("email addresses", "/accounts/email/")
    page.goto("/accounts/password/change/")
    check("change password", "/accounts/password/change/")
    page.goto("/accounts/2fa/")
    check("two-factor authentication", "/accounts/2fa/")
    page.goto("/accounts/2fa/totp/activate/")
    check("set up an authenticator app", "/accounts/2fa/totp/activate/")
    submit(page, "form[action='/accounts/2fa/totp/activate/']")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("set up an authenticator app, sent empty", "/accounts/2fa/totp/activate/")

    page.goto("/accounts/logout/")
    check("sign out", "/accounts/logout/")
    submit(page, "form[action='/accounts/logout/']")
    check("home, signed out", "/")


def walk_without_a_password(page: Page, check: Check) -> None:
    """As someone who signs in by emailed code and has set no password."""
    page.goto("/accounts/profile/")
    check("profile, without a password", "/accounts/profile/")
    # Signed in long ago: adding a password first asks them to confirm it is them by email.
    page.goto("/accounts/password/set/")
    check("confirm it is you by email", "/accounts/reauthenticate/code/")
    submit(page, "form[action='/accounts/reauthenticate/code/']")
    check("enter the code to confirm it is you", "/accounts/reauthenticate/code/confirm/")
    code = re.findall(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE)
    page.locator("#id_code").fill(code[0])
    submit(page, "form[action='/accounts/reauthenticate/code/confirm/']")
    check("set a password", "/accounts/password/set/")


SIGNED_OUT_PAGES = [
    "sign in",
    "sign in, sent empty",
    "create an account",
    "reset a password",
    "password reset sent",
    "ask for a sign-in code",
    "enter the sign-in code",
    "sign in, after cancelling a code",
    "confirm an email address",
]
SIGNED_IN_PAGES = [
    "home, signed in",
    "profile",
    "profile, with a wrong postcode",
    "email addresses",
    "change password",
    "two-factor authentication",
    "set up an authenticator app",
    "set up an authenticator app, sent empty",
    "sign out",
    "home, signed out",
    "profile, without a password",
    "confirm it is you by email",
    "enter the code to confirm it is you",
    "set a password",
]


@pytest.fixture
def rita(resident: User) -> User:
    return with_password(resident)


@pytest.fixture
def sam(db) -> User:
    """Signs in by emailed code: no password."""
    user = factories.UserFactory(email="sam.nopassword@example.org", name="Sam Codeonly")
    user.set_unusable_password()
    user.save()
    return user


# --- Accessibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_every_signed_out_account_page_meets_wcag_2_2_aa(
    axe_context: BrowserContext, speak: Speak, rita: User, language: str
):
    speak(axe_context, language)
    audit = AxeAudit(axe_context.new_page(), language)

    walk_signed_out(
        audit.page, audit, existing_email=rita.email, new_email="nia.newcomer@example.org"
    )

    assert audit.seen == SIGNED_OUT_PAGES
    assert audit.failures == {}, audit.report()


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_every_account_page_of_a_signed_in_resident_meets_wcag_2_2_aa(
    axe_context: BrowserContext,
    speak: Speak,
    sign_in: SignIn,
    area: Area,
    rita: User,
    sam: User,
    language: str,
):
    speak(axe_context, language)
    audit = AxeAudit(axe_context.new_page(), language)

    walk_signed_in(audit.page, audit, email=rita.email)
    sign_in(axe_context, sam)
    walk_without_a_password(audit.page, audit)

    assert audit.seen == SIGNED_IN_PAGES
    assert audit.failures == {}, audit.report()


# --- Content-Security-Policy --------------------------------------------------------------------


def test_no_account_page_breaks_the_content_security_policy(
    context: BrowserContext, console: Console, sign_in: SignIn, area: Area, rita: User, sam: User
):
    page = console.listen(context.new_page())
    scripts = ScriptsRan(page)

    walk_signed_out(page, scripts, existing_email=rita.email, new_email="nia.newcomer@example.org")
    context.clear_cookies()  # leave the new account half-made
    walk_signed_in(page, scripts, email=rita.email)
    sign_in(context, sam)
    walk_without_a_password(page, scripts)

    assert scripts.seen == SIGNED_OUT_PAGES + SIGNED_IN_PAGES
    assert console.csp_violations == []
    assert console.page_errors == []


# --- Journeys -----------------------------------------------------------------------------------


def test_a_resident_signs_in_with_a_password_by_keyboard_alone(
    context: BrowserContext, console: Console, rita: User
):
    page = console.listen(context.new_page())
    page.goto("/")

    assert _tab_to(page, href="/accounts/login/") == {
        "tag": "A",
        "id": "",
        "href": "/accounts/login/",
    }
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("h1")).to_have_text("Sign in")

    assert _tab_to(page, id="id_login")["tag"] == "INPUT"
    page.keyboard.type("rita.resident@example.org")
    page.keyboard.press("Tab")
    assert _focused(page) == {"tag": "INPUT", "id": "id_password", "href": None}
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    at_path(page, "/")
    expect(page.locator("#navigation a")).to_have_text(
        ["Find your councils", "All councils", "Search", "Your account", "Sign out"]
    )
    # The success banner takes the focus, so a screen reader says it first.
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_focused()
    expect(banner.locator(".govuk-notification-banner__content")).to_have_text(
        "Successfully signed in as Rita Resident."
    )
    assert console.csp_violations == []
    assert console.page_errors == []


def test_a_staff_member_without_mfa_is_sent_to_set_up_an_authenticator_app_on_signing_in(
    context: BrowserContext, console: Console, council
):
    officer = with_password(factories.UserFactory(email="nora.new@example.org"))
    factories.RoleFactory(user=officer, council=council, kind="officer")
    page = console.listen(context.new_page())

    sign_in_with_password(page, "nora.new@example.org")

    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.locator("h1")).to_have_text("Set up an authenticator app")
    expect(page.locator(".govuk-notification-banner__content")).to_have_text(
        [
            "Successfully signed in as nora.new@example.org.",
            "Your role needs two-factor authentication. Set it up to carry on.",
        ]
    )
    # Nor can they go round it.
    response = page.goto("/mootshire/staff/")
    assert response is not None
    assert response.request.redirected_from is not None
    assert response.request.redirected_from.url.endswith("/mootshire/staff/")
    assert response.url.endswith("/accounts/2fa/totp/activate/")
    expect(page.locator("h1")).to_have_text("Set up an authenticator app")
    assert console.csp_violations == []
    assert console.page_errors == []
