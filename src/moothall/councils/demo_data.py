"""The fictional demo area: Mootshire, a two-tier county with two districts and three parishes.

Everything here is invented and deterministic (a fixed random seed): the same
run gives the same councils, wards, about 100 councillors and about 5,000
postcodes in the fictional MH postcode area. GSS codes use a 9xxxxx range that
no real area has. Running it again updates in place and creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from moothall.councils.models import (
    Council,
    Councillor,
    KeyPost,
    Party,
    Person,
    Postcode,
    TermOfOffice,
    Ward,
)
from moothall.demo.registry import DemoContext, demo_step

SEED = 1974  # the year the two-tier map of English local government began
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UNITS_PER_SECTOR = 56  # 9 districts x 10 sectors x 56 units = 5,040 postcodes

FIRST_NAMES = [
    "Aled",
    "Amara",
    "Anika",
    "Arthur",
    "Beth",
    "Bilal",
    "Caitlin",
    "Callum",
    "Chloe",
    "Ciaran",
    "Daniel",
    "Deborah",
    "Dylan",
    "Eleri",
    "Ellis",
    "Emeka",
    "Fatima",
    "Fiona",
    "Gareth",
    "Grace",
    "Hamza",
    "Harriet",
    "Ifan",
    "Imogen",
    "Isaac",
    "Jasmine",
    "Jonah",
    "Kavita",
    "Keith",
    "Leah",
    "Lowri",
    "Mairead",
    "Marcus",
    "Meera",
    "Morgan",
    "Nadia",
    "Niamh",
    "Oliver",
    "Olwen",
    "Owen",
    "Priya",
    "Rachel",
    "Rhys",
    "Rosa",
    "Sam",
    "Sanjay",
    "Seren",
    "Sophie",
    "Tariq",
    "Tess",
    "Tomasz",
    "Una",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zainab",
    "Zofia",
    "Gwen",
    "Hugh",
    "Irene",
]
SURNAMES = [
    "Ahmed",
    "Ainsworth",
    "Bailey",
    "Banerjee",
    "Bevan",
    "Blackwood",
    "Bryant",
    "Carter",
    "Chen",
    "Clarke",
    "Cole",
    "Davies",
    "Dempsey",
    "Doyle",
    "Edwards",
    "Ellison",
    "Evans",
    "Fairweather",
    "Fletcher",
    "Foster",
    "Gill",
    "Griffiths",
    "Hale",
    "Harding",
    "Hughes",
    "Iqbal",
    "Jenkins",
    "Jones",
    "Kaur",
    "Kennedy",
    "Khan",
    "Lloyd",
    "Lovell",
    "Marsh",
    "McAllister",
    "Mensah",
    "Morgan",
    "Nowak",
    "Okafor",
    "Osei",
    "Parry",
    "Patel",
    "Pearce",
    "Price",
    "Quinn",
    "Rahman",
    "Reid",
    "Roberts",
    "Sandhu",
    "Shaw",
    "Singh",
    "Stokes",
    "Thomas",
    "Turner",
    "Vaughan",
    "Walsh",
    "Ward",
    "Webb",
    "Whitfield",
    "Williams",
    "Wright",
    "Yates",
    "Young",
    "Zielinski",
]
PARTIES = ["Conservative", "Labour", "Liberal Democrats", "Green Party", "Reform UK", "Independent"]


@dataclass(frozen=True)
class CouncilSpec:
    name: str
    short_name: str
    slug: str
    tier: str
    gss_code: str
    colour: str
    website: str
    party_weights: tuple[int, ...]  # in the order of PARTIES
    key_posts: tuple[str, ...]
    elected: dt.date


COUNTY = CouncilSpec(
    "Mootshire County Council",
    "Mootshire",
    "mootshire",
    Council.Tier.COUNTY,
    "E10900001",
    "#1d4f76",
    "https://www.mootshire.gov.example",
    (8, 4, 5, 2, 3, 1),
    (
        "Leader of the Council",
        "Deputy Leader and Cabinet Member for Finance",
        "Cabinet Member for Highways and Transport",
        "Cabinet Member for Adult Social Care",
        "Chair of the Council",
        "Leader of the Opposition",
    ),
    dt.date(2025, 5, 1),
)
DISTRICTS = [
    CouncilSpec(
        "Brackenford District Council",
        "Brackenford",
        "brackenford",
        Council.Tier.DISTRICT,
        "E07900001",
        "#005a30",
        "https://www.brackenford.gov.example",
        (5, 6, 3, 3, 1, 2),
        (
            "Leader of the Council",
            "Deputy Leader and Cabinet Member for Housing",
            "Cabinet Member for Environment",
            "Chair of Planning Committee",
            "Chair of the Council",
        ),
        dt.date(2023, 5, 4),
    ),
    CouncilSpec(
        "Elmsbury Borough Council",
        "Elmsbury",
        "elmsbury",
        Council.Tier.DISTRICT,
        "E07900002",
        "#6f2c91",
        "https://www.elmsbury.gov.example",
        (3, 4, 7, 4, 1, 2),
        (
            "Leader of the Council",
            "Deputy Leader and Cabinet Member for Communities",
            "Cabinet Member for Leisure and Culture",
            "Mayor of Elmsbury",
            "Chair of Licensing Committee",
        ),
        dt.date(2023, 5, 4),
    ),
]
PARISHES = [
    # (spec, district slug, seats, which sectors: (outward district, sector range))
    (
        CouncilSpec(
            "Brackenford Town Council",
            "Brackenford Town",
            "brackenford-town",
            Council.Tier.PARISH,
            "E04900001",
            "#7a4a00",
            "https://www.brackenfordtown.example",
            (1, 1, 1, 1, 0, 6),
            ("Town Mayor", "Deputy Town Mayor"),
            dt.date(2023, 5, 4),
        ),
        "brackenford",
        9,
        {1: range(10)},
    ),
    (
        CouncilSpec(
            "Little Hallow Parish Council",
            "Little Hallow",
            "little-hallow",
            Council.Tier.PARISH,
            "E04900002",
            "#4a5d23",
            "https://www.littlehallow.example",
            (0, 0, 0, 0, 0, 1),
            ("Chair of the Parish Council", "Vice-Chair of the Parish Council"),
            dt.date(2023, 5, 4),
        ),
        "brackenford",
        7,
        {4: range(5)},
    ),
    (
        CouncilSpec(
            "Elmsbury Fen Parish Council",
            "Elmsbury Fen",
            "elmsbury-fen",
            Council.Tier.PARISH,
            "E04900003",
            "#2b5f75",
            "https://www.elmsburyfen.example",
            (0, 0, 0, 0, 0, 1),
            ("Chair of the Parish Council", "Vice-Chair of the Parish Council"),
            dt.date(2023, 5, 4),
        ),
        "elmsbury",
        8,
        {8: range(10)},
    ),
]


@dataclass(frozen=True)
class DistrictLayout:
    outwards: list[int]  # the postcode districts (MH1 ...) it covers
    wards: list[tuple[str, int]]  # ward name and number of seats


DISTRICT_WARDS = {
    "brackenford": DistrictLayout(
        outwards=[1, 2, 3, 4, 5],
        wards=[
            ("Abbey", 2),
            ("Ashcombe", 2),
            ("Barrow Hill", 3),
            ("Castle", 2),
            ("Cherry Orchard", 2),
            ("Dunmere", 2),
            ("Forge Lane", 3),
            ("Hallow Vale", 2),
            ("Kingsmead", 2),
            ("Little Hallow", 2),
            ("Millbrook", 2),
            ("Northgate", 2),
            ("St Anne's", 2),
            ("Westfield", 2),
        ],
    ),
    "elmsbury": DistrictLayout(
        outwards=[6, 7, 8, 9],
        wards=[
            ("Bridge", 2),
            ("Cathedral", 2),
            ("Elm Park", 2),
            ("Fen Edge", 3),
            ("Harbour", 2),
            ("Lantern Hill", 2),
            ("Marsh End", 2),
            ("Old Town", 2),
            ("Priory", 3),
            ("Riverside", 2),
            ("Tollgate", 2),
            ("Wickham", 2),
        ],
    ),
}
COUNTY_DIVISIONS = {
    "brackenford": [
        "Brackenford Central",
        "Brackenford East",
        "Brackenford North",
        "Brackenford South",
        "Brackenford West",
        "Ashcombe and Dunmere",
        "Barrow and Forge",
        "Hallow Valley",
        "Kingsmead and Millbrook",
        "Northgate and Westfield",
        "St Anne's and Castle",
    ],
    "elmsbury": [
        "Elmsbury Cathedral",
        "Elmsbury Harbour",
        "Elmsbury Old Town",
        "Elmsbury Riverside",
        "Fen and Marsh",
        "Lantern Hill and Priory",
        "Tollgate and Bridge",
        "Wickham",
        "Elm Park",
    ],
}


def _gss(entity: str, number: int) -> str:
    """A GSS-shaped code in the 9xxxxx range, which no real area uses."""
    return f"{entity}9{number:05d}"


def _council(spec: CouncilSpec, parent: Council | None) -> Council:
    council = Council.objects.filter(slug=spec.slug).first() or Council(slug=spec.slug)
    council.name = spec.name
    council.short_name = spec.short_name
    council.tier = spec.tier
    council.nation = Council.Nation.ENGLAND
    council.gss_code = spec.gss_code
    council.parent = parent
    council.colour = spec.colour
    council.website = spec.website
    council.full_clean()
    council.save()
    return council


def _ward(council: Council, name: str, gss_code: str) -> Ward:
    ward, _ = Ward.objects.update_or_create(
        council=council, slug=slugify(name), defaults={"name": name, "gss_code": gss_code}
    )
    return ward


class _Names:
    """Unique invented names, drawn in a fixed order."""

    def __init__(self, rng: random.Random) -> None:
        pairs = [(first, last) for last in SURNAMES for first in FIRST_NAMES]
        rng.shuffle(pairs)
        self._pairs = iter(pairs)

    def next(self) -> str:
        first, last = next(self._pairs)
        return f"{first} {last}"


def _seat(
    council: Council,
    ward: Ward,
    number: int,
    name: str,
    party: Party | None,
    start: dt.date,
    end: dt.date | None = None,
    surgery: str = "",
) -> Councillor:
    source_id = f"{council.slug}-{number}"
    councillor = (
        Councillor.objects.filter(council=council, source="demo", source_id=source_id)
        .select_related("person")
        .first()
    )
    if councillor is None:
        person = Person.objects.create(name=name, slug=slugify(name))
        councillor = Councillor(council=council, source="demo", source_id=source_id, person=person)
    elif councillor.person.name != name:
        councillor.person.name = name
        councillor.person.slug = slugify(name)
        councillor.person.save()
    local = slugify(name).replace("-", ".")
    domain = council.website.removeprefix("https://www.")
    councillor.ward = ward
    councillor.party = party
    councillor.title = f"Councillor {name}"
    councillor.work_email = f"{local}@{domain}"
    councillor.work_phone = f"01632 960{number % 1000:03d}"
    councillor.work_address = f"{council.short_name} Council Offices\nMarket Square\nMootshire"
    councillor.surgery_details = surgery
    councillor.save()
    TermOfOffice.objects.update_or_create(
        councillor=councillor, start_date=start, defaults={"end_date": end}
    )
    return councillor


def _fill(
    council: Council,
    spec: CouncilSpec,
    seats: list[tuple[Ward, int]],
    rng: random.Random,
    names: _Names,
    parties: list[Party | None],
) -> list[Councillor]:
    made = []
    number = 0
    for ward, count in seats:
        for _ in range(count):
            number += 1
            party = rng.choices(parties, weights=spec.party_weights)[0]
            surgery = (
                f"First Saturday of each month, 10am to noon, at {ward.name} Library."
                if rng.random() < 0.4
                else ""
            )
            made.append(
                _seat(council, ward, number, names.next(), party, spec.elected, surgery=surgery)
            )
    for position, (councillor, title) in enumerate(zip(made, spec.key_posts, strict=False)):
        KeyPost.objects.filter(councillor=councillor).exclude(title=title).delete()
        KeyPost.objects.update_or_create(
            councillor=councillor, title=title, defaults={"order": position}
        )
    return made


@demo_step(order=10)
@transaction.atomic
def mootshire(context: DemoContext) -> str:
    """Mootshire: one county, two districts, three parishes, their wards and councillors."""
    rng = random.Random(SEED)  # noqa: S311 - invented names, not secrets
    names = _Names(rng)
    parties: list[Party | None] = [Party.named(p) for p in PARTIES[:-1]]
    parties.append(Party.named("Independent"))

    county = _council(COUNTY, None)
    districts = {spec.slug: _council(spec, county) for spec in DISTRICTS}
    councillors: list[Councillor] = []
    postcodes: list[Postcode] = []

    division_number = 0
    ward_number = 0
    county_seats: list[tuple[Ward, int]] = []
    for spec in DISTRICTS:
        district = districts[spec.slug]
        layout = DISTRICT_WARDS[spec.slug]
        wards = []
        for name, seats in layout.wards:
            ward_number += 1
            wards.append((_ward(district, name, _gss("E05", ward_number)), seats))
        divisions = []
        for name in COUNTY_DIVISIONS[spec.slug]:
            division_number += 1
            divisions.append(_ward(county, name, _gss("E58", division_number)))
        county_seats.extend((division, 1) for division in divisions)
        councillors += _fill(district, spec, wards, rng, names, parties)

        sectors = [(outward, sector) for outward in layout.outwards for sector in range(10)]
        for index, (outward, sector) in enumerate(sectors):
            ward = wards[index * len(wards) // len(sectors)][0]
            division = divisions[index * len(divisions) // len(sectors)]
            parish_gss = next(
                (
                    p.gss_code
                    for p, d, _, area in PARISHES
                    if d == spec.slug and sector in area.get(outward, ())
                ),
                "",
            )
            units = [a + b for a in INWARD_LETTERS for b in INWARD_LETTERS][:UNITS_PER_SECTOR]
            postcodes += [
                Postcode(
                    postcode=f"MH{outward} {sector}{unit}",
                    ward_gss=ward.gss_code,
                    division_gss=division.gss_code,
                    district_gss=spec.gss_code,
                    county_gss=COUNTY.gss_code,
                    parish_gss=parish_gss,
                )
                for unit in units
            ]
    councillors += _fill(county, COUNTY, county_seats, rng, names, parties)

    for spec, district_slug, seats, _area in PARISHES:
        parish = _council(spec, districts[district_slug])
        # An unwarded parish is one electoral area, identified by the parish's own code.
        whole = _ward(parish, spec.short_name, spec.gss_code)
        councillors += _fill(parish, spec, [(whole, seats)], rng, names, parties)

    # A by-election: one Brackenford councillor stood down and another was elected.
    stood_down = Councillor.objects.get(council=districts["brackenford"], source_id="brackenford-7")
    TermOfOffice.objects.filter(councillor=stood_down).update(end_date=dt.date(2024, 9, 30))
    assert stood_down.ward is not None
    by_election = _seat(
        districts["brackenford"],
        stood_down.ward,
        1001,
        names.next(),
        Party.named("Green Party"),
        dt.date(2024, 10, 24),
    )
    councillors.append(by_election)

    Postcode.objects.bulk_create(
        postcodes,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["postcode"],
        update_fields=["ward_gss", "division_gss", "district_gss", "county_gss", "parish_gss"],
    )
    ward_count = ward_number + division_number + len(PARISHES)
    return (
        f"{1 + len(DISTRICTS) + len(PARISHES)} councils, {ward_count} wards, "
        f"{len(councillors)} councillors, {len(postcodes)} postcodes"
    )
