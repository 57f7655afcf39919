"""A resident finds the councils, wards and councillors that serve their postcode."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from tests import factories
from tests.public.area import Area

pytestmark = pytest.mark.django_db


def test_the_home_page_explains_moothall_and_asks_for_a_postcode(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/")

    assert response.status_code == 200
    assertContains(
        response, '<h1 class="govuk-heading-xl">Find your councils and councillors</h1>', html=True
    )
    assertContains(response, "Moothall is where your council does its business in the open")
    assertContains(
        response,
        '<label class="govuk-label govuk-label--m" for="postcode">Enter your postcode</label>',
        html=True,
    )
    assertContains(
        response,
        '<div id="postcode-hint" class="govuk-hint">For example, SW1A 1AA</div>',
        html=True,
    )
    assertContains(response, '<form action="/your-councils/" method="get" novalidate')
    assertNotContains(response, "govuk-error-summary")


def test_a_resident_sees_every_council_for_their_postcode_widest_first(client, area: Area):
    response = client.get("/your-councils/", {"postcode": "MH1 1AA"})

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">Your councils</h1>', html=True)
    assertContains(response, '<span class="govuk-caption-l">MH1 1AA</span>', html=True)
    body = response.content.decode()
    county = body.index('<a class="govuk-link" href="/mootshire/">Mootshire County Council</a>')
    district = body.index('<a class="govuk-link" href="/lowdale/">Lowdale District Council</a>')
    parish = body.index('<a class="govuk-link" href="/brookby/">Brookby Parish Council</a>')
    assert county < district < parish
    assert [rep.council.slug for rep in response.context["answer"].representations] == [
        "mootshire",
        "lowdale",
        "brookby",
    ]


def test_each_council_shows_the_residents_ward_and_its_councillors(client, area: Area):
    response = client.get("/your-councils/", {"postcode": "MH1 1AA"})

    assertContains(
        response,
        'Your electoral division: <a class="govuk-link" href="/mootshire/wards/mootford-north/">'
        "Mootford North</a>",
        html=True,
    )
    assertContains(
        response,
        'Your ward: <a class="govuk-link" href="/lowdale/wards/lowdale-central/">'
        "Lowdale Central</a>",
        html=True,
    )
    ada_url = f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/"
    assertContains(
        response,
        f'<a class="govuk-link govuk-!-font-weight-bold" href="{ada_url}">Ada Lovelace</a>',
        html=True,
    )
    assertContains(
        response,
        '<p class="govuk-body govuk-!-margin-bottom-1 mh-party">Green Party</p>',
        html=True,
    )
    assertContains(response, "<li>Leader of the Council</li>", html=True)
    assertContains(
        response,
        '<li>Email: <a class="govuk-link" href="mailto:ada.lovelace@mootshire.example">'
        "ada.lovelace@mootshire.example</a></li>",
        html=True,
    )
    assertContains(
        response,
        '<li>Phone: <a class="govuk-link" href="tel:01632960001">01632 960 001</a></li>',
        html=True,
    )
    assertContains(response, f'href="/lowdale/councillors/{area.brian.pk}-brian-brook/"')
    assertContains(response, f'href="/lowdale/councillors/{area.cara.pk}-cara-cole/"')
    assertContains(response, f'href="/brookby/councillors/{area.dora.pk}-dora-dale/"')
    assertContains(
        response, '<p class="govuk-body govuk-!-margin-bottom-1 mh-party">No party</p>', html=True
    )


def test_a_former_councillor_is_not_listed_as_representing_the_postcode(client, area: Area):
    response = client.get("/your-councils/", {"postcode": "MH1 1AA"})

    assertNotContains(response, "Fred Former")
    assertNotContains(response, "Cabinet Member for Roads")


@pytest.mark.parametrize("typed", ["mh11aa", "  mh1   1aa ", "MH11AA"])
def test_a_postcode_is_understood_however_it_is_typed(client, area: Area, typed: str):
    response = client.get("/your-councils/", {"postcode": typed})

    assert response.status_code == 200
    assert response.context["postcode"] == "MH1 1AA"
    assertContains(response, "MH1 1AA is served by 3 councils, widest area first.")


@pytest.mark.parametrize("typed", ["not a postcode", "12345", "QX1 1AA", "MH1 1A", "x" * 300])
def test_a_malformed_postcode_gets_the_form_back_with_an_error(client, area: Area, typed: str):
    response = client.get("/your-councils/", {"postcode": typed})

    assert response.status_code == 200
    assertContains(response, "<title>Error: Find your councils and councillors – Moothall</title>")
    assertContains(
        response,
        '<h2 class="govuk-error-summary__title">There is a problem</h2>',
        html=True,
    )
    assertContains(
        response, '<li><a href="#postcode">Enter a real postcode, like SW1A 1AA</a></li>', html=True
    )
    assertContains(
        response,
        '<p id="postcode-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> '
        "Enter a real postcode, like SW1A 1AA</p>",
        html=True,
    )
    assertContains(response, 'aria-describedby="postcode-hint postcode-error"')
    assertContains(response, "govuk-input--error")


def test_an_empty_postcode_asks_for_one(client):
    response = client.get("/your-councils/", {"postcode": "   "})

    assert response.status_code == 200
    assertContains(response, '<li><a href="#postcode">Enter a postcode</a></li>', html=True)


def test_the_results_address_without_a_postcode_goes_back_to_the_form(client):
    response = client.get("/your-councils/")

    assertRedirects(response, "/", fetch_redirect_response=False)


def test_a_well_formed_postcode_we_do_not_know_gets_a_clear_message(client, area: Area):
    response = client.get("/your-councils/", {"postcode": "mh9 9zz"})

    assert response.status_code == 200
    assertContains(
        response,
        '<p class="govuk-body" id="unknown-postcode">We don\'t have MH9 9ZZ in our postcode '
        "directory. Check the postcode is right, or find your council in the list of all "
        "councils.</p>",
        html=True,
    )
    assertNotContains(response, "govuk-error-summary")


def test_a_postcode_in_the_directory_with_no_councils_here_says_so(client):
    factories.PostcodeFactory(postcode="MH2 2BB", county_gss="E10000999")

    response = client.get("/your-councils/", {"postcode": "MH2 2BB"})

    assertContains(
        response,
        "MH2 2BB is in our postcode directory, but none of the councils that serve it use "
        "this site yet.",
    )


def test_the_results_page_runs_a_fixed_number_of_queries(
    client, area: Area, django_assert_max_num_queries
):
    for n in range(6):
        member = factories.CouncillorFactory(
            council=area.district, ward=area.district_ward, party__name=f"Party {n % 3}"
        )
        factories.KeyPostFactory(councillor=member, title=f"Chair of Committee {n}")

    with django_assert_max_num_queries(5):
        response = client.get("/your-councils/", {"postcode": "MH1 1AA"})

    assert [len(rep.councillors) for rep in response.context["answer"].representations] == [
        1,
        8,
        1,
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(max_size=40))
def test_no_text_typed_as_a_postcode_gives_an_error_page(client: Client, typed: str):
    response = client.get("/your-councils/", {"postcode": typed})

    assert response.status_code == 200
