"""A small real-shaped area the public-site tests (and the browser tests) walk through.

- Mootshire County Council (county, E10000031) has the electoral division Mootford North
  (E58000301). Its councillor is Ada Lovelace (Green Party, Leader of the Council, in office
  since 6 May 2021); Fred Former held the seat until 5 May 2021.
- Lowdale District Council (district, E07000301, within Mootshire) has the ward Lowdale
  Central (E05000301), with Brian Brook (Independent) and Cara Cole (Labour).
- Brookby Parish Council (parish, E04000301, within Lowdale) is one unwarded area: its ward
  carries the parish code. Its councillor is Dora Dale, who stands for no party.
- The postcode MH1 1AA lies in all three.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from moothall.councils.models import Council, Councillor, Postcode, Ward
from tests import factories


@dataclass
class Area:
    county: Council
    district: Council
    parish: Council
    division: Ward
    district_ward: Ward
    parish_ward: Ward
    ada: Councillor
    fred: Councillor
    brian: Councillor
    cara: Councillor
    dora: Councillor
    postcode: Postcode


def build_area() -> Area:
    county = factories.CouncilFactory(
        name="Mootshire County Council",
        short_name="Mootshire",
        slug="mootshire",
        tier="county",
        gss_code="E10000031",
    )
    district = factories.CouncilFactory(
        name="Lowdale District Council",
        short_name="Lowdale",
        slug="lowdale",
        tier="district",
        gss_code="E07000301",
        parent=county,
        colour="#2e5e3a",
    )
    parish = factories.CouncilFactory(
        name="Brookby Parish Council",
        short_name="Brookby",
        slug="brookby",
        tier="parish",
        gss_code="E04000301",
        parent=district,
    )
    division = factories.WardFactory(
        council=county, name="Mootford North", slug="mootford-north", gss_code="E58000301"
    )
    district_ward = factories.WardFactory(
        council=district, name="Lowdale Central", slug="lowdale-central", gss_code="E05000301"
    )
    parish_ward = factories.WardFactory(
        council=parish, name="Brookby", slug="brookby", gss_code="E04000301"
    )

    ada = factories.CouncillorFactory(
        council=county,
        ward=division,
        person__name="Ada Lovelace",
        party__name="Green Party",
        title="Councillor Ada Lovelace",
        work_email="ada.lovelace@mootshire.example",
        work_phone="01632 960 001",
        work_address="County Hall\nMootford\nMH1 9ZZ",
        surgery_details="First Saturday of the month, 10am to noon, Mootford Library.",
        term__start_date=dt.date(2021, 5, 6),
    )
    factories.KeyPostFactory(councillor=ada, title="Leader of the Council")
    fred = factories.CouncillorFactory(
        council=county,
        ward=division,
        person__name="Fred Former",
        party__name="Liberal Democrats",
        work_email="fred.former@mootshire.example",
        term__start_date=dt.date(2017, 5, 4),
        term__end_date=dt.date(2021, 5, 5),
    )
    factories.KeyPostFactory(councillor=fred, title="Cabinet Member for Roads")
    brian = factories.CouncillorFactory(
        council=district,
        ward=district_ward,
        person__name="Brian Brook",
        party__name="Independent",
        work_email="",
    )
    cara = factories.CouncillorFactory(
        council=district,
        ward=district_ward,
        person__name="Cara Cole",
        party__name="Labour Party",
        work_email="cara.cole@lowdale.example",
    )
    dora = factories.CouncillorFactory(
        council=parish, ward=parish_ward, person__name="Dora Dale", party=None
    )
    postcode = factories.PostcodeFactory(
        postcode="MH1 1AA",
        ward_gss="E05000301",
        division_gss="E58000301",
        district_gss="E07000301",
        county_gss="E10000031",
        parish_gss="E04000301",
    )
    return Area(
        county=county,
        district=district,
        parish=parish,
        division=division,
        district_ward=district_ward,
        parish_ward=parish_ward,
        ada=ada,
        fred=fred,
        brian=brian,
        cara=cara,
        dora=dora,
        postcode=postcode,
    )


def populate(council: Council, *, wards: int, per_ward: int) -> list[Councillor]:
    """A council of realistic size: ``wards`` wards of ``per_ward`` current councillors each,
    every third one with a key post, and one former councillor per ward."""
    members = []
    for w in range(wards):
        ward = factories.WardFactory(council=council, name=f"{council.short_name} Ward {w:02d}")
        for i in range(per_ward):
            member = factories.CouncillorFactory(
                council=council, ward=ward, party__name=f"Party {i % 4}"
            )
            if (w + i) % 3 == 0:
                factories.KeyPostFactory(councillor=member, title=f"Cabinet Member {w}-{i}")
            members.append(member)
        factories.CouncillorFactory(
            council=council,
            ward=ward,
            term__start_date=dt.date(2013, 5, 2),
            term__end_date=dt.date(2017, 5, 3),
        )
    return members
