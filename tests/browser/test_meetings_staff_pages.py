"""The clerk's back-office for meetings, in a real browser: WCAG 2.2 AA and the CSP.

An officer (the clerk) walks every meetings screen of Mootshire's back-office, in English
and in Welsh: the lists, a meeting's workspace (a held meeting with its whole record, an
upcoming one with its agenda out, one whose deadline has passed), every form, and the
forms sent wrong so their errors show; then a council administrator opens the meeting
rules. axe-core finds nothing on any of them, and none breaks the Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from moothall.accounts.models import User
from moothall.councils.models import Council
from tests.browser.conftest import AxeAudit, Console, ScriptsRan, SignIn, Speak, submit
from tests.browser.meetings_scene import BrowserScene, build_browser_scene, mootshire

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

Check = Callable[[str, str], None]

STAFF = "/mootshire/staff/meetings"


@pytest.fixture
def council(transactional_db) -> Council:
    return mootshire()


@pytest.fixture
def scene(council: Council, resident: User) -> BrowserScene:
    return build_browser_scene(council, resident)


def sent_wrong(page: Page, check: Check, label: str, path: str) -> None:
    """Send the form at ``path`` as it is (empty, or made wrong by the caller) and check the
    page that comes back, whose error summary has taken the focus."""
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check(label, path)


def walk_as_clerk(page: Page, check: Check, scene: BrowserScene) -> None:
    public = scene.public
    held, upcoming, soon = public.held.pk, public.upcoming.pk, scene.soon.pk
    body = public.body.pk

    def visit(label: str, path: str) -> None:
        page.goto(path)
        check(label, path)

    visit("meetings", f"{STAFF}/")
    visit("past meetings", f"{STAFF}/?when=past")
    visit("schedule a meeting", f"{STAFF}/new/")
    sent_wrong(page, check, "schedule a meeting, sent empty", f"{STAFF}/new/")

    visit("workspace of a held meeting", f"{STAFF}/{held}/")
    visit("workspace of an upcoming meeting", f"{STAFF}/{upcoming}/")
    visit("workspace of a meeting past its deadline", f"{STAFF}/{soon}/")
    visit("change a meeting", f"{STAFF}/{held}/edit/")
    visit("publish a late agenda", f"{STAFF}/{soon}/publish/")
    sent_wrong(
        page, check, "publish a late agenda, sent without a reason", f"{STAFF}/{soon}/publish/"
    )
    visit("postpone a meeting", f"{STAFF}/{upcoming}/postpone/")
    visit("cancel a meeting", f"{STAFF}/{upcoming}/cancel/")

    visit("add an agenda item", f"{STAFF}/{held}/items/new/")
    sent_wrong(page, check, "add an agenda item, sent empty", f"{STAFF}/{held}/items/new/")
    visit("change an agenda item", f"{STAFF}/{held}/items/{public.report.pk}/edit/")
    visit("withdraw an agenda item", f"{STAFF}/{held}/items/{public.appendix.pk}/remove/")
    visit("attach a document", f"{STAFF}/{held}/documents/new/")
    sent_wrong(page, check, "attach a document, sent empty", f"{STAFF}/{held}/documents/new/")
    visit("remove a document", f"{STAFF}/documents/{public.report_pdf.pk}/remove/")

    visit("attendance", f"{STAFF}/{held}/attendance/")
    visit("record a declaration", f"{STAFF}/{held}/declarations/new/")
    visit("record a vote", f"{STAFF}/{held}/votes/new/")
    sent_wrong(page, check, "record a vote, sent empty", f"{STAFF}/{held}/votes/new/")
    visit("record a decision", f"{STAFF}/{held}/decisions/new/")
    sent_wrong(page, check, "record a decision, sent empty", f"{STAFF}/{held}/decisions/new/")
    visit("change a decision's status", f"{STAFF}/decisions/{public.decision.pk}/status/")
    visit("publish the minutes", f"{STAFF}/{held}/minutes/")

    visit("bodies", f"{STAFF}/bodies/")
    visit("add a body", f"{STAFF}/bodies/new/")
    visit("a body", f"{STAFF}/bodies/{body}/")
    visit("add a member", f"{STAFF}/bodies/{body}/members/new/")
    visit("end a membership", f"{STAFF}/bodies/{body}/members/{scene.membership.pk}/end/")
    visit("forward plan", f"{STAFF}/forward-plan/")
    visit("add to the forward plan", f"{STAFF}/forward-plan/new/")
    visit("submissions queue", f"{STAFF}/submissions/")
    visit("a submission", f"{STAFF}/submissions/{scene.pending.pk}/")
    sent_wrong(page, check, "a submission, sent empty", f"{STAFF}/submissions/{scene.pending.pk}/")


def walk_as_admin(page: Page, check: Check) -> None:
    page.goto(f"{STAFF}/settings/")
    check("meeting rules", f"{STAFF}/settings/")
    page.locator("#id_notice_clear_days").fill("99")
    sent_wrong(page, check, "meeting rules, out of range", f"{STAFF}/settings/")


CLERK_PAGES = [
    "meetings",
    "past meetings",
    "schedule a meeting",
    "schedule a meeting, sent empty",
    "workspace of a held meeting",
    "workspace of an upcoming meeting",
    "workspace of a meeting past its deadline",
    "change a meeting",
    "publish a late agenda",
    "publish a late agenda, sent without a reason",
    "postpone a meeting",
    "cancel a meeting",
    "add an agenda item",
    "add an agenda item, sent empty",
    "change an agenda item",
    "withdraw an agenda item",
    "attach a document",
    "attach a document, sent empty",
    "remove a document",
    "attendance",
    "record a declaration",
    "record a vote",
    "record a vote, sent empty",
    "record a decision",
    "record a decision, sent empty",
    "change a decision's status",
    "publish the minutes",
    "bodies",
    "add a body",
    "a body",
    "add a member",
    "end a membership",
    "forward plan",
    "add to the forward plan",
    "submissions queue",
    "a submission",
    "a submission, sent empty",
]
ADMIN_PAGES = ["meeting rules", "meeting rules, out of range"]


# --- Accessibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_every_back_office_meetings_page_meets_wcag_2_2_aa(
    axe_context: BrowserContext,
    speak: Speak,
    sign_in: SignIn,
    scene: BrowserScene,
    officer: User,
    council_admin: User,
    language: str,
):
    speak(axe_context, language)
    sign_in(axe_context, officer)
    audit = AxeAudit(axe_context.new_page(), language)

    walk_as_clerk(audit.page, audit, scene)
    axe_context.clear_cookies()
    speak(axe_context, language)
    sign_in(axe_context, council_admin)
    walk_as_admin(audit.page, audit)

    assert audit.seen == CLERK_PAGES + ADMIN_PAGES
    assert audit.failures == {}, audit.report()


# --- Content-Security-Policy --------------------------------------------------------------------


def test_no_back_office_meetings_page_breaks_the_content_security_policy(
    context: BrowserContext,
    console: Console,
    sign_in: SignIn,
    scene: BrowserScene,
    officer: User,
    council_admin: User,
):
    sign_in(context, officer)
    page = console.listen(context.new_page())
    scripts = ScriptsRan(page)

    walk_as_clerk(page, scripts, scene)
    context.clear_cookies()
    sign_in(context, council_admin)
    walk_as_admin(page, scripts)

    assert scripts.seen == CLERK_PAGES + ADMIN_PAGES
    assert console.csp_violations == []
    assert console.page_errors == []
