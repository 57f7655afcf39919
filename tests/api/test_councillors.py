"""The councillors endpoints: a council's councillors (current, or all) and one councillor."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.api.conftest import ada_payload

pytestmark = pytest.mark.django_db


def fred_payload(area) -> dict:
    return {
        "id": area.fred.pk,
        "name": "Fred Former",
        "title": "Councillor Fred Former",
        "current": False,
        "party": {"slug": "green-party", "name": "Green Party"},
        "ward": {"slug": "mootford-north", "name": "Mootford North"},
        "key_posts": [],
        "terms": [{"start": "2017-05-04", "end": "2021-05-04"}],
        "contact": {"email": "fred-former@council.example", "phone": None, "address": None},
        "surgery_details": None,
        "photo_url": None,
        "url": f"/mootshire/councillors/{area.fred.pk}-fred-former/",
        "api_url": f"/api/v1/councillors/{area.fred.pk}",
    }


def test_a_resident_can_list_the_current_councillors_of_a_council(client, area):
    response = client.get("/api/v1/councils/mootshire/councillors")

    assert response.status_code == 200
    assert response.json() == {"items": [ada_payload(area)], "count": 1}


def test_former_councillors_are_listed_too_when_asked(client, area):
    response = client.get("/api/v1/councils/mootshire/councillors?include_former=true")

    assert response.json() == {"items": [ada_payload(area), fred_payload(area)], "count": 2}


def test_include_former_must_be_a_boolean(client, area):
    response = client.get("/api/v1/councils/mootshire/councillors?include_former=perhaps")

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "include_former"]
    assert error["type"] == "bool_parsing"


def test_the_councillors_of_an_unknown_council_are_a_json_404(client, db):
    response = client.get("/api/v1/councils/atlantis/councillors")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “atlantis”."}


def test_a_councillor_who_publishes_little_has_nulls_not_empty_strings(client, area):
    response = client.get("/api/v1/councils/dunmoor/councillors")

    assert response.json()["items"] == [
        {
            "id": area.brian.pk,
            "name": "Brian Brook",
            "title": None,
            "current": True,
            "party": None,
            "ward": {"slug": "mootford-central", "name": "Mootford Central"},
            "key_posts": [],
            "terms": [{"start": "2023-05-04", "end": None}],
            "contact": {"email": None, "phone": None, "address": None},
            "surgery_details": None,
            "photo_url": None,
            "url": f"/dunmoor/councillors/{area.brian.pk}-brian-brook/",
            "api_url": f"/api/v1/councillors/{area.brian.pk}",
        }
    ]


def test_a_councillor_with_no_ward_has_a_null_ward(client, council):
    factories.CouncillorFactory(council=council, ward=None, person__name="Wendy Wardless")

    response = client.get("/api/v1/councils/mootshire/councillors")

    assert response.json()["items"][0]["ward"] is None


def test_the_councillor_list_pages_with_limit_and_offset(client, area):
    response = client.get("/api/v1/councils/mootshire/councillors?include_former=1&offset=1")

    assert response.json() == {"items": [fred_payload(area)], "count": 2}


def test_the_councillor_list_runs_a_fixed_number_of_queries(
    client, council, django_assert_max_num_queries
):
    for n in range(25):
        seat = factories.CouncillorFactory(council=council, person__name=f"Member {n:02d}")
        factories.KeyPostFactory(councillor=seat, title=f"Champion for {n}")
        factories.TermOfOfficeFactory(
            councillor=seat, start_date=dt.date(2017, 5, 4), end_date=dt.date(2021, 5, 5)
        )

    # The council, the count, the page, then key posts and terms prefetched.
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/councils/mootshire/councillors?limit=25")

    items = response.json()["items"]
    assert len(items) == 25
    assert items[24]["name"] == "Member 24"
    assert items[24]["key_posts"] == ["Champion for 24"]
    assert items[24]["terms"] == [
        {"start": "2017-05-04", "end": "2021-05-05"},
        {"start": "2022-05-05", "end": None},
    ]


def test_anyone_can_read_one_councillor_with_their_council(client, area):
    response = client.get(f"/api/v1/councillors/{area.ada.pk}")

    assert response.status_code == 200
    assert response.json() == {
        **ada_payload(area),
        "council": {
            "slug": "mootshire",
            "name": "Mootshire County Council",
            "short_name": "Mootshire",
            "tier": "county",
            "nation": "england",
            "url": "/mootshire/",
            "api_url": "/api/v1/councils/mootshire",
        },
    }


def test_a_former_councillor_can_still_be_read_and_says_they_no_longer_hold_office(client, area):
    response = client.get(f"/api/v1/councillors/{area.fred.pk}")

    assert response.status_code == 200
    assert response.json()["current"] is False
    assert response.json()["terms"] == [{"start": "2017-05-04", "end": "2021-05-04"}]


def test_one_councillor_is_read_in_a_fixed_number_of_queries(
    client, area, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get(f"/api/v1/councillors/{area.ada.pk}")

    assert response.json()["key_posts"] == ["Leader of the Council", "Cabinet Member for Housing"]


@pytest.mark.parametrize("councillor_id", ["999999", "9223372036854775807", "99999999999999999999"])
def test_an_unknown_councillor_is_a_json_404(client, db, councillor_id):
    response = client.get(f"/api/v1/councillors/{councillor_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no councillor {councillor_id}."}


def test_a_councillor_id_that_is_not_a_number_is_a_json_404(client, db):
    response = client.get("/api/v1/councillors/ada")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
