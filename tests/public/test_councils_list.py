"""Anyone can browse every council on the site, by nation, and filter them by name."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains

from moothall.councils.models import Council
from tests import factories

pytestmark = pytest.mark.django_db


def _council_links(response) -> list[str]:
    return re.findall(
        r'<td class="govuk-table__cell"><a class="govuk-link" href="/[^"]+/">([^<]+)</a></td>',
        response.content.decode(),
    )


def _nation_headings(response) -> list[str]:
    return re.findall(
        r'<h2 class="govuk-heading-m" id="nation-[a-z-]+">([^<]+)</h2>', response.content.decode()
    )


@pytest.fixture
def four_nations(db) -> None:
    factories.CouncilFactory(
        name="Powys County Council", short_name="Powys", nation="wales", tier="unitary"
    )
    factories.CouncilFactory(
        name="Fife Council", short_name="Fife", nation="scotland", tier="unitary"
    )
    factories.CouncilFactory(name="Kent County Council", short_name="Kent", tier="county")
    factories.CouncilFactory(name="Ashford Borough Council", short_name="Ashford")
    factories.CouncilFactory(
        name="Belfast City Council", short_name="Belfast", nation="northern-ireland", tier="unitary"
    )
    factories.CouncilFactory(
        name="Cardiff Council", short_name="Cardiff", nation="wales", tier="unitary"
    )


def test_a_visitor_sees_every_council_grouped_by_nation_then_by_name(client, four_nations):
    response = client.get("/councils/")

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">All councils</h1>', html=True)
    assertContains(response, "6 councils, by nation.")
    assert _nation_headings(response) == ["England", "Northern Ireland", "Scotland", "Wales"]
    assert _council_links(response) == [
        "Ashford Borough Council",
        "Kent County Council",
        "Belfast City Council",
        "Fife Council",
        "Cardiff Council",
        "Powys County Council",
    ]


def test_each_council_is_listed_with_its_tier(client, four_nations):
    response = client.get("/councils/")

    assertContains(
        response,
        '<tr class="govuk-table__row"><td class="govuk-table__cell">'
        '<a class="govuk-link" href="/kent/">Kent County Council</a></td>'
        '<td class="govuk-table__cell">County council</td></tr>',
        html=True,
    )
    assertContains(
        response,
        '<tr class="govuk-table__row"><td class="govuk-table__cell">'
        '<a class="govuk-link" href="/ashford/">Ashford Borough Council</a></td>'
        '<td class="govuk-table__cell">District council</td></tr>',
        html=True,
    )


def test_a_visitor_can_filter_councils_by_part_of_their_name(client, four_nations):
    response = client.get("/councils/", {"q": "  county  "})

    assert _council_links(response) == ["Kent County Council", "Powys County Council"]
    assert _nation_headings(response) == ["England", "Wales"]
    assertContains(response, "2 councils match “county”.")
    assertContains(response, 'value="county"')


def test_a_filter_matching_nothing_says_so(client, four_nations):
    response = client.get("/councils/", {"q": "Atlantis"})

    assert _council_links(response) == []
    assertContains(response, "No council's name contains “Atlantis”.")


def test_a_filter_with_markup_is_shown_as_text(client, four_nations):
    response = client.get("/councils/", {"q": "<script>x</script>"})

    assertNotContains(response, "<script>x</script>")
    assertContains(response, "&lt;script&gt;x&lt;/script&gt;")


def test_the_list_of_four_hundred_councils_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    nations = ["england", "wales", "scotland", "northern-ireland"]
    Council.objects.bulk_create(
        Council(
            name=f"Council {n:03d}",
            short_name=f"Council {n:03d}",
            slug=f"council-{n:03d}",
            tier="district" if n % 2 else "parish",
            nation=nations[n % 4],
            gss_code=f"E07{n:06d}",
        )
        for n in range(400)
    )

    with django_assert_max_num_queries(1):
        response = client.get("/councils/")

    assert len(_council_links(response)) == 400


def test_a_filter_with_control_characters_is_cleaned_not_refused(client, four_nations):
    response = client.get("/councils/", {"q": "\tKent\x00\x07"})

    assert response.status_code == 200
    assert response.context["q"] == "Kent"
    assert _council_links(response) == ["Kent County Council"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=60))
def test_no_text_typed_as_a_filter_gives_an_error_page(client, q: str):
    assert client.get("/councils/", {"q": q}).status_code == 200


@pytest.mark.django_db
def test_an_htmx_request_gets_only_the_results_and_the_count_out_of_band(client):
    factories.CouncilFactory(name="Lowdale District Council", short_name="Lowdale", slug="lowdale")
    factories.CouncilFactory(
        name="Mootshire County Council", short_name="Mootshire", slug="mootshire"
    )

    response = client.get("/councils/", {"q": "low"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in response.text
    assert '<a class="govuk-link" href="/lowdale/">Lowdale District Council</a>' in response.text
    assert "Mootshire County Council" not in response.text
    assert 'id="council-count" role="status" hx-swap-oob="true"' in response.text
    assert "1 council matches “low”." in response.text
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.django_db
def test_without_htmx_the_filter_is_a_whole_page(client):
    response = client.get("/councils/", {"q": "low"})

    assert "<html" in response.text
    assert "hx-swap-oob" not in response.text
    assert 'hx-get="/councils/"' in response.text
