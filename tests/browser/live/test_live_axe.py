"""Live meetings and the record, in a real browser: WCAG 2.2 AA (in English and in Welsh)
and the Content-Security-Policy.

A resident follows the Cabinet's meeting from before it starts to its end (the live page
not started, then as the stream changed it, live with a blog post, a photo, comments and
the forms, the comment form sent empty, the meeting page with its "live" banner, private session, ended), then reads
the recording and transcript of the meeting before. The clerk's console is seen at each
stage, with the moderation queue holding a comment and a photo, the recordings pages
and the form to add one; a council administrator opens the live settings. axe-core
finds nothing on any of them, and none breaks the Content-Security-Policy (with scripts
on, as a visitor sees them).

Served by uvicorn, as the live pages need (see ``tests/browser/live_scene.py``); the
pages that follow the stream do so while axe runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from moothall.accounts.models import User
from moothall.live import contributions
from moothall.live import domain as live
from tests.browser.conftest import AxeAudit, Console, ScriptsRan, submit
from tests.browser.live.conftest import new_context
from tests.browser.live_scene import (
    LiveScene,
    go_live_on_budget,
    moderate_first,
    news_from_the_meeting,
    sign_in_at,
)
from tests.live.contributions_scene import picture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

STAFF = "/mootshire/staff/meetings"


@pytest.fixture
def resident_context(browser: Browser, asgi: str) -> Iterator[BrowserContext]:
    """For axe-core only: our CSP would (rightly) refuse the injected script."""
    yield from new_context(browser, asgi, bypass_csp=True)


@pytest.fixture
def staff_context(browser: Browser, asgi: str) -> Iterator[BrowserContext]:
    yield from new_context(browser, asgi, bypass_csp=True)


def _speak(context: BrowserContext, base_url: str, language: str) -> None:
    if language != "en-GB":
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
        )


class Check(Protocol):
    """What looks at each page: an :class:`AxeAudit` or a :class:`ScriptsRan`."""

    page: Page
    seen: list[str]

    def __call__(self, label: str, path: str) -> None: ...


class Walk:
    """Two people, each with a page, checked in turn; ``visit`` goes and checks."""

    def __init__(self, resident: Check, staff: Check) -> None:
        self.resident = resident
        self.staff = staff

    def visit(self, check: Check, label: str, path: str) -> None:
        check.page.goto(path)
        check(label, path)

    @property
    def seen(self) -> list[str]:
        return self.resident.seen + self.staff.seen


def walk_the_meeting(walk: Walk, scene: LiveScene) -> None:
    clerk, meeting = scene.officer, scene.meeting
    held, recording = scene.held.pk, scene.recording.pk
    resident, staff = walk.resident, walk.staff
    console = scene.console_path

    walk.visit(resident, "live page, not started", scene.live_path)
    walk.visit(staff, "console, not started", console)

    # The page loaded before the start follows it: what the script builds is checked too.
    page = resident.page
    expect(page.locator("#live-refresh")).to_be_hidden()
    go_live_on_budget(scene)
    news_from_the_meeting(scene)
    expect(page.locator("[data-live-item=public]")).to_have_text("2. Library budget")
    for kind in ("blog", "comment", "media"):
        expect(page.locator(f"[data-live-list={kind}] > li")).to_have_count(1)
    expect(page.locator("#comment-form")).to_be_visible()
    resident("live page, updated by the stream", scene.live_path)

    walk.visit(resident, "live page, live", scene.live_path)
    expect(page.locator("#comment-form")).to_be_visible()
    submit(page, "#comment-form")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    resident("live page, comment sent empty", f"{scene.live_path}comment")
    walk.visit(resident, "meeting page with its live banner", scene.meeting_path)
    expect(page.locator("#live-banner")).to_be_visible()
    walk.visit(staff, "console, live", console)
    submit(staff.page, f"form[action='{console}blog/']")
    staff("console, blog post sent empty", f"{console}blog/")

    moderate_first(scene.council)
    contributions.post_comment(scene.resident, meeting, text="When will the vote be?")
    contributions.upload_media(scene.resident, meeting, data=picture(), caption="The vote")
    walk.visit(staff, "moderation queue with pending items", f"{STAFF}/live/moderation/")
    expect(staff.page.locator("main")).to_contain_text("When will the vote be?")

    live.next_item(clerk, meeting)  # 3. exempt
    walk.visit(resident, "live page, private session", scene.live_path)
    expect(page.locator("#private-session")).to_be_visible()
    walk.visit(staff, "console, private session", console)

    live.adjourn(clerk, meeting, reason="Until 8pm")
    walk.visit(resident, "live page, adjourned", scene.live_path)
    walk.visit(resident, "meeting page, adjourned", scene.meeting_path)
    walk.visit(staff, "console, adjourned", console)
    live.resume(clerk, meeting)

    live.end_live(clerk, meeting)
    walk.visit(resident, "live page, ended", scene.live_path)
    walk.visit(resident, "meeting page, ended", scene.meeting_path)
    walk.visit(staff, "console, ended", console)

    walk.visit(resident, "a held meeting with its recording", f"/mootshire/meetings/{held}/")
    walk.visit(
        resident,
        "a recording and its transcript",
        f"/mootshire/meetings/{held}/recordings/{recording}/",
    )
    expect(page.locator("main")).to_contain_text("mobile library")
    expect(page.locator("main")).not_to_contain_text("two million")

    walk.visit(staff, "recordings of a meeting", f"{STAFF}/{held}/recordings/")
    walk.visit(staff, "a recording", f"{STAFF}/{held}/recordings/{recording}/")
    walk.visit(staff, "add a recording", f"{STAFF}/{held}/recordings/new/")
    submit(staff.page)
    expect(staff.page.locator(".govuk-error-summary")).to_be_visible()
    staff("add a recording, sent empty", f"{STAFF}/{held}/recordings/new/")


RESIDENT_PAGES = [
    "live page, not started",
    "live page, updated by the stream",
    "live page, live",
    "live page, comment sent empty",
    "meeting page with its live banner",
    "live page, private session",
    "live page, adjourned",
    "meeting page, adjourned",
    "live page, ended",
    "meeting page, ended",
    "a held meeting with its recording",
    "a recording and its transcript",
]
STAFF_PAGES = [
    "console, not started",
    "console, live",
    "console, blog post sent empty",
    "moderation queue with pending items",
    "console, private session",
    "console, adjourned",
    "console, ended",
    "recordings of a meeting",
    "a recording",
    "add a recording",
    "add a recording, sent empty",
]
ADMIN_PAGES = ["live settings", "live settings, out of range"]


def walk_the_settings(walk: Walk) -> None:
    page = walk.staff.page
    settings_path = f"{STAFF}/live/settings/"
    walk.visit(walk.staff, "live settings", settings_path)
    page.locator("#id_comment_max_length").fill("10")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    walk.staff("live settings, out of range", settings_path)


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_every_live_and_record_page_meets_wcag_2_2_aa(
    resident_context: BrowserContext,
    staff_context: BrowserContext,
    asgi: str,
    scene: LiveScene,
    council_admin: User,
    language: str,
):
    for context, person in ((resident_context, scene.resident), (staff_context, scene.officer)):
        _speak(context, asgi, language)
        sign_in_at(context, asgi, person)
    resident_audit = AxeAudit(resident_context.new_page(), language)
    staff_audit = AxeAudit(staff_context.new_page(), language)
    walk = Walk(resident_audit, staff_audit)

    walk_the_meeting(walk, scene)

    # The live settings are the council administrator's.
    staff_context.clear_cookies()
    _speak(staff_context, asgi, language)
    sign_in_at(staff_context, asgi, council_admin)
    walk_the_settings(walk)

    assert walk.seen == RESIDENT_PAGES + STAFF_PAGES + ADMIN_PAGES
    failures = {**resident_audit.failures, **staff_audit.failures}
    report = "\n\n".join(audit.report() for audit in (resident_audit, staff_audit))
    assert failures == {}, report


# --- Content-Security-Policy --------------------------------------------------------------------


@pytest.fixture
def resident_scripts_on(browser: Browser, asgi: str) -> Iterator[BrowserContext]:
    yield from new_context(browser, asgi)


@pytest.fixture
def staff_scripts_on(browser: Browser, asgi: str) -> Iterator[BrowserContext]:
    yield from new_context(browser, asgi)


def test_no_live_or_record_page_breaks_the_content_security_policy(
    resident_scripts_on: BrowserContext,
    staff_scripts_on: BrowserContext,
    console: Console,
    asgi: str,
    scene: LiveScene,
    council_admin: User,
):
    sign_in_at(resident_scripts_on, asgi, scene.resident)
    sign_in_at(staff_scripts_on, asgi, scene.officer)
    walk = Walk(
        ScriptsRan(console.listen(resident_scripts_on.new_page())),
        ScriptsRan(console.listen(staff_scripts_on.new_page())),
    )

    walk_the_meeting(walk, scene)
    staff_scripts_on.clear_cookies()
    sign_in_at(staff_scripts_on, asgi, council_admin)
    walk_the_settings(walk)

    assert walk.seen == RESIDENT_PAGES + STAFF_PAGES + ADMIN_PAGES
    assert console.csp_violations == []
    assert console.page_errors == []
