"""A small area the API tests read: Mootshire county, Dunmoor district, Little Mooting parish.

- Mootshire (county, E10000099) has the division Mootford North (E58000001), whose
  councillor is Ada Lovelace (Green Party, Leader of the Council, in office since
  6 May 2021), and the former councillor Fred Former (term ended 4 May 2021).
- Dunmoor (district, E07000999, within Mootshire) has the ward Mootford Central
  (E05000001), whose councillor is Brian Brook (no party, little contact published).
- Little Mooting (parish, E04000999, within Dunmoor) has no wards.
- The postcode MH1 1AA lies in all three.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from moothall.councils.models import Council, Councillor, Ward
from tests import factories


@dataclass
class Area:
    county: Council
    district: Council
    parish: Council
    division: Ward
    ward: Ward
    ada: Councillor
    fred: Councillor
    brian: Councillor


@pytest.fixture
def area(council) -> Area:
    council.gss_code = "E10000099"
    council.save()
    district = factories.CouncilFactory(
        name="Dunmoor District Council",
        short_name="Dunmoor",
        slug="dunmoor",
        tier="district",
        gss_code="E07000999",
        parent=council,
    )
    parish = factories.CouncilFactory(
        name="Little Mooting Parish Council",
        short_name="Little Mooting",
        slug="little-mooting",
        tier="parish",
        gss_code="E04000999",
        parent=district,
    )
    division = factories.WardFactory(
        council=council, name="Mootford North", slug="mootford-north", gss_code="E58000001"
    )
    ward = factories.WardFactory(
        council=district, name="Mootford Central", slug="mootford-central", gss_code="E05000001"
    )
    ada = factories.CouncillorFactory(
        council=council,
        ward=division,
        person__name="Ada Lovelace",
        party__name="Green Party",
        title="Councillor Ada Lovelace",
        work_email="ada.lovelace@mootshire.example",
        work_phone="01632 960001",
        work_address="County Hall\nMootford\nMH1 1ZZ",
        surgery_details="First Saturday of the month, Mootford Library, 10am",
        photo_url="https://mootshire.example/photos/ada.jpg",
        term__start_date=dt.date(2021, 5, 6),
    )
    factories.KeyPostFactory(councillor=ada, title="Leader of the Council", order=0)
    factories.KeyPostFactory(councillor=ada, title="Cabinet Member for Housing", order=1)
    fred = factories.CouncillorFactory(
        council=council,
        ward=division,
        person__name="Fred Former",
        party__name="Green Party",
        title="Councillor Fred Former",
        term__start_date=dt.date(2017, 5, 4),
        term__end_date=dt.date(2021, 5, 4),
    )
    brian = factories.CouncillorFactory(
        council=district,
        ward=ward,
        person__name="Brian Brook",
        party=None,
        title="",
        work_email="",
        term__start_date=dt.date(2023, 5, 4),
    )
    factories.PostcodeFactory(
        postcode="MH1 1AA",
        ward_gss="E05000001",
        division_gss="E58000001",
        district_gss="E07000999",
        county_gss="E10000099",
        parish_gss="E04000999",
    )
    return Area(
        county=council,
        district=district,
        parish=parish,
        division=division,
        ward=ward,
        ada=ada,
        fred=fred,
        brian=brian,
    )


def ada_payload(area: Area) -> dict:
    """What the API says of Ada Lovelace, wherever she appears."""
    return {
        "id": area.ada.pk,
        "name": "Ada Lovelace",
        "title": "Councillor Ada Lovelace",
        "current": True,
        "party": {"slug": "green-party", "name": "Green Party"},
        "ward": {"slug": "mootford-north", "name": "Mootford North"},
        "key_posts": ["Leader of the Council", "Cabinet Member for Housing"],
        "terms": [{"start": "2021-05-06", "end": None}],
        "contact": {
            "email": "ada.lovelace@mootshire.example",
            "phone": "01632 960001",
            "address": "County Hall\nMootford\nMH1 1ZZ",
        },
        "surgery_details": "First Saturday of the month, Mootford Library, 10am",
        "photo_url": "https://mootshire.example/photos/ada.jpg",
        "url": f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/",
        "api_url": f"/api/v1/councillors/{area.ada.pk}",
    }
