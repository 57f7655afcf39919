"""A councillor's public profile, and what it says once they have left office."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from tests import factories
from tests.public.area import Area

pytestmark = pytest.mark.django_db


def _row(key: str, value: str) -> str:
    return (
        f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value">{value}</dd></div>'
    )


def test_a_councillors_page_shows_their_public_profile(client, area: Area):
    response = client.get(f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/")

    assert response.status_code == 200
    assert response.context["council"] == area.county
    assertContains(response, '<h1 class="govuk-heading-l">Ada Lovelace</h1>', html=True)
    assertContains(
        response,
        '<span class="govuk-caption-l">Councillor, Mootshire County Council</span>',
        html=True,
    )
    assertContains(response, _row("Title", "Councillor Ada Lovelace"), html=True)
    assertContains(response, _row("Party", "Green Party"), html=True)
    assertContains(
        response,
        _row("Council", '<a class="govuk-link" href="/mootshire/">Mootshire County Council</a>'),
        html=True,
    )
    assertContains(
        response,
        _row(
            "Ward",
            '<a class="govuk-link" href="/mootshire/wards/mootford-north/">Mootford North</a>',
        ),
        html=True,
    )
    assertContains(
        response,
        _row(
            "Roles",
            '<ul class="govuk-list govuk-!-margin-bottom-0"><li>Leader of the Council</li></ul>',
        ),
        html=True,
    )
    assertNotContains(response, "no longer holds office")


def test_a_councillors_page_shows_their_work_contact_and_surgeries(client, area: Area):
    response = client.get(f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/")

    assertContains(
        response,
        _row(
            "Email",
            '<a class="govuk-link" href="mailto:ada.lovelace@mootshire.example">'
            "ada.lovelace@mootshire.example</a>",
        ),
        html=True,
    )
    assertContains(
        response,
        _row("Phone", '<a class="govuk-link" href="tel:01632960001">01632 960 001</a>'),
        html=True,
    )
    assertContains(response, _row("Address", "County Hall<br>Mootford<br>MH1 9ZZ"), html=True)
    assertContains(
        response,
        '<div class="govuk-body mh-surgeries"><p>First Saturday of the month, 10am to noon, '
        "Mootford Library.</p></div>",
        html=True,
    )


def test_a_councillors_terms_of_office_say_which_is_current(client, area: Area):
    factories.TermOfOfficeFactory(
        councillor=area.ada, start_date=dt.date(2017, 5, 4), end_date=dt.date(2021, 5, 5)
    )

    response = client.get(f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/")

    assertContains(
        response,
        '<ul class="govuk-list mh-terms">'
        '<li>4 May 2017 to 5 May 2021 <strong class="govuk-tag govuk-tag--grey">Ended</strong></li>'
        '<li>From 6 May 2021 <strong class="govuk-tag govuk-tag--green">Current</strong></li>'
        "</ul>",
        html=True,
    )


def test_a_former_councillors_page_says_they_no_longer_hold_office(client, area: Area):
    response = client.get(f"/mootshire/councillors/{area.fred.pk}-fred-former/")

    assert response.status_code == 200
    assertContains(
        response,
        '<div class="govuk-inset-text" id="former">Fred Former no longer holds office at '
        "Mootshire County Council.</div>",
        html=True,
    )
    assertContains(
        response,
        '<span class="govuk-caption-l">Former councillor, Mootshire County Council</span>',
        html=True,
    )
    assertContains(
        response,
        "<li>4 May 2017 to 5 May 2021 "
        '<strong class="govuk-tag govuk-tag--grey">Ended</strong></li>',
        html=True,
    )
    # The old work address and post would mislead: they are not shown for a former member.
    assertNotContains(response, "fred.former@mootshire.example")
    assertNotContains(response, "Cabinet Member for Roads")


def test_a_councillor_whose_term_has_not_begun_is_not_yet_in_office(client, area: Area):
    newcomer = factories.CouncillorFactory(
        council=area.county,
        ward=area.division,
        person__name="Nia Newcomer",
        term__start_date=dt.date.today() + dt.timedelta(days=30),
    )

    response = client.get(f"/mootshire/councillors/{newcomer.pk}-nia-newcomer/")

    assertContains(response, '<strong class="govuk-tag govuk-tag--blue">Not started yet</strong>')
    assert response.context["in_office"] is False
    # Elected, not yet in office: never called a former councillor.
    assert response.context["former"] is False
    assertContains(
        response,
        '<span class="govuk-caption-l">Councillor, Mootshire County Council</span>',
        html=True,
    )
    assertNotContains(response, "no longer holds office")
    assertNotContains(response, "Former councillor")


def test_a_photo_is_shown_with_alt_text_only_from_an_https_address(client, area: Area):
    area.ada.photo_url = "https://mootshire.example/photos/ada.jpg"
    area.ada.save()
    area.cara.photo_url = "http://lowdale.example/photos/cara.jpg"
    area.cara.save()

    with_photo = client.get(f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/")
    without = client.get(f"/lowdale/councillors/{area.cara.pk}-cara-cole/")

    assertContains(
        with_photo,
        '<img class="mh-councillor-photo" src="https://mootshire.example/photos/ada.jpg" '
        'alt="Photo of Ada Lovelace" referrerpolicy="no-referrer" loading="lazy">',
        html=True,
    )
    assertNotContains(without, "<img")
    assertNotContains(without, "lowdale.example/photos")


def test_a_councillor_is_not_found_under_another_council(client, area: Area):
    response = client.get(f"/lowdale/councillors/{area.ada.pk}-ada-lovelace/")

    assert response.status_code == 404


def test_an_unknown_councillor_is_not_found(client, area: Area):
    assert client.get("/mootshire/councillors/99999-nobody/").status_code == 404
    assert client.get("/mootshire/councillors/ada-lovelace/").status_code == 404


def test_a_wrong_name_in_the_address_redirects_to_the_right_one(client, area: Area):
    response = client.get(f"/mootshire/councillors/{area.ada.pk}-ada-byron/")

    assertRedirects(
        response,
        f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/",
        status_code=301,
        fetch_redirect_response=False,
    )


def test_a_councillor_page_runs_a_fixed_number_of_queries(
    client, area: Area, django_assert_max_num_queries
):
    for n in range(4):
        factories.KeyPostFactory(councillor=area.ada, title=f"Chair {n}", order=n + 1)

    # 3 for the profile, 1 for attendance, 1 for the voting record and 1 for the
    # response rate to residents' messages.
    with django_assert_max_num_queries(6):
        response = client.get(f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/")

    assert [post.title for post in response.context["key_posts"]] == [
        "Leader of the Council",
        "Chair 0",
        "Chair 1",
        "Chair 2",
        "Chair 3",
    ]
