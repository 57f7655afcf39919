"""Demo ideas and needs: what Brackenford's residents have raised over the past year.

Topics (made if the council has none), forty-odd ideas and needs in several wards from
thirty residents who live there, with supports, threaded comments, the council's
responses, every status of the lifecycle, a merged duplicate and, when the meetings
archive is there, one idea placed on an upcoming meeting's agenda and one on a past
meeting with the decision taken. Everything goes through the verbs; only the dates are
spread back over the year afterwards. Deterministic, and skipped when already built.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from moothall.accounts.models import User
from moothall.core.audit import record
from moothall.councils.models import Council, Postcode, Topic, Ward
from moothall.demo.registry import DemoContext, demo_step
from moothall.ideas import domain
from moothall.ideas.models import Idea, IdeaTimelineEntry, Support
from moothall.meetings import domain as meetings_domain
from moothall.meetings.models import Meeting

SEED = 1215  # Magna Carta: the right to petition the king
DEMO_COUNCIL = "brackenford"
AUDIT_ACTION = "ideas.demo"
RESIDENT_EMAIL = "{n}@residents.{slug}.example"
DEMO_RESIDENT = "resident@mootshire.example"  # the demo account that can sign in

TOPICS = [
    ("parks", "Parks and green spaces"),
    ("roads", "Roads and transport"),
    ("housing", "Housing"),
    ("waste", "Bins and recycling"),
    ("community", "Community and leisure"),
    ("climate", "Environment and climate"),
    ("safety", "Safer streets"),
]

NAMES = [
    "Aisha Rahman",
    "Ben Carter",
    "Carys Morgan",
    "Dev Patel",
    "Eleanor Hughes",
    "Femi Adeyemi",
    "Gwen Price",
    "Harry Walsh",
    "Isla Grant",
    "Jamal Hussain",
    "Kate Fielding",
    "Liam O'Connor",
    "Maya Singh",
    "Noah Bennett",
    "Olivia Lloyd",
    "Priya Shah",
    "Quentin Blake",
    "Rosa Martins",
    "Sam Turner",
    "Tomasz Nowak",
    "Uma Krishnan",
    "Victor Evans",
    "Wendy Clarke",
    "Xavier Dubois",
    "Yasmin Ali",
    "Zoe Fraser",
    "Arthur Pym",
    "Bethan Rees",
    "Connor Doyle",
    "Dilys Thomas",
]


@dataclass(frozen=True)
class IdeaSpec:
    kind: str
    topic: str
    title: str
    body: str
    status: str = "new"
    reason: str = ""


S = Idea.Status
IDEAS = [
    IdeaSpec(
        "idea",
        "parks",
        "More benches around the pond in Abbey Park",
        "There are only two benches by the pond and both are often taken. Older people "
        "and parents with small children would walk further if there were places to "
        "rest.\n\nThree or four more benches facing the water would make a big "
        "difference.",
        S.ACCEPTED,
        "Four benches are in the parks budget for the spring.",
    ),
    IdeaSpec(
        "need",
        "roads",
        "Potholes on Mill Lane",
        "The stretch of Mill Lane between the bridge and the school has deep potholes. "
        "Cyclists swerve into the road to avoid them.",
        S.IN_PROGRESS,
        "Reported to the county highways team, who plan repairs this month.",
    ),
    IdeaSpec(
        "idea",
        "waste",
        "Food waste collections every week",
        "Many nearby councils collect food waste every week. It would cut what goes to "
        "landfill and stop bins smelling in summer.",
        S.UNDER_CONSIDERATION,
        "We are costing weekly collections for the next budget.",
    ),
    IdeaSpec(
        "idea",
        "community",
        "Reopen the public toilets in the market square",
        "Since the toilets closed, visitors to the market have nowhere to go. Traders "
        "say people leave early.",
        S.DONE,
        "The toilets reopened on Saturday mornings.",
    ),
    IdeaSpec(
        "need",
        "safety",
        "Street lights out on the riverside path",
        "Half the lights on the riverside path between the station and the leisure "
        "centre have been out for weeks. It feels unsafe after dark.",
        S.DONE,
        "All the lights were repaired.",
    ),
    IdeaSpec(
        "idea",
        "climate",
        "Plant trees along the ring road",
        "A line of trees would soak up some of the traffic fumes and make the walk to "
        "the retail park much nicer.",
    ),
    IdeaSpec(
        "idea",
        "roads",
        "A 20 mph limit outside every school",
        "Cars speed past the primary schools at drop-off time. A 20 mph limit at least "
        "at school times would make children safer.",
        S.NOT_TAKEN_FORWARD,
        "Speed limits on these roads are set by the county council; we have passed the "
        "idea on to them.",
    ),
    IdeaSpec(
        "idea",
        "housing",
        "Bring empty flats above shops back into use",
        "Many shops on the high street have empty flats above them. Helping owners "
        "convert them would give young people somewhere to live in town.",
        S.UNDER_CONSIDERATION,
        "Our housing team is looking at grants for owners.",
    ),
    IdeaSpec(
        "need",
        "housing",
        "Damp in council-owned flats on Tanners Row",
        "Several flats on Tanners Row have black mould every winter. Tenants have "
        "reported it many times.",
    ),
    IdeaSpec(
        "idea",
        "parks",
        "A fenced dog-free play area",
        "Parents would like the play area in Victoria Park fenced so dogs cannot get in.",
    ),
    IdeaSpec(
        "idea",
        "community",
        "Free Wi-Fi in the library and community centres",
        "Not everyone has broadband at home. Free Wi-Fi would help people apply for "
        "jobs and do homework.",
        S.ACCEPTED,
        "Wi-Fi is included in the library refit.",
    ),
    IdeaSpec(
        "idea",
        "waste",
        "Recycling bins in the town centre",
        "There are plenty of litter bins in the high street but nowhere to recycle a "
        "can or a bottle.",
    ),
    IdeaSpec(
        "need",
        "roads",
        "The bus to the hospital stops at 6pm",
        "Visitors and staff cannot get home from the hospital by bus in the evening.",
    ),
    IdeaSpec(
        "idea",
        "climate",
        "Solar panels on council buildings",
        "The council offices, the depot and the leisure centre all have big flat "
        "roofs. Solar panels would cut bills and carbon.",
        S.IN_PROGRESS,
        "Panels are being fitted at the depot first.",
    ),
    IdeaSpec(
        "idea",
        "parks",
        "Community orchard on the old allotment site",
        "The disused allotments behind the church could become a community orchard, "
        "looked after by volunteers.",
    ),
    IdeaSpec(
        "idea",
        "safety",
        "CCTV in the station car park",
        "There have been several car break-ins at the station car park this year.",
    ),
    IdeaSpec(
        "need",
        "community",
        "Nowhere for teenagers to go in the evening",
        "The youth club closed two years ago. Young people hang around the shops "
        "because there is nowhere else.",
    ),
    IdeaSpec(
        "idea",
        "roads",
        "A safe cycle route from Abbey to the town centre",
        "A separated cycle lane along Abbey Road would let children cycle to the secondary school.",
    ),
    IdeaSpec(
        "idea",
        "waste",
        "Collect garden waste in winter too",
        "Garden waste collections stop from December to February, just when people "
        "prune their hedges.",
    ),
    IdeaSpec(
        "idea",
        "community",
        "A monthly repair café",
        "Volunteers could mend toasters, clothes and bikes once a month in the "
        "community centre, so fewer things are thrown away.",
    ),
    IdeaSpec(
        "need",
        "parks",
        "Flooded footpath across the water meadows",
        "The footpath across the meadows is under water for most of the winter.",
    ),
    IdeaSpec(
        "idea",
        "housing",
        "Publish the housing waiting list numbers every month",
        "People on the waiting list would like to see how long the wait is for each size of home.",
    ),
    IdeaSpec(
        "idea",
        "climate",
        "Electric car chargers in council car parks",
        "There are only two public chargers in the whole town.",
    ),
    IdeaSpec(
        "idea",
        "parks",
        "Wildflower verges instead of mown grass",
        "Letting the verges grow as wildflower meadows would help bees and save on mowing.",
    ),
    IdeaSpec(
        "need",
        "safety",
        "Speeding on Station Road at night",
        "Cars race along Station Road late at night. Residents cannot sleep.",
    ),
    IdeaSpec(
        "idea",
        "community",
        "Longer opening hours at the leisure centre pool",
        "The pool closes at 7pm on weekdays, too early for people who work.",
    ),
    IdeaSpec(
        "idea",
        "roads",
        "Benches at bus stops on the Hill estate",
        "The bus stops on the Hill estate have no seats or shelters.",
    ),
    IdeaSpec(
        "idea",
        "waste",
        "A reuse shop at the recycling centre",
        "Furniture and bikes left at the recycling centre could be sold cheaply "
        "instead of crushed.",
    ),
    IdeaSpec(
        "need",
        "housing",
        "Overgrown alleyways behind Chapel Street",
        "The alleys behind Chapel Street are overgrown and full of fly-tipping.",
    ),
    IdeaSpec(
        "idea",
        "climate",
        "Water fountains in the parks",
        "Refill points in the parks would cut plastic bottles and help in heatwaves.",
    ),
    IdeaSpec(
        "idea",
        "parks",
        "Outdoor gym equipment in Victoria Park",
        "Simple outdoor exercise machines would get more people active for free.",
    ),
    IdeaSpec(
        "idea",
        "community",
        "A community noticeboard in every ward",
        "Not everyone is online. A noticeboard would tell people about events and "
        "council meetings.",
    ),
    IdeaSpec(
        "need",
        "roads",
        "Pavement too narrow for wheelchairs on Bridge Street",
        "The pavement on Bridge Street is so narrow that wheelchair users have to go "
        "into the road.",
    ),
    IdeaSpec(
        "idea",
        "safety",
        "Better lighting in the underpass",
        "The underpass under the ring road is dark and people avoid it.",
    ),
    IdeaSpec(
        "idea",
        "waste",
        "Bigger recycling boxes for large families",
        "One box a fortnight is not enough for a family of six.",
    ),
    IdeaSpec(
        "idea",
        "parks",
        "Seats around Abbey Park pond",
        "Please put more seats round the pond in Abbey Park, there is never anywhere to sit.",
    ),
]
# The last idea says what the first says: the demo merges it into the first.
DUPLICATE_OF_FIRST = len(IDEAS) - 1

COMMENTS = [
    "Yes please, this would make a real difference.",
    "I agree. I raised this with my councillor last year.",
    "Has anyone asked how much this would cost?",
    "We need this in our ward too.",
    "Good idea, but who would maintain it?",
    "My children would use this every day.",
    "This has been a problem for years.",
    "I would volunteer to help with this.",
    "Could the council work with the school on this?",
    "Fully support this.",
]
REPLIES = [
    "Good question. The parish council might help.",
    "Same here. Let's keep pushing.",
    "I'd help too, count me in.",
    "The county council is responsible for that part, I think.",
]
RESPONSES = [
    "Thank you for raising this. Our officers are looking into it and will update this page.",
    "We have passed this to the team responsible, who will visit the site.",
    "This is included in our plans for next year. We will post progress here.",
]


def _residents(council: Council, rng: random.Random) -> list[User]:
    """Thirty residents with verified emails and postcodes in the council's area."""
    postcodes = list(
        Postcode.objects.filter(district_gss=council.gss_code)
        .exclude(ward_gss="")
        .order_by("postcode")
        .values_list("postcode", flat=True)[:2000]
    )
    people = []
    for name in NAMES:
        email = RESIDENT_EMAIL.format(n=name.split()[0].lower(), slug=council.slug)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, None, name=name, postcode=rng.choice(postcodes) if postcodes else ""
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        people.append(user)
    demo_resident = User.objects.filter(email=DEMO_RESIDENT).first()
    if demo_resident is not None:
        people.append(demo_resident)
    return people


def _topics(council: Council) -> dict[str, Topic]:
    if not Topic.objects.filter(council=council).exists():
        Topic.objects.bulk_create(
            [Topic(council=council, name=name, slug=slug) for slug, name in TOPICS]
        )
    return {topic.slug: topic for topic in Topic.objects.filter(council=council)}


def _wards_of(council: Council, people: list[User]) -> dict[int, Ward]:
    codes = dict(
        Postcode.objects.filter(
            postcode__in=[p.postcode for p in people if p.postcode]
        ).values_list("postcode", "ward_gss")
    )
    wards = {w.gss_code: w for w in Ward.objects.filter(council=council) if w.gss_code}
    return {p.pk: wards[codes[p.postcode]] for p in people if codes.get(p.postcode) in wards}


_PATHS: dict[str, list[str]] = {
    S.NEW: [],
    S.UNDER_CONSIDERATION: [S.UNDER_CONSIDERATION],
    S.ACCEPTED: [S.UNDER_CONSIDERATION, S.ACCEPTED],
    S.IN_PROGRESS: [S.UNDER_CONSIDERATION, S.ACCEPTED, S.IN_PROGRESS],
    S.DONE: [S.ACCEPTED, S.IN_PROGRESS, S.DONE],
    S.NOT_TAKEN_FORWARD: [S.UNDER_CONSIDERATION, S.NOT_TAKEN_FORWARD],
}


def _loop(council: Council, ideas: list[Idea]) -> list[str]:
    """Put one idea on an upcoming meeting's agenda and one on a past meeting, with the
    decision taken there (when the meetings archive is there)."""
    notes: list[str] = []
    now = timezone.now()
    upcoming = (
        Meeting.objects.filter(
            council=council,
            agenda_published_at__isnull=True,
            status=Meeting.Status.SCHEDULED,
            start__gte=now,
        )
        .order_by("start", "pk")
        .first()
    )
    considered = [i for i in ideas if i.status == S.UNDER_CONSIDERATION]
    if upcoming is not None and considered:
        link = domain.place_idea_on_agenda(None, considered[0], upcoming)
        notes.append(f"on the agenda of {upcoming}: item {link.agenda_item.number}")
    past = (
        Meeting.objects.filter(
            council=council,
            agenda_published_at__isnull=False,
            status=Meeting.Status.HELD,
            start__lt=now - dt.timedelta(days=14),
            start__gte=now - dt.timedelta(days=200),
        )
        .order_by("-start", "-pk")
        .first()
    )
    accepted = [i for i in ideas if i.status == S.ACCEPTED]
    if past is not None and accepted:
        idea = accepted[0]
        link = domain.place_idea_on_agenda(
            None,
            idea,
            past,
            is_urgent=True,
            urgency_reason="Residents asked for a decision before the spring.",
        )
        decision = meetings_domain.record_decision(
            None,
            council,
            title=f"Approved: {idea.title}",
            text="RESOLVED: that the proposal raised by residents be approved and funded "
            "from the parks budget.",
            decision_maker=past.body.name,
            decided_on=timezone.localdate(past.start),
            agenda_item=link.agenda_item,
            now=past.start,
        )
        domain.link_idea_decision(None, link, decision)
        notes.append(f"decided at {past}")
    if not notes:
        notes.append("no meetings to link (the meetings archive is not built)")
    return notes


def build(council: Council, *, seed: int = SEED) -> str:
    """Write the demo ideas of ``council`` (one transaction); a line saying what was made."""
    rng = random.Random(seed)  # noqa: S311 - invented content, not secrets
    now = timezone.now()
    with transaction.atomic():
        topics = _topics(council)
        people = _residents(council, rng)
        wards = _wards_of(council, people)
        # Supporting needs a postcode in the area (the default rule).
        in_area = set(
            Postcode.objects.filter(
                postcode__in=[p.postcode for p in people], district_gss=council.gss_code
            ).values_list("postcode", flat=True)
        )
        eligible = [p for p in people if p.postcode in in_area]
        demo_resident = next((p for p in people if p.email == DEMO_RESIDENT), None)
        ideas: list[Idea] = []
        backers: dict[int, list[User]] = {}
        for n, spec in enumerate(IDEAS):
            author = people[(n * 7) % len(people)]
            ward = wards.get(author.pk) if n % 4 else None
            idea = domain.propose_idea(
                author,
                council,
                kind=spec.kind,
                title=spec.title,
                body=spec.body,
                topic=topics.get(spec.topic),
                ward=ward,
            )
            backers[idea.pk] = rng.sample(eligible, rng.randint(0, min(18, len(eligible))))
            if demo_resident in backers[idea.pk]:
                # Through the verb (so they follow it), while the idea still takes support.
                domain.support_idea(demo_resident, idea)
                backers[idea.pk].remove(demo_resident)
            threads = rng.randint(0, 3)
            for t in range(threads):
                first = domain.comment(
                    rng.choice(people), idea, body=COMMENTS[(n + t) % len(COMMENTS)]
                )
                if rng.random() < 0.5:
                    domain.comment(rng.choice(people), idea, body=rng.choice(REPLIES), parent=first)
            for step in _PATHS[spec.status]:
                domain.set_idea_status(
                    None, idea, step, reason=spec.reason if step == spec.status else ""
                )
            if spec.status != S.NEW or n % 5 == 0:
                domain.respond_to_idea(None, idea, body=RESPONSES[n % len(RESPONSES)])
            ideas.append(idea)
        _support(ideas, backers, now)
        domain.merge_ideas(
            None,
            ideas[DUPLICATE_OF_FIRST],
            ideas[0],
            reason="Both ask for more seats around the pond in Abbey Park.",
        )
        notes = _loop(council, [Idea.objects.get(pk=i.pk) for i in ideas])
        _spread_dates(ideas, rng, now)
        record(AUDIT_ACTION, council=council, target=council, ideas=len(ideas))
    return (
        f"{council.short_name}: {len(ideas)} ideas and needs, {len(topics)} topics, "
        f"{len(people)} residents; {'; '.join(notes)}"
    )


def _support(ideas: list[Idea], backers: dict[int, list[User]], now: dt.datetime) -> None:
    """Supports in one go: three hundred calls of the verb would take most of the demo's
    time (the demo resident's went through the verb as each idea was proposed)."""
    rows = [
        Support(idea=idea, user=someone, created_at=now)
        for idea in ideas
        for someone in backers.get(idea.pk, [])
    ]
    Support.objects.bulk_create(rows)
    for idea in ideas:
        Idea.objects.filter(pk=idea.pk).update(support_count=idea.supports.count())


def _spread_dates(ideas: list[Idea], rng: random.Random, now: dt.datetime) -> None:
    """Move each idea and its history back over the past year (the verbs stamp "now")."""
    from moothall.search.registry import changed

    for idea in ideas:
        age = dt.timedelta(days=rng.randint(3, 360), minutes=rng.randint(0, 1440))
        created = now - age
        active = created + (now - created) * rng.uniform(0.2, 1.0)
        Idea.objects.filter(pk=idea.pk).update(created_at=created, last_activity_at=active)
        entries = list(IdeaTimelineEntry.objects.filter(idea=idea).order_by("at", "id"))
        for i, entry in enumerate(entries):
            entry.at = created + (active - created) * (i / max(1, len(entries) - 1))
        IdeaTimelineEntry.objects.bulk_update(entries, ["at"])
        idea.comments.update(created_at=active)
        idea.responses.update(created_at=active)
        idea.supports.update(created_at=created)
        changed(Idea.objects.get(pk=idea.pk))


@demo_step(order=50)
def ideas(context: DemoContext) -> str:
    """Brackenford's residents' ideas and needs (skipped when already built)."""
    council = Council.objects.filter(slug=DEMO_COUNCIL).first()
    if council is None:
        return f"skipped: no council {DEMO_COUNCIL!r} (the Mootshire step makes it)"
    if Idea.objects.filter(council=council).exists():
        return f"already there: {Idea.objects.filter(council=council).count()} ideas"
    return build(council)
