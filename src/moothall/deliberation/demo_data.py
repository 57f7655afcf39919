"""A demo deliberation at Brackenford District Council, built through the verbs.

**Brackenford town centre: what should change?** is open, post-moderated, and open to
anyone (signed in or not, so visitors to the demo can try it). Forty statements: sixteen
seed statements from the council and the rest written by participants (two removed by a
moderator, with the reason). Three hundred participants joined over three weeks; their
votes come from three opinion groups (drivers and traders who want parking kept, people
who want a greener centre with fewer cars, and people who care most about the market,
heritage and prices), with a few statements nearly everyone agrees on. About six in ten
answered the optional "about you" questions (ward, age band, sex), so the report can set
who took part against who lives in Brackenford. The analysis is computed at the end.

Deterministic (seeded) and idempotent: an audit entry records the version built; a second
run does nothing, a new version deletes the demo conversation and builds it again.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from moothall.accounts.residents import Eligibility
from moothall.core.audit import record
from moothall.core.models import AuditEntry
from moothall.councils.models import Council, Ward
from moothall.deliberation import domain
from moothall.deliberation.models import Conversation, Participant, Statement, Vote
from moothall.demo.registry import DemoContext, demo_step
from moothall.population.bands import PREFER_NOT_TO_SAY, AgeBand, Sex

SEED = 2014  # the year Polis was first used in public
VERSION = "1"  # bump when the demo's shape changes: it is then rebuilt
DEMO_COUNCIL = "brackenford"
SLUG = "town-centre"
TITLE = "Brackenford town centre: what should change?"
AUDIT_ACTION = "deliberation.demo"
PARTICIPANTS = 300
DAYS = 21
# Opinion groups: drivers and traders, a greener centre, market and heritage.
GROUP_SHARES = (0.40, 0.35, 0.25)
PASS_RATE = 0.12
ANSWER_ABOUT_YOU = 0.6


@dataclass(frozen=True)
class DemoStatement:
    text: str
    # How likely each group is to agree (against disagree) with it.
    agree: tuple[float, float, float]
    seed: bool = True
    removed: str = ""  # the moderator's reason, when removed


def _s(
    text: str, a: float, b: float, c: float, *, seed: bool = True, removed: str = ""
) -> DemoStatement:
    return DemoStatement(text, (a, b, c), seed=seed, removed=removed)


STATEMENTS = [
    # Seed statements from the council.
    _s("Parking in the town centre should stay free for the first hour.", 0.92, 0.2, 0.75),
    _s("The High Street should be closed to cars on Saturdays.", 0.1, 0.9, 0.45),
    _s("The council should plant many more trees along the High Street.", 0.45, 0.95, 0.7),
    _s("Empty shops should be offered to local start-ups at low rent.", 0.8, 0.85, 0.9),
    _s(
        "The Thursday market should move to the Market Square every day of the week.",
        0.35,
        0.6,
        0.95,
    ),
    _s("There should be a protected cycle lane from the station to the centre.", 0.15, 0.95, 0.4),
    _s("Bus fares into town should be cut, even if parking charges go up.", 0.1, 0.85, 0.45),
    _s("Public toilets in the centre should stay open until 8pm.", 0.9, 0.9, 0.95),
    _s("The multi-storey car park should be replaced with homes.", 0.05, 0.7, 0.3),
    _s(
        "Old buildings on Bridge Street should be protected, even if it slows new building.",
        0.4,
        0.45,
        0.95,
    ),
    _s("More benches and shade would help older people spend time in town.", 0.75, 0.85, 0.95),
    _s("The speed limit in the centre should be 20 mph.", 0.25, 0.95, 0.65),
    _s("Delivery lorries should only unload before 10am.", 0.3, 0.85, 0.6),
    _s("Street lighting needs improving: the centre feels unsafe after dark.", 0.85, 0.85, 0.9),
    _s("The council should spend more on cleaning streets than on new projects.", 0.85, 0.35, 0.8),
    _s("A covered area for events and the market would bring people in all year.", 0.55, 0.7, 0.9),
    # Written by participants.
    _s(
        "I drive in from the villages: without parking I will shop online instead.",
        0.95,
        0.1,
        0.55,
        seed=False,
    ),
    _s(
        "Pavements are too narrow for a pushchair and a wheelchair to pass.",
        0.6,
        0.95,
        0.8,
        seed=False,
    ),
    _s(
        "Business rates are the real reason shops close, not parking.", 0.45, 0.75, 0.85, seed=False
    ),
    _s(
        "Make the bus station somewhere you would actually want to wait.", 0.6, 0.9, 0.8, seed=False
    ),
    _s("Pedestrian areas in other towns have killed trade.", 0.9, 0.1, 0.45, seed=False),
    _s("Cafe tables on the pavement make the street feel alive.", 0.5, 0.9, 0.6, seed=False),
    _s("Electric car charging points should be in every car park.", 0.85, 0.6, 0.45, seed=False),
    _s("The river path should be lit and linked to the High Street.", 0.55, 0.95, 0.75, seed=False),
    _s("Keep the old market hall for the market, not for flats.", 0.45, 0.5, 0.97, seed=False),
    _s("Blue badge holders must keep parking next to the shops.", 0.9, 0.55, 0.9, seed=False),
    _s("Rents for market stalls are too high for small traders.", 0.55, 0.6, 0.95, seed=False),
    _s(
        "A weekly car-free Sunday would be a good trial before anything permanent.",
        0.35,
        0.9,
        0.65,
        seed=False,
    ),
    _s("Cycle parking outside the shops is always full.", 0.2, 0.9, 0.4, seed=False),
    _s("The one-way system confuses visitors and should be scrapped.", 0.8, 0.35, 0.6, seed=False),
    _s(
        "Young people have nowhere to go in the evening apart from fast food.",
        0.6,
        0.8,
        0.65,
        seed=False,
    ),
    _s("Shop fronts should keep to traditional colours and signs.", 0.3, 0.3, 0.9, seed=False),
    _s(
        "Park and ride from the ring road would keep cars out and shoppers in.",
        0.55,
        0.8,
        0.6,
        seed=False,
    ),
    _s(
        "Charge more for parking at busy times and less when the town is quiet.",
        0.25,
        0.75,
        0.35,
        seed=False,
    ),
    _s(
        "Every new building in the centre should have green roofs or solar panels.",
        0.3,
        0.9,
        0.5,
        seed=False,
    ),
    _s("Free water refill points in the centre, please.", 0.7, 0.9, 0.8, seed=False),
    _s("Drinking in the street at night puts families off.", 0.8, 0.45, 0.85, seed=False),
    _s("Use the empty bank building for a library and community hub.", 0.6, 0.85, 0.9, seed=False),
    _s(
        "Councillors are all useless and should be sacked, every one of them!!!",
        *(0.3, 0.3, 0.3),
        seed=False,
        removed="A personal attack, not a statement about the town centre.",
    ),
    _s(
        "Visit my shop on Bridge Street for 20% off this week",
        *(0.1, 0.1, 0.1),
        seed=False,
        removed="Advertising.",
    ),
]

AGE_BY_GROUP = (
    # Drivers and traders lean middle-aged; the greener centre younger; the market older.
    (0.02, 0.08, 0.16, 0.2, 0.22, 0.18, 0.1, 0.04),
    (0.03, 0.2, 0.26, 0.2, 0.13, 0.09, 0.06, 0.03),
    (0.01, 0.05, 0.08, 0.12, 0.16, 0.2, 0.22, 0.16),
)


def _clear(council: Council) -> None:
    Conversation.objects.filter(council=council, slug=SLUG).delete()


def _about_you(rng: random.Random, group: int, wards: list[Ward]) -> dict[str, object]:
    if rng.random() > ANSWER_ABOUT_YOU:
        return {}
    answers: dict[str, object] = {}
    if wards and rng.random() < 0.95:
        answers["ward"] = rng.choice(wards)
    roll = rng.random()
    if roll < 0.9:
        answers["age_band"] = rng.choices(AgeBand.values, weights=AGE_BY_GROUP[group])[0]
    elif roll < 0.95:
        answers["age_band"] = PREFER_NOT_TO_SAY
    roll = rng.random()
    if roll < 0.9:
        female = (0.45, 0.6, 0.55)[group]
        answers["sex"] = Sex.FEMALE if rng.random() < female else Sex.MALE
    elif roll < 0.95:
        answers["sex"] = PREFER_NOT_TO_SAY
    return answers


def build(council: Council, *, participants: int = PARTICIPANTS) -> Conversation:
    """The demo conversation with its statements, participants, votes and analysis."""
    rng = random.Random(SEED)  # noqa: S311 (a demo, not security)
    now = timezone.now().replace(microsecond=0)
    start = now - dt.timedelta(days=DAYS)
    conversation = domain.create_conversation(
        council,
        by=None,
        title=TITLE,
        slug=SLUG,
        summary="Parking, trees, the market, buses: say what you think of others’ ideas "
        "and add your own.",
        description=(
            "The council is drawing up a plan for Brackenford town centre for the next ten "
            "years. Before we write it, we want to know **where people agree** as well as "
            "where they differ.\n\n"
            "Vote on each statement: agree, disagree, or pass if you are unsure. Add a "
            "statement of your own if something is missing. The report shows the groups of "
            "opinion and the statements that people in every group agree on.\n\n"
            "This is a demonstration with invented participants."
        ),
        mode="improved",
        moderation="post",
        allow_statements=True,
        statement_max_length=140,
        participate_level=Eligibility.NONE,
        ask_about_you=True,
    )
    seeds = [s for s in STATEMENTS if s.seed]
    written = [s for s in STATEMENTS if not s.seed]
    for item in seeds:
        domain.add_statement(conversation, text=item.text, created_at=start)
    domain.open_conversation(conversation, by=None)
    # Back-date the opening to the start of the three weeks the votes are spread over.
    Conversation.objects.filter(pk=conversation.pk).update(opened_at=start)

    wards = list(Ward.objects.filter(council=council).order_by("name", "pk"))
    people: list[tuple[Participant, int, dt.datetime]] = []
    for _n in range(participants):
        group = rng.choices(range(3), weights=GROUP_SHARES)[0]
        joined = start + dt.timedelta(seconds=rng.uniform(0, DAYS * 86400 - 3600))
        about = _about_you(rng, group, wards)
        person = domain.join(conversation, joined_at=joined, **about)  # type: ignore[arg-type]
        people.append((person, group, joined))

    # Participants write their statements in the first two weeks (each writes one).
    authors = rng.sample([p for p in people if p[2] < start + dt.timedelta(days=14)], len(written))
    by_text: dict[str, DemoStatement] = {item.text: item for item in STATEMENTS}
    for item, (author, _group, joined) in zip(written, authors, strict=True):
        when = joined + dt.timedelta(minutes=rng.uniform(2, 30))
        made = domain.add_statement(conversation, text=item.text, author=author, created_at=when)
        if item.removed:
            domain.moderate_statement(made, by=None, accept=False, reason=item.removed)

    shown = list(
        Statement.objects.filter(conversation=conversation, state=Statement.State.ACCEPTED)
    )
    own = set(
        Statement.objects.filter(conversation=conversation, author__isnull=False).values_list(
            "author_id", "pk"
        )
    )
    for person, group, joined in people:
        voted_at = joined + dt.timedelta(minutes=rng.uniform(1, 50))
        leaning = rng.uniform(-0.1, 0.1)  # people differ within a group too
        available = [s for s in shown if s.created_at <= voted_at and (person.pk, s.pk) not in own]
        count = min(len(available), rng.randint(8, 40))
        # Earlier statements have been seen by more people: weight by age.
        chosen = _weighted_sample(rng, available, count)
        votes: dict[int, int] = {}
        for s in chosen:
            if rng.random() < PASS_RATE:
                votes[s.pk] = Vote.PASS
                continue
            p = min(max(by_text[s.text].agree[group] + leaning, 0.02), 0.98)
            votes[s.pk] = Vote.AGREE if rng.random() < p else Vote.DISAGREE
        domain.cast_votes(person, votes, at=voted_at)
    domain.run_analysis(conversation)
    return conversation


def _weighted_sample(rng: random.Random, items: list[Statement], count: int) -> list[Statement]:
    """``count`` of ``items`` without repeats, the older (lower numbered) more likely."""
    pool = list(items)
    chosen: list[Statement] = []
    for _ in range(count):
        weights = [1.0 / (1 + 0.05 * s.number) for s in pool]
        pick = rng.choices(range(len(pool)), weights=weights)[0]
        chosen.append(pool.pop(pick))
    return chosen


def built_version(council: Council) -> str | None:
    entry = AuditEntry.objects.filter(action=AUDIT_ACTION, council=council).order_by("-pk").first()
    if entry is None or not Conversation.objects.filter(council=council, slug=SLUG).exists():
        return None
    return str(entry.details.get("version"))


@demo_step(order=65)
def demo_deliberation(context: DemoContext) -> str:
    """Brackenford's town centre conversation: 300 participants in three opinion groups."""
    council = Council.objects.filter(slug=DEMO_COUNCIL).first()
    if council is None:
        return f"skipped: no council {DEMO_COUNCIL!r} (the Mootshire step makes it)"
    if built_version(council) == VERSION:
        return f"already built (version {VERSION}): “{TITLE}”"
    started = time.monotonic()
    with transaction.atomic():
        _clear(council)
        made = build(council)
        record(AUDIT_ACTION, council=council, target=made, version=VERSION)
    votes = Vote.objects.filter(conversation=made).count()
    analysis = domain.analysis_of(made)
    groups = len(analysis.data.get("groups", [])) if analysis is not None else 0
    seconds = time.monotonic() - started
    return (
        f"{council.short_name}: “{made.title}” (open), {PARTICIPANTS} participants, "
        f"{votes} votes, {groups} opinion groups ({seconds:.1f} s)"
    )
