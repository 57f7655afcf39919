"""The council back-office in a real browser: WCAG 2.2 AA in English and Welsh, and the CSP.

An officer (with an authenticator app) signs in through the real forms, app code and
all, finds a resident, gets the verify form wrong once and then verifies them. A council
administrator then looks at the roles and the audit log that verification wrote to.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from playwright.sync_api import BrowserContext, Page, expect

from moothall.accounts.models import ResidentVerification, User
from moothall.councils.models import Council
from tests.browser.conftest import (
    AxeAudit,
    Console,
    ScriptsRan,
    SignIn,
    Speak,
    sign_in_with_password,
    submit,
    with_password,
)
from tests.public.area import Area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

Check = Callable[[str, str], None]

STAFF = "/mootshire/staff"


@pytest.fixture
def council(area: Area) -> Council:
    """The staff personas work at the Mootshire of the browser tests' area (MH1 1AA is in it)."""
    return area.county


def app_code(user: User) -> str:
    """What ``user``'s authenticator app shows now (waiting out the last moments of a step)."""
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    if 30 - time.time() % 30 < 2:
        time.sleep(2)
    return format_hotp_value(hotp_value(decrypt(totp.data["secret"]), int(time.time()) // 30))


def walk_as_officer(page: Page, check: Check, *, officer: User, resident: User) -> None:
    """Sign in with password and app code, find Rita, and verify her (wrong once, then right)."""
    sign_in_with_password(page, officer.email)
    check("enter an app code at sign-in", "/accounts/2fa/authenticate/")
    page.locator("#id_code").fill(app_code(officer))
    submit(page, "form[action='/accounts/2fa/authenticate/']")
    check("home, signed in with MFA", "/")

    page.goto(f"{STAFF}/")
    check("officer's dashboard", f"{STAFF}/")
    page.goto(f"{STAFF}/residents/")
    check("residents", f"{STAFF}/residents/")
    page.locator("#id_q").fill("rita")
    page.locator("main form[method=get] button[type=submit]").click()
    check("residents found", f"{STAFF}/residents/?q=rita")
    expect(page.locator("main table tbody tr")).to_have_count(1)

    page.locator(f"main table a[href='{STAFF}/residents/{resident.pk}/']").click()
    check("a resident", f"{STAFF}/residents/{resident.pk}/")
    page.locator(f"main a[href='{STAFF}/residents/{resident.pk}/verify/']").click()
    check("verify form", f"{STAFF}/residents/{resident.pk}/verify/")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("verify form, sent empty", f"{STAFF}/residents/{resident.pk}/verify/")
    page.locator("#id_method_1").check()
    page.locator("#id_reason").fill("Saw a council tax bill for MH1 1AA.")
    submit(page)
    check("a verified resident", f"{STAFF}/residents/{resident.pk}/")


def walk_as_admin(page: Page, check: Check, *, officer: User, resident: User) -> None:
    page.goto(f"{STAFF}/")
    check("council admin's dashboard", f"{STAFF}/")
    page.goto(f"{STAFF}/roles/")
    check("roles", f"{STAFF}/roles/")
    submit(page, f"form[action='{STAFF}/roles/']")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("roles, grant sent empty", f"{STAFF}/roles/")
    page.goto(f"{STAFF}/audit/")
    check("audit log", f"{STAFF}/audit/")
    expect(page.locator("main table tbody tr")).to_have_count(1)

    role = officer.roles.get()
    page.goto(f"{STAFF}/roles/{role.pk}/revoke/")
    check("revoke a role", f"{STAFF}/roles/{role.pk}/revoke/")
    verification = ResidentVerification.objects.get(user=resident)
    page.goto(f"{STAFF}/verifications/{verification.pk}/revoke/")
    check("revoke a verification", f"{STAFF}/verifications/{verification.pk}/revoke/")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("revoke a verification, sent empty", f"{STAFF}/verifications/{verification.pk}/revoke/")


OFFICER_PAGES = [
    "enter an app code at sign-in",
    "home, signed in with MFA",
    "officer's dashboard",
    "residents",
    "residents found",
    "a resident",
    "verify form",
    "verify form, sent empty",
    "a verified resident",
]
ADMIN_PAGES = [
    "council admin's dashboard",
    "roles",
    "roles, grant sent empty",
    "audit log",
    "revoke a role",
    "revoke a verification",
    "revoke a verification, sent empty",
]


@pytest.fixture
def olive(officer: User) -> User:
    return with_password(officer)


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_every_back_office_page_meets_wcag_2_2_aa(
    axe_context: BrowserContext,
    speak: Speak,
    sign_in: SignIn,
    olive: User,
    council_admin: User,
    resident: User,
    language: str,
):
    speak(axe_context, language)
    audit = AxeAudit(axe_context.new_page(), language)

    walk_as_officer(audit.page, audit, officer=olive, resident=resident)
    axe_context.clear_cookies()
    speak(axe_context, language)
    sign_in(axe_context, council_admin)
    walk_as_admin(audit.page, audit, officer=olive, resident=resident)

    assert audit.seen == OFFICER_PAGES + ADMIN_PAGES
    assert audit.failures == {}, audit.report()


def test_no_back_office_page_breaks_the_content_security_policy(
    context: BrowserContext,
    console: Console,
    sign_in: SignIn,
    olive: User,
    council_admin: User,
    resident: User,
):
    page = console.listen(context.new_page())
    scripts = ScriptsRan(page)

    walk_as_officer(page, scripts, officer=olive, resident=resident)
    context.clear_cookies()
    sign_in(context, council_admin)
    walk_as_admin(page, scripts, officer=olive, resident=resident)

    assert scripts.seen == OFFICER_PAGES + ADMIN_PAGES
    assert console.csp_violations == []
    assert console.page_errors == []
