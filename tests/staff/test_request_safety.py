"""Back-office requests: forged POSTs are refused, and pages with people's details are not kept."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.staff.test_access_control import FORMS, PAGES, _snapshot


@pytest.mark.parametrize("form", list(FORMS))
def test_a_council_admins_form_sent_from_another_site_without_the_csrf_token_is_refused(
    urls,
    council_admin,
    form,
):
    before = _snapshot()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(council_admin)

    response = browser.post(urls[form], FORMS[form])

    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("page", PAGES)
def test_no_back_office_page_may_be_kept_by_the_browser_or_a_cache(
    client,
    urls,
    council_admin,
    page,
):
    # On a shared computer, Back after signing out must not show a resident's record.
    client.force_login(council_admin)

    response = client.get(urls[page])

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
