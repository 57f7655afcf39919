"""Real-browser tests: Playwright's sync API driving Debian's Chromium against the live server.

One browser for the whole session, a fresh context (cookies, language, JS on or off) per
test. Nothing is downloaded: Chromium is the system one, and it is told not to reach out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from moothall.accounts.models import User
from tests.public.area import Area, build_area

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Belt and braces: no host name but the live server's resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make (through the factories) are synchronous and safe here. Set only while the
    # browser runs, so no other test (or subprocess it starts) inherits it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def area(transactional_db) -> Area:
    return build_area()


@dataclass
class Console:
    """What the page said: Content-Security-Policy complaints and uncaught script errors."""

    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def listen(self, page: Page) -> Page:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        return page

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)


def _context(browser: Browser, base_url: str, **options: object) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url, locale="en-GB", **options)
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    """A normal visitor: scripts on, our CSP enforced."""
    yield from _context(browser, live_server.url)


@pytest.fixture
def no_js_context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    yield from _context(browser, live_server.url, java_script_enabled=False)


@pytest.fixture
def axe_context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    """For axe-core only: our CSP would (rightly) refuse the injected script."""
    yield from _context(browser, live_server.url, bypass_csp=True)


@pytest.fixture
def console() -> Console:
    return Console()


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE_PATH))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """axe's findings, one readable paragraph per rule, for a failing assertion."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


# --- Signed-in visitors, languages and rate limits (account and staff pages) -----------------

PASSWORD = "a long walk by the river"
SignIn = Callable[[BrowserContext, User], None]
Speak = Callable[[BrowserContext, str], None]


@pytest.fixture
def fresh_rate_limits() -> Iterator[None]:
    """allauth counts sign-ins and emailed codes in the cache, which the live server shares."""
    cache.clear()
    yield
    cache.clear()


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def speak(live_server) -> Speak:
    """``speak(context, "cy")``: the language cookie the switcher would set ("en-GB": none)."""

    def set_language(context: BrowserContext, language: str) -> None:
        if language != "en-GB":
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )

    return set_language


@pytest.fixture
def sign_in(live_server) -> SignIn:
    """``sign_in(context, user)``: a session made by Django's test client, handed to the browser.

    The live server shares the test database, so the session is good there too. allauth
    keeps no record of this sign-in: pages that ask to confirm it is you will ask.
    """

    def force_login(context: BrowserContext, user: User) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return force_login


def sign_in_with_password(page: Page, email: str, password: str = PASSWORD) -> None:
    """Through the real sign-in form, in whatever language the page is in."""
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_load_state()


def submit(page: Page, form: str = "main form[method=post]") -> None:
    """Press the main button of the form ``form`` (a CSS selector), as a person would."""
    page.locator(f"{form} button.govuk-button[type=submit]").first.click()


class AxeAudit:
    """Shown one page after another, runs axe on each in ``language``; keeps what it found.

    ``audit(label, path)`` first waits for the browser to be at ``path`` (a form sent or a
    redirect followed) and for the page's language to be right.
    """

    def __init__(self, page: Page, language: str) -> None:
        self.page = page
        self.language = language
        self.failures: dict[str, str] = {}
        self.seen: list[str] = []

    def __call__(self, label: str, path: str) -> None:
        at_path(self.page, path)
        html = self.page.locator("html")
        assert html.get_attribute("lang") == self.language, label
        violations = axe_violations(self.page)
        if violations:
            self.failures[label] = describe(violations)
        self.seen.append(label)

    def report(self) -> str:
        return "\n\n".join(f"{label}\n{text}" for label, text in self.failures.items())


class ScriptsRan:
    """Shown one page after another, checks our script started on each (nothing refused it)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seen: list[str] = []

    def __call__(self, label: str, path: str) -> None:
        at_path(self.page, path)
        assert "govuk-frontend-supported" in (
            self.page.locator("body").get_attribute("class") or ""
        )
        self.seen.append(label)


def at_path(page: Page, path: str) -> None:
    """Wait until the browser shows ``path`` (and its query string, when given), fully loaded."""

    def arrived(url: str) -> bool:
        parts = urlsplit(url)
        return (f"{parts.path}?{parts.query}" if "?" in path else parts.path) == path

    page.wait_for_url(arrived)
    page.wait_for_load_state()
