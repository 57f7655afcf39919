"""Participatory budgeting in a real browser: every new page meets WCAG 2.2 AA (axe-core).

On the scene of ``budget_scene`` (a process in every phase), built once for the module:
the public pages signed out (the processes, a process in each phase, the projects and
their filters, a project on the ballot, rejected, merged, proposed, funded with its
delivery, not funded; results and one budget's result under both rules; delivery), then
as Mo Moot (proposing, with its errors; voting on each kind of ballot, with their errors;
the vote saved; taking it back), then the back-office as Olive Officer (processes,
settings, budgets, phase and its confirmation, projects and their review, edit, merge and
new forms, paper ballots, results, delivery). Forms are also sent wrong, so their error
summaries are audited too, and those summaries must take the focus.

The walk is done once per audience (a module fixture); each page is then its own test
(parametrized by the page's label), so a failure names the page and axe's findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from moothall.accounts.models import User
from tests.browser.budget_scene import BudgetScene, build_budget_scene
from tests.browser.conftest import (
    AXE_PATH,
    WCAG_TAGS,
    AxeAudit,
    at_path,
    describe,
    submit,
)

pytestmark = [pytest.mark.browser]

Check = Callable[[str, str], None]

PUBLIC = "/mootshire/budgets/"
STAFF = "/mootshire/staff/budgets/"


class Audit(AxeAudit):
    """``AxeAudit`` asking axe for its violations only (about three times faster)."""

    def __call__(self, label: str, path: str) -> None:
        at_path(self.page, path)
        assert self.page.locator("html").get_attribute("lang") == self.language, label
        self.page.add_script_tag(path=str(AXE_PATH))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document,"
            " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        if result["violations"]:
            self.failures[label] = describe(result["violations"])
        self.seen.append(label)


def sign_in(context: BrowserContext, live_server, user: User) -> None:
    """As the conftest's ``sign_in``: a session made by Django's test client."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


@contextmanager
def audit_context(browser: Browser, live_server, **options: object) -> Iterator[BrowserContext]:
    """As the conftest's ``axe_context`` (our CSP would refuse axe), for a module fixture."""
    options.setdefault("bypass_csp", True)
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def go(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == status, (path, response.status)


def sent_wrong(page: Page, check: Check, label: str, path: str, form: str = "main form") -> None:
    """Send ``form`` as it is; the page that comes back has its error summary focused."""
    submit(page, form)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check(label, path)


def press(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


# --- The walks: each visits pages in order and calls ``check(label, path)`` on each ---------------


def walk_public(page: Page, check: Check, scene: BudgetScene) -> None:
    """Signed out: what anyone may read."""
    chest, ideas = f"{PUBLIC}{scene.chest.slug}/", f"{PUBLIC}{scene.ideas.slug}/"
    shares, greedy = f"{PUBLIC}{scene.shares.slug}/", f"{PUBLIC}{scene.greedy.slug}/"

    def visit(label: str, path: str, status: int = 200) -> None:
        go(page, path, status)
        check(label, path)

    visit("processes", PUBLIC)
    visit("a process collecting ideas", ideas)
    visit("a process being checked and costed", f"{PUBLIC}{scene.review.slug}/")
    visit("a process in voting: approval, knapsack", chest)
    visit("a process in voting: points", f"{PUBLIC}{scene.points.slug}/")
    visit("a process in voting: ranking", f"{PUBLIC}{scene.ranked.slug}/")
    visit("a process with results: Equal Shares, add1", shares)
    visit("a process in delivery: most votes first", greedy)
    visit("projects on the ballot", f"{chest}projects/")
    visit(
        "projects, filtered",
        f"{chest}projects/?budget={scene.base.moot_budget.pk}&status=rejected",
    )
    visit("projects proposed", f"{ideas}projects/")
    visit("projects, nothing found", f"{ideas}projects/?status=merged")
    visit("projects after the results, funded", f"{greedy}projects/?status=funded")
    visit("a project on the ballot", scene.project("library").get_absolute_url())
    visit("a rejected project", scene.rejected.get_absolute_url())
    visit("a merged project", scene.merged.get_absolute_url())
    visit("a proposed project with a picture and a place", scene.proposal.get_absolute_url())
    visit("a funded project with delivery updates", scene.library_hours.get_absolute_url())
    expect(page.locator("#updates > li")).to_have_count(2)
    expect(page.locator("#updates img")).to_have_attribute(
        "alt", "Readers at the library on a Saturday"
    )
    visit("a project that did not fit", scene.play_area.get_absolute_url())
    visit("a project Equal Shares did not fund", scene.bridge.get_absolute_url())
    expect(page.locator("#result")).to_contain_text("most of their money went to Bus shelters")
    visit("propose a project, signed out", f"{ideas}projects/new/")
    visit("vote, signed out", f"{chest}vote/")
    visit("a ballot, signed out", f"{chest}vote/{scene.base.whole.pk}/")
    visit("results not published yet", f"{chest}results/")
    visit("results: Equal Shares, add1", f"{shares}results/")
    expect(page.locator("main table tbody tr")).to_have_count(5)
    visit("one budget's result: Equal Shares", f"{shares}results/{scene.shares_budget.pk}/")
    visit("results: most votes first", f"{greedy}results/")
    visit("one budget's result: most votes first", f"{greedy}results/{scene.greedy_budget.pk}/")
    visit("delivery", f"{greedy}delivery/")
    visit("delivery, not yet", f"{chest}delivery/")


PUBLIC_PAGES = [
    "processes",
    "a process collecting ideas",
    "a process being checked and costed",
    "a process in voting: approval, knapsack",
    "a process in voting: points",
    "a process in voting: ranking",
    "a process with results: Equal Shares, add1",
    "a process in delivery: most votes first",
    "projects on the ballot",
    "projects, filtered",
    "projects proposed",
    "projects, nothing found",
    "projects after the results, funded",
    "a project on the ballot",
    "a rejected project",
    "a merged project",
    "a proposed project with a picture and a place",
    "a funded project with delivery updates",
    "a project that did not fit",
    "a project Equal Shares did not fund",
    "propose a project, signed out",
    "vote, signed out",
    "a ballot, signed out",
    "results not published yet",
    "results: Equal Shares, add1",
    "one budget's result: Equal Shares",
    "results: most votes first",
    "one budget's result: most votes first",
    "delivery",
    "delivery, not yet",
]


def walk_as_resident(page: Page, check: Check, scene: BudgetScene) -> None:
    """Mo Moot: proposes, votes on each kind of ballot (wrong first), takes a vote back."""
    chest, ideas = f"{PUBLIC}{scene.chest.slug}/", f"{PUBLIC}{scene.ideas.slug}/"
    whole = f"{chest}vote/{scene.base.whole.pk}/"
    moot = f"{chest}vote/{scene.base.moot_budget.pk}/"
    points = f"{PUBLIC}{scene.points.slug}/vote/{scene.points_budget.pk}/"
    ranked = f"{PUBLIC}{scene.ranked.slug}/vote/{scene.ranked_budget.pk}/"
    proposal = scene.proposal.get_absolute_url()

    def visit(label: str, path: str, status: int = 200) -> None:
        go(page, path, status)
        check(label, path)

    visit("propose a project", f"{ideas}projects/new/")
    sent_wrong(page, check, "propose a project, sent empty", f"{ideas}projects/new/")
    visit("your proposed project", proposal)
    visit("change your project", f"{proposal}edit/")
    page.locator("#id_title").fill("")
    sent_wrong(page, check, "change your project, sent wrong", f"{proposal}edit/")
    visit("withdraw your project", f"{proposal}withdraw/")

    visit("vote: your budgets", f"{chest}vote/")
    visit("an approval ballot with a budget cap", whole)
    for key in ("library", "trees"):
        page.locator(f"#choice-{scene.project(key).pk}").check()
    expect(page.locator("#ballot-left")).to_have_text("That is £10,000 more than the budget.")
    press(page, "Check my choices")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("an approval ballot, over the budget", whole)
    page.locator(f"#choice-{scene.project('trees').pk}").uncheck()
    press(page, "Check my choices")
    expect(page.locator("#ballot-ok")).to_be_visible()
    check("an approval ballot, checked", whole)
    visit("an approval ballot you voted on", moot)
    visit("your vote is saved", f"{moot}done/")
    visit("take back your vote", f"{moot}withdraw/")
    visit("a ballot outside your ward", f"{chest}vote/{scene.base.hill_budget.pk}/")

    visit("a points ballot", points)
    fields = page.locator("#ballot input[inputmode=numeric]")
    fields.nth(0).fill("6")
    fields.nth(1).fill("6")
    press(page, "Check my choices")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("a points ballot, too many points", points)
    fields.nth(0).fill("9")
    fields.nth(1).fill("1")
    press(page, "Check my choices")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("a points ballot, too many on one project", points)
    fields.nth(0).fill("6")
    fields.nth(1).fill("4")
    press(page, "Submit my vote")
    check("a points vote saved", f"{points}done/")

    visit("a ranking ballot", ranked)
    ranks = page.locator("#ballot select")
    ranks.nth(0).select_option("1")
    ranks.nth(1).select_option("1")
    press(page, "Check my choices")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("a ranking ballot, the same rank twice", ranked)
    ranks.nth(1).select_option("2")
    press(page, "Submit my vote")
    check("a ranking vote saved", f"{ranked}done/")


RESIDENT_PAGES = [
    "propose a project",
    "propose a project, sent empty",
    "your proposed project",
    "change your project",
    "change your project, sent wrong",
    "withdraw your project",
    "vote: your budgets",
    "an approval ballot with a budget cap",
    "an approval ballot, over the budget",
    "an approval ballot, checked",
    "an approval ballot you voted on",
    "your vote is saved",
    "take back your vote",
    "a ballot outside your ward",
    "a points ballot",
    "a points ballot, too many points",
    "a points ballot, too many on one project",
    "a points vote saved",
    "a ranking ballot",
    "a ranking ballot, the same rank twice",
    "a ranking vote saved",
]


def walk_staff(page: Page, check: Check, scene: BudgetScene) -> None:
    """Olive Officer: every screen of the participatory budgeting back-office."""
    chest, draft = f"{STAFF}{scene.chest.pk}/", f"{STAFF}{scene.draft.pk}/"
    review = f"{STAFF}{scene.review.pk}/"
    to_review = f"{review}projects/{scene.to_review.pk}/"
    greedy = f"{STAFF}{scene.greedy.pk}/"
    draft_budget = scene.draft.budgets.get()

    def visit(label: str, path: str, status: int = 200) -> None:
        go(page, path, status)
        check(label, path)

    visit("staff processes", STAFF)
    visit("create a process", f"{STAFF}new/")
    sent_wrong(page, check, "create a process, sent empty", f"{STAFF}new/")
    visit("a process being prepared", draft)
    visit("a process in voting", chest)
    visit("settings of a process being prepared", f"{draft}edit/")
    page.locator("#id_title").fill("")
    sent_wrong(page, check, "settings, sent wrong", f"{draft}edit/")
    visit("settings once voting has started", f"{chest}edit/")
    visit("budgets", f"{draft}budgets/")
    sent_wrong(page, check, "budgets, sent empty", f"{draft}budgets/")
    visit("change a budget", f"{draft}budgets/{draft_budget.pk}/")
    visit("remove a budget", f"{draft}budgets/{draft_budget.pk}/remove/")
    visit("a public page of a process being prepared", f"{PUBLIC}{scene.draft.slug}/")
    visit("phase", f"{review}phase/")
    sent_wrong(page, check, "phase, sent empty", f"{review}phase/")
    page.locator("input[name=to][value=voting]").check()
    submit(page)
    expect(page.locator("main form input[name=confirmed]")).to_have_count(1)
    check("phase, confirm", f"{review}phase/")
    visit("projects", f"{review}projects/")
    visit("projects, filtered", f"{review}projects/?status=proposed")
    visit("a project to check", to_review)
    visit("review a project", f"{to_review}review/")
    page.locator("#id_cost").fill("")
    sent_wrong(page, check, "review a project, sent empty", f"{to_review}review/")
    visit("edit a project", f"{to_review}edit/")
    visit("merge a project", f"{to_review}merge/")
    sent_wrong(page, check, "merge a project, sent empty", f"{to_review}merge/")
    visit("add a costed project", f"{review}projects/new/")
    sent_wrong(page, check, "add a costed project, sent empty", f"{review}projects/new/")
    visit("paper ballots and turnout", f"{chest}paper/")
    whole = f"{chest}paper/{scene.base.whole.pk}/"
    visit("enter a paper ballot: approval", whole)
    page.locator("#id_reference").fill("CW-0001")
    for label in ("Longer library opening (£60,000)", "A thousand street trees (£50,000)"):
        page.get_by_label(label).check()
    sent_wrong(page, check, "enter a paper ballot, over the budget", whole)
    points = f"{STAFF}{scene.points.pk}/paper/{scene.points_budget.pk}/"
    visit("enter a paper ballot: points", points)
    sent_wrong(page, check, "enter a paper ballot: points, sent empty", points)
    visit(
        "enter a paper ballot: ranking", f"{STAFF}{scene.ranked.pk}/paper/{scene.ranked_budget.pk}/"
    )
    visit("remove a paper ballot", f"{chest}paper/ballots/{scene.paper.pk}/void/")
    sent_wrong(
        page,
        check,
        "remove a paper ballot, sent empty",
        f"{chest}paper/ballots/{scene.paper.pk}/void/",
    )
    visit("results before voting closes", f"{chest}results/")
    visit("results: Equal Shares, add1", f"{STAFF}{scene.shares.pk}/results/")
    visit("results: most votes first", f"{greedy}results/")
    visit("delivery", f"{greedy}delivery/")
    report = f"{greedy}delivery/{scene.library_hours.pk}/"
    visit("post a delivery update", report)
    page.locator("#id_progress").fill("")
    sent_wrong(page, check, "post a delivery update, sent empty", report)
    visit("a funded project", f"{greedy}projects/{scene.library_hours.pk}/")


STAFF_PAGES = [
    "staff processes",
    "create a process",
    "create a process, sent empty",
    "a process being prepared",
    "a process in voting",
    "settings of a process being prepared",
    "settings, sent wrong",
    "settings once voting has started",
    "budgets",
    "budgets, sent empty",
    "change a budget",
    "remove a budget",
    "a public page of a process being prepared",
    "phase",
    "phase, sent empty",
    "phase, confirm",
    "projects",
    "projects, filtered",
    "a project to check",
    "review a project",
    "review a project, sent empty",
    "edit a project",
    "merge a project",
    "merge a project, sent empty",
    "add a costed project",
    "add a costed project, sent empty",
    "paper ballots and turnout",
    "enter a paper ballot: approval",
    "enter a paper ballot, over the budget",
    "enter a paper ballot: points",
    "enter a paper ballot: points, sent empty",
    "enter a paper ballot: ranking",
    "remove a paper ballot",
    "remove a paper ballot, sent empty",
    "results before voting closes",
    "results: Equal Shares, add1",
    "results: most votes first",
    "delivery",
    "post a delivery update",
    "post a delivery update, sent empty",
    "a funded project",
]

# Pages axe finds a problem on, waiting for the fix requested in /work/notes/requests.md
# (label -> the rule and the request). Emptied as the fixes land: an xfail that passes fails.
KNOWN: dict[str, str] = {}


@dataclass
class Audits:
    public: Audit
    staff: Audit


@pytest.fixture(scope="module")
def audits(browser: Browser, live_server, django_db_setup, django_db_blocker) -> Audits:
    """Every walk, done once for the module while the first of its tests is set up.

    pytest-django gives every test near the live server a transactional database, emptied
    after it: the scene lives only that long, so everything that needs it happens here and
    the tests after the first only read what axe found. (The blocker guards the live
    server's thread too: it stays open while the browser walks.)
    """
    with django_db_blocker.unblock():
        try:
            scene = build_budget_scene()
            with audit_context(browser, live_server) as context:
                public = Audit(context.new_page(), "en-GB")
                walk_public(public.page, public, scene)
                sign_in(context, live_server, scene.mo)
                walk_as_resident(public.page, public, scene)
            with audit_context(browser, live_server) as context:
                sign_in(context, live_server, scene.officer)
                staff = Audit(context.new_page(), "en-GB")
                walk_staff(staff.page, staff, scene)
        except BaseException:
            # The first test never starts, so nothing else would empty the database.
            call_command("flush", verbosity=0, interactive=False)
            raise
    return Audits(public, staff)


def known(labels: list[str]) -> list:
    """``labels`` as parameters, those with a known problem marked as expected to fail."""
    return [
        pytest.param(label, marks=pytest.mark.xfail(reason=KNOWN[label], strict=True))
        if label in KNOWN
        else label
        for label in labels
    ]


def test_every_public_budgeting_page_was_audited(audits: Audits):
    assert audits.public.seen == PUBLIC_PAGES + RESIDENT_PAGES


@pytest.mark.parametrize("label", known(PUBLIC_PAGES + RESIDENT_PAGES))
def test_a_public_budgeting_page_meets_wcag_2_2_aa(audits: Audits, label: str):
    assert label in audits.public.seen, f"the walk stopped before {label!r}"
    assert label not in audits.public.failures, audits.public.failures[label]


def test_every_back_office_budgeting_page_was_audited(audits: Audits):
    assert audits.staff.seen == STAFF_PAGES


@pytest.mark.parametrize("label", known(STAFF_PAGES))
def test_a_back_office_budgeting_page_meets_wcag_2_2_aa(audits: Audits, label: str):
    assert label in audits.staff.seen, f"the walk stopped before {label!r}"
    assert label not in audits.staff.failures, audits.staff.failures[label]
