"""What residents must be able to do on the public site, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Console, axe_violations, describe
from tests.public.area import Area

pytestmark = pytest.mark.browser


def _focused(page: Page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )


def _public_paths(area: Area) -> list[str]:
    return [
        "/",
        "/your-councils/?postcode=MH1+1AA",
        "/your-councils/?postcode=not+a+postcode",
        "/your-councils/?postcode=MH9+9ZZ",
        "/councils/",
        "/mootshire/",
        "/lowdale/",
        "/mootshire/wards/mootford-north/",
        "/mootshire/councillors/",
        f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/",
        f"/mootshire/councillors/{area.fred.pk}-fred-former/",
    ]


def test_a_resident_finds_their_councillor_by_keyboard_alone(
    context: BrowserContext, console: Console, area: Area
):
    page = console.listen(context.new_page())
    page.goto("/")

    page.keyboard.press("Tab")
    assert _focused(page) == {
        "tag": "A",
        "id": "",
        "text": "Skip to main content",
        "href": "#main-content",
    }
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "postcode"

    page.keyboard.type("mh1 1aa")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/your-councils/\?postcode=mh1\+1aa$"))
    expect(page.locator("h1")).to_have_text("Your councils")

    ada_href = f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/"
    for _ in range(40):
        page.keyboard.press("Tab")
        if _focused(page)["href"] == ada_href:
            break
    assert _focused(page) == {"tag": "A", "id": "", "text": "Ada Lovelace", "href": ada_href}

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(ada_href) + "$"))
    expect(page.locator("h1")).to_have_text("Ada Lovelace")
    assert console.csp_violations == []
    assert console.page_errors == []


def test_a_resident_without_javascript_can_find_their_councils(
    no_js_context: BrowserContext, console: Console, area: Area
):
    page = console.listen(no_js_context.new_page())
    page.goto("/")

    page.get_by_label("Enter your postcode").fill("MH1 1AA")
    page.get_by_role("button", name="Find your councils").click()

    expect(page.locator("h1")).to_have_text("Your councils")
    expect(page.locator("main h2 a")).to_have_text(
        ["Mootshire County Council", "Lowdale District Council", "Brookby Parish Council"]
    )
    page.get_by_role("link", name="Cara Cole").click()
    expect(page.locator("h1")).to_have_text("Cara Cole")
    assert console.csp_violations == []


def test_a_resident_without_javascript_is_told_when_a_postcode_is_wrong(
    no_js_context: BrowserContext, area: Area
):
    page = no_js_context.new_page()
    page.goto("/")

    page.get_by_label("Enter your postcode").fill("MH1")
    page.get_by_role("button", name="Find your councils").click()

    expect(page.locator(".govuk-error-summary__list a")).to_have_text(
        "Enter a real postcode, like SW1A 1AA"
    )
    expect(page.locator("#postcode-error")).to_have_text(
        "Error: Enter a real postcode, like SW1A 1AA"
    )


def test_no_public_page_breaks_the_content_security_policy(
    context: BrowserContext, console: Console, area: Area
):
    page = console.listen(context.new_page())
    for path in _public_paths(area):
        page.goto(path)
        # Our own script has run: GOV.UK Frontend marks the body once it starts.
        expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))

    assert console.csp_violations == []
    assert console.page_errors == []


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_every_public_page_meets_wcag_2_2_aa(
    axe_context: BrowserContext, area: Area, language: str
):
    page = axe_context.new_page()
    page.goto("/")
    if language == "cy":
        page.get_by_role("button", name="Cymraeg").click()
        page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", language)

    failures = {}
    for path in _public_paths(area):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        violations = axe_violations(page)
        if violations:
            failures[path] = describe(violations)

    assert failures == {}, "\n\n".join(f"{path}\n{text}" for path, text in failures.items())


def test_the_council_list_filters_as_a_name_is_typed_without_reloading_the_page(
    context: BrowserContext, console: Console, area: Area
):
    page = console.listen(context.new_page())
    page.goto("/councils/")
    page.evaluate("() => { window.notReloaded = true; }")

    page.get_by_label("Council name").press_sequentially("lowd", delay=30)

    expect(page.locator("#council-results table a")).to_have_text(["Lowdale District Council"])
    expect(page.locator("#council-count")).to_contain_text("1 council matches “lowd”.")
    expect(page).to_have_url(re.compile(r"/councils/\?q=lowd$"))
    assert page.evaluate("() => window.notReloaded") is True
    assert console.csp_violations == []
    assert console.page_errors == []
