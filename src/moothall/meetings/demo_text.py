"""Words for the demo meetings archive: local-government topics, places and papers.

Everything is invented. The vocabularies are wide enough that searching the demo
archive means something: a word such as "allotments" or a road such as "Tanners
Lane" finds a handful of papers, not all of them or none. All choices go through
the ``random.Random`` the caller passes, so the same seed writes the same words.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

ROAD_STEMS = [
    "Abbey",
    "Albert",
    "Ash",
    "Beech",
    "Bishops",
    "Bracken",
    "Brewery",
    "Canal",
    "Castle",
    "Chapel",
    "Cherry",
    "Church",
    "Cooper's",
    "Coronation",
    "Dairy",
    "Elm",
    "Fairfield",
    "Forge",
    "Gallows",
    "Granary",
    "Hawthorn",
    "Holly",
    "Jubilee",
    "Kiln",
    "Lime",
    "Maltings",
    "Market",
    "Meadow",
    "Mill",
    "Nelson",
    "Oak",
    "Orchard",
    "Pound",
    "Priory",
    "Quarry",
    "Rectory",
    "Ropewalk",
    "Roman",
    "Saxon",
    "Sheep",
    "Smithy",
    "Spring",
    "Station",
    "Tanners",
    "Tollgate",
    "Vicarage",
    "Victoria",
    "Weavers",
    "Wharf",
    "Willow",
]
ROAD_SUFFIXES = [
    "Road",
    "Lane",
    "Street",
    "Close",
    "Avenue",
    "Way",
    "Drive",
    "Hill",
    "Row",
    "Gardens",
    "Crescent",
    "Place",
    "Walk",
    "Green",
    "Terrace",
    "Mews",
]
# Sites named after the council's town ({town}) or a ward ({ward}).
TOWN_SITES = [
    "{town} Civic Centre",
    "{town} Market Hall",
    "{town} bus station",
    "the former {town} gasworks",
    "{town} railway station forecourt",
    "{town} Museum",
    "{town} crematorium",
    "the {town} Lido",
    "{town} Business Park",
    "the old cattle market site in {town}",
]
WARD_SITES = [
    "{ward} Community Centre",
    "{ward} Recreation Ground",
    "{ward} Library",
    "{ward} Leisure Centre",
    "{ward} allotments",
    "{ward} Country Park",
    "{ward} multi-storey car park",
    "{ward} depot",
    "{ward} play area",
    "{ward} sheltered housing scheme",
]

OFFICER_POSTS = [
    "Chief Executive",
    "Director of Place",
    "Director of Communities",
    "Chief Finance Officer (Section 151 Officer)",
    "Monitoring Officer",
    "Head of Planning",
    "Head of Housing",
    "Head of Environmental Services",
    "Licensing Manager",
    "Democratic Services Manager",
    "Head of Regeneration",
    "Internal Audit Manager",
    "Climate Change Officer",
    "Head of Leisure and Culture",
    "Community Safety Manager",
    "Head of Human Resources",
    "Head of Digital and ICT",
    "Electoral Services Manager",
]
OFFICER_FIRST = [
    "Alison",
    "Ben",
    "Carys",
    "David",
    "Eve",
    "Farid",
    "Gemma",
    "Hannah",
    "Ian",
    "Joanne",
    "Kieran",
    "Linda",
    "Mohammed",
    "Nicola",
    "Paul",
    "Ruth",
    "Simon",
    "Tanya",
]
OFFICER_LAST = [
    "Ashworth",
    "Bell",
    "Crossley",
    "Dunn",
    "Egan",
    "Frost",
    "Goddard",
    "Holt",
    "Irving",
    "Jarvis",
    "Kerr",
    "Lamb",
    "Moss",
    "Nash",
    "Oakley",
    "Pryce",
    "Rowe",
    "Sutton",
]


@dataclass(frozen=True)
class Topic:
    """A subject a district council reports on, with its words."""

    key: str
    portfolio: str
    officer: str  # one of OFFICER_POSTS
    titles: tuple[str, ...]  # may use {place}, {road}, {ward}, {site}, {year}, {fy}
    terms: tuple[str, ...]  # the subject's own words, woven into sentences
    facts: tuple[str, ...]  # sentences with slots


TOPICS: tuple[Topic, ...] = (
    Topic(
        "waste",
        "Environment",
        "Head of Environmental Services",
        (
            "Waste and recycling service review",
            "Garden waste subscription charges {fy}",
            "Fly-tipping enforcement update",
            "Food waste collection roll-out in {ward}",
            "Renewal of the refuse collection contract",
            "Bring banks and household recycling in {ward}",
        ),
        (
            "kerbside recycling",
            "garden waste subscription",
            "fly-tipping",
            "food waste caddies",
            "refuse collection rounds",
            "wheeled bins",
            "recycling rate",
            "bulky waste collections",
            "missed bin reports",
        ),
        (
            "The recycling rate rose to {percent} per cent in {year}, against a target of "
            "{percent2} per cent.",
            "Crews reported {number} incidents of fly-tipping on {road} and nearby lanes in the "
            "last quarter.",
            "Food waste caddies would be delivered to {number} households in {ward} before "
            "collections begin.",
            "The garden waste subscription would rise to £{small} a year, still below the county "
            "average.",
            "Missed bin reports fell by {percent} per cent after the refuse collection rounds "
            "were redrawn.",
            "A fixed penalty notice of £{small} may be issued for fly-tipping of small quantities.",
        ),
    ),
    Topic(
        "housing",
        "Housing",
        "Head of Housing",
        (
            "Homelessness and rough sleeping strategy {year}",
            "Housing allocations policy review",
            "Affordable housing delivery programme",
            "Temporary accommodation: purchase of properties",
            "Empty homes strategy",
            "Disabled facilities grants policy",
            "Damp and mould in rented homes: enforcement approach",
        ),
        (
            "affordable housing",
            "homelessness",
            "temporary accommodation",
            "housing register",
            "disabled facilities grant",
            "empty homes",
            "rough sleeping",
            "social rent",
            "damp and mould",
            "houses in multiple occupation",
        ),
        (
            "There were {number} households on the housing register at the end of {year}.",
            "The council placed {small} families in temporary accommodation, {small2} of them "
            "outside the district.",
            "{number} affordable homes were completed, {small} of them for social rent at {site}.",
            "Disabled facilities grants funded {small} adaptations, with an average wait of "
            "{small2} weeks.",
            "Officers inspected {small} houses in multiple occupation in {ward} and served "
            "{small2} improvement notices.",
            "The empty homes premium on council tax would apply after one year rather than two.",
        ),
    ),
    Topic(
        "planning_policy",
        "Planning",
        "Head of Planning",
        (
            "Local Plan review: consultation on preferred options",
            "Five-year housing land supply statement {year}",
            "{ward} Neighbourhood Plan: referendum",
            "Community Infrastructure Levy spending {fy}",
            "Conservation area appraisal: {place}",
            "Design code for {ward}",
            "Biodiversity net gain: local approach",
        ),
        (
            "local plan",
            "five-year housing land supply",
            "neighbourhood plan",
            "community infrastructure levy",
            "section 106",
            "conservation area",
            "listed building",
            "green belt",
            "design code",
            "biodiversity net gain",
            "call for sites",
        ),
        (
            "The council can show a housing land supply of {decimal} years against the standard "
            "method.",
            "The call for sites produced {small} submissions, including land north of {road}.",
            "Community infrastructure levy receipts of £{money} were collected in {year}.",
            "The {ward} neighbourhood plan passed examination with {small} modifications.",
            "The appraisal proposes extending the conservation area to include {road}.",
            "Section 106 agreements secured £{money} towards school places and open space.",
        ),
    ),
    Topic(
        "finance",
        "Finance",
        "Chief Finance Officer (Section 151 Officer)",
        (
            "Budget {fy} and medium-term financial strategy",
            "Capital programme {fy}",
            "Treasury management strategy {fy}",
            "Council tax support scheme {fy}",
            "Revenue budget monitoring: quarter {quarter}",
            "Fees and charges {fy}",
            "Business rates relief policy",
        ),
        (
            "council tax",
            "business rates",
            "medium-term financial strategy",
            "capital programme",
            "general fund reserves",
            "treasury management",
            "minimum revenue provision",
            "council tax support",
            "budget gap",
            "fees and charges",
        ),
        (
            "The budget gap for {fy} is forecast at £{money} before savings.",
            "Band D council tax would rise by £{small}.{pence} a year, a rise of {decimal} per "
            "cent.",
            "General fund reserves stand at £{money}, above the minimum set by the Chief Finance "
            "Officer.",
            "The capital programme includes £{money} for {site}.",
            "Business rates income of £{money} is expected after reliefs and appeals.",
            "The quarter {quarter} forecast shows an overspend of £{money} on temporary "
            "accommodation.",
        ),
    ),
    Topic(
        "leisure",
        "Leisure and Culture",
        "Head of Leisure and Culture",
        (
            "Leisure centre refurbishment: {site}",
            "Playing pitch strategy",
            "Play area improvement programme {year}",
            "Allotments policy and rents",
            "Museum and heritage service plan",
            "Arts and events programme {year}",
        ),
        (
            "leisure centre",
            "swimming pool",
            "sports pitches",
            "play area",
            "allotments",
            "museum",
            "parks",
            "festival",
            "heritage",
        ),
        (
            "Visits to {site} reached {number} last year, {percent} per cent more than before.",
            "The swimming pool at {site} needs a new roof and filtration plant costing £{money}.",
            "{small} play areas, including one off {road}, would be refurbished this year.",
            "Allotment rents would rise to £{small} per plot; there are {small2} people on the "
            "waiting list.",
            "The summer festival in {ward} drew an estimated {number} visitors.",
        ),
    ),
    Topic(
        "climate",
        "Climate Emergency",
        "Climate Change Officer",
        (
            "Climate emergency action plan: annual report",
            "Electric vehicle charging points in council car parks",
            "Solar panels on council buildings",
            "Tree planting programme in {ward}",
            "Air quality action plan: {road}",
        ),
        (
            "climate emergency",
            "carbon emissions",
            "net zero",
            "electric vehicle charging",
            "solar panels",
            "tree planting",
            "air quality management area",
            "nitrogen dioxide",
            "retrofit",
        ),
        (
            "The council's own carbon emissions fell by {percent} per cent since the climate "
            "emergency was declared.",
            "Nitrogen dioxide on {road} averaged {small} micrograms per cubic metre, above the "
            "legal limit.",
            "{small} electric vehicle charging points would be installed at {site}.",
            "Solar panels on {site} would save about {number} kilograms of carbon a year.",
            "Volunteers planted {number} trees in {ward} over the winter.",
        ),
    ),
    Topic(
        "community_safety",
        "Communities",
        "Community Safety Manager",
        (
            "Community safety partnership plan",
            "Public spaces protection order: {place}",
            "CCTV replacement programme",
            "Antisocial behaviour in {ward}: update",
        ),
        (
            "antisocial behaviour",
            "CCTV",
            "public spaces protection order",
            "street drinking",
            "community safety partnership",
            "domestic abuse",
            "neighbourhood policing",
        ),
        (
            "Reports of antisocial behaviour in {ward} fell from {small} to {small2} after the "
            "order was made.",
            "The public spaces protection order would ban street drinking around {site}.",
            "{small} CCTV cameras in the town centre are beyond repair.",
            "The neighbourhood policing team held {small} street surgeries on {road}.",
        ),
    ),
    Topic(
        "regeneration",
        "Regeneration and Economy",
        "Head of Regeneration",
        (
            "Town centre regeneration strategy",
            "High street shopfront grants",
            "{site}: redevelopment options",
            "Market review and new market rules",
            "Levelling up fund bid",
            "Economic development strategy",
        ),
        (
            "town centre",
            "high street",
            "shopfront grants",
            "footfall",
            "market traders",
            "vacant units",
            "levelling up fund",
            "business support",
        ),
        (
            "Footfall on {road} recovered to {percent} per cent of its pre-pandemic level.",
            "{small} vacant units in the town centre were brought back into use with shopfront "
            "grants.",
            "The market has {small} regular traders, down from {small2} five years ago.",
            "The bid seeks £{money} towards the redevelopment of {site}.",
        ),
    ),
    Topic(
        "parking",
        "Highways and Parking",
        "Director of Place",
        (
            "Car parking charges {fy}",
            "Residents' parking scheme: {road}",
            "Civil parking enforcement annual report",
            "Review of council car parks",
        ),
        (
            "car parking charges",
            "residents' parking",
            "civil enforcement",
            "penalty charge notices",
            "pay and display",
            "blue badge",
        ),
        (
            "Civil enforcement officers issued {number} penalty charge notices in {year}.",
            "A residents' parking scheme on {road} was supported by {percent} per cent of "
            "households who replied.",
            "The all-day charge at {site} would rise to £{small}.{pence}.",
            "Blue badge holders would keep free parking in all council car parks.",
        ),
    ),
    Topic(
        "flooding",
        "Environment",
        "Director of Place",
        (
            "Flood alleviation scheme: {ward}",
            "Surface water flooding on {road}",
            "Riverside maintenance agreement with the Environment Agency",
        ),
        (
            "flood alleviation",
            "surface water",
            "drainage",
            "Environment Agency",
            "flood defences",
            "culvert",
        ),
        (
            "{small} homes on {road} flooded in the storms of {year}.",
            "The flood alleviation scheme in {ward} would protect {number} properties.",
            "A blocked culvert under {road} was cleared by the Environment Agency.",
        ),
    ),
    Topic(
        "environmental_health",
        "Environment",
        "Head of Environmental Services",
        (
            "Food safety service plan {fy}",
            "Noise nuisance and the out-of-hours service",
            "Pest control charges",
            "Private water supplies",
        ),
        (
            "food hygiene rating",
            "food safety inspections",
            "noise nuisance",
            "pest control",
            "public health",
            "environmental health",
        ),
        (
            "{percent} per cent of food businesses now have a food hygiene rating of 4 or 5.",
            "Officers made {number} food safety inspections, including {small} at premises on "
            "{road}.",
            "The out-of-hours noise service received {number} complaints, most about amplified "
            "music.",
        ),
    ),
    Topic(
        "democracy",
        "Corporate Services",
        "Democratic Services Manager",
        (
            "Review of polling districts and polling places",
            "Members' allowances scheme {fy}",
            "Changes to the constitution",
            "Calendar of meetings {year}",
            "Electoral review: council size",
        ),
        (
            "polling districts",
            "polling places",
            "members' allowances",
            "constitution",
            "standing orders",
            "electoral review",
            "independent remuneration panel",
        ),
        (
            "The independent remuneration panel recommends a basic allowance of £{money}.",
            "The polling place for {ward} would move to {site}.",
            "The constitution would allow public questions of up to {small} words.",
        ),
    ),
    Topic(
        "grants",
        "Communities",
        "Director of Communities",
        (
            "Community grants round {round}",
            "Voluntary sector funding agreements",
            "Warm spaces and cost of living support",
        ),
        (
            "community grants",
            "voluntary sector",
            "cost of living",
            "warm spaces",
            "food bank",
            "volunteering",
        ),
        (
            "{small} applications for community grants were received, asking for £{money} in "
            "total.",
            "The food bank in {ward} supported {number} people last winter.",
            "Warm spaces opened at {site} and {small} other venues.",
        ),
    ),
    Topic(
        "corporate",
        "Corporate Services",
        "Chief Executive",
        (
            "Corporate plan performance: quarter {quarter}",
            "Digital strategy",
            "Customer services review",
            "Cyber security and data protection",
            "Office accommodation: {site}",
        ),
        (
            "performance indicators",
            "customer services",
            "digital strategy",
            "cyber security",
            "complaints",
            "freedom of information requests",
            "agile working",
        ),
        (
            "{percent} per cent of calls to customer services were answered within two minutes.",
            "The council received {number} freedom of information requests in {year}.",
            "{small} of the {small2} performance indicators met their target this quarter.",
        ),
    ),
    Topic(
        "transport",
        "Highways and Parking",
        "Director of Place",
        (
            "Local cycling and walking infrastructure plan",
            "Bus services in {ward}",
            "Speed limits on {road}",
            "Railway station access improvements",
        ),
        (
            "cycle route",
            "bus services",
            "walking",
            "20mph",
            "pedestrian crossing",
            "community transport",
        ),
        (
            "The county council proposes a 20mph limit on {road}.",
            "A new cycle route would link {site} with the railway station.",
            "The bus service through {ward} runs every {small} minutes on weekdays.",
        ),
    ),
)

TOPIC_BY_KEY = {topic.key: topic for topic in TOPICS}

GENERIC_SECTIONS = (
    (
        "Purpose of the report",
        (
            "This report asks {body} to consider {subject}.",
            "This report sets out {subject} and seeks a decision on the way forward.",
            "Members are asked to note progress on {subject} and to agree the next steps.",
        ),
    ),
    (
        "Background",
        (
            "The matter was last considered on {earlier}.",
            "Ward members for {ward} were consulted on {earlier} and their views are set out "
            "below.",
            "A public consultation ran for {small} weeks and drew {number} responses.",
            "The council's corporate plan commits it to improving {term} across the district.",
        ),
    ),
    (
        "Options considered",
        (
            "Option 1 is to do nothing; this is not recommended because {term} would worsen.",
            "Option 2 is to proceed as set out in this report; this is recommended.",
            "Option 3, a joint approach with a neighbouring council, was considered and rejected.",
            "Deferring the decision would delay {term} by at least a year.",
        ),
    ),
    (
        "Financial implications",
        (
            "The cost of £{money} can be met from the existing budget for {term}.",
            "There are no additional financial implications arising from this report.",
            "A one-off contribution of £{money} from reserves is required.",
        ),
    ),
    (
        "Legal implications",
        (
            "The Monitoring Officer has been consulted and is satisfied the council has the power "
            "to act.",
            "The council must have regard to the statutory guidance issued in {year}.",
            "Any procurement will follow the council's contract procedure rules.",
        ),
    ),
    (
        "Equalities and climate",
        (
            "An equality impact assessment has been completed and no adverse impact was found.",
            "The proposals support the council's climate emergency declaration.",
            "Older and disabled residents in {ward} are most likely to be affected and mitigation "
            "is proposed.",
        ),
    ),
    (
        "Risks",
        (
            "The main risk is delay in {term}; it is rated amber on the corporate risk register.",
            "Costs may rise with inflation; a contingency of {percent} per cent is included.",
        ),
    ),
)

RESIDENT_FIRST = [
    "Alan",
    "Bethan",
    "Colin",
    "Dawn",
    "Edward",
    "Frances",
    "Graham",
    "Helen",
    "Jill",
    "Karen",
    "Lewis",
    "Margaret",
    "Neil",
    "Pauline",
    "Robert",
    "Sheila",
    "Trevor",
    "Valerie",
]
RESIDENT_LAST = [
    "Armitage",
    "Bloom",
    "Carr",
    "Denton",
    "Ellis",
    "Fisher",
    "Gough",
    "Hurst",
    "Ingram",
    "Knott",
    "Leigh",
    "Mayhew",
    "Noble",
    "Pike",
    "Royle",
    "Starling",
    "Tranter",
    "Wilde",
]

PLANNING_PROPOSALS = [
    ("HOU", "Erection of a two-storey rear extension"),
    ("HOU", "Single-storey side extension and loft conversion with rear dormer"),
    ("FUL", "Demolition of existing garage and erection of one dwelling"),
    ("FUL", "Erection of {n} affordable homes with parking and landscaping"),
    ("FUL", "Change of use from shop (Class E) to two flats (Class C3)"),
    ("FUL", "Conversion of barn to holiday let"),
    ("FUL", "Installation of ground-mounted solar panels"),
    ("FUL", "Erection of a convenience store with car park"),
    ("OUT", "Outline application for up to {n} dwellings with access from {road}"),
    ("REM", "Reserved matters for {n} dwellings (appearance, landscaping, layout and scale)"),
    ("LBC", "Listed building consent for replacement timber sash windows"),
    ("VAR", "Variation of condition {c} to extend opening hours"),
    ("TPO", "Felling of an oak tree protected by a tree preservation order"),
    ("ADV", "Illuminated fascia sign"),
]
PLANNING_CONCERNS = [
    "parking",
    "overlooking",
    "flooding",
    "traffic",
    "loss of trees",
    "noise",
    "character of the conservation area",
    "loss of light",
    "drainage",
]
PLANNING_OUTCOMES = [
    ("Approved subject to conditions", 0.55),
    ("Refused", 0.2),
    ("Approved subject to a section 106 agreement", 0.15),
    ("Deferred for a site visit", 0.1),
]
PREMISES = [
    "The Fox and Hounds",
    "The Plough",
    "The Bracken Arms",
    "The Old Forge Tap",
    "The Millwheel",
    "The Crown and Anchor",
    "The Weavers' Rest",
    "The Red Lion",
    "The Drovers",
    "The Coach House",
]
SHOPS = ["Convenience Store", "Wine Bar", "Kebab House", "Social Club", "Café Bar", "Late Shop"]
LICENSING_MATTERS = [
    "Application for a new premises licence",
    "Application to vary a premises licence",
    "Review of a premises licence",
    "Application for a late-night refreshment licence",
]
LICENSING_TERMS = (
    "premises licence",
    "the licensing objectives",
    "prevention of public nuisance",
    "late-night refreshment",
    "sale of alcohol",
    "the Licensing Act 2003",
    "designated premises supervisor",
    "live music",
)
MOTIONS = [
    "Motion on the cost of living",
    "Motion: a plastic-free district",
    "Motion on potholes and highway maintenance",
    "Motion: support for local high streets",
    "Motion on sewage discharges into the river",
    "Motion: a fair deal for carers",
    "Motion on school crossing patrols",
    "Motion: twinning with a European town",
    "Motion on bus services",
    "Motion: dementia-friendly district",
    "Motion on second homes and council tax",
    "Motion: nature recovery and wildflower verges",
]
PETITIONS = [
    "Petition: save {site}",
    "Petition: a pedestrian crossing on {road}",
    "Petition: stop the closure of the public toilets in {ward}",
    "Petition: free parking on Saturdays in the town centre",
    "Petition: a skate park for {ward}",
    "Petition: keep the weekly bin collection",
]
QUESTION_SUBJECTS = [
    "potholes on {road}",
    "the future of {site}",
    "litter around {site}",
    "parking on {road}",
    "the number of affordable homes built in {ward}",
    "the council's climate targets",
    "street lighting on {road}",
    "the cost of temporary accommodation",
    "dog fouling in {ward}",
    "the opening hours of {site}",
]
# Exempt business: the title is never public; Schedule 12A paragraph and words.
EXEMPT_MATTERS = [
    (3, "Disposal of land at {road}", "valuation of the land and the bids received"),
    (3, "Award of the grounds maintenance contract", "tender prices and scoring"),
    (3, "Acquisition of {site}", "the purchase price and terms agreed"),
    (3, "Lease of units at {site}", "the rent offered by the proposed tenant"),
    (1, "Staffing matter: {post}", "the circumstances of an individual employee"),
    (4, "Pay and grading negotiations", "the position taken with the trade unions"),
    (5, "Legal advice on a planning appeal at {road}", "counsel's advice on the appeal"),
    (7, "Fraud investigation update", "an investigation that may lead to prosecution"),
    (2, "Hardship fund application from a resident of {ward}", "the applicant's circumstances"),
    (6, "Proposed enforcement notice at {road}", "the breach and the notice proposed"),
]
CANCEL_REASONS = [
    "There is no business for the committee to consider.",
    "Too few members were able to attend for the meeting to be quorate.",
    "A severe weather warning was in force.",
    "The business has been moved to the next meeting.",
]
POSTPONE_REASONS = [
    "The main report is not ready: further legal advice is awaited.",
    "The Council Chamber is unavailable because of a power failure.",
    "The applicant asked for more time to respond to objections.",
]
LATE_REASONS = [
    "The report awaited figures from the county council that arrived after the deadline; "
    "the decision cannot wait because the grant offer expires before the next meeting.",
    "A late change to government guidance meant the report had to be rewritten; "
    "the scheme must be adopted before the start of the financial year.",
    "The agenda was delayed by an IT failure at the Civic Centre; "
    "the budget must be set before the statutory deadline.",
]


def financial_year(day: dt.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


class _Slots(dict[str, str]):
    """The values of a template's slots, drawn when the template asks for them."""

    def __init__(self, words: Words, day: dt.date, extra: dict[str, str]) -> None:
        super().__init__(extra)
        self.words = words
        self.day = day

    def __missing__(self, key: str) -> str:
        rng, day, words = self.words.rng, self.day, self.words
        makers: dict[str, Callable[[], str]] = {
            "place": words.place,
            "road": words.road,
            "ward": words.ward,
            "site": words.site,
            "town": lambda: words.town,
            "year": lambda: str(day.year),
            "fy": lambda: financial_year(day),
            "quarter": lambda: str((day.month - 1) // 3 + 1),
            "round": lambda: str(rng.randint(1, 3)),
            "number": lambda: f"{rng.randint(120, 9800):,}",
            "small": lambda: str(rng.randint(2, 40)),
            "small2": lambda: str(rng.randint(2, 40)),
            "percent": lambda: str(rng.randint(5, 95)),
            "percent2": lambda: str(rng.randint(40, 70)),
            "decimal": lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 9)}",
            "money": lambda: f"{rng.randint(12, 4800) * 1000:,}",
            "pence": lambda: f"{rng.randint(0, 99):02d}",
            "post": lambda: rng.choice(OFFICER_POSTS),
            "n": lambda: str(rng.randint(2, 250)),
            "c": lambda: str(rng.randint(2, 14)),
            "earlier": lambda: f"{(day - dt.timedelta(days=rng.randint(30, 400))):%-d %B %Y}",
        }
        value = makers[key]()
        self[key] = value
        return value


class Words:
    """Draws names, places and sentences for one council, from one random generator."""

    def __init__(self, rng: random.Random, town: str, wards: list[str]) -> None:
        self.rng = rng
        self.town = town
        self.wards = wards or [town]
        stems = ROAD_STEMS[:]
        rng.shuffle(stems)
        roads = [f"{stem} {rng.choice(ROAD_SUFFIXES)}" for stem in stems]
        roads += [f"{ward} Road" for ward in self.wards]
        self.roads = sorted(set(roads))
        self.sites = [s.format(town=town) for s in TOWN_SITES] + [
            s.format(ward=ward) for ward in self.wards for s in rng.sample(WARD_SITES, 3)
        ]
        self.officers = {
            post: f"{rng.choice(OFFICER_FIRST)} {rng.choice(OFFICER_LAST)}"
            for post in OFFICER_POSTS
        }

    # -- small pieces ------------------------------------------------------------------

    def ward(self) -> str:
        return self.rng.choice(self.wards)

    def road(self) -> str:
        return self.rng.choice(self.roads)

    def site(self) -> str:
        return self.rng.choice(self.sites)

    def place(self) -> str:
        return self.rng.choice([self.road(), self.site(), self.ward()])

    def resident(self) -> str:
        return f"{self.rng.choice(RESIDENT_FIRST)} {self.rng.choice(RESIDENT_LAST)}"

    def officer(self, post: str) -> str:
        return f"{self.officers.get(post, 'Jo Bloggs')}, {post}"

    def fill(self, template: str, day: dt.date, **extra: str) -> str:
        """``template`` with its slots filled; only the slots it uses draw random numbers."""
        return template.format_map(_Slots(self, day, extra))

    # -- papers ------------------------------------------------------------------------

    def topic_title(self, topic: Topic, day: dt.date) -> str:
        return self.fill(self.rng.choice(topic.titles), day)

    def report_text(self, topic: Topic, title: str, body: str, day: dt.date) -> str:
        """A committee report of a few hundred words, in numbered sections."""
        rng = self.rng
        subject = title[0].lower() + title[1:]
        paragraphs = [
            f"{self.town} District Council",
            f"Report to {body}, {day:%-d %B %Y}",
            f"Report of the {topic.officer}. Portfolio: {topic.portfolio}.",
            "Recommendations",
            f"That {body} approves the proposals on {subject} set out in this report, "
            f"and delegates the details to the {topic.officer} in consultation with the "
            f"portfolio holder for {topic.portfolio.lower()}.",
        ]
        for number, (heading, sentences) in enumerate(GENERIC_SECTIONS, start=1):
            lines = [
                self.fill(s, day, body=body, subject=subject, term=rng.choice(topic.terms))
                for s in rng.sample(sentences, min(len(sentences), rng.randint(1, 2)))
            ]
            if heading == "Background":
                facts = rng.sample(topic.facts, min(len(topic.facts), rng.randint(2, 4)))
                lines += [self.fill(f, day) for f in facts]
            paragraphs.append(f"{number}. {heading}")
            paragraphs.append(" ".join(lines))
        paragraphs.append(
            f"Contact: {self.officer(topic.officer)}. Background papers: none beyond those "
            f"published with the agenda. Key words: {', '.join(rng.sample(topic.terms, 3))}."
        )
        return "\n".join(paragraphs)

    def appendix_text(self, topic: Topic, title: str, day: dt.date) -> str:
        rng = self.rng
        rows = [
            f"{self.fill(rng.choice(['{road}', '{site}', '{ward}']), day)}: "
            f"{rng.choice(topic.terms)}, £{rng.randint(5, 900) * 100:,}, "
            f"{rng.choice(['complete', 'on track', 'delayed', 'not started'])}"
            for _ in range(rng.randint(6, 14))
        ]
        return "\n".join([f"Appendix to: {title}", "Schedule of sites and costs", *rows])

    def exempt_text(self, paragraph: int, title: str, detail: str, day: dt.date) -> str:
        return "\n".join(
            [
                f"NOT FOR PUBLICATION by virtue of paragraph {paragraph} of Part 1 of "
                "Schedule 12A to the Local Government Act 1972.",
                title,
                f"This report contains {detail}.",
                self.fill(
                    "The sum involved is £{money}; officers recommend acceptance of the offer "
                    "received on {earlier}.",
                    day,
                ),
                "Members are reminded that this information must not be disclosed.",
            ]
        )

    def planning_text(self, ref: str, address: str, proposal: str, outcome: str) -> str:
        rng = self.rng
        concerns = ", ".join(rng.sample(PLANNING_CONCERNS, 3))
        highways = rng.choice(
            ["no objection", "no objection subject to conditions", "an objection on visibility"]
        )
        conservation = rng.choice(
            ["supports the scheme", "raised concerns about the materials", "was not consulted"]
        )
        aspect = rng.choice(
            ["biodiversity net gain", "affordable housing", "design", "drainage strategy"]
        )
        return "\n".join(
            [
                f"Application {ref}",
                f"Site: {address}",
                f"Proposal: {proposal}",
                f"Representations: {rng.randint(0, 60)} objections and {rng.randint(0, 20)} "
                f"letters of support. Concerns raised include {concerns}.",
                f"Consultees: the highway authority raised {highways}; the conservation officer "
                f"{conservation}.",
                "Assessment: the site lies within the settlement boundary and the local plan "
                f"supports development of this kind. The {aspect} is acceptable.",
                f"Recommendation: {outcome}.",
            ]
        )

    def licensing_text(self, matter: str, premises: str, address: str) -> str:
        rng = self.rng
        until = rng.choice(["23:00", "23:30", "00:30", "01:00", "02:00"])
        activity = rng.choice(["live music", "recorded music", "late-night refreshment", "films"])
        from_whom = rng.choice(
            ["Mootshire Police", "the environmental health service", "no responsible authority"]
        )
        return "\n".join(
            [
                f"{matter}: {premises}, {address}",
                f"The applicant seeks the sale of alcohol until {until} and {activity}.",
                f"Representations were received from {rng.randint(1, 14)} residents and "
                f"{from_whom}, relating to {rng.choice(LICENSING_TERMS)} and "
                f"{rng.choice(LICENSING_TERMS)}.",
                "The sub-committee must determine the application with a view to promoting the "
                "licensing objectives under the Licensing Act 2003.",
            ]
        )
