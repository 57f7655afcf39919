"""What residents must be able to do with a petition, in a real browser, by keyboard alone,
with JavaScript and without it.

- Sam signs "Save Mootford Library": fills the form, sends it, follows the link in the
  email, is told the signature counts, and sees the count go up (and the officer
  response it now obliges).
- Rita, signed in, presses Follow (with JavaScript the button alone is swapped; without,
  the form posts and comes back). The clerk then puts the petition on Full Council's
  agenda for debate and links the decision; Rita is emailed each time, and the link in
  the email unsubscribes her at once (in the browser, or as a mail client's one-click
  POST).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from moothall.accounts.models import User
from moothall.councils.models import Council
from moothall.meetings import domain as meetings
from moothall.notifications.domain import is_following
from moothall.notifications.models import Subscription
from moothall.petitions import domain as petitions
from moothall.petitions.models import Petition
from tests import factories
from tests.browser.conftest import Console, SignIn, at_path
from tests.browser.voice_scene import full_council_meeting, open_petition, petitions_scheme, sign
from tests.public.area import Area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

SITE_PATH = re.compile(r"https?://[^/\s]+(/\S+)")


@pytest.fixture
def council(area: Area) -> Council:
    return area.county


@pytest.fixture
def library(area: Area, moderator: User) -> Petition:
    """Open, with Ann's signature (Mootford North) only."""
    petitions_scheme(area.county)
    pat = factories.UserFactory(email="pat.petitioner@example.org", name="Pat Petitioner")
    library = open_petition(pat, moderator, area.county, "Save Mootford Library")
    sign(library, "Ann Archer", "ann@example.org", "MH1 1AA")
    mail.outbox.clear()
    return library


# --- The keyboard ---------------------------------------------------------------------------


def focused(page: Page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " text: document.activeElement.textContent.trim()})"
    )


def tab_to(page: Page, **wanted: str) -> None:
    """Press Tab until the focused element has the ``wanted`` id or text (at most 120)."""
    for _ in range(120):
        page.keyboard.press("Tab")
        now = focused(page)
        if all(now[key] == value for key, value in wanted.items()):
            return
    raise AssertionError(f"Tab never reached {wanted}; it stopped at {focused(page)}")


def type_into(page: Page, field_id: str, text: str) -> None:
    tab_to(page, id=field_id)
    page.keyboard.type(text)


def tick(page: Page, field_id: str) -> None:
    """Tab to a radio button or checkbox and choose it with Space."""
    tab_to(page, id=field_id)
    page.keyboard.press("Space")
    expect(page.locator(f"#{field_id}")).to_be_checked()


def emails_to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [address]]


def link_in(message: mail.EmailMessage, path_start: str) -> str:
    """The site path of the link in ``message`` that starts with ``path_start``."""
    (path,) = [p for p in SITE_PATH.findall(message.body) if p.startswith(path_start)]
    return path


# --- Sign and confirm ---------------------------------------------------------------------------


def sign_and_confirm(page: Page, library: Petition) -> None:
    page.goto(library.get_absolute_url())
    expect(page.locator("#count")).to_have_text("1 signature")

    type_into(page, "id_name", "Sam Signer")
    type_into(page, "id_email", "Sam.Signer+petitions@example.org")
    type_into(page, "id_postcode", "mh2 2bb")
    tick(page, "id_basis_0")  # I live in the area
    tick(page, "id_declaration")
    expect(page.locator("#id_wants_updates")).to_be_checked()
    tab_to(page, tag="BUTTON", text="Sign this petition")
    page.keyboard.press("Enter")

    at_path(page, f"/mootshire/petitions/{library.pk}/signed/")
    expect(page.locator("h1")).to_have_text("Check your email")
    (confirmation,) = emails_to("Sam.Signer+petitions@example.org")
    assert confirmation.subject == "Confirm your signature: Save Mootford Library"
    confirm = link_in(confirmation, "/mootshire/petitions/confirm/")

    page.goto(confirm)  # following the link in the email
    expect(page.locator("h1")).to_have_text("Your signature counts")
    expect(page.locator("#count")).to_have_text("The petition now has 2 signatures.")

    page.goto(library.get_absolute_url())
    expect(page.locator("#count")).to_have_text("2 signatures")
    by_ward = page.locator("#by-ward + table tbody tr")
    expect(by_ward.locator("th")).to_have_text(["Mootford North", "Mootford South"])
    expect(by_ward.locator("td")).to_have_text(["1", "1"])
    # Two signatures oblige an officer's response (Mootshire's scheme).
    expect(page.locator("#obligations")).to_have_text("What the council must do")
    assert petitions.live_count(library) == 2


def test_a_resident_signs_a_petition_and_confirms_by_email_by_keyboard_alone(
    context: BrowserContext, console: Console, library: Petition
):
    sign_and_confirm(console.listen(context.new_page()), library)

    assert console.csp_violations == []
    assert console.page_errors == []


def test_a_resident_without_javascript_signs_a_petition_and_confirms_by_email(
    no_js_context: BrowserContext, library: Petition
):
    sign_and_confirm(no_js_context.new_page(), library)


# --- Follow, and hear about the debate -------------------------------------------------------


def press_follow(page: Page, library: Petition) -> None:
    page.goto(library.get_absolute_url())
    tab_to(page, tag="BUTTON", text="Follow Save Mootford Library")
    page.keyboard.press("Enter")


def the_clerk_takes_it_to_full_council(library: Petition, officer: User) -> None:
    """Full Council debates the petition: placed on its agenda, then the decision linked."""
    _body, meeting = full_council_meeting(library.council)
    hearing = petitions.place_petition_on_agenda(officer, library, meeting, kind="debate")
    decision = meetings.record_decision(
        None,
        library.council,
        title="Keep Mootford Library open",
        text="Resolved: keep the library open six days a week.",
        decision_maker="Full Council",
        decided_on=meeting.start.date(),
        agenda_item=hearing.agenda_item,
    )
    petitions.link_petition_decision(
        officer, hearing, decision=decision, outcome="Full Council agreed."
    )


def the_debate_emails(resident: User) -> str:
    """Rita's two emails, checked; returns the path of the unsubscribe link they carry."""
    placed, decided = emails_to(resident.email)
    assert placed.subject == (
        "Mootshire: Save Mootford Library will be considered at Full Council, 14 March 2030"
    )
    assert decided.subject == "Mootshire: A decision was taken on Save Mootford Library"
    assert "Full Council agreed." in decided.body
    unsubscribe = link_in(decided, "/notifications/unsubscribe/")
    assert decided.extra_headers["List-Unsubscribe"] == f"<{_absolute(decided, unsubscribe)}>"
    assert decided.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return unsubscribe


def _absolute(message: mail.EmailMessage, path: str) -> str:
    (url,) = [u for u in re.findall(r"https?://\S+", message.body) if u.endswith(path)]
    return url


def test_a_resident_follows_a_petition_and_is_emailed_about_its_debate_by_keyboard_alone(
    context: BrowserContext,
    console: Console,
    sign_in: SignIn,
    library: Petition,
    resident: User,
    officer: User,
):
    sign_in(context, resident)
    page = console.listen(context.new_page())

    press_follow(page, library)

    # HTMX swaps the button alone: the page stays, the keyboard stays on the button.
    status = page.locator(".mh-follow [role=status]")
    expect(status).to_have_text(
        "You are following Save Mootford Library. We will email you when there is news."
    )
    expect(page.get_by_role("button", name="Stop following Save Mootford Library")).to_be_focused()
    assert is_following(resident, "petition", library.pk)

    the_clerk_takes_it_to_full_council(library, officer)
    unsubscribe = the_debate_emails(resident)

    page.goto(unsubscribe)  # following the link in the email
    expect(page.locator("h1")).to_have_text("Unsubscribe")
    tab_to(page, tag="BUTTON", text="Unsubscribe")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("You have unsubscribed")
    assert not Subscription.objects.filter(user=resident).exists()
    assert console.csp_violations == []
    assert console.page_errors == []


def test_a_resident_without_javascript_follows_a_petition_and_unsubscribes_in_one_click(
    no_js_context: BrowserContext,
    sign_in: SignIn,
    library: Petition,
    resident: User,
    officer: User,
):
    sign_in(no_js_context, resident)
    page = no_js_context.new_page()

    press_follow(page, library)

    # The form posted and the browser came back to the petition.
    at_path(page, library.get_absolute_url())
    expect(page.locator(".govuk-notification-banner__heading")).to_have_text(
        "You are following Save Mootford Library. We will email you when there is news."
    )
    expect(page.locator(".mh-follow button")).to_have_text("Stop following Save Mootford Library")
    assert is_following(resident, "petition", library.pk)

    the_clerk_takes_it_to_full_council(library, officer)
    unsubscribe = the_debate_emails(resident)

    # What a mail client does with List-Unsubscribe-Post: no page, no cookie.
    no_js_context.clear_cookies()
    answer = no_js_context.request.post(unsubscribe, form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 200
    assert not Subscription.objects.filter(user=resident).exists()
