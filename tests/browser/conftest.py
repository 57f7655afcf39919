"""Real-browser tests: Playwright's sync API driving Debian's Chromium against the live server.

One browser for the whole session, a fresh context (cookies, language, JS on or off) per
test. Nothing is downloaded: Chromium is the system one, and it is told not to reach out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

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
