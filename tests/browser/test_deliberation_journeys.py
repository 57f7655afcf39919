"""Taking part in a deliberation in a real browser: voting by keyboard without JavaScript
and with it (HTMX swaps the card in place, focus follows, the strict CSP holds), and every
new page (public and back-office, with their error summaries) clean under axe-core
(WCAG 2.2 AA)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from moothall.deliberation import domain
from moothall.deliberation.models import Participant, Statement, Vote
from tests import factories
from tests.browser.conftest import Console, axe_violations, describe
from tests.deliberation.d1_scene import conversation

pytestmark = [pytest.mark.browser]

PAGE = "/mootshire/deliberations/our-parks/"
STAFF = "/mootshire/staff/deliberations/"


def new_context(browser: Browser, live_server, **options: object) -> BrowserContext:
    made = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    made.set_default_timeout(10_000)
    return made


def signed_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def vote_by_keyboard(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).focus()
    page.keyboard.press("Enter")


def test_voting_through_a_conversation_without_javascript(
    transactional_db, browser, live_server, council, resident
):
    conversation(council)
    context = new_context(browser, live_server, java_script_enabled=False)
    signed_in(context, live_server, resident)
    page = context.new_page()
    page.goto(PAGE)

    # The order is the routing's (it follows the analysis once there is one).
    expect(page.locator("#statement-text")).to_have_text("More benches in parks")
    said: dict[str, int] = {}
    for button, value in (("Agree", 1), ("Disagree", -1), ("Pass or unsure", 0)):
        said[page.locator("#statement-text").inner_text().strip()] = value
        vote_by_keyboard(page, button)
        page.wait_for_load_state()
        expect(page.locator("#vote-saved")).to_contain_text("Saved: you ")

    expect(page.locator("#voting-card h2")).to_have_text("You have voted on every statement")
    expect(page.locator("#vote-progress")).to_contain_text("You have voted on 3 of 3 statements.")
    me = Participant.objects.get(user=resident)
    assert dict(Vote.objects.filter(participant=me).values_list("statement__text", "value")) == said
    # Changing one's mind, from the list of one's votes.
    page.get_by_role("link", name="See or change your votes").click()
    page.locator("#vote-0").get_by_role("button", name="Change to pass").click()
    page.wait_for_load_state()
    expect(page.locator("#vote-0")).to_contain_text("Your vote: Pass or unsure")
    assert Vote.objects.get(participant=me, statement__number=0).value == 0
    context.close()


def test_with_javascript_the_card_changes_in_place(
    transactional_db, browser, live_server, council, resident
):
    conversation(council)
    context = new_context(browser, live_server)
    signed_in(context, live_server, resident)
    page = context.new_page()
    console = Console()
    console.listen(page)
    page.goto(PAGE)
    page.evaluate("window.stillHere = true")  # gone if the page reloads

    vote_by_keyboard(page, "Agree")

    expect(page.locator("#vote-saved")).to_have_text("Saved: you agreed with statement 0.")
    expect(page.locator("#vote-progress")).to_contain_text("You have voted on 1 of 3 statements.")
    expect(page.get_by_role("button", name="Agree", exact=True)).to_be_focused()
    assert page.evaluate("window.stillHere") is True
    second = page.locator("#statement-text").inner_text().strip()
    assert second in {"Longer opening hours", "Dogs on leads everywhere"}
    page.keyboard.press("Tab")  # on to Disagree
    page.keyboard.press("Enter")
    expect(page.locator("#vote-progress")).to_contain_text("You have voted on 2 of 3 statements.")
    expect(page.locator("#statement-text")).not_to_have_text(second)
    assert Vote.objects.filter(participant__user=resident).count() == 2
    assert console.csp_violations == []
    assert console.page_errors == []
    context.close()


def test_every_page_is_axe_clean(
    transactional_db, browser, live_server, council, resident, moderator, officer
):
    made = conversation(council, moderation="pre")
    factories.WardFactory(council=council, name="Hill")
    author = domain.join(made, user=factories.UserFactory(email="w@example.org"))
    domain.add_statement(made, text="A lido in the park", author=author)
    me = domain.join(made, user=resident)
    domain.cast_vote(me, Statement.objects.get(conversation=made, number=0), 1)
    domain.run_analysis(made)
    context = new_context(browser, live_server, bypass_csp=True)
    page = context.new_page()
    failures: dict[str, str] = {}

    def audit(label: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(path)
        page.wait_for_load_state()
        found = axe_violations(page)
        if found:
            failures[label] = describe(found)

    def send(form: str = "main form[method=post]") -> None:
        page.locator(f"{form} button.govuk-button[type=submit]").first.click()
        page.wait_for_load_state()

    audit("list", "/mootshire/deliberations/")
    audit("conversation, signed out", PAGE)
    signed_in(context, live_server, resident)
    audit("conversation, signed in", PAGE)
    audit("statement form", PAGE + "statements/new/")
    page.locator("#id_text").fill("")
    send("#statement-form")
    audit("statement form with errors")
    audit("about you", PAGE + "about-you/")
    audit("your votes", PAGE + "your-votes/")

    signed_in(context, live_server, officer)
    audit("staff list", STAFF)
    audit("staff conversation", f"{STAFF}{made.pk}/")
    audit("staff settings", f"{STAFF}{made.pk}/edit/")
    page.locator("#id_title").fill("")
    page.locator("#id_closes_time").fill("25:99")
    send()
    audit("staff settings with errors")
    audit("staff new", f"{STAFF}new/")
    audit("staff statements", f"{STAFF}{made.pk}/statements/")
    page.locator("#id_text").fill("")
    send("#seed-form")
    audit("staff statements with errors")
    audit("staff close", f"{STAFF}{made.pk}/status/")
    signed_in(context, live_server, moderator)
    audit("moderation queue", f"{STAFF}{made.pk}/moderation/")
    page.get_by_role("button", name="Remove it").first.click()
    page.wait_for_load_state()
    audit("moderate with errors")
    context.close()

    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
