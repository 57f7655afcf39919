"""Who represents a postcode: every council, its ward there and the ward's councillors."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import ada_payload

pytestmark = pytest.mark.django_db


def _council_ref(slug: str, name: str, short_name: str, tier: str) -> dict:
    return {
        "slug": slug,
        "name": name,
        "short_name": short_name,
        "tier": tier,
        "nation": "england",
        "url": f"/{slug}/",
        "api_url": f"/api/v1/councils/{slug}",
    }


def test_a_resident_learns_every_council_ward_and_councillor_for_their_postcode(client, area):
    response = client.get("/api/v1/postcodes/MH1%201AA")

    assert response.status_code == 200
    assert response.json() == {
        "postcode": "MH1 1AA",
        "representation": [
            {
                "council": _council_ref(
                    "mootshire", "Mootshire County Council", "Mootshire", "county"
                ),
                "ward": {"slug": "mootford-north", "name": "Mootford North"},
                "councillors": [ada_payload(area)],
            },
            {
                "council": _council_ref(
                    "dunmoor", "Dunmoor District Council", "Dunmoor", "district"
                ),
                "ward": {"slug": "mootford-central", "name": "Mootford Central"},
                "councillors": [
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
                ],
            },
            {
                "council": _council_ref(
                    "little-mooting", "Little Mooting Parish Council", "Little Mooting", "parish"
                ),
                "ward": None,
                "councillors": [],
            },
        ],
    }


@pytest.mark.parametrize("typed", ["mh11aa", "mh1%201aa", "%20MH1%20%201AA%20"])
def test_a_postcode_typed_loosely_is_answered_in_its_canonical_form(client, area, typed):
    response = client.get(f"/api/v1/postcodes/{typed}")

    assert response.status_code == 200
    assert response.json()["postcode"] == "MH1 1AA"


def test_a_postcode_answer_runs_a_fixed_number_of_queries(
    client, area, django_assert_max_num_queries
):
    for n in range(20):
        seat = factories.CouncillorFactory(
            council=area.county, ward=area.division, person__name=f"Member {n:02d}"
        )
        factories.KeyPostFactory(councillor=seat, title=f"Champion for {n}")

    # Postcode, councils, wards, councillors, key posts, then terms for the API.
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/postcodes/MH1%201AA")

    councillors = response.json()["representation"][0]["councillors"]
    assert len(councillors) == 21
    assert councillors[20]["key_posts"] == ["Champion for 19"]
    assert councillors[20]["terms"] == [{"start": "2022-05-05", "end": None}]


@pytest.mark.parametrize("text", ["not-a-postcode", "QX1%201AA", "12345", "MH1", "MH1/1AA"])
def test_a_malformed_postcode_is_a_json_400(client, db, text):
    response = client.get(f"/api/v1/postcodes/{text}")

    assert response.status_code == 400
    assert response.json() == {"detail": "Enter a real postcode, like SW1A 1AA."}


def test_a_well_formed_postcode_we_do_not_know_is_a_json_404(client, db):
    response = client.get("/api/v1/postcodes/mh99zz")

    assert response.status_code == 404
    assert response.json() == {"detail": "We don't have MH9 9ZZ in our postcode directory."}
