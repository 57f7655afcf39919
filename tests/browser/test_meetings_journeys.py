"""What clerks and residents must be able to do with open council business, in a real browser.

- A clerk signs in with a password and an app code and, by keyboard alone, schedules a
  meeting, builds its agenda (one item exempt), attaches a PDF and publishes the agenda;
  the public meeting page then shows the agenda without the exempt item's title.
- A resident finds a decision by a word of its text and sees who voted how: with
  JavaScript, and without it.
- A signed-in resident asks a public question at a meeting, by keyboard alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from moothall.accounts.models import User
from moothall.councils.models import Council
from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import AgendaItem, Document, Meeting, PublicSubmission
from tests.browser.conftest import (
    Console,
    SignIn,
    at_path,
    sign_in_with_password,
    submit,
    with_password,
)
from tests.browser.meetings_scene import BrowserScene, build_browser_scene, mootshire
from tests.browser.test_staff_pages import app_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

STAFF = "/mootshire/staff/meetings"


@pytest.fixture
def council(transactional_db) -> Council:
    return mootshire()


@pytest.fixture
def scene(council: Council, resident: User) -> BrowserScene:
    return build_browser_scene(council, resident)


def _focused(page: Page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )


def _tab_to(page: Page, **wanted: str) -> dict:
    """Press Tab until the focused element has the ``wanted`` id, href or text (at most 80)."""
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if all(focused[key] == value for key, value in wanted.items()):
            return focused
    raise AssertionError(f"Tab never reached {wanted}; it stopped at {_focused(page)}")


def _type_into(page: Page, field_id: str, text: str) -> None:
    """Tab to the field ``field_id`` and type ``text`` (into a select, it picks by typing)."""
    _tab_to(page, id=field_id)
    page.keyboard.type(text)


def _press_link(page: Page, href: str) -> None:
    _tab_to(page, href=href)
    page.keyboard.press("Enter")


def _banner(page: Page, *, focused: bool = True) -> str:
    """The success banner's words. It takes the focus, unless the page was sent to an anchor
    further down (the browser then starts the Tab order there: as good for the clerk)."""
    banner = page.locator(".govuk-notification-banner--success")
    if focused:
        expect(banner).to_be_focused()
    return banner.locator(".govuk-notification-banner__content").inner_text().strip()


# --- A clerk publishes an agenda ------------------------------------------------------------------


def test_a_clerk_publishes_an_agenda_with_a_paper_and_an_exempt_item_by_keyboard_alone(
    context: BrowserContext, console: Console, council: Council, officer: User, tmp_path: Path
):
    domain.create_body(None, council, name="Planning Committee")
    report = tmp_path / "library-hours.pdf"
    report.write_bytes(
        make_pdf("Opening the libraries on Saturday mornings.", title="Library hours")
    )
    olive = with_password(officer)
    page = console.listen(context.new_page())

    sign_in_with_password(page, olive.email)
    at_path(page, "/accounts/2fa/authenticate/")
    page.locator("#id_code").fill(app_code(olive))
    submit(page, "form[action='/accounts/2fa/authenticate/']")
    at_path(page, "/")

    page.goto(f"{STAFF}/")
    _press_link(page, f"{STAFF}/new/")
    at_path(page, f"{STAFF}/new/")
    _type_into(page, "id_body", "Planning")
    _type_into(page, "id_date", "12/06/2031")
    _type_into(page, "id_start_time", "18:30")
    _type_into(page, "id_venue", "Moot Hall")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/mootshire/staff/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    workspace = f"{STAFF}/{meeting.pk}/"
    assert _banner(page) == "Meeting scheduled: Planning Committee, 12 June 2031."

    _press_link(page, f"{workspace}items/new/")
    at_path(page, f"{workspace}items/new/")
    _type_into(page, "id_title", "Library opening hours")
    page.keyboard.press("Enter")
    at_path(page, workspace)
    assert _banner(page, focused=False) == "Item 1 added: Library opening hours."

    _press_link(page, f"{workspace}items/new/")
    at_path(page, f"{workspace}items/new/")
    _type_into(page, "id_title", "Sale of the old library to Mr Quill")
    _type_into(page, "id_kind", "Exempt")
    _type_into(page, "id_exempt_paragraph", "3")
    _tab_to(page, tag="BUTTON", text="Add the item")
    page.keyboard.press("Enter")
    at_path(page, workspace)
    assert _banner(page, focused=False) == "Item 2 added: Sale of the old library to Mr Quill."

    _press_link(page, f"{workspace}documents/new/")
    at_path(page, f"{workspace}documents/new/")
    _type_into(page, "id_title", "Library hours report")
    _tab_to(page, id="id_kind_0")  # Agenda pack
    page.keyboard.press("ArrowDown")  # Report
    _type_into(page, "id_agenda_item", "1.")
    _tab_to(page, id="id_file")
    # The chooser opens from the keyboard; on a loaded machine (the full CI run) it once
    # took longer than Playwright's default 10 s to be reported.
    with page.expect_file_chooser(timeout=30_000) as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(report)
    _tab_to(page, tag="BUTTON", text="Attach the document")
    page.keyboard.press("Enter")
    at_path(page, workspace)
    assert _banner(page, focused=False) == "Document attached: Library hours report."

    _press_link(page, f"{workspace}publish/")
    at_path(page, f"{workspace}publish/")
    _tab_to(page, tag="BUTTON", text="Publish the agenda")
    page.keyboard.press("Enter")
    at_path(page, workspace)
    assert _banner(page) == "The agenda has been published."

    library, sale = AgendaItem.objects.filter(meeting=meeting).order_by("sort_key")
    assert (library.number, library.kind, library.is_exempt) == ("1", "report", False)
    assert (sale.number, sale.kind, sale.exempt_paragraph, sale.is_exempt) == (
        "2",
        "exempt",
        3,
        True,
    )
    paper = Document.objects.get()
    assert (paper.title, paper.kind, paper.agenda_item, paper.is_exempt) == (
        "Library hours report",
        "report",
        library,
        False,
    )
    assert console.csp_violations == []
    assert console.page_errors == []

    # The public, signed out, see the agenda and the paper, and nothing of the exempt item.
    context.clear_cookies()
    page.goto(f"/mootshire/meetings/{meeting.pk}/")
    expect(page.locator(".mh-agenda-item h3")).to_have_text(
        [
            "1. Library opening hours",
            "2. Exempt item – not for publication (Schedule 12A paragraph 3)",
        ]
    )
    expect(page.locator(f"#item-{library.pk} a")).to_have_text("Library hours report")
    expect(page.locator("body")).not_to_contain_text("Quill")
    expect(page.locator("body")).not_to_contain_text("Sale of the old library")


# --- A resident finds a decision and sees who voted how ------------------------------------------


def _find_the_decision_by_search(page: Page, scene: BrowserScene) -> None:
    page.goto("/search/")
    page.get_by_label("Search for").fill("weekly")
    page.get_by_role("button", name="Search", exact=True).click()

    page.wait_for_url(re.compile(r"/search/\?q=weekly(&|$)"))
    expect(page.locator("#results-heading")).to_have_text("1 result for “weekly”")
    result = page.locator(".mh-search-result h3 a")
    expect(result).to_have_text("Weekly bin collections in Moot Ward")
    expect(result.locator("mark")).to_have_text("Weekly")
    result.click()

    at_path(page, f"/mootshire/decisions/{scene.public.decision.pk}/")
    expect(page.locator("h1")).to_have_text("Weekly bin collections in Moot Ward")
    votes = page.locator(f"#vote-{scene.public.vote.pk}")
    expect(votes.locator("h3")).to_have_text(
        "Vote on item 2: Tied (chair's casting vote recorded in the minutes)"
    )
    totals = votes.get_by_role("table", name="Totals")
    expect(totals.locator("thead th")).to_have_text(
        ["For", "Against", "Abstain", "Absent", "Not voting"]
    )
    expect(totals.locator("tbody td")).to_have_text(["1", "1", "0", "1", "0"])
    by_councillor = votes.get_by_role("table", name="How each councillor voted")
    expect(by_councillor.locator("tbody th")).to_have_text(["Ada Lovelace", "Ben Brook", "Cy Cole"])
    expect(by_councillor.locator("tbody td")).to_have_text(["For", "Against", "Absent"])


def test_a_resident_finds_a_decision_by_a_word_of_its_text_and_sees_who_voted_how(
    context: BrowserContext, console: Console, scene: BrowserScene
):
    page = console.listen(context.new_page())

    _find_the_decision_by_search(page, scene)

    assert console.csp_violations == []
    assert console.page_errors == []


def test_a_resident_without_javascript_finds_a_decision_and_sees_who_voted_how(
    no_js_context: BrowserContext, scene: BrowserScene
):
    _find_the_decision_by_search(no_js_context.new_page(), scene)


# --- A resident asks a public question ----------------------------------------------------------


def test_a_resident_asks_a_public_question_on_an_item_by_keyboard_alone(
    context: BrowserContext,
    console: Console,
    sign_in: SignIn,
    scene: BrowserScene,
    resident: User,
):
    meeting = scene.public.upcoming
    take_part = f"/mootshire/meetings/{meeting.pk}/take-part/"
    sign_in(context, resident)
    page = console.listen(context.new_page())
    page.goto(f"/mootshire/meetings/{meeting.pk}/")

    _press_link(page, take_part)
    at_path(page, take_part)
    expect(page.locator("h1")).to_have_text("Take part in this meeting")
    _tab_to(page, id="id_kind_0")
    page.keyboard.press("Space")  # Public question
    _type_into(page, "id_agenda_item", "2.")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_display_name"  # already "Rita Resident"
    _type_into(page, "id_text", "Will the library open on Saturday mornings?")
    _tab_to(page, tag="BUTTON", text="Send")
    page.keyboard.press("Enter")

    at_path(page, take_part)
    assert _banner(page) == "Sent. The clerk will tell you by email whether it is accepted."
    rows = page.locator("#yours + table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").first).to_contain_text("Public question – item 2")
    expect(rows.locator("td").nth(1)).to_have_text("Submitted")
    question = PublicSubmission.objects.get(submitter=resident, meeting=meeting)
    assert (question.kind, question.agenda_item, question.display_name, question.text) == (
        "question",
        scene.library,
        "Rita Resident",
        "Will the library open on Saturday mornings?",
    )
    assert console.csp_violations == []
    assert console.page_errors == []
