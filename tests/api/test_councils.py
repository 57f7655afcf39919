"""The councils endpoints: the list (paged, filtered), one council, and its wards."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def _council_item(council, parent: str | None) -> dict:
    return {
        "slug": council.slug,
        "name": council.name,
        "short_name": council.short_name,
        "tier": council.tier,
        "nation": council.nation,
        "url": f"/{council.slug}/",
        "api_url": f"/api/v1/councils/{council.slug}",
        "gss_code": council.gss_code,
        "parent": parent,
    }


def test_a_journalist_can_list_every_council_with_the_total_count(client, area):
    response = client.get("/api/v1/councils")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "items": [
            {
                "slug": "dunmoor",
                "name": "Dunmoor District Council",
                "short_name": "Dunmoor",
                "tier": "district",
                "nation": "england",
                "url": "/dunmoor/",
                "api_url": "/api/v1/councils/dunmoor",
                "gss_code": "E07000999",
                "parent": "mootshire",
            },
            {
                "slug": "little-mooting",
                "name": "Little Mooting Parish Council",
                "short_name": "Little Mooting",
                "tier": "parish",
                "nation": "england",
                "url": "/little-mooting/",
                "api_url": "/api/v1/councils/little-mooting",
                "gss_code": "E04000999",
                "parent": "dunmoor",
            },
            {
                "slug": "mootshire",
                "name": "Mootshire County Council",
                "short_name": "Mootshire",
                "tier": "county",
                "nation": "england",
                "url": "/mootshire/",
                "api_url": "/api/v1/councils/mootshire",
                "gss_code": "E10000099",
                "parent": None,
            },
        ],
        "count": 3,
    }


def test_a_council_without_a_gss_code_has_null_rather_than_an_empty_string(client, db):
    factories.CouncilFactory(name="Nowhere Council", slug="nowhere", gss_code=None)

    response = client.get("/api/v1/councils")

    assert response.json()["items"][0]["gss_code"] is None


def test_limit_and_offset_page_through_the_councils_keeping_the_total(client, area):
    first = client.get("/api/v1/councils?limit=2")
    second = client.get("/api/v1/councils?limit=2&offset=2")
    beyond = client.get("/api/v1/councils?limit=2&offset=10")

    assert [c["slug"] for c in first.json()["items"]] == ["dunmoor", "little-mooting"]
    assert first.json()["count"] == 3
    assert [c["slug"] for c in second.json()["items"]] == ["mootshire"]
    assert second.json()["count"] == 3
    assert beyond.json() == {"items": [], "count": 3}


def test_a_page_holds_fifty_councils_unless_a_limit_is_given(client, db):
    factories.CouncilFactory.create_batch(51)

    response = client.get("/api/v1/councils")

    assert len(response.json()["items"]) == 50
    assert response.json()["count"] == 51


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("limit=0", "greater_than_equal"),
        ("limit=501", "less_than_equal"),
        ("offset=-1", "greater_than_equal"),
        ("offset=1000001", "less_than_equal"),
        ("limit=lots", "int_parsing"),
    ],
)
def test_a_limit_or_offset_out_of_bounds_is_refused_with_422(client, db, query, problem):
    response = client.get(f"/api/v1/councils?{query}")

    assert response.status_code == 422
    assert [error["type"] for error in response.json()["detail"]] == [problem]


def test_councils_can_be_filtered_by_tier(client, area):
    response = client.get("/api/v1/councils?tier=district")

    assert [c["slug"] for c in response.json()["items"]] == ["dunmoor"]
    assert response.json()["count"] == 1


def test_councils_can_be_filtered_by_nation(client, area):
    factories.CouncilFactory(
        name="Denbighshire County Council",
        short_name="Denbighshire",
        slug="denbighshire",
        tier="unitary",
        nation="wales",
    )

    wales = client.get("/api/v1/councils?nation=wales")
    england = client.get("/api/v1/councils?nation=england")

    assert [c["slug"] for c in wales.json()["items"]] == ["denbighshire"]
    assert england.json()["count"] == 3


def test_councils_can_be_filtered_by_a_case_insensitive_part_of_their_name(client, area):
    response = client.get("/api/v1/councils?q=MOOT")

    assert [c["slug"] for c in response.json()["items"]] == ["little-mooting", "mootshire"]


def test_the_filters_combine(client, area):
    response = client.get("/api/v1/councils?q=moot&tier=parish&nation=england")

    assert [c["slug"] for c in response.json()["items"]] == ["little-mooting"]


def test_an_unknown_tier_is_refused_with_422_naming_the_choices(client, db):
    response = client.get("/api/v1/councils?tier=galactic")

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "tier"]
    assert error["type"] == "enum"


def test_a_name_filter_with_a_nul_character_is_refused_with_422(client, db):
    response = client.get("/api/v1/councils?q=moot%00")

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "q"]
    assert error["msg"] == "Value error, The search text cannot contain a NUL character."


def test_the_council_list_runs_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    county = factories.CouncilFactory(name="Bigshire County Council", tier="county")
    factories.CouncilFactory.create_batch(25, parent=county)

    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/councils?limit=30")

    assert len(response.json()["items"]) == 26
    assert {c["parent"] for c in response.json()["items"][1:]} == {"bigshire-county"}


def test_a_researcher_can_read_one_council_with_its_children_and_counts(client, area):
    response = client.get("/api/v1/councils/mootshire")

    assert response.status_code == 200
    assert response.json() == {
        **_council_item(area.county, parent=None),
        "children": ["dunmoor"],
        "ward_count": 1,
        "councillor_count": 1,
    }


def test_a_district_names_its_county_and_its_parishes(client, area):
    response = client.get("/api/v1/councils/dunmoor")

    assert response.json() == {
        **_council_item(area.district, parent="mootshire"),
        "children": ["little-mooting"],
        "ward_count": 1,
        "councillor_count": 1,
    }


def test_an_unknown_council_is_a_json_404(client, db):
    response = client.get("/api/v1/councils/atlantis")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “atlantis”."}


def test_a_councils_wards_are_listed_by_name(client, area):
    factories.WardFactory(council=area.county, name="Abbey", slug="abbey", gss_code="")

    response = client.get("/api/v1/councils/mootshire/wards")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"slug": "abbey", "name": "Abbey", "gss_code": None},
            {"slug": "mootford-north", "name": "Mootford North", "gss_code": "E58000001"},
        ],
        "count": 2,
    }


def test_the_wards_of_an_unknown_council_are_a_json_404(client, db):
    response = client.get("/api/v1/councils/atlantis/wards")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “atlantis”."}


def test_the_ward_list_runs_a_fixed_number_of_queries(
    client, council, django_assert_max_num_queries
):
    factories.WardFactory.create_batch(25, council=council)

    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/councils/mootshire/wards?limit=25")

    assert len(response.json()["items"]) == 25
    assert response.json()["count"] == 25
