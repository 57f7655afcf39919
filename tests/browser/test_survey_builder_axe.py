"""The survey builder and results in a real browser: every page meets WCAG 2.2 AA
(axe-core), with its error states, and the results page's charts break no CSP rule.

Olive Officer builds at Mootshire: the list, a new survey (sent empty first), a survey with
a question of every kind and a condition, its details, choosing a kind (sent empty), a
question form of every kind (one sent wrong), removing, the preview, opening, closing and
deleting, and the staff results; then anyone reads the public results of a closed survey.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from moothall.population.models import WardPopulation
from moothall.surveys import domain
from moothall.surveys.models import Kind
from tests import factories
from tests.browser.conftest import AxeAudit, Console, submit

pytestmark = [pytest.mark.browser]

STAFF = "/mootshire/staff/surveys/"


def _scene(council):
    moot = factories.WardFactory(council=council, name="Moot")
    hill = factories.WardFactory(council=council, name="Hill")
    for ward in (moot, hill):
        WardPopulation.objects.create(
            council=council, ward=ward, age_band="35_44", sex="female", count=1000
        )
    parks = domain.create_survey(council, by=None, title="Parks", slug="parks")
    visit = domain.add_question(
        parks, by=None, kind=Kind.SINGLE_CHOICE, text="Do you visit?", options=["Yes", "No"]
    )
    domain.add_question(
        parks,
        by=None,
        kind=Kind.LONG_TEXT,
        text="Why not?",
        show_if_question=visit,
        show_if_values=["no"],
    )
    domain.add_question(
        parks, by=None, kind=Kind.MULTIPLE_CHOICE, text="Use?", options=["Walk", "Play"]
    )
    domain.add_question(
        parks, by=None, kind=Kind.RANKING, text="Spend on?", options=["Paths", "Trees"], page=2
    )
    domain.add_question(parks, by=None, kind=Kind.LIKERT, text="Views", options=["Clean", "Safe"])
    domain.add_question(parks, by=None, kind=Kind.NUMBER, text="Visits", min_value="0")
    domain.add_question(parks, by=None, kind=Kind.WARD, text="Your ward")
    domain.add_question(parks, by=None, kind=Kind.POSTCODE, text="Your postcode")

    bins = domain.create_survey(council, by=None, title="Bins", slug="bins")
    often = domain.add_question(
        bins, by=None, kind=Kind.SINGLE_CHOICE, text="How often?", options=["Weekly", "Monthly"]
    )
    said = domain.add_question(bins, by=None, kind=Kind.SHORT_TEXT, text="Anything else?")
    rank = domain.add_question(
        bins, by=None, kind=Kind.RANKING, text="Which first?", options=["Glass", "Food"]
    )
    views = domain.add_question(
        bins, by=None, kind=Kind.LIKERT, text="Views", options=["Clean", "On time"]
    )
    number = domain.add_question(bins, by=None, kind=Kind.NUMBER, text="Bags a week")
    domain.open_survey(bins, by=None)
    for n in range(30):
        domain.enter_paper_response(
            bins,
            by=None,
            answers={
                often.pk: "weekly" if n % 3 else "monthly",
                said.pk: "Fine",
                rank.pk: ["glass", "food"] if n % 2 else ["food", "glass"],
                views.pk: {"clean": "agree", "on_time": "strongly_disagree"},
                number.pk: str(n % 5),
            },
            equality={"age_band": "35_44", "sex": "female"},
        )
    domain.close_survey(bins, by=None)
    return parks, bins, visit


def test_every_builder_and_results_page_meets_wcag_22_aa(
    browser: Browser, live_server, transactional_db, council, officer, sign_in
):
    parks, bins, visit = _scene(council)
    doomed = domain.create_survey(council, by=None, title="Old draft", slug="old")
    context = browser.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(10_000)
    sign_in(context, officer)
    page: Page = context.new_page()
    audit = AxeAudit(page, "en-GB")

    def visit_page(label: str, path: str) -> None:
        response = page.goto(path)
        assert response is not None, (label, path)
        assert response.status == 200, (label, path)
        audit(label, path)

    def sent_wrong(label: str, path: str) -> None:
        submit(page)
        expect(page.locator(".govuk-error-summary")).to_be_focused()
        audit(label, path)

    parks_url = f"{STAFF}{parks.slug}/"
    visit_page("list", STAFF)
    visit_page("new survey", f"{STAFF}new/")
    sent_wrong("new survey, sent empty", f"{STAFF}new/")
    visit_page("a draft survey", parks_url)
    visit_page("details", f"{parks_url}details/")
    visit_page("choose a kind", f"{parks_url}questions/new/")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    audit("choose a kind, sent empty", f"{parks_url}questions/new/?choose=1")
    for kind in Kind.values:
        visit_page(f"add a question: {kind}", f"{parks_url}questions/new/?kind={kind}")
    sent_wrong("add a question, sent empty", f"{parks_url}questions/new/?kind=postcode")
    visit_page("change a question", f"{parks_url}questions/{visit.pk}/")
    visit_page("remove a question", f"{parks_url}questions/{visit.pk}/remove/")
    sent_wrong("remove a question others depend on", f"{parks_url}questions/{visit.pk}/remove/")
    visit_page("preview", f"{parks_url}preview/")
    visit_page("open", f"{parks_url}open/")
    visit_page("delete", f"{STAFF}{doomed.slug}/delete/")
    visit_page("results, none yet", f"{parks_url}results/")
    domain.open_survey(parks, by=None)
    visit_page("an open survey", parks_url)
    visit_page("change a question, wording only", f"{parks_url}questions/{visit.pk}/")
    visit_page("close", f"{parks_url}close/")
    visit_page("results, staff", f"{STAFF}{bins.slug}/results/")
    visit_page("results, public", f"/mootshire/surveys/{bins.slug}/results/")
    visit_page("results, not yet", f"/mootshire/surveys/{parks.slug}/results/")

    context.close()
    assert not audit.failures, audit.report()
    assert len(audit.seen) == 30


def test_the_charts_break_no_content_security_rule(
    browser: Browser, live_server, transactional_db, council
):
    _parks, bins, _visit = _scene(council)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    console = Console()
    console.listen(page)

    page.goto(f"/mootshire/surveys/{bins.slug}/results/")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    charts = page.locator("svg.mh-chart")

    assert charts.count() == 5  # wards, choice, ranking, scale, numbers
    assert console.csp_violations == []
    assert console.page_errors == []
    context.close()
