"""The population pages in a real browser: axe-core finds nothing (WCAG 2.2 AA), with and
without figures, with suppressed cells, and with the staff form's error summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext

from moothall.petitions.models import Signature
from tests.browser.conftest import axe_violations, describe
from tests.population.scene import build_area

pytestmark = [pytest.mark.browser]


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    made = browser.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True)
    made.set_default_timeout(10_000)
    yield made
    made.close()


def signed_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def test_every_population_page_is_axe_clean(
    transactional_db, context, live_server, council, resident, moderator, officer
):
    from tests.public.petitions_scene import build_scene, publish

    area = build_area(council)
    petition = publish(build_scene(council, resident, moderator, officer))
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            name="Sam",
            email_key=f"s{n}@example.org",
            ward=area.abbey if n < 30 else area.brook,
            status=Signature.Status.CONFIRMED,
        )
        for n in range(34)
    )
    page = context.new_page()
    failures = {}

    def audit(label: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(path)
        found = axe_violations(page)
        if found:
            failures[label] = describe(found)

    audit("public figures", "/mootshire/population/")
    audit("who signed", f"/mootshire/petitions/{petition.pk}/who-signed/")
    assert page.get_by_text("fewer than 10").count() >= 2
    signed_in(context, live_server, officer)
    audit("staff page", "/mootshire/staff/population/")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": b"ward_name,age_band,sex,count\nNowhere,16_24,female,-1\n",
            }
        ],
    )
    page.locator("main form button.govuk-button[type=submit]").click()
    page.wait_for_selector(".govuk-error-summary")
    audit("staff page with errors")

    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
