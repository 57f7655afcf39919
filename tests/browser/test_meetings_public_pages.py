"""Open council business on the public site, in a real browser: WCAG 2.2 AA and the CSP.

Every new public page (the meetings calendar, a meeting with its whole record, taking
part, bodies, decisions, the forward plan, a paper, search and saved searches) is walked
in English and in Welsh, as a visitor and then as a signed-in resident; axe-core finds
nothing on any of them, and no page breaks the Content-Security-Policy.
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


@pytest.fixture
def council(transactional_db) -> Council:
    return mootshire()


@pytest.fixture
def scene(council: Council, resident: User) -> BrowserScene:
    return build_browser_scene(council, resident)


# --- The walks: each visits pages in order and calls ``check(label, path)`` on each -------------


def walk_as_visitor(page: Page, check: Check, scene: BrowserScene) -> None:
    public = scene.public
    visits = [
        ("meetings calendar", "/mootshire/meetings/"),
        ("past meetings", "/mootshire/meetings/?when=past"),
        ("meetings of one body", "/mootshire/meetings/?body=planning-committee"),
        (
            "a held meeting: agenda, papers, votes, attendance, exempt item, timeline",
            f"/mootshire/meetings/{public.held.pk}/",
        ),
        ("a meeting whose agenda was late", f"/mootshire/meetings/{scene.late.pk}/"),
        ("an upcoming meeting taking part", f"/mootshire/meetings/{public.upcoming.pk}/"),
        ("a cancelled meeting", f"/mootshire/meetings/{public.cancelled.pk}/"),
        ("a postponed meeting", f"/mootshire/meetings/{public.postponed.pk}/"),
        ("bodies", "/mootshire/bodies/"),
        ("a body", "/mootshire/bodies/planning-committee/"),
        ("decisions", "/mootshire/decisions/"),
        ("key decisions", "/mootshire/decisions/?key=1"),
        ("a decision with votes", f"/mootshire/decisions/{public.decision.pk}/"),
        (
            "a key decision without notice",
            f"/mootshire/decisions/{scene.lacking_notice.pk}/",
        ),
        ("forward plan", "/mootshire/forward-plan/"),
        ("a paper", f"/mootshire/documents/{public.report_pdf.pk}/"),
        ("search", "/search/"),
        ("search results", "/search/?q=weekly"),
        ("search, malformed query", "/search/?q=%22bins"),
        ("search, no results", "/search/?q=zebra"),
        ("search results, filtered", "/search/?q=bins&council=mootshire&type=decision"),
    ]
    for label, path in visits:
        page.goto(path)
        check(label, path)


def walk_as_resident(page: Page, check: Check, scene: BrowserScene) -> None:
    take_part = f"/mootshire/meetings/{scene.public.upcoming.pk}/take-part/"
    page.goto(take_part)
    check("take part", take_part)
    submit(page)
    # The error summary takes the focus, so a screen reader reads out what went wrong first.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("take part, sent empty", take_part)
    closed = f"/mootshire/meetings/{scene.soon.pk}/take-part/"
    page.goto(closed)
    check("take part, after the deadline", closed)

    page.goto("/search/?q=weekly")
    check("search results, signed in", "/search/?q=weekly")
    page.locator("main form[action='/search/save/'] button[type=submit]").click()
    check("saved searches", "/search/saved/")


VISITOR_PAGES = [
    "meetings calendar",
    "past meetings",
    "meetings of one body",
    "a held meeting: agenda, papers, votes, attendance, exempt item, timeline",
    "a meeting whose agenda was late",
    "an upcoming meeting taking part",
    "a cancelled meeting",
    "a postponed meeting",
    "bodies",
    "a body",
    "decisions",
    "key decisions",
    "a decision with votes",
    "a key decision without notice",
    "forward plan",
    "a paper",
    "search",
    "search results",
    "search, malformed query",
    "search, no results",
    "search results, filtered",
]
RESIDENT_PAGES = [
    "take part",
    "take part, sent empty",
    "take part, after the deadline",
    "search results, signed in",
    "saved searches",
]


# --- The scene shows what the pages are meant to show ------------------------------------------


def test_the_walked_pages_show_what_they_are_audited_for(
    context: BrowserContext, sign_in: SignIn, scene: BrowserScene, resident: User
):
    """So that "axe finds nothing" is said of pages that really have these parts."""
    page = context.new_page()
    page.goto(f"/mootshire/meetings/{scene.public.held.pk}/")
    expect(page.locator("#agenda")).to_be_visible()
    expect(page.locator(f"#item-{scene.public.exempt.pk} h3")).to_have_text(
        "3. Exempt item – not for publication (Schedule 12A paragraph 3)"
    )
    expect(
        page.locator(f"#vote-{scene.public.vote.pk} table").nth(1).locator("tbody tr")
    ).to_have_count(3)
    expect(page.get_by_role("link", name="Bins report")).to_be_visible()
    expect(page.locator("#attendance + table tbody tr")).to_have_count(3)
    expect(page.locator("#timeline + ol li").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Secretsby")

    page.goto(f"/mootshire/meetings/{scene.late.pk}/")
    expect(page.locator("#late-agenda")).to_contain_text(
        "Agenda published late: it was published on 9 April 2024"
    )
    page.goto(f"/mootshire/decisions/{scene.lacking_notice.pk}/")
    expect(page.locator("#lacks-notice")).to_contain_text("without 28 days' notice")
    page.goto("/search/?q=%22bins")
    expect(page.locator("#q-error")).to_be_visible()
    page.goto("/search/?q=zebra")
    expect(page.locator("main")).to_contain_text("Nothing public matches your search.")

    sign_in(context, resident)
    page.goto(f"/mootshire/meetings/{scene.public.upcoming.pk}/take-part/")
    expect(page.locator("#id_agenda_item option")).to_have_text(
        ["No particular item", "1. Apologies", "2. Library opening hours"]
    )
    page.goto(f"/mootshire/meetings/{scene.soon.pk}/take-part/")
    expect(page.locator("#closed")).to_contain_text("the deadline was the end of")


# --- Accessibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_every_public_page_of_council_business_meets_wcag_2_2_aa(
    axe_context: BrowserContext,
    speak: Speak,
    sign_in: SignIn,
    scene: BrowserScene,
    resident: User,
    language: str,
):
    speak(axe_context, language)
    audit = AxeAudit(axe_context.new_page(), language)

    walk_as_visitor(audit.page, audit, scene)
    sign_in(axe_context, resident)
    walk_as_resident(audit.page, audit, scene)

    assert audit.seen == VISITOR_PAGES + RESIDENT_PAGES
    assert audit.failures == {}, audit.report()


# --- Content-Security-Policy --------------------------------------------------------------------


def test_no_public_page_of_council_business_breaks_the_content_security_policy(
    context: BrowserContext,
    console: Console,
    sign_in: SignIn,
    scene: BrowserScene,
    resident: User,
):
    page = console.listen(context.new_page())
    scripts = ScriptsRan(page)

    walk_as_visitor(page, scripts, scene)
    sign_in(context, resident)
    walk_as_resident(page, scripts, scene)

    assert scripts.seen == VISITOR_PAGES + RESIDENT_PAGES
    assert console.csp_violations == []
    assert console.page_errors == []
