"""A deliberation's report and the Polis import page in a real browser: both meet WCAG 2.2
AA (axe-core), the import page with its error state too, and the report's map and charts
break no Content-Security-Policy rule.

The report is that of a real Polis conversation (brexit-consensus, imported), with a
few participants placed in wards so the "who took part" tables show.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from moothall.deliberation.interchange import import_conversation
from moothall.population.models import WardPopulation
from tests import factories
from tests.browser.conftest import AxeAudit, Console, submit

pytestmark = [pytest.mark.browser]

REPORT = "/mootshire/deliberations/brexit/report/"
IMPORT = "/mootshire/staff/deliberations/import/"


def _scene(council, shared_data):
    conversation = import_conversation(
        council, shared_data / "polis" / "brexit-consensus", by=None, slug="brexit"
    )
    moot = factories.WardFactory(council=council, name="Moot")
    WardPopulation.objects.create(
        council=council, ward=moot, age_band="35_44", sex="female", count=1000
    )
    conversation.participants.filter(number__lt=40).update(
        ward=moot, age_band="35_44", sex="female"
    )
    return conversation


def test_the_report_and_the_import_page_meet_wcag_22_aa(
    browser: Browser, live_server, transactional_db, council, officer, sign_in, shared_data
):
    _scene(council, shared_data)
    context = browser.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(10_000)
    sign_in(context, officer)
    page: Page = context.new_page()
    audit = AxeAudit(page, "en-GB")

    response = page.goto(REPORT)
    assert response is not None
    assert response.status == 200
    page.locator("details.govuk-details summary").first.click()  # the table, opened
    audit("report", REPORT)
    response = page.goto(IMPORT)
    assert response is not None
    assert response.status == 200
    audit("import", IMPORT)
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    audit("import, sent empty", IMPORT)

    context.close()
    assert not audit.failures, audit.report()
    assert len(audit.seen) == 3


def test_the_report_draws_its_pictures_without_breaking_the_csp(
    browser: Browser, live_server, transactional_db, council, shared_data
):
    _scene(council, shared_data)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    console = Console()
    console.listen(page)

    page.goto(REPORT)
    expect(page.locator("svg.mh-opinion-map")).to_be_visible()
    assert page.locator("svg.mh-chart[role=img]").count() == 3  # map, votes, people
    assert console.csp_violations == []
    assert console.page_errors == []
    context.close()
