"""Moderation in a real browser: every page it adds meets WCAG 2.2 AA (axe-core), in
English, wrong forms included; none breaks the Content-Security-Policy; the report
form works without JavaScript."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from moothall.accounts.models import User
from moothall.councils.models import Council
from moothall.moderation import domain
from moothall.moderation.models import Flag
from tests import factories
from tests.browser.conftest import (
    AxeAudit,
    Console,
    ScriptsRan,
    SignIn,
    submit,
)
from tests.public.area import Area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]


@pytest.fixture
def council(area: Area) -> Council:
    return area.county


@pytest.fixture
def scene(council, resident, moderator, council_admin, officer):
    from moothall.budgeting import domain as budgeting
    from moothall.budgeting.models import Phase
    from moothall.ideas import domain as ideas
    from tests.moderation.scene import build_scene

    made = build_scene(council, resident)
    domain.set_space_mode(council_admin, council, "ideas", "pre")
    made.waiting = ideas.propose_idea(
        resident, council, title="A pond for newts", body="In Moot Park, please."
    )
    # A budget process that checks proposals first: one waits, one was rejected (hidden).
    fund = budgeting.create_process(officer, council, title="Mootshire Fund", summary="Yours.")
    budgeting.set_budget(officer, fund, amount=100_000)
    fund = budgeting.change_phase(officer, fund, Phase.IDEAS)
    fund = budgeting.update_process(officer, fund, pre_moderation=True)
    made.waiting_project = budgeting.propose_project(
        resident, fund, title="Swings on the green", description="For the little ones."
    )
    made.hidden_project = budgeting.propose_project(
        resident, fund, title="Cheap watches", description="Buy now."
    )
    domain.hide(moderator, "budget_project", made.hidden_project, rule="spam")
    reporter = factories.UserFactory(email="rob.reporter@example.org", name="Rob Reporter")
    domain.flag(reporter, "live_comment", made.live_comment, reason="spam", note="An advert")
    domain.hide(moderator, "statement", made.statement, rule="abusive")
    domain.ban(moderator, "statement", made.statement, rule="abusive", days=7)
    return made


def _report(scene) -> str:
    return f"/mootshire/report/idea_comment/{scene.idea_comment.pk}/"


def _item(scene) -> str:
    return f"/mootshire/staff/moderation/items/live_comment/{scene.live_comment.pk}/"


def walk_resident(page: Page, check, scene) -> None:
    page.goto(scene.idea.get_absolute_url())
    page.get_by_role("link", name="Report the comment by Rita Resident").click()
    check("report form", _report(scene))
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("report form, sent wrong", _report(scene))
    page.get_by_label("Off topic").check()
    submit(page)
    check("report sent", _report(scene))
    page.goto("/mootshire/moderation-log/")
    check("public moderation log", "/mootshire/moderation-log/")
    hidden = scene.hidden_project.get_absolute_url()
    page.goto(hidden)
    expect(page.get_by_role("heading", name="This project has been hidden")).to_be_visible()
    check("hidden budget project", hidden)


def walk_author(page: Page, check, scene) -> None:
    url = scene.waiting.get_absolute_url()
    page.goto(url)
    expect(page.get_by_role("heading", name="Waiting to be checked")).to_be_visible()
    check("waiting idea, seen by its author", url)
    project = scene.waiting_project.get_absolute_url()
    page.goto(project)
    check("waiting budget project, seen by its proposer", project)


def walk_staff(page: Page, check) -> None:
    queue = "/mootshire/staff/moderation/"
    page.goto(queue)
    check("moderation queue", queue)
    page.get_by_role("link", name="Comment at a live meeting").click()
    item = urlsplit(page.url).path
    check("moderation item", item)
    page.locator("form[action$='/hide/'] button[type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("moderation item, hidden wrong", item + "hide/")
    page.goto("/mootshire/staff/moderation/bans/")
    check("bans", "/mootshire/staff/moderation/bans/")
    waiting = "/mootshire/staff/moderation/waiting/"
    page.goto(waiting)
    check("waiting to be checked", waiting)
    page.get_by_role("link", name="Check this idea or need").click()
    item = urlsplit(page.url).path
    check("moderation item, waiting", item)
    page.get_by_role("button", name="Approve and publish it").click()
    expect(page.get_by_text("It is published, and its author has been told.")).to_be_visible()
    check("moderation item, approved", item)


def walk_admin(page: Page, check) -> None:
    page.goto("/mootshire/staff/moderation/settings/")
    check("moderation settings", "/mootshire/staff/moderation/settings/")


PAGES = [
    "report form",
    "report form, sent wrong",
    "report sent",
    "public moderation log",
    "hidden budget project",
    "waiting idea, seen by its author",
    "waiting budget project, seen by its proposer",
    "moderation queue",
    "moderation item",
    "moderation item, hidden wrong",
    "bans",
    "waiting to be checked",
    "moderation item, waiting",
    "moderation item, approved",
    "moderation settings",
]


def test_every_moderation_page_meets_wcag_2_2_aa(
    axe_context: BrowserContext,
    sign_in: SignIn,
    scene,
    resident: User,
    moderator: User,
    council_admin: User,
):
    audit = AxeAudit(axe_context.new_page(), "en-GB")
    reporter = factories.UserFactory(email="ria.reader@example.org", name="Ria Reader")
    sign_in(axe_context, reporter)
    walk_resident(audit.page, audit, scene)
    axe_context.clear_cookies()
    sign_in(axe_context, resident)
    walk_author(audit.page, audit, scene)
    axe_context.clear_cookies()
    sign_in(axe_context, moderator)
    walk_staff(audit.page, audit)
    axe_context.clear_cookies()
    sign_in(axe_context, council_admin)
    walk_admin(audit.page, audit)

    assert audit.seen == PAGES
    assert audit.failures == {}, audit.report()
    assert Flag.objects.filter(reporter=reporter, reason="off_topic").count() == 1


def test_no_moderation_page_breaks_the_content_security_policy(
    context: BrowserContext,
    console: Console,
    sign_in: SignIn,
    scene,
    resident: User,
    moderator: User,
    council_admin: User,
):
    page = console.listen(context.new_page())
    scripts = ScriptsRan(page)
    sign_in(context, factories.UserFactory(email="ria.reader@example.org", name="Ria Reader"))
    walk_resident(page, scripts, scene)
    context.clear_cookies()
    sign_in(context, resident)
    walk_author(page, scripts, scene)
    context.clear_cookies()
    sign_in(context, moderator)
    walk_staff(page, scripts)
    context.clear_cookies()
    sign_in(context, council_admin)
    walk_admin(page, scripts)

    assert scripts.seen == PAGES
    assert console.csp_violations == []
    assert console.page_errors == []


def test_reporting_works_without_javascript(no_js_context: BrowserContext, sign_in: SignIn, scene):
    reporter = factories.UserFactory(email="ria.reader@example.org", name="Ria Reader")
    sign_in(no_js_context, reporter)
    page = no_js_context.new_page()
    page.goto(_report(scene))
    page.get_by_label("Shares someone's personal information").check()
    page.get_by_label("Anything the moderators should know (optional)").fill("My address")
    submit(page)
    expect(page.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert Flag.objects.get(reporter=reporter).reason == "personal"
