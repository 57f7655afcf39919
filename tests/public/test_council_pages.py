"""A council's space: its page, its wards and its list of councillors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests import factories
from tests.public.area import Area, populate

pytestmark = pytest.mark.django_db


def _links_in(html: str, start: str, end: str) -> list[str]:
    section = html[html.index(start) : html.index(end, html.index(start))]
    return re.findall(r'<a class="govuk-link[^"]*" href="[^"]+">([^<]+)</a>', section)


def test_a_council_page_shows_its_name_tier_nation_and_parent(client, area: Area):
    response = client.get("/lowdale/")

    assert response.status_code == 200
    assert response.context["council"] == area.district
    assertContains(
        response, '<h1 class="govuk-heading-xl">Lowdale District Council</h1>', html=True
    )
    assertContains(
        response,
        '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Type</dt>'
        '<dd class="govuk-summary-list__value">District council</dd></div>',
        html=True,
    )
    assertContains(
        response,
        '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Nation</dt>'
        '<dd class="govuk-summary-list__value">England</dd></div>',
        html=True,
    )
    assertContains(
        response,
        '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Part of</dt>'
        '<dd class="govuk-summary-list__value"><a class="govuk-link" href="/mootshire/">'
        "Mootshire County Council</a></dd></div>",
        html=True,
    )
    assertContains(response, "<title>About the council – Lowdale – Moothall</title>")


def test_a_council_page_lists_the_councils_within_it(client, area: Area):
    response = client.get("/lowdale/")

    assertContains(
        response,
        '<h2 class="govuk-heading-l" id="children">Councils within Lowdale</h2>',
        html=True,
    )
    assertContains(
        response,
        '<li><a class="govuk-link" href="/brookby/">Brookby Parish Council</a> '
        '<span class="mh-secondary">(Parish, town or community council)</span></li>',
        html=True,
    )


def test_a_council_page_lists_current_councillors_by_ward_with_party(client, area: Area):
    factories.WardFactory(council=area.district, name="Aldwick", slug="aldwick")

    response = client.get("/lowdale/")
    html = response.content.decode()

    assertContains(response, "2 councillors, by ward.")
    assertContains(
        response,
        '<h3 class="govuk-heading-m"><a class="govuk-link" href="/lowdale/wards/lowdale-central/">'
        "Lowdale Central</a></h3>",
        html=True,
    )
    assert _links_in(html, 'id="councillors"', 'id="wards"') == [
        "See the list of councillors",
        "Lowdale Central",
        "Brian Brook",
        "Cara Cole",
    ]
    assert _links_in(html, 'id="wards"', 'id="children"') == ["Aldwick", "Lowdale Central"]
    assertContains(
        response,
        '<p class="govuk-body govuk-!-margin-bottom-1 mh-party">Labour Party</p>',
        html=True,
    )


def test_a_former_councillor_is_not_listed_on_the_council_page(client, area: Area):
    response = client.get("/mootshire/")

    assertContains(response, "Ada Lovelace")
    assertContains(response, "<li>Leader of the Council</li>", html=True)
    assertNotContains(response, "Fred Former")


def test_an_unknown_council_is_not_found(client, area: Area):
    assert client.get("/nowhere-shire/").status_code == 404
    assert client.get("/nowhere-shire/councillors/").status_code == 404
    assert client.get("/nowhere-shire/wards/lowdale-central/").status_code == 404


def test_a_council_page_of_realistic_size_runs_a_fixed_number_of_queries(
    client, area: Area, django_assert_max_num_queries
):
    populate(area.county, wards=30, per_ward=2)
    for n in range(40):
        factories.CouncilFactory(name=f"Parish {n:02d} Council", tier="parish", parent=area.county)

    with django_assert_max_num_queries(6):
        response = client.get("/mootshire/")

    assertContains(response, "61 councillors, by ward.")
    assert len(response.context["children"]) == 41


def test_a_ward_page_shows_its_current_councillors_with_contact(client, area: Area):
    response = client.get("/mootshire/wards/mootford-north/")

    assert response.status_code == 200
    assert response.context["council"] == area.county
    assertContains(response, '<h1 class="govuk-heading-l">Mootford North</h1>', html=True)
    assertContains(
        response, '<span class="govuk-caption-l">Mootshire County Council</span>', html=True
    )
    assertContains(
        response,
        f'<a class="govuk-link govuk-!-font-weight-bold" '
        f'href="/mootshire/councillors/{area.ada.pk}-ada-lovelace/">Ada Lovelace</a>',
        html=True,
    )
    assertContains(response, 'href="mailto:ada.lovelace@mootshire.example"')
    assertNotContains(response, "Fred Former")


def test_a_ward_is_found_only_within_its_own_council(client, area: Area):
    assert client.get("/lowdale/wards/mootford-north/").status_code == 404
    assert client.get("/mootshire/wards/no-such-ward/").status_code == 404


def test_a_ward_page_runs_a_fixed_number_of_queries(
    client, area: Area, django_assert_max_num_queries
):
    for n in range(5):
        member = factories.CouncillorFactory(council=area.county, ward=area.division)
        factories.KeyPostFactory(councillor=member, title=f"Chair {n}")

    with django_assert_max_num_queries(4):
        response = client.get("/mootshire/wards/mootford-north/")

    assert len(response.context["councillors"]) == 6


def test_the_councillors_page_lists_current_councillors_with_ward_party_and_roles(
    client, area: Area
):
    response = client.get("/mootshire/councillors/")

    assert response.status_code == 200
    assert response.context["council"] == area.county
    assertContains(response, '<h1 class="govuk-heading-l">Councillors</h1>', html=True)
    assertContains(
        response,
        '<tr class="govuk-table__row">'
        f'<td class="govuk-table__cell"><a class="govuk-link" '
        f'href="/mootshire/councillors/{area.ada.pk}-ada-lovelace/">Ada Lovelace</a></td>'
        '<td class="govuk-table__cell"><a class="govuk-link" '
        'href="/mootshire/wards/mootford-north/">Mootford North</a></td>'
        '<td class="govuk-table__cell">Green Party</td>'
        '<td class="govuk-table__cell">Leader of the Council</td></tr>',
        html=True,
    )


def test_the_councillors_page_lists_former_councillors_apart(client, area: Area):
    response = client.get("/mootshire/councillors/")

    assert [c.name for c in response.context["current"]] == ["Ada Lovelace"]
    assert [c.name for c in response.context["former"]] == ["Fred Former"]
    assertContains(
        response,
        f'<li><a class="govuk-link" href="/mootshire/councillors/{area.fred.pk}-fred-former/">'
        "Fred Former</a> (Mootford North)</li>",
        html=True,
    )


def test_someone_elected_whose_term_has_not_begun_is_not_listed_as_a_former_councillor(
    client, area: Area
):
    newcomer = factories.CouncillorFactory(
        council=area.county,
        ward=area.division,
        person__name="Nia Newcomer",
        term__start_date=dt.date.today() + dt.timedelta(days=30),
    )

    response = client.get("/mootshire/councillors/")

    assert [c.name for c in response.context["current"]] == ["Ada Lovelace"]
    assert [c.name for c in response.context["former"]] == ["Fred Former"]
    assertNotContains(response, newcomer.get_absolute_url())


def test_the_councillors_page_of_realistic_size_runs_a_fixed_number_of_queries(
    client, area: Area, django_assert_max_num_queries
):
    populate(area.county, wards=30, per_ward=2)

    with django_assert_max_num_queries(4):
        response = client.get("/mootshire/councillors/")

    assert len(response.context["current"]) == 61
    assert len(response.context["former"]) == 31
