"""Cross-site scripting: the corpus in every user-text field, every page that shows it in
Chromium, and no script of an attacker's runs.

``tests/fixtures/xss_payloads.txt`` holds 150+ known payloads (script tags and their
variants, event handlers, ``javascript:``/``data:``/``vbscript:`` URLs, SVG and MathML,
attribute and element breakouts, Markdown links, images and raw HTML, template-looking
strings, CSS, meta refresh, base, srcdoc, encodings). Every payload is written into every
field residents and staff type text into (see ``tests/browser/xss_scene.py`` for which
and how), then the pages that show those fields are loaded, public and back-office.

Each payload's script would call ``alert`` (a dialog), set ``window.__xss`` and/or ask
for ``/__xss_sentinel__``. A page fails when a dialog opens, the global is set, the
sentinel is requested (by any frame), or when the page's DOM holds anything a script could
run from: an ``on…`` attribute, a ``javascript:``/``vbscript:``/``data:`` URL, an inline
or foreign ``<script>``, an ``<iframe>``/``<object>``/``<embed>``/``<base>`` or a
``<meta http-equiv>`` (none of which our templates use). So links a person would have to
click, and SVG animations, count too.

**The Content-Security-Policy is switched off for these pages** (Playwright's
``bypass_csp``): our strict CSP would refuse an injected inline script even if escaping had
failed, and hide the bug. The test first proves that it is off (an inline script runs) and
that its listeners see a dialog, the global and the sentinel request. What is proved is
then escaping and sanitising alone. Each check also finds its payloads shown as text, so
an empty or failed page cannot pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Request
from playwright.sync_api import Error as PlaywrightError

from moothall.accounts.models import User
from moothall.councils.models import Council
from moothall.public import budget_views as public_budget_views
from moothall.public import correspondence_views as public_correspondence_views
from moothall.public import idea_views as public_idea_views
from moothall.public import live_views as public_live_views
from moothall.public import petition_views as public_petition_views
from moothall.search import views as search_views
from moothall.staff import budget_views as staff_budget_views
from moothall.staff import deliberation_views as staff_deliberation_views
from moothall.staff import idea_views as staff_idea_views
from moothall.staff import meeting_views as staff_meeting_views
from moothall.staff import petition_views as staff_petition_views
from tests import factories
from tests.browser import xss_scene
from tests.browser.conftest import SignIn
from tests.browser.xss_scene import Check, Scene, plain

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

SENTINEL = "__xss_sentinel__"

# What a script of ours never needs in the page: found in the DOM after load, it means
# markup from a payload survived (whether or not it ran on load).
DOM_PROBE = """() => {
  const found = [];
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data',
    'background', 'poster', 'lowsrc', 'dynsrc', 'codebase', 'cite']);
  const scheme = /^(javascript|vbscript|data|livescript):/;
  const describe = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (name.startsWith('on')) found.push('handler: ' + describe(el));
      else if (name === 'srcdoc') found.push('srcdoc: ' + describe(el));
      else if (urlAttributes.has(name) && scheme.test(value)) found.push('url: ' + describe(el));
      else if (name === 'style' && /expression|url\\s*\\(|javascript/i.test(value))
        found.push('style: ' + describe(el));
    }
    if (tag === 'script') {
      let ours = false;
      try { ours = el.src !== '' && new URL(el.src).origin === location.origin; } catch (e) {}
      if (!ours || el.src.includes('__xss')) found.push('script: ' + describe(el));
    }
    if (['iframe', 'frame', 'frameset', 'object', 'embed', 'base', 'applet'].includes(tag))
      found.push('element: ' + describe(el));
    if (tag === 'meta' && el.hasAttribute('http-equiv') &&
        el.getAttribute('http-equiv').toLowerCase() !== 'content-type')
      found.push('meta: ' + describe(el));
  }
  return found;
}"""


@dataclass
class Findings:
    """What the pages did that they must not, page by page."""

    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pages: int = 0

    def watch(self, page: Page) -> None:
        def on_dialog(dialog: Dialog) -> None:
            self.dialogs.append(f"{page.url}: {dialog.type} {dialog.message!r}")
            dialog.dismiss()

        def on_request(request: Request) -> None:
            if SENTINEL in urlsplit(request.url).path.split("/"):
                self.requests.append(f"{page.url}: {request.url}")

        page.on("dialog", on_dialog)
        page.on("request", on_request)

    def report(self) -> str:
        lines = [f"{len(self.problems)} problems on {self.pages} pages"]
        lines += [f"dialog: {d}" for d in self.dialogs[:30]]
        lines += [f"sentinel request: {r}" for r in self.requests[:30]]
        lines += self.problems[:60]
        return "\n".join(lines)


@pytest.fixture
def council(transactional_db) -> Council:
    """Mootshire (the staff personas of ``tests/conftest.py`` work here), with its area code."""
    return factories.CouncilFactory(
        name="Mootshire County Council",
        short_name="Mootshire",
        slug="mootshire",
        tier="county",
        gss_code="E10000031",
    )


@pytest.fixture
def long_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every list shows the whole corpus on one page (the live server runs in this process)."""
    for module, name in (
        (public_idea_views, "IDEAS_PER_PAGE"),
        (public_petition_views, "PETITIONS_PER_PAGE"),
        (staff_idea_views, "IDEAS_PER_PAGE"),
        (staff_petition_views, "PETITIONS_PER_PAGE"),
        (staff_deliberation_views, "PER_PAGE"),
        (staff_meeting_views, "SUBMISSIONS_PER_PAGE"),
        (public_budget_views, "PROJECTS_PER_PAGE"),
        (staff_budget_views, "PROJECTS_PER_PAGE"),
        (public_correspondence_views, "MESSAGES_PER_PAGE"),
        (search_views, "PAGE_SIZE"),
        (public_live_views, "COMMENTS_SHOWN"),
        (public_live_views, "BLOG_SHOWN"),
    ):
        monkeypatch.setattr(module, name, 1000)


@pytest.fixture
def quiet_tasks(settings) -> None:
    """Background work (notifying followers, emails) is queued, not run: a comment per
    payload on one idea would otherwise email every earlier commenter, 157² times."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def no_csp_context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    """Scripts on and our CSP ignored; the live pages' event stream is not opened (the test
    server cannot serve it, and the state at load is what is checked)."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    context.route(re.compile(r".*/live/events.*"), lambda route: route.abort())
    try:
        yield context
    finally:
        context.close()


def visit(page: Page, findings: Findings, check: Check) -> None:
    findings.pages += 1
    where = f"{check.label} {check.path}"
    try:
        response = page.goto(check.path)  # waits for the "load" event
        if response is None or response.status != 200:
            status = response.status if response else None
            findings.problems.append(f"{where}: status {status}")
            return
        inspect(page, findings, check, where)
    except PlaywrightError as error:
        # Markup that navigates (a meta refresh, a form sent by a script) gets here.
        findings.problems.append(f"{where}: the page went away while checked: {error}")


def inspect(page: Page, findings: Findings, check: Check, where: str) -> None:
    if page.evaluate("() => window.__xss !== undefined || window.parent.__xss !== undefined"):
        findings.problems.append(f"{where}: window.__xss was set")
    for found in page.evaluate(DOM_PROBE):
        findings.problems.append(f"{where}: {found}")
    shown = plain(page.locator("body").inner_text())
    missing = [text for text in check.texts if text not in shown]
    if missing:
        findings.problems.append(
            f"{where}: {len(missing)} of {len(check.texts)} texts not shown, e.g. {missing[:3]!r}"
        )


def prove_the_probe_works(page: Page, findings: Findings) -> None:
    """With the CSP off an inline script runs, and each of the three signs is noticed."""
    page.goto("/")
    page.add_script_tag(content="window.__inline_ran = true;")
    assert page.evaluate("() => window.__inline_ran === true"), "the CSP is not off"
    page.evaluate(
        "() => document.body.insertAdjacentHTML('beforeend', "
        "'<img src=x onerror=\"alert(window.__xss=1);fetch(`/__xss_sentinel__`)\">')"
    )
    page.wait_for_function("() => window.__xss === 1")
    page.wait_for_timeout(200)
    assert findings.dialogs, "the dialog was not noticed"
    assert findings.requests, "the sentinel request was not noticed"
    assert any("handler" in found for found in page.evaluate(DOM_PROBE))
    findings.dialogs.clear()
    findings.requests.clear()


def run(context: BrowserContext, checks: list[Check], findings: Findings) -> None:
    page = context.new_page()
    findings.watch(page)
    for check in checks:
        visit(page, findings, check)
    page.close()


def test_no_payload_runs_on_any_page(
    browser: Browser,
    no_csp_context: BrowserContext,
    sign_in: SignIn,
    long_lists: None,
    quiet_tasks: None,
    council: Council,
    officer: User,
    moderator: User,
    councillor_user: User,
) -> None:
    scene: Scene = xss_scene.build(council, officer, moderator, councillor_user)
    assert len(scene.payloads) >= 100
    findings = Findings()

    probe = no_csp_context.new_page()
    findings.watch(probe)
    prove_the_probe_works(probe, findings)
    probe.close()

    run(no_csp_context, scene.checks, findings)
    no_csp_context.clear_cookies()
    sign_in(no_csp_context, officer)
    run(no_csp_context, scene.staff_checks, findings)
    no_csp_context.clear_cookies()
    sign_in(no_csp_context, councillor_user)
    run(no_csp_context, scene.councillor_checks, findings)

    assert not findings.dialogs, findings.report()
    assert not findings.requests, findings.report()
    assert not findings.problems, findings.report()
