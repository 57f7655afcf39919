"""Ten years of council business for one demo district (Brackenford District Council).

About 2,500 meetings of some twenty bodies (full council, cabinet, planning and
licensing committees and their sub-committees, scrutiny, audit, standards, panels
and area forums), 25,000 agenda items, 10,000 documents with generated text,
decisions (key decisions with forward-plan entries, a few without the notice the
law needs), recorded votes with each councillor's position, attendance with
apologies and substitutes, declarations of interest, late agendas, cancelled and
postponed meetings, and the next few months of upcoming meetings: some with a
published agenda and a public question, some still being drafted by the clerk.

Two ways of writing, one plan. Every meeting is planned first, in memory, from one
seeded random generator (so the same day gives the same archive). Then:

- The historical archive (everything older than ``RECENT_DAYS``) is written with
  ``bulk_create`` in batches. Through the verbs, one row at a time, each item
  renumbers its agenda, every change writes an audit row and a timeline row and
  the search index follows each save: one year of meetings (249) took 34 s of CPU
  that way on the reference machine, so the ten-year archive (some 120,000 rows)
  would take six minutes or more; in bulk it takes about 15 s. The bulk writer
  keeps every invariant the verbs keep: agenda numbers and sort keys by the same rule as
  :func:`moothall.meetings.domain.renumber`, ``is_exempt`` cascading from an item
  to its sub-items, documents, votes and decisions, files stored once by SHA-256,
  document text filled in (``extraction=done``) and ``published_at`` set when
  the agenda or the minutes were published, the publication deadline from
  :mod:`moothall.meetings.law` and the council's notice rules, ``lacks_notice``
  from :meth:`Decision.compute_lacks_notice`.
- Recent and upcoming meetings go through the real verbs
  (:mod:`moothall.meetings.domain`, ``actor=None``: the system), so their audit
  entries and public timelines are the ones the software writes. The verbs stamp
  the wall clock; the timeline entries of a recent meeting are moved back to the
  moment the plan says each step happened, so its history reads in order.

Former councillors (seats that changed hands at the 2015 and 2019 elections)
are added as councillor records with ended terms, and current councillors who
were re-elected get their earlier terms, so attendance and votes from 2017
belong to people who held office then.

Idempotent: the step records the generator's version in an audit entry and does
nothing when the archive at that version is there; a different version clears
the demo's meetings and bodies (``source="demo"``) and builds them again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command, get_commands
from django.db import connection, transaction
from django.utils import timezone

from moothall.core.audit import record
from moothall.core.models import AuditEntry
from moothall.councils.demo_data import FIRST_NAMES, SURNAMES
from moothall.councils.models import Council, Councillor, Person, TermOfOffice
from moothall.demo.pdf import make_pdf
from moothall.demo.registry import DemoContext, demo_step
from moothall.meetings import domain, law
from moothall.meetings.demo_text import (
    CANCEL_REASONS,
    EXEMPT_MATTERS,
    LATE_REASONS,
    LICENSING_MATTERS,
    MOTIONS,
    PETITIONS,
    PLANNING_OUTCOMES,
    PLANNING_PROPOSALS,
    POSTPONE_REASONS,
    PREMISES,
    QUESTION_SUBJECTS,
    SHOPS,
    TOPIC_BY_KEY,
    TOPICS,
    Topic,
    Words,
    financial_year,
)
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingSettings,
    Membership,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
    Vote,
    VoteRecord,
)

log = logging.getLogger(__name__)

SEED = 1972  # the Local Government Act that still governs council meetings
GENERATOR_VERSION = "1"  # bump when the archive's shape changes: the demo rebuilds it
SOURCE = "demo"
DEMO_COUNCIL = "brackenford"
AUDIT_ACTION = "meetings.demo_archive"
RECENT_DAYS = 28  # meetings this recent, and all upcoming ones, go through the verbs
FUTURE_DAYS = 100  # the archive ends this far ahead
DRAFT_AHEAD_DAYS = 35  # upcoming meetings closer than this have a (draft) agenda
BATCH = 2000
EXCLUSION = "Exclusion of the press and public"
# Bodies whose meetings take public questions (the first one a week or more ahead does).
QUESTION_AGENDAS = ("council", "cabinet", "forum", "planning", "scrutiny", "working_group")
WORK_PROGRAMMES = {
    "audit",
    "standards",
    "licensing",
    "working_group",
    "shareholder",
    "jcc",
    "forum",
}

A = AgendaItem.Kind
P = VoteRecord.Position


# --- What the archive holds ---------------------------------------------------------------


@dataclass(frozen=True)
class BodySpec:
    key: str
    name: str
    kind: str
    per_year: int
    size: int  # 0: every councillor
    weekday: int  # 0 Monday … 4 Friday; -1 any weekday (hearings)
    at: tuple[int, int]
    agenda: str  # which agenda builder plans its meetings
    room: str = "Council Chamber"
    parent: str = ""
    decides: bool = True  # records decisions (scrutiny, panels and forums recommend)
    vote_share: float = 0.1  # how often a substantive item has a recorded vote
    substitutes: bool = False
    webcast: bool = False
    topics: tuple[str, ...] = ()
    purpose: str = ""


BODIES: tuple[BodySpec, ...] = (
    BodySpec(
        "council",
        "Full Council",
        Body.Kind.FULL_COUNCIL,
        8,
        0,
        2,
        (19, 0),
        "council",
        vote_share=0.7,
        webcast=True,
        purpose="All councillors. Sets the budget and council tax, the policy framework and "
        "the constitution; elects the Chair and the Leader.",
    ),
    BodySpec(
        "cabinet",
        "Cabinet",
        Body.Kind.CABINET,
        14,
        7,
        1,
        (18, 0),
        "cabinet",
        vote_share=0.05,
        webcast=True,
        purpose="The Leader and the portfolio holders. Takes the council's executive and key "
        "decisions within the budget and policy framework.",
    ),
    BodySpec(
        "planning",
        "Planning Committee",
        Body.Kind.COMMITTEE,
        18,
        13,
        3,
        (18, 30),
        "planning",
        vote_share=1.0,
        substitutes=True,
        webcast=True,
        purpose="Decides major and contentious planning applications, and applications the "
        "scheme of delegation refers to it.",
    ),
    BodySpec(
        "planning-north",
        "Planning Sub-Committee (North)",
        Body.Kind.SUB_COMMITTEE,
        17,
        7,
        0,
        (14, 0),
        "planning",
        room="Committee Room 1",
        parent="planning",
        vote_share=0.8,
        substitutes=True,
        purpose="Householder and minor applications in the northern wards.",
    ),
    BodySpec(
        "planning-south",
        "Planning Sub-Committee (South)",
        Body.Kind.SUB_COMMITTEE,
        17,
        7,
        2,
        (14, 0),
        "planning",
        room="Committee Room 1",
        parent="planning",
        vote_share=0.8,
        substitutes=True,
        purpose="Householder and minor applications in the southern wards.",
    ),
    BodySpec(
        "licensing",
        "Licensing and Regulatory Committee",
        Body.Kind.COMMITTEE,
        5,
        12,
        0,
        (18, 30),
        "licensing",
        substitutes=True,
        purpose="Licensing, gambling and taxi policy; fees and charges for licences.",
    ),
    BodySpec(
        "licensing-sub",
        "Licensing Sub-Committee",
        Body.Kind.SUB_COMMITTEE,
        86,
        3,
        -1,
        (10, 0),
        "hearing",
        room="Committee Room 2",
        parent="licensing",
        purpose="Hearings on premises licence applications and reviews, and on the fitness "
        "of taxi drivers.",
    ),
    BodySpec(
        "scrutiny",
        "Overview and Scrutiny Committee",
        Body.Kind.SCRUTINY,
        11,
        11,
        3,
        (18, 0),
        "scrutiny",
        decides=False,
        substitutes=True,
        webcast=True,
        purpose="Holds the Cabinet to account, hears call-ins and sets the scrutiny work "
        "programme.",
    ),
    BodySpec(
        "housing-scrutiny",
        "Housing and Communities Scrutiny Panel",
        Body.Kind.SCRUTINY,
        7,
        8,
        1,
        (18, 0),
        "scrutiny",
        room="Committee Room 1",
        parent="scrutiny",
        decides=False,
        topics=("housing", "community_safety", "grants", "corporate"),
    ),
    BodySpec(
        "environment-scrutiny",
        "Environment and Place Scrutiny Panel",
        Body.Kind.SCRUTINY,
        7,
        8,
        2,
        (18, 0),
        "scrutiny",
        room="Committee Room 1",
        parent="scrutiny",
        decides=False,
        topics=("waste", "climate", "parking", "flooding", "environmental_health", "leisure"),
    ),
    BodySpec(
        "audit",
        "Audit and Governance Committee",
        Body.Kind.COMMITTEE,
        6,
        9,
        1,
        (18, 30),
        "audit",
        purpose="Internal and external audit, risk management, the statement of accounts "
        "and the annual governance statement.",
    ),
    BodySpec(
        "standards",
        "Standards Committee",
        Body.Kind.COMMITTEE,
        4,
        7,
        0,
        (17, 0),
        "standards",
        room="Committee Room 2",
    ),
    BodySpec(
        "standards-hearing",
        "Standards Hearing Sub-Committee",
        Body.Kind.SUB_COMMITTEE,
        2,
        3,
        -1,
        (10, 0),
        "standards_hearing",
        room="Committee Room 2",
        parent="standards",
    ),
    BodySpec(
        "appointments",
        "Appointments and Staffing Committee",
        Body.Kind.COMMITTEE,
        3,
        7,
        4,
        (10, 0),
        "staffing",
        room="Committee Room 2",
    ),
    BodySpec(
        "jcc",
        "Joint Staff Consultative Committee",
        Body.Kind.COMMITTEE,
        4,
        6,
        3,
        (14, 0),
        "jcc",
        room="Committee Room 2",
        decides=False,
    ),
    BodySpec(
        "grants",
        "Community Grants Panel",
        Body.Kind.PANEL,
        6,
        6,
        1,
        (17, 30),
        "grants",
        room="Committee Room 1",
    ),
    BodySpec(
        "north-forum",
        "North Area Forum",
        Body.Kind.PANEL,
        6,
        10,
        1,
        (19, 0),
        "forum",
        room="north",
        decides=False,
    ),
    BodySpec(
        "south-forum",
        "South Area Forum",
        Body.Kind.PANEL,
        6,
        10,
        3,
        (19, 0),
        "forum",
        room="south",
        decides=False,
    ),
    BodySpec(
        "local-plan",
        "Local Plan Working Group",
        Body.Kind.PANEL,
        9,
        9,
        0,
        (18, 0),
        "working_group",
        room="Committee Room 1",
        decides=False,
        topics=("planning_policy", "housing", "transport", "flooding"),
    ),
    BodySpec(
        "climate",
        "Climate Emergency Panel",
        Body.Kind.PANEL,
        6,
        8,
        2,
        (18, 0),
        "working_group",
        room="Committee Room 1",
        decides=False,
        topics=("climate", "transport", "waste", "flooding"),
    ),
    BodySpec(
        "heritage",
        "Museum and Heritage Panel",
        Body.Kind.PANEL,
        5,
        6,
        4,
        (14, 0),
        "working_group",
        room="museum",
        decides=False,
        topics=("leisure", "regeneration"),
    ),
    BodySpec(
        "member-development",
        "Member Development Panel",
        Body.Kind.PANEL,
        4,
        6,
        0,
        (17, 0),
        "working_group",
        room="Committee Room 2",
        decides=False,
        topics=("democracy", "corporate"),
    ),
    BodySpec(
        "shareholder",
        "Housing Company Shareholder Committee",
        Body.Kind.COMMITTEE,
        4,
        5,
        4,
        (10, 0),
        "shareholder",
        room="Committee Room 2",
        topics=("finance", "housing", "regeneration"),
    ),
)
SPEC = {spec.key: spec for spec in BODIES}
# Shared papers: identical bytes attached to many meetings, stored once.
SHARED_PAPERS = {
    "interests": (
        "Guidance for members on declaring interests",
        "Guidance for members on declaring interests.\nA member with a disclosable pecuniary "
        "interest in an item must declare it, must not take part in the discussion or vote, "
        "and must leave the room unless a dispensation has been granted. Other registrable "
        "and non-registrable interests must be declared; the member may speak as a member of "
        "the public and then leave. The register of interests is published on the website.",
    ),
    "speaking": (
        "Protocol for public speaking at planning meetings",
        "Public speaking at planning meetings.\nOne objector, one supporter, the applicant or "
        "agent, the parish or town council and the ward member may each speak for up to three "
        "minutes on an application. Register with Democratic Services by noon two working "
        "days before the meeting.",
    ),
    "hearing": (
        "Procedure for licensing hearings",
        "Procedure for hearings under the Licensing Act 2003.\nThe chair introduces the "
        "members and officers; the licensing officer presents the report; the applicant, "
        "then each party making representations, may speak and ask questions; the "
        "sub-committee retires to deliberate and announces its decision with reasons.",
    ),
}


# --- The plan, in memory ------------------------------------------------------------------


@dataclass
class PDoc:
    kind: str
    title: str
    text: str


@dataclass
class PDecision:
    title: str
    text: str
    reasons: str = ""
    alternatives: str = ""
    conflicts: str = ""
    is_key: bool = False
    notice: str = ""  # "", "ok", "late", "none", "general_exception", "special_urgency"
    status: str = Decision.Status.MADE
    status_reason: str = ""


@dataclass
class PItem:
    title: str
    kind: str
    description: str = ""
    exempt_paragraph: int | None = None
    lead_officer: str = ""
    portfolio: str = ""
    children: list[PItem] = field(default_factory=list)
    docs: list[PDoc] = field(default_factory=list)
    decision: PDecision | None = None
    motion: str = ""  # a recorded vote on this motion
    positions: dict[int, str] = field(default_factory=dict)
    # Filled in when written:
    number: str = ""
    sort_key: str = ""
    is_exempt: bool = False
    position: int = 0
    pk: int = 0  # set when written


@dataclass
class PDeclaration:
    councillor: int
    kind: str
    description: str
    item: PItem | None
    left_the_room: bool
    dispensation: str = ""


@dataclass
class PMeeting:
    key: str
    spec: BodySpec
    start: dt.datetime
    end: dt.datetime
    venue: str
    status: str = Meeting.Status.SCHEDULED
    status_reason: str = ""
    title: str = ""
    webcast_url: str = ""
    deadline: dt.date | None = None
    publish_at: dt.datetime | None = None
    late_reason: str = ""
    minutes_at: dt.datetime | None = None
    rescheduled_from: dt.datetime | None = None
    items: list[PItem] = field(default_factory=list)
    docs: list[PDoc] = field(default_factory=list)  # meeting-level: packs, minutes, protocols
    attendance: dict[int, str] = field(default_factory=dict)
    substitutes: dict[int, int] = field(default_factory=dict)
    declarations: list[PDeclaration] = field(default_factory=list)
    question_meeting: bool = False
    pk: int = 0  # set when written

    @property
    def day(self) -> dt.date:
        return self.start.date()

    @property
    def cancelled(self) -> bool:
        return self.status == Meeting.Status.CANCELLED

    def walk(self) -> Iterable[tuple[PItem, PItem | None]]:
        for item in self.items:
            yield item, None
            for child in item.children:
                yield child, item


@dataclass
class Seat:
    """Who sits on a body, from when to when, in what role."""

    councillor: int
    role: str
    start: dt.date
    end: dt.date | None


@dataclass
class Summary:
    meetings: int = 0
    items: int = 0
    documents: int = 0
    files: int = 0
    decisions: int = 0
    votes: int = 0
    vote_records: int = 0
    attendance: int = 0
    declarations: int = 0
    forward_plan: int = 0
    bodies: int = 0
    memberships: int = 0
    former_councillors: int = 0
    by_verbs: int = 0
    late_agendas: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"{self.meetings:,} meetings ({self.by_verbs} through the verbs) of {self.bodies} "
            f"bodies, {self.items:,} agenda items, {self.documents:,} documents "
            f"({self.files:,} files), {self.decisions:,} decisions, {self.votes:,} votes "
            f"({self.vote_records:,} positions), {self.attendance:,} attendance records, "
            f"{self.declarations:,} declarations, {self.forward_plan} forward-plan entries, "
            f"{self.late_agendas} late agendas, {self.former_councillors} former councillors; "
            f"{self.seconds:.1f} s"
        )
        return "; ".join([text, *self.notes])


def _letters(n: int) -> str:
    """0 → a, 25 → z, 26 → aa (the rule of :func:`moothall.meetings.domain.renumber`)."""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(97 + rem) + out
    return out


def number_agenda(items: list[PItem]) -> None:
    """Numbers, sort keys and exemption, by the rule of ``domain.renumber`` (two levels)."""
    for index, item in enumerate(items):
        item.position = index
        item.number = str(index + 1)
        item.sort_key = f"{index:04d}."
        item.is_exempt = item.exempt_paragraph is not None
        for sub_index, child in enumerate(item.children):
            child.position = sub_index
            child.number = item.number + _letters(sub_index)
            child.sort_key = f"{item.sort_key}{sub_index:04d}."
            child.is_exempt = item.is_exempt or child.exempt_paragraph is not None


# --- The generator ------------------------------------------------------------------------


class Archive:
    """Plans and writes the meetings of one council between two dates."""

    def __init__(
        self,
        council: Council,
        *,
        years: float = 10,
        scale: float = 1.0,
        today: dt.date | None = None,
        seed: int = SEED,
        verbs: bool = True,
    ) -> None:
        self.council = council
        self.rng = random.Random(seed)  # noqa: S311 - invented council business, not secrets
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.end = self.today + dt.timedelta(days=FUTURE_DAYS)
        self.start = self.end - dt.timedelta(days=round(365.25 * years))
        self.cutoff = self.today - dt.timedelta(days=RECENT_DAYS)
        self.scale = scale
        self.use_verbs = verbs
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.rules = MeetingSettings.for_council(council)
        wards = list(council.wards.order_by("name").values_list("name", flat=True))
        self.words = Words(self.rng, council.short_name or council.name.split()[0], wards)
        self.summary = Summary()
        self.bodies: dict[str, Body] = {}
        self.seats: dict[str, list[Seat]] = defaultdict(list)
        self.terms: dict[int, list[tuple[dt.date | None, dt.date | None]]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.party: dict[int, int | None] = {}
        self.files: dict[str, StoredFile] = {}
        self.plan_refs = Counter[int]()
        self.nested_done = False  # the first exempt block always has sub-items
        self.shared_uses = 0  # the first planning meetings always carry the shared guidance

    # -- people ------------------------------------------------------------------------------

    def _load_people(self) -> None:
        councillors = Councillor.objects.filter(council=self.council).select_related("person")
        for c in councillors:
            self.names[c.pk] = c.person.name
            self.party[c.pk] = c.party_id
        for term in TermOfOffice.objects.filter(councillor__council=self.council):
            self.terms[term.councillor_id].append((term.start_date, term.end_date))
        for pk in self.names:
            self.terms.setdefault(pk, [(None, None)])

    def in_office(self, pk: int, day: dt.date) -> bool:
        return any(
            (start is None or start <= day) and (end is None or end >= day)
            for start, end in self.terms[pk]
        )

    def serving(self, day: dt.date) -> list[int]:
        return [pk for pk in sorted(self.names) if self.in_office(pk, day)]

    def _elections(self) -> tuple[dt.date | None, list[dt.date]]:
        """The current term's election day, and the earlier ones the archive reaches back to."""
        starts = Counter(
            start for pk in self.names for start, end in self.terms[pk] if start and end is None
        )
        if not starts:
            return None, []
        current = starts.most_common(1)[0][0]
        earlier = []
        year = current.year
        while True:
            year -= 4
            may = dt.date(year, 5, 1)
            election = may + dt.timedelta(days=(3 - may.weekday()) % 7)  # first Thursday
            earlier.append(election)
            if election <= self.start:
                break
        return current, earlier

    def add_former_councillors(self) -> None:
        """Seats that changed hands at earlier elections; re-elected members get earlier terms.

        A councillor whose current term has ended (who stood down) is not carried back:
        the councils step rewrites the end of all their terms when it runs again. Terms
        from those earlier elections are the archive's own: they are made afresh each build.
        """
        current, earlier = self._elections()
        if current is None:
            return
        TermOfOffice.objects.filter(
            councillor__council=self.council, start_date__in=earlier
        ).delete()
        for pk, terms in self.terms.items():
            self.terms[pk] = [t for t in terms if t[0] not in earlier]
        formers = Councillor.objects.filter(
            council=self.council, source=SOURCE, source_id__contains="-former-"
        )
        winners: dict[int | None, list[int]] = defaultdict(list)
        ward_of = dict(Councillor.objects.filter(council=self.council).values_list("pk", "ward_id"))
        for pk in sorted(self.names):
            if (current, None) in self.terms[pk]:
                winners[ward_of[pk]].append(pk)
        # Names of people outside the archive are not reused (its own come back as they were).
        taken = set(Person.objects.exclude(seats__in=formers).values_list("name", flat=True))
        pairs = [(f, s) for s in SURNAMES for f in FIRST_NAMES]
        self.rng.shuffle(pairs)
        fresh = (f"{f} {s}" for f, s in pairs if f"{f} {s}" not in taken)
        parties = [
            self.party[pk] for ward in sorted(winners, key=lambda w: w or 0) for pk in winners[ward]
        ]
        next_election = current
        holders = winners
        number = 0
        for election in earlier:
            term_end = next_election - dt.timedelta(days=1)
            previous: dict[int | None, list[int]] = defaultdict(list)
            for ward_id in sorted(holders, key=lambda w: w or 0):
                for pk in holders[ward_id]:
                    if self.rng.random() < 0.6:
                        holder = pk
                    else:
                        number += 1
                        holder = self._former(
                            next(fresh), ward_id, self.rng.choice(parties), election, number
                        )
                    TermOfOffice.objects.update_or_create(
                        councillor_id=holder, start_date=election, defaults={"end_date": term_end}
                    )
                    self.terms[holder].append((election, term_end))
                    previous[ward_id].append(holder)
            holders, next_election = previous, election
        self.summary.former_councillors = number

    def _former(
        self, name: str, ward_id: int | None, party: int | None, elected: dt.date, number: int
    ) -> int:
        source_id = f"{self.council.slug}-former-{number}"
        councillor = (
            Councillor.objects.filter(council=self.council, source=SOURCE, source_id=source_id)
            .select_related("person")
            .first()
        )
        if councillor is None:
            person = Person.objects.create(name=name, slug=name.lower().replace(" ", "-"))
            councillor = Councillor(
                council=self.council, source=SOURCE, source_id=source_id, person=person
            )
        elif councillor.person.name != name:
            councillor.person.name = name
            councillor.person.slug = name.lower().replace(" ", "-")
            councillor.person.save()
        councillor.ward_id = ward_id
        councillor.party_id = party
        councillor.title = f"Councillor {name}"
        councillor.save()
        TermOfOffice.objects.filter(councillor=councillor).exclude(start_date=elected).delete()
        self.names[councillor.pk] = name
        self.party[councillor.pk] = party
        self.terms[councillor.pk] = []
        return councillor.pk

    def _administration(self, day: dt.date) -> int | None:
        counts = Counter(self.party[pk] for pk in self.serving(day))
        return counts.most_common(1)[0][0] if counts else None

    # -- bodies and who sits on them ---------------------------------------------------------

    def create_bodies(self) -> None:
        for spec in BODIES:
            parent = self.bodies.get(spec.parent)
            self.bodies[spec.key] = domain.create_body(
                None,
                self.council,
                name=spec.name,
                kind=spec.kind,
                purpose=spec.purpose,
                parent=parent,
                source=SOURCE,
                source_id=spec.key,
            )
        self.summary.bodies = len(self.bodies)

    def _municipal_years(self) -> list[tuple[dt.date, dt.date]]:
        years = []
        year = self.start.year - 1
        while dt.date(year, 5, 20) <= self.end:
            begin = max(dt.date(year, 5, 20), self.start)
            years.append((begin, dt.date(year + 1, 5, 19)))
            year += 1
        return [(b, e) for b, e in years if e >= self.start]

    def appoint_members(self) -> None:
        """Seats on every body for each municipal year, with some turnover between years."""
        rng = self.rng
        for spec in BODIES:
            previous: list[int] = []
            chair: int | None = None
            for begin, end in self._municipal_years():
                pool = self.serving(begin)
                if not pool:
                    continue
                admin = self._administration(begin)
                if spec.size == 0:
                    members = pool
                else:
                    candidates = pool
                    if spec.kind == Body.Kind.CABINET:
                        candidates = [pk for pk in pool if self.party[pk] == admin] or pool
                    keep = [pk for pk in previous if pk in candidates and rng.random() < 0.8]
                    rest = [pk for pk in candidates if pk not in keep]
                    rng.shuffle(rest)
                    members = (keep + rest)[: spec.size]
                if chair not in members or rng.random() < 0.3:
                    ruling = [pk for pk in members if self.party[pk] == admin] or members
                    chair = rng.choice(ruling)
                vice = rng.choice([pk for pk in members if pk != chair] or members)
                for pk in members:
                    role = (
                        Membership.Role.CHAIR
                        if pk == chair
                        else Membership.Role.VICE_CHAIR
                        if pk == vice
                        else Membership.Role.MEMBER
                    )
                    self._seat(spec.key, pk, role, begin, end)
                if spec.substitutes:
                    others = [pk for pk in pool if pk not in members]
                    for pk in rng.sample(others, min(3, len(others))):
                        self._seat(spec.key, pk, Membership.Role.SUBSTITUTE, begin, end)
                previous = members

    def _seat(self, body: str, pk: int, role: str, begin: dt.date, end: dt.date) -> None:
        """One year's seat, cut to the councillor's terms of office, merged with last year's."""
        for start, stop in self.terms[pk]:
            b = max(begin, start) if start else begin
            e = min(end, stop) if stop else end
            if b > e:
                continue
            seats = self.seats[body]
            last = next((s for s in reversed(seats) if s.councillor == pk and s.role == role), None)
            if last is not None and last.end is not None and last.end + dt.timedelta(days=1) >= b:
                last.end = e
            else:
                seats.append(Seat(pk, role, b, e))

    def members_on(self, body: str, day: dt.date) -> list[Seat]:
        return [
            s
            for s in self.seats[body]
            if s.start <= day
            and (s.end is None or s.end >= day)
            and self.in_office(s.councillor, day)
        ]

    def write_memberships(self) -> None:
        rows = []
        for key, seats in self.seats.items():
            for seat in seats:
                open_ended = seat.end is not None and seat.end >= self.end
                rows.append(
                    Membership(
                        body=self.bodies[key],
                        councillor_id=seat.councillor,
                        role=seat.role,
                        start_date=seat.start,
                        end_date=None if open_ended else seat.end,
                        source=SOURCE,
                    )
                )
        Membership.objects.bulk_create(rows, batch_size=BATCH)
        self.summary.memberships = len(rows)

    # -- the calendar ------------------------------------------------------------------------

    def schedule(self) -> list[PMeeting]:
        rng = self.rng
        meetings: list[PMeeting] = []
        for spec in BODIES:
            per_year = spec.per_year * self.scale
            if per_year <= 0:
                continue
            days = (self.end - self.start).days
            count = max(1, round(per_year * days / 365.25))
            step = days / count
            taken: set[dt.date] = set()
            for n in range(count):
                day = self.start + dt.timedelta(days=int(step * (n + rng.random() * 0.6 + 0.2)))
                picked = self._meeting_day(spec, day)
                if picked is None or picked in taken or picked > self.end:
                    continue
                taken.add(picked)
                meetings.append(self._meeting(spec, picked))
        meetings.sort(key=lambda m: (m.start, m.spec.key))
        return meetings

    def _meeting_day(self, spec: BodySpec, day: dt.date) -> dt.date | None:
        rng = self.rng
        if spec.agenda not in ("hearing", "standards_hearing") and day.month == 8:
            day += dt.timedelta(days=21)  # no committee meetings in August
        if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 5):
            day += dt.timedelta(days=16)
        for _ in range(14):
            ok = day.weekday() < 5 if spec.weekday == -1 else day.weekday() == spec.weekday
            if ok and law.is_working_day(day, self.council.nation):
                return day
            day += dt.timedelta(days=1 if spec.weekday == -1 or rng.random() < 0.9 else 2)
        return None

    def _meeting(self, spec: BodySpec, day: dt.date) -> PMeeting:
        rng = self.rng
        hour, minute = spec.at
        start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)
        length = dt.timedelta(minutes=rng.choice([60, 90, 120, 150, 180]))
        town = self.words.town
        rooms = {
            "north": f"{self.words.wards[0]} Community Centre",
            "south": f"{self.words.wards[-1]} Community Centre",
            "museum": f"Education Room, {town} Museum",
        }
        room = rooms.get(spec.room, spec.room)
        venue = (
            room if spec.room in rooms else f"{room}, {town} Civic Centre, Market Square, {town}"
        )
        if dt.date(2020, 6, 1) <= day <= dt.date(2021, 5, 6):
            venue = "Remote meeting held by video conference"
        meeting = PMeeting(
            key=f"{spec.key}-{day:%Y%m%d}",
            spec=spec,
            start=start,
            end=start + length,
            venue=venue,
            webcast_url=f"https://webcast.{self.council.slug}.gov.example/{spec.key}/{day:%Y-%m-%d}"
            if spec.webcast
            else "",
        )
        meeting.deadline = law.publication_deadline(
            day, self.rules.notice_clear_days, self.council.nation
        )
        return meeting

    # -- planning each meeting ---------------------------------------------------------------

    def plan(self, meetings: list[PMeeting]) -> None:
        """Status, publication, attendance, agenda, votes, declarations and papers of each.

        Whatever the scale, the plan holds at least one late agenda in the archive (and
        one among the recent meetings), one exempt item with sub-items under it, papers
        shared by several meetings, and an upcoming meeting taking public questions.
        """
        rng = self.rng
        question = next(
            (
                m
                for m in meetings
                if m.day > self.today + dt.timedelta(days=7) and m.spec.agenda in QUESTION_AGENDAS
            ),
            None,
        )
        if question is not None:
            question.question_meeting = True
        upcoming = [m for m in meetings if m.day >= self.today and not m.question_meeting]
        cancel_upcoming = upcoming[3].key if len(upcoming) > 6 else ""
        postpone_upcoming = upcoming[5].key if len(upcoming) > 6 else ""
        for meeting in meetings:
            self._plan_status(meeting, cancel_upcoming, postpone_upcoming)

        held = [m for m in meetings if m.status == Meeting.Status.HELD]
        historic = [m for m in held if m.day < self.cutoff]
        late_quota = max(1, round(6 * self.scale * (self.end - self.start).days / 3650))
        candidates = [m for m in historic if m.spec.agenda in ("council", "cabinet", "planning")]
        late = rng.sample(candidates or historic, min(late_quota, len(candidates or historic)))
        late_keys = {m.key for m in late}
        recent = [m for m in held if m.day >= self.cutoff]
        if recent:
            late_keys.add(recent[len(recent) // 2].key)

        last_held: dict[str, dt.date] = {}
        for meeting in meetings:
            self._plan_publication(meeting, meeting.key in late_keys)
            is_held = meeting.status == Meeting.Status.HELD
            if is_held:
                self._plan_attendance(meeting)
            drafting = meeting.day <= self.today + dt.timedelta(days=DRAFT_AHEAD_DAYS)
            if meeting.publish_at is not None or drafting:
                builder = getattr(self, f"_agenda_{meeting.spec.agenda}")
                items = [i for i in builder(meeting) if i is not None]
                private = next((n for n, i in enumerate(items) if i.title == EXCLUSION), len(items))
                meeting.items = [
                    *self._opening(meeting, last_held.get(meeting.spec.key)),
                    *items[:private],
                    *self._closing(meeting),
                    *items[private:],
                ]
                number_agenda(meeting.items)
                if is_held:
                    self._plan_declarations(meeting)
                self._plan_papers(meeting)
            if is_held:
                last_held[meeting.spec.key] = meeting.day

    def _plan_status(self, meeting: PMeeting, cancel_key: str, postpone_key: str) -> None:
        rng = self.rng
        day = meeting.day
        if meeting.key == cancel_key:
            meeting.status = Meeting.Status.CANCELLED
            meeting.status_reason = CANCEL_REASONS[0]
            return
        if meeting.key == postpone_key:
            meeting.status = Meeting.Status.POSTPONED
            meeting.status_reason = POSTPONE_REASONS[0]
            return
        if day >= self.today:
            return
        if dt.date(2020, 3, 20) <= day <= dt.date(2020, 5, 31) and meeting.spec.key != "council":
            meeting.status = Meeting.Status.CANCELLED
            meeting.status_reason = (
                "Cancelled because of the coronavirus pandemic: the law did not yet allow "
                "remote meetings."
            )
            return
        roll = rng.random()
        if day < self.cutoff and roll < 0.015:
            meeting.status = Meeting.Status.CANCELLED
            meeting.status_reason = rng.choice(CANCEL_REASONS)
        elif day < self.cutoff and roll < 0.02:
            meeting.status = Meeting.Status.POSTPONED
            meeting.status_reason = rng.choice(POSTPONE_REASONS)
        else:
            meeting.status = Meeting.Status.HELD
            if day < self.cutoff and roll > 0.993:
                # Put off once, then held on a later date.
                meeting.rescheduled_from = meeting.start - dt.timedelta(days=7)
                meeting.status_reason = ""

    def _plan_publication(self, meeting: PMeeting, late: bool) -> None:
        rng = self.rng
        assert meeting.deadline is not None
        called_off = meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED)
        if called_off and (meeting.day >= self.today or rng.random() < 0.5):
            return  # called off before the agenda went out
        if late:
            publish_day = meeting.deadline + dt.timedelta(days=rng.randint(1, 3))
            meeting.late_reason = rng.choice(LATE_REASONS)
        else:
            publish_day = meeting.deadline - dt.timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3]))
        publish_at = dt.datetime(
            publish_day.year,
            publish_day.month,
            publish_day.day,
            rng.randint(9, 16),
            rng.choice([0, 15, 30, 45]),
            tzinfo=self.tz,
        )
        if meeting.question_meeting:
            publish_at = min(publish_at, self.now - dt.timedelta(days=1))
        if publish_at > self.now:
            return  # still to come: the clerk is drafting it
        meeting.publish_at = publish_at
        if meeting.status == Meeting.Status.HELD:
            minutes_day = meeting.day + dt.timedelta(days=rng.randint(5, 20))
            minutes_at = dt.datetime(
                minutes_day.year, minutes_day.month, minutes_day.day, 12, 0, tzinfo=self.tz
            )
            if minutes_at < self.now:
                meeting.minutes_at = minutes_at

    def _plan_attendance(self, meeting: PMeeting) -> None:
        rng = self.rng
        seats = self.members_on(meeting.spec.key, meeting.day)
        members = [s.councillor for s in seats if s.role != Membership.Role.SUBSTITUTE]
        subs = [s.councillor for s in seats if s.role == Membership.Role.SUBSTITUTE]
        for pk in members:
            roll = rng.random()
            status = (
                Attendance.Status.PRESENT
                if roll < 0.87 or meeting.spec.size == 3
                else Attendance.Status.APOLOGIES
                if roll < 0.97
                else Attendance.Status.ABSENT
            )
            meeting.attendance[pk] = status
            if status == Attendance.Status.APOLOGIES and subs and rng.random() < 0.6:
                sub = subs.pop(rng.randrange(len(subs)))
                meeting.attendance[sub] = Attendance.Status.SUBSTITUTE
                meeting.substitutes[sub] = pk

    def present(self, meeting: PMeeting) -> list[int]:
        return [
            pk
            for pk, status in meeting.attendance.items()
            if status in (Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE)
        ]

    def _positions(self, meeting: PMeeting, lean: float) -> dict[int, str]:
        """Each councillor's position: the administration mostly for, the rest split."""
        rng = self.rng
        admin = self._administration(meeting.day)
        positions: dict[int, str] = {}
        for pk, status in meeting.attendance.items():
            if status in (Attendance.Status.APOLOGIES, Attendance.Status.ABSENT):
                positions[pk] = P.ABSENT
                continue
            roll = rng.random()
            for_share = 0.95 if self.party[pk] == admin else lean
            if roll < for_share:
                positions[pk] = P.FOR
            elif roll < for_share + (1 - for_share) * 0.8:
                positions[pk] = P.AGAINST
            else:
                positions[pk] = P.ABSTAIN
        chair = next(
            (
                s.councillor
                for s in self.members_on(meeting.spec.key, meeting.day)
                if s.role == Membership.Role.CHAIR and s.councillor in positions
            ),
            None,
        )
        if chair is not None and rng.random() < 0.05:
            positions[chair] = P.NOT_VOTING
        return positions

    @staticmethod
    def outcome(positions: dict[int, str]) -> str:
        counts = Counter(positions.values())
        if counts[P.FOR] > counts[P.AGAINST]:
            return Vote.Outcome.CARRIED
        if counts[P.FOR] < counts[P.AGAINST]:
            return Vote.Outcome.LOST
        return Vote.Outcome.TIED

    # -- agenda builders (one per kind of body) -------------------------------------------------

    def _opening(self, meeting: PMeeting, last: dt.date | None) -> list[PItem]:
        items = [
            PItem(
                "Apologies for absence",
                A.APOLOGIES,
                "To receive apologies for absence and notice of substitute members.",
            ),
            PItem(
                "Declarations of interest",
                A.DECLARATIONS,
                "To receive declarations of disclosable pecuniary, other registrable and "
                "non-registrable interests in items on this agenda.",
            ),
        ]
        if meeting.spec.substitutes:
            items.append(PItem("Substitute members", A.OTHER, "To note any substitutions made."))
        if meeting.spec.agenda not in ("hearing", "standards_hearing", "council", "working_group"):
            if self.rng.random() < 0.5:
                items.append(PItem("Announcements from the chair", A.OTHER))
            if meeting.spec.agenda != "cabinet" and self.rng.random() < 0.35:
                items.append(
                    PItem(
                        "Public participation",
                        A.QUESTION,
                        "To hear questions and statements from members of the public.",
                    )
                )
        if last is not None and meeting.spec.agenda not in ("hearing", "standards_hearing"):
            items.append(
                PItem(
                    f"Minutes of the meeting held on {last:%-d %B %Y}",
                    A.MINUTES,
                    "To confirm the minutes of the last meeting as a correct record.",
                )
            )
        return items

    def _closing(self, meeting: PMeeting) -> list[PItem]:
        rng = self.rng
        if meeting.spec.agenda in ("hearing", "standards_hearing"):
            return []
        items = []
        if rng.random() < 0.6:
            items.append(
                PItem(
                    "Urgent business",
                    A.OTHER,
                    "To consider any other business the chair decides is urgent, for the "
                    "reasons to be given at the meeting.",
                )
            )
        if meeting.spec.agenda in WORK_PROGRAMMES:
            items.append(PItem("Work programme", A.REPORT, "To note and agree the work programme."))
        if rng.random() < 0.7:
            items.append(PItem("Date of the next meeting", A.OTHER, "To note the date."))
        return items

    def _topics(self, meeting: PMeeting) -> list[Topic]:
        return [TOPIC_BY_KEY[k] for k in meeting.spec.topics] or list(TOPICS)

    def _report(
        self,
        meeting: PMeeting,
        topic: Topic | None = None,
        *,
        title: str = "",
        paper: float = 0.45,
        key_share: float = 0.0,
    ) -> PItem:
        rng, words, day = self.rng, self.words, meeting.day
        topic = topic or rng.choice(self._topics(meeting))
        title = title or words.topic_title(topic, day)
        fact = words.fill(rng.choice(topic.facts), day)
        item = PItem(
            title,
            A.REPORT,
            f"Report of the {topic.officer} on {title[0].lower() + title[1:]}. {fact}",
            lead_officer=words.officer(topic.officer),
            portfolio=f"Portfolio holder for {topic.portfolio}",
        )
        body = meeting.spec.name
        if rng.random() < paper:
            item.docs.append(
                PDoc(Document.Kind.REPORT, title, words.report_text(topic, title, body, day))
            )
            if rng.random() < 0.2:
                item.docs.append(
                    PDoc(
                        Document.Kind.APPENDIX,
                        f"Appendix A: {title}",
                        words.appendix_text(topic, title, day),
                    )
                )
        if meeting.spec.decides:
            item.decision = self._decision(meeting, item, topic, key_share)
            if rng.random() < meeting.spec.vote_share and meeting.attendance:
                item.motion = f"That the recommendations in the report on {title} be approved."
                item.positions = self._positions(meeting, 0.5)
        return item

    def _decision(
        self, meeting: PMeeting, item: PItem, topic: Topic | None, key_share: float
    ) -> PDecision:
        rng, words = self.rng, self.words
        subject = item.title[0].lower() + item.title[1:]
        verb = rng.choice(
            [
                "approves the proposals on",
                "agrees the recommendations of the report on",
                "notes the progress made on",
                "approves, with one amendment moved at the meeting, the proposals on",
            ]
        )
        term = rng.choice(topic.terms) if topic else "the matter"
        decision = PDecision(
            title=item.title,
            text=f"RESOLVED: That the {meeting.spec.name} {verb} {subject}, and delegates "
            f"the details to the {topic.officer if topic else 'Chief Executive'}.",
            reasons=f"To make progress on {term} within the budget agreed by the council.",
            alternatives=f"Doing nothing, which would leave {term} unresolved; "
            f"a joint approach with {words.ward()} parish, which was not supported.",
        )
        if rng.random() < key_share:
            decision.is_key = True
            roll = rng.random()
            decision.notice = (
                "none"
                if roll < 0.02
                else "late"
                if roll < 0.04
                else "general_exception"
                if roll < 0.07
                else "special_urgency"
                if roll < 0.08
                else "ok"
            )
        return decision

    def _exempt_block(self, meeting: PMeeting, *, decide: bool = True) -> list[PItem]:
        rng = self.rng
        block = [
            PItem(
                EXCLUSION,
                A.OTHER,
                "To resolve that the press and public be excluded for the following business "
                "because it involves the likely disclosure of exempt information as defined in "
                "Part 1 of Schedule 12A to the Local Government Act 1972.",
            )
        ]
        nested = not self.nested_done or rng.random() < 0.15
        matters = rng.sample(EXEMPT_MATTERS, 2 if nested else rng.choice([1, 1, 2]))
        if nested:
            self.nested_done = True
            # One "Part II" item with the matters under it: exempt by cascade.
            paragraph = matters[0][0]
            parent = PItem(
                "Exempt business",
                A.EXEMPT,
                "Items under this heading are considered in private.",
                exempt_paragraph=paragraph,
            )
            for _, title, detail in matters:
                parent.children.append(
                    self._exempt_item(meeting, None, title, detail, decide, cites=paragraph)
                )
            block.append(parent)
            return block
        for paragraph, title, detail in matters:
            block.append(self._exempt_item(meeting, paragraph, title, detail, decide))
        return block

    def _exempt_item(
        self,
        meeting: PMeeting,
        paragraph: int | None,
        title: str,
        detail: str,
        decide: bool,
        *,
        cites: int | None = None,
    ) -> PItem:
        """An exempt matter: its own paragraph, or none when under an exempt heading."""
        rng, words, day = self.rng, self.words, meeting.day
        title = words.fill(title, day)
        item = PItem(
            title,
            A.EXEMPT if paragraph else A.REPORT,
            f"This item contains {detail}.",
            exempt_paragraph=paragraph,
        )
        if rng.random() < 0.9:
            item.docs.append(
                PDoc(
                    Document.Kind.REPORT,
                    f"{title} (exempt report)",
                    words.exempt_text(paragraph or cites or 3, title, detail, day),
                )
            )
        if decide and meeting.spec.decides:
            item.decision = PDecision(
                title=title,
                text=f"RESOLVED: That the recommendation in the exempt report on {title} be "
                "approved.",
                reasons="Set out in the exempt report.",
            )
            if rng.random() < 0.3 and meeting.attendance:
                item.motion = f"That the recommendation on {title} be approved."
                item.positions = self._positions(meeting, 0.6)
        return item

    def _questions(self, meeting: PMeeting, heading: str, count: int) -> PItem | None:
        if count == 0:
            return None
        rng, words, day = self.rng, self.words, meeting.day
        parent = PItem(
            heading, A.QUESTION, "Questions received under the council's procedure rules."
        )
        for _ in range(count):
            subject = words.fill(rng.choice(QUESTION_SUBJECTS), day)
            asker = words.resident()
            parent.children.append(
                PItem(
                    f"Question from {asker} about {subject}",
                    A.QUESTION,
                    f"{asker} asks: what is the council doing about {subject}? The portfolio "
                    f"holder replied that officers would report back to the next meeting.",
                )
            )
        return parent

    def _councillor_questions(self, meeting: PMeeting) -> PItem | None:
        present = self.present(meeting)
        if not present:
            return None
        rng, words = self.rng, self.words
        parent = PItem("Questions from councillors", A.QUESTION, "Questions on notice.")
        for pk in rng.sample(present, min(len(present), rng.randint(1, 4))):
            topic = rng.choice(TOPICS)
            parent.children.append(
                PItem(
                    f"Question from Councillor {self.names[pk]} to the portfolio holder for "
                    f"{topic.portfolio}",
                    A.QUESTION,
                    f"About {rng.choice(topic.terms)} in {words.ward()}.",
                )
            )
        return parent

    def _agenda_council(self, meeting: PMeeting) -> list[PItem | None]:
        rng, words, day = self.rng, self.words, meeting.day
        items: list[PItem | None] = []
        if day.month == 5:
            meeting.title = "Annual Council"
            for title in (
                f"Election of the Chair of the Council for {day.year}/{(day.year + 1) % 100:02d}",
                f"Appointment of the Vice-Chair for {day.year}/{(day.year + 1) % 100:02d}",
            ):
                item = PItem(title, A.OTHER)
                item.decision = PDecision(title, f"RESOLVED: {title} as moved and seconded.")
                items.append(item)
            items.append(
                self._report(
                    meeting,
                    TOPIC_BY_KEY["democracy"],
                    title="Appointments to committees and outside bodies",
                )
            )
            items.append(
                self._report(
                    meeting,
                    TOPIC_BY_KEY["democracy"],
                    title=f"Calendar of meetings {day.year}/{(day.year + 1) % 100:02d}",
                )
            )
            return items
        items.append(PItem("Announcements from the Chair", A.OTHER))
        if meeting.question_meeting or rng.random() < 0.5:
            items.append(self._questions(meeting, "Public questions", rng.randint(1, 3)))
        if rng.random() < 0.3:
            template = rng.choice(PETITIONS)
            title = words.fill(template, day)
            parent = PItem("Petitions", A.PETITION, "Petitions to be debated under the scheme.")
            child = PItem(
                title,
                A.PETITION,
                f"A petition with {rng.randint(900, 4200):,} signatures, presented by "
                f"{words.resident()}.",
            )
            child.decision = PDecision(
                title,
                "RESOLVED: That the petition be referred to the Cabinet with the council's "
                "support for a report within three months.",
            )
            parent.children.append(child)
            items.append(parent)
        items.append(self._councillor_questions(meeting))
        if day.month == 2:
            meeting.title = "Budget Council"
            fy = financial_year(day + dt.timedelta(days=60))
            budget = self._report(
                meeting,
                TOPIC_BY_KEY["finance"],
                title=f"Budget {fy} and council tax setting",
                paper=1.0,
            )
            # The law requires a recorded vote on the budget (SI 2014/165).
            budget.motion = f"That the budget for {fy} and the council tax be approved."
            budget.positions = self._positions(meeting, 0.3)
            items.append(budget)
            items.append(
                self._report(
                    meeting, TOPIC_BY_KEY["finance"], title=f"Treasury management strategy {fy}"
                )
            )
            items.append(
                self._report(meeting, TOPIC_BY_KEY["corporate"], title=f"Pay policy statement {fy}")
            )
        parent = PItem(
            "Recommendations from Cabinet and committees",
            A.REPORT,
            "To consider recommendations made since the last meeting.",
        )
        parent.children = [self._report(meeting, paper=0.7) for _ in range(rng.randint(1, 4))]
        items.append(parent)
        if rng.random() < 0.7:
            motions = PItem("Motions on notice", A.MOTION, "Motions submitted by councillors.")
            present = self.present(meeting) or list(self.names)
            for title in rng.sample(MOTIONS, rng.randint(1, 2)):
                proposer, seconder = rng.sample(present, 2) if len(present) > 1 else present * 2
                child = PItem(
                    title,
                    A.MOTION,
                    f"Proposed by Councillor {self.names[proposer]}, seconded by Councillor "
                    f"{self.names[seconder]}. This council notes the concern of residents in "
                    f"{words.ward()} and resolves to ask the Leader to write to the government.",
                )
                if meeting.attendance:
                    child.motion = title
                    child.positions = self._positions(meeting, 0.35)
                    carried = self.outcome(child.positions) == Vote.Outcome.CARRIED
                    child.decision = PDecision(
                        title,
                        "RESOLVED: The motion was carried."
                        if carried
                        else "The motion was lost; no resolution was made.",
                    )
                motions.children.append(child)
            items.append(motions)
        items.append(
            self._report(
                meeting, TOPIC_BY_KEY["corporate"], title="Report of the Leader", paper=0.3
            )
        )
        if rng.random() < 0.1:
            items += self._exempt_block(meeting)
        return items

    def _agenda_cabinet(self, meeting: PMeeting) -> list[PItem | None]:
        rng = self.rng
        items: list[PItem | None] = []
        if meeting.question_meeting or rng.random() < 0.3:
            items.append(self._questions(meeting, "Public questions", rng.randint(1, 2)))
        if rng.random() < 0.2:
            items.append(
                self._report(
                    meeting,
                    TOPIC_BY_KEY["corporate"],
                    title="Matters referred from Overview and Scrutiny",
                )
            )
        topics = rng.sample(TOPICS, rng.randint(4, 7))
        items += [self._report(meeting, t, paper=0.7, key_share=0.25) for t in topics]
        if rng.random() < 0.3:
            items += self._exempt_block(meeting)
        return items

    def _agenda_planning(self, meeting: PMeeting) -> list[PItem | None]:
        rng, words, day = self.rng, self.words, meeting.day
        if rng.random() < 0.3:
            meeting.docs.append(PDoc(Document.Kind.OTHER, *SHARED_PAPERS["speaking"]))
        apps = PItem(
            "Planning applications",
            A.REPORT,
            "To determine the applications below. Plans can be seen on the planning register.",
        )
        count = rng.randint(5, 10) if meeting.spec.key == "planning" else rng.randint(3, 7)
        for _ in range(count):
            kind, proposal = rng.choice(PLANNING_PROPOSALS)
            proposal = words.fill(proposal, day)
            self.plan_refs[day.year] += 1
            ref = f"{day.year % 100:02d}/{self.plan_refs[day.year]:05d}/{kind}"
            road = words.road()
            address = (
                f"{rng.randint(1, 160)} {road}"
                if kind in ("HOU", "LBC", "ADV", "VAR")
                else f"Land {rng.choice(['north', 'south', 'east', 'west'])} of {road}"
            )
            address += f", {words.ward()}"
            outcome = rng.choices(
                [o for o, _ in PLANNING_OUTCOMES], weights=[w for _, w in PLANNING_OUTCOMES]
            )[0]
            title = f"{ref}: {address}"
            child = PItem(
                title,
                A.REPORT,
                f"{proposal}. Officer recommendation: {outcome.lower()}.",
                lead_officer=words.officer("Head of Planning"),
            )
            if rng.random() < 0.45:
                child.docs.append(
                    PDoc(
                        Document.Kind.REPORT,
                        f"Officer report: {ref}",
                        words.planning_text(ref, address, proposal, outcome),
                    )
                )
            if meeting.attendance:
                if rng.random() < meeting.spec.vote_share:
                    child.motion = f"That application {ref} be {outcome.lower()}."
                    child.positions = self._positions(meeting, 0.75)
                    carried = self.outcome(child.positions) == Vote.Outcome.CARRIED
                else:
                    carried = True
                decided = (
                    outcome
                    if carried
                    else "Refused, contrary to the officer recommendation"
                    if outcome.startswith("Approved")
                    else "Approved, contrary to the officer recommendation"
                )
                child.decision = PDecision(
                    title,
                    f"RESOLVED: Application {ref} ({proposal}) — {decided}.",
                    reasons="The committee gave weight to the local plan policies and to the "
                    "representations received.",
                )
            apps.children.append(child)
        items: list[PItem | None] = [apps]
        if rng.random() < 0.4:
            items.append(
                self._report(
                    meeting, TOPIC_BY_KEY["planning_policy"], title="Planning appeal decisions"
                )
            )
        if rng.random() < 0.08:
            items += self._exempt_block(meeting)
        return items

    def _agenda_licensing(self, meeting: PMeeting) -> list[PItem | None]:
        rng = self.rng
        titles = [
            "Statement of licensing policy review",
            "Hackney carriage fares",
            "Gambling Act 2005: statement of principles",
            "Licensing fees and charges",
            "Taxi and private hire licensing policy",
            "Sex establishment policy",
            "Street trading consents",
        ]
        topic = TOPIC_BY_KEY["environmental_health"]
        return [
            self._report(meeting, topic, title=t, paper=0.8)
            for t in rng.sample(titles, rng.randint(2, 3))
        ]

    def _agenda_hearing(self, meeting: PMeeting) -> list[PItem | None]:
        rng, words = self.rng, self.words
        procedure = PItem(
            "Procedure for the hearing", A.OTHER, "The procedure the hearing will follow."
        )
        if rng.random() < 0.3:
            procedure.docs.append(PDoc(Document.Kind.OTHER, *SHARED_PAPERS["hearing"]))
        items: list[PItem | None] = [
            PItem("Election of a chair for the hearing", A.OTHER),
            procedure,
        ]
        for _ in range(rng.choice([1, 2, 2, 3])):
            matter = rng.choice(LICENSING_MATTERS)
            premises = (
                rng.choice(PREMISES)
                if rng.random() < 0.6
                else f"{words.ward()} {rng.choice(SHOPS)}"
            )
            address = f"{rng.randint(1, 90)} {words.road()}"
            title = f"{matter}: {premises}, {address}"
            item = PItem(
                title,
                A.REPORT,
                "To determine the application having regard to the licensing objectives. "
                + words.licensing_text(matter, premises, address).split("\n")[1],
                lead_officer=words.officer("Licensing Manager"),
            )
            if rng.random() < 0.5:
                item.docs.append(
                    PDoc(
                        Document.Kind.REPORT, title, words.licensing_text(matter, premises, address)
                    )
                )
            item.decision = PDecision(
                title,
                "RESOLVED: "
                + rng.choice(
                    [
                        "That the licence be granted as applied for.",
                        "That the licence be granted subject to the conditions agreed with the "
                        "police and a terminal hour for alcohol of 23:00.",
                        "That the application be refused as it would undermine the prevention "
                        "of public nuisance.",
                        "That the licence be suspended for three months and the designated "
                        "premises supervisor removed.",
                    ]
                ),
                reasons="The sub-committee considered the written and oral representations and "
                "the council's statement of licensing policy.",
            )
            items.append(item)
        if rng.random() < 0.2:
            # A taxi driver's fitness to hold a licence is heard in private.
            items.append(PItem(EXCLUSION, A.OTHER))
            items.append(
                self._exempt_item(
                    meeting,
                    1,
                    "Private hire driver: fitness to hold a licence",
                    "information about the driver's convictions",
                    True,
                )
            )
        return items

    def _agenda_scrutiny(self, meeting: PMeeting) -> list[PItem | None]:
        rng = self.rng
        items: list[PItem | None] = []
        if rng.random() < 0.1:
            topic = rng.choice(TOPICS)
            called_in = self.words.topic_title(topic, meeting.day).lower()
            items.append(
                self._report(
                    meeting,
                    topic,
                    title=f"Call-in of the Cabinet decision on {called_in}",
                    paper=1.0,
                )
            )
        items += [self._report(meeting) for _ in range(rng.randint(3, 5))]
        items.append(PItem("Cabinet forward plan", A.REPORT, "To note the forward plan."))
        items.append(PItem("Work programme", A.REPORT, "To agree the work programme."))
        return items

    def _agenda_audit(self, meeting: PMeeting) -> list[PItem | None]:
        rng, day = self.rng, meeting.day
        fy = financial_year(day - dt.timedelta(days=365))
        titles = [
            "Internal audit progress report",
            "External auditor's annual report",
            f"Statement of accounts {fy}",
            "Strategic risk register",
            "Counter-fraud annual report",
            "Treasury management mid-year review",
            f"Annual governance statement {fy}",
        ]
        finance = TOPIC_BY_KEY["finance"]
        items: list[PItem | None] = [
            self._report(meeting, finance, title=t) for t in rng.sample(titles, rng.randint(4, 6))
        ]
        if rng.random() < 0.15:
            items += self._exempt_block(meeting)
        return items

    def _agenda_standards(self, meeting: PMeeting) -> list[PItem | None]:
        rng = self.rng
        titles = [
            "Code of conduct complaints: update",
            "Review of the members' code of conduct",
            "Register of interests: annual review",
            "Dispensations granted",
            "Member training on standards",
        ]
        topic = TOPIC_BY_KEY["democracy"]
        items: list[PItem | None] = [
            self._report(meeting, topic, title=t) for t in rng.sample(titles, rng.randint(2, 3))
        ]
        if rng.random() < 0.3:
            items += self._exempt_block(meeting)
        return items

    def _agenda_standards_hearing(self, meeting: PMeeting) -> list[PItem | None]:
        return [
            PItem(EXCLUSION, A.OTHER),
            self._exempt_item(
                meeting,
                1,
                "Complaint about the conduct of a councillor",
                "information about the subject member and the complainant",
                True,
            ),
        ]

    def _agenda_staffing(self, meeting: PMeeting) -> list[PItem | None]:
        rng = self.rng
        topic = TOPIC_BY_KEY["corporate"]
        items: list[PItem | None] = [
            self._report(meeting, topic, title=t)
            for t in rng.sample(
                ["Pay policy statement", "Workforce strategy", "Apprenticeships", "Staff survey"],
                2,
            )
        ]
        items += self._exempt_block(meeting)
        return items

    def _agenda_jcc(self, meeting: PMeeting) -> list[PItem | None]:
        rng = self.rng
        topic = TOPIC_BY_KEY["corporate"]
        items: list[PItem | None] = [
            self._report(meeting, topic, title=t, paper=0.4)
            for t in rng.sample(
                [
                    "Health and safety report",
                    "Staff survey results",
                    "Sickness absence",
                    "Hybrid working policy",
                ],
                2,
            )
        ]
        if rng.random() < 0.3:
            items += self._exempt_block(meeting, decide=False)
        return items

    def _agenda_grants(self, meeting: PMeeting) -> list[PItem | None]:
        rng, words, day = self.rng, self.words, meeting.day
        grants = TOPIC_BY_KEY["grants"]
        parent = self._report(meeting, grants, title=words.topic_title(grants, day), paper=0.7)
        parent.decision = None
        for _ in range(rng.randint(2, 6)):
            ward = words.ward()
            who = rng.choice(
                [
                    f"{ward} Community Association",
                    f"Friends of {words.site()}",
                    f"{ward} Youth Football Club",
                    f"{ward} Good Neighbours",
                    f"{words.town} Foodbank",
                    f"{ward} Allotment Society",
                ]
            )
            amount = rng.randint(5, 50) * 100
            child = PItem(
                f"{who}: £{amount:,}",
                A.REPORT,
                f"Towards {rng.choice(grants.terms)} in {ward}.",
            )
            child.decision = PDecision(
                child.title,
                f"RESOLVED: That a grant of £{amount:,} be awarded to {who}."
                if rng.random() < 0.8
                else f"RESOLVED: That the application from {who} be declined this round.",
            )
            parent.children.append(child)
        return [parent]

    def _agenda_forum(self, meeting: PMeeting) -> list[PItem | None]:
        rng, words = self.rng, self.words
        return [
            self._report(
                meeting,
                TOPIC_BY_KEY["community_safety"],
                title="Police and community safety update",
            ),
            self._report(
                meeting, TOPIC_BY_KEY["transport"], title=f"Highways matters in {words.ward()}"
            ),
            self._report(meeting, title="Community projects update", paper=0.3),
            PItem(
                "Reports from ward councillors",
                A.OTHER,
                f"Ward councillors for {words.ward()} and {words.ward()} report on local matters.",
            ),
            self._questions(
                meeting,
                "Open forum: questions from residents",
                rng.randint(1, 3) if meeting.question_meeting else rng.randint(0, 3),
            ),
        ]

    def _agenda_working_group(self, meeting: PMeeting) -> list[PItem | None]:
        return [self._report(meeting) for _ in range(self.rng.randint(3, 6))]

    def _agenda_shareholder(self, meeting: PMeeting) -> list[PItem | None]:
        rng = self.rng
        items: list[PItem | None] = [
            self._report(meeting, TOPIC_BY_KEY["housing"], title="Housing company business plan"),
            self._report(meeting, TOPIC_BY_KEY["finance"], title="Housing company accounts"),
        ]
        if rng.random() < 0.5:
            items += self._exempt_block(meeting)
        return items

    # -- declarations and papers -------------------------------------------------------------

    def _plan_declarations(self, meeting: PMeeting) -> None:
        rng, words = self.rng, self.words
        present = self.present(meeting)
        substantive = [
            item
            for item, _ in meeting.walk()
            if item.kind in (A.REPORT, A.MOTION, A.PETITION, A.EXEMPT) and not item.children
        ]
        if not present or not substantive:
            return
        for _ in range(rng.choice([0, 0, 0, 0, 1, 1, 2])):
            pk = rng.choice(present)
            item = rng.choice(substantive)
            kind = rng.choice(list(Declaration.Kind.values))
            reason = rng.choice(
                [
                    f"a member of the {words.ward()} Allotment Society",
                    f"owns a home on {words.road()}",
                    "a close friend of the applicant",
                    f"a governor of {words.ward()} Primary School",
                    "employed by a company that tendered for the contract",
                    "a trustee of the organisation applying",
                ]
            )
            left = kind == Declaration.Kind.PECUNIARY or rng.random() < 0.3
            meeting.declarations.append(
                PDeclaration(
                    pk,
                    kind,
                    f"Councillor {self.names[pk]} declared an interest in item {item.number} "
                    f"as {reason}"
                    + (" and left the room for the item." if left else " and stayed."),
                    item,
                    left,
                    "Dispensation granted by the Standards Committee."
                    if rng.random() < 0.05
                    else "",
                )
            )

    def _plan_papers(self, meeting: PMeeting) -> None:
        """The agenda pack (public items only) and, once held, the minutes."""
        rng, town = self.rng, self.words.town
        spec = meeting.spec
        when = f"{meeting.start:%A %-d %B %Y at %H:%M}"
        if spec.agenda == "planning" and (rng.random() < 0.3 or self.shared_uses < 2):
            self.shared_uses += 1
            declarations = next(i for i in meeting.items if i.kind == A.DECLARATIONS)
            declarations.docs.append(PDoc(Document.Kind.OTHER, *SHARED_PAPERS["interests"]))
        lines = [
            f"{town} District Council",
            f"Notice of meeting: {meeting.title or spec.name}",
            f"{when}, {meeting.venue}.",
            "Members of the public may attend, film and report on this meeting, except for "
            "any business taken in private.",
            "Agenda",
        ]
        for item, parent in meeting.walk():
            if item.is_exempt:
                if parent is None or not parent.is_exempt:
                    lines.append(
                        f"{item.number}. Business taken in private (Schedule 12A, "
                        f"paragraph {item.exempt_paragraph or 3})."
                    )
                continue
            lines.append(f"{item.number}. {item.title}")
            if item.description:
                lines.append(item.description)
        meeting.docs.insert(
            0,
            PDoc(
                Document.Kind.AGENDA_PACK,
                f"Agenda pack: {meeting.title or spec.name}, {meeting.start:%-d %B %Y}",
                "\n".join(lines),
            ),
        )
        if meeting.minutes_at is None:
            return
        present = [self.names[pk] for pk in self.present(meeting)]
        apologies = [
            self.names[pk]
            for pk, status in meeting.attendance.items()
            if status == Attendance.Status.APOLOGIES
        ]
        minutes = [
            f"{town} District Council",
            f"Minutes of the meeting of the {spec.name} held on {when}, {meeting.venue}.",
            "Present: Councillors " + ", ".join(sorted(present)) + ".",
        ]
        if apologies:
            minutes.append("Apologies: Councillors " + ", ".join(sorted(apologies)) + ".")
        for sub, member in meeting.substitutes.items():
            minutes.append(
                f"Councillor {self.names[sub]} attended as a substitute for Councillor "
                f"{self.names[member]}."
            )
        exempt_lines: list[str] = []
        for item, _ in meeting.walk():
            target = exempt_lines if item.is_exempt else minutes
            target.append(f"{item.number}. {item.title}")
            if item.kind == A.DECLARATIONS:
                target += [d.description for d in meeting.declarations] or [
                    "No interests were declared."
                ]
            if item.positions:
                counts = Counter(item.positions.values())
                target.append(
                    f"A recorded vote was taken: {counts[P.FOR]} for, {counts[P.AGAINST]} "
                    f"against, {counts[P.ABSTAIN]} abstentions."
                )
            if item.decision is not None:
                target.append(item.decision.text)
        if exempt_lines:
            minutes.append(
                "The remaining business was taken in private under Schedule 12A; its minutes are "
                "exempt."
            )
            first = next(item for item, _ in meeting.walk() if item.is_exempt)
            first.docs.append(
                PDoc(
                    Document.Kind.MINUTES,
                    f"Exempt minutes: {spec.name}, {meeting.start:%-d %B %Y}",
                    "NOT FOR PUBLICATION by virtue of Part 1 of Schedule 12A to the Local "
                    "Government Act 1972.\n" + "\n".join(exempt_lines),
                )
            )
        minutes.append(f"The meeting ended at {meeting.end:%H:%M}.")
        meeting.docs.append(
            PDoc(
                Document.Kind.MINUTES,
                f"Minutes: {meeting.title or spec.name}, {meeting.start:%-d %B %Y}",
                "\n".join(minutes),
            )
        )

    # -- files ---------------------------------------------------------------------------------

    def pdf(self, doc: PDoc) -> bytes:
        return make_pdf(doc.text, title=doc.title)

    def stored_files(self, datas: Iterable[bytes]) -> dict[str, StoredFile]:
        """Every file stored once by SHA-256: reuse rows that exist, write the new ones."""
        wanted: dict[str, bytes] = {}
        for data in datas:
            wanted.setdefault(hashlib.sha256(data).hexdigest(), data)
        missing = [sha for sha in wanted if sha not in self.files]
        file_field = StoredFile._meta.get_field("file")
        storage = file_field.storage
        for i in range(0, len(missing), 500):
            for stored in StoredFile.objects.filter(sha256__in=missing[i : i + 500]):
                self.files[stored.sha256] = stored
                if not storage.exists(stored.file.name):  # a row whose bytes were lost
                    storage.save(stored.file.name, ContentFile(wanted[stored.sha256]))
        new = []
        for sha, data in wanted.items():
            if sha in self.files:
                continue
            stored = StoredFile(sha256=sha, size=len(data), content_type=StoredFile.ContentType.PDF)
            name = file_field.generate_filename(stored, f"{sha}.pdf")
            if not storage.exists(name):
                name = storage.save(name, ContentFile(data))
            stored.file.name = name
            new.append(stored)
        for stored in StoredFile.objects.bulk_create(new, batch_size=BATCH):
            self.files[stored.sha256] = stored
        self.summary.files += len(new)
        return {sha: self.files[sha] for sha in wanted}

    # -- writing the archive in bulk ---------------------------------------------------------

    def write_bulk(self, meetings: list[PMeeting]) -> None:
        rows = []
        for m in meetings:
            rows.append(
                Meeting(
                    council=self.council,
                    body=self.bodies[m.spec.key],
                    title=m.title,
                    start=m.start,
                    end=m.end,
                    venue=m.venue,
                    status=m.status,
                    status_reason=m.status_reason,
                    webcast_url=m.webcast_url,
                    agenda_published_at=m.publish_at,
                    publication_deadline=m.deadline,
                    agenda_late=bool(m.late_reason and m.publish_at),
                    late_reason=m.late_reason if m.publish_at else "",
                    minutes_published_at=m.minutes_at,
                    source=SOURCE,
                    source_id=m.key,
                )
            )
        for m, meeting_row in zip(
            meetings, Meeting.objects.bulk_create(rows, batch_size=BATCH), strict=True
        ):
            m.pk = meeting_row.pk
        self.summary.late_agendas += sum(1 for m in meetings if m.late_reason and m.publish_at)

        # Items: top level first (their ids become the parents of the second level).
        for level in (0, 1):
            pairs = [
                (item, parent, m)
                for m in meetings
                for item, parent in m.walk()
                if (parent is None) == (level == 0)
            ]
            made = AgendaItem.objects.bulk_create(
                [
                    AgendaItem(
                        meeting_id=m.pk,
                        parent_id=parent.pk if parent else None,
                        position=item.position,
                        number=item.number,
                        sort_key=item.sort_key,
                        title=item.title[:500],
                        description=item.description,
                        kind=item.kind,
                        exempt_paragraph=item.exempt_paragraph,
                        is_exempt=item.is_exempt,
                        is_urgent=bool(m.late_reason and m.publish_at),
                        urgency_reason=m.late_reason if m.publish_at else "",
                        lead_officer=item.lead_officer,
                        portfolio=item.portfolio,
                        source=SOURCE,
                    )
                    for item, parent, m in pairs
                ],
                batch_size=BATCH,
            )
            for (planned, _, _), item_row in zip(pairs, made, strict=True):
                planned.pk = item_row.pk
            self.summary.items += len(made)

        self._bulk_documents(meetings)
        self._bulk_decisions_and_votes(meetings)
        self._bulk_attendance(meetings)
        self._bulk_timeline(meetings)
        self.summary.meetings += len(meetings)

    def _bulk_documents(self, meetings: list[PMeeting]) -> None:
        entries: list[tuple[PMeeting, PItem | None, PDoc, bytes]] = []
        for m in meetings:
            for doc in m.docs:
                entries.append((m, None, doc, self.pdf(doc)))
            for item, _ in m.walk():
                for doc in item.docs:
                    entries.append((m, item, doc, self.pdf(doc)))
        for i in range(0, len(entries), BATCH):
            chunk = entries[i : i + BATCH]
            files = self.stored_files(data for *_, data in chunk)
            rows = []
            for m, on_item, doc, data in chunk:
                published = m.minutes_at if doc.kind == Document.Kind.MINUTES else m.publish_at
                exempt = bool(on_item and on_item.is_exempt)
                rows.append(
                    Document(
                        council=self.council,
                        meeting_id=m.pk,
                        agenda_item_id=on_item.pk if on_item else None,
                        kind=doc.kind,
                        title=doc.title[:500],
                        stored_file=files[hashlib.sha256(data).hexdigest()],
                        original_name=f"{doc.title[:80]}.pdf",
                        is_exempt=exempt,
                        exempt_paragraph=None,
                        published_at=published,
                        text=f"{doc.title}\n{doc.text}",
                        extraction=Document.Extraction.DONE,
                        source=SOURCE,
                    )
                )
            Document.objects.bulk_create(rows, batch_size=BATCH)
            self.summary.documents += len(rows)

    def _decided_at(self, m: PMeeting) -> dt.datetime:
        published = law.working_days_after(m.day, self.rng.choice([1, 1, 2]), self.council.nation)
        return dt.datetime(published.year, published.month, published.day, 12, 0, tzinfo=self.tz)

    def _bulk_decisions_and_votes(self, meetings: list[PMeeting]) -> None:
        rng = self.rng
        plans: list[ForwardPlanEntry] = []
        decisions: list[tuple[PItem, Decision]] = []
        for m in meetings:
            if m.status != Meeting.Status.HELD:
                continue
            for item, _ in m.walk():
                d = item.decision
                if d is None:
                    continue
                published = self._decided_at(m)
                decision = Decision(
                    council=self.council,
                    meeting_id=m.pk,
                    agenda_item_id=item.pk,
                    title=d.title[:500],
                    text=d.text,
                    reasons=d.reasons,
                    alternatives_rejected=d.alternatives,
                    conflicts_declared="; ".join(
                        x.description for x in m.declarations if x.item is item
                    ),
                    dispensations="; ".join(
                        x.dispensation for x in m.declarations if x.item is item and x.dispensation
                    ),
                    decision_maker=m.spec.name,
                    decided_on=m.day,
                    published_at=published,
                    is_key_decision=d.is_key,
                    is_exempt=item.is_exempt,
                    source=SOURCE,
                    source_id=f"{m.key}-{item.number}",
                    call_in_deadline=law.working_days_after(
                        published.date(), self.rules.call_in_days, self.council.nation
                    ),
                )
                if d.is_key:
                    if d.notice in ("ok", "late"):
                        ahead = rng.randint(35, 120) if d.notice == "ok" else rng.randint(5, 20)
                        entry = ForwardPlanEntry(
                            council=self.council,
                            title=d.title[:500],
                            summary=item.description,
                            decision_maker=m.spec.name,
                            body=self.bodies[m.spec.key],
                            expected_date=m.day,
                            published_at=m.start - dt.timedelta(days=ahead),
                            exempt_paragraph=item.exempt_paragraph,
                            lead_officer=item.lead_officer,
                            status=ForwardPlanEntry.Status.DECIDED,
                        )
                        plans.append(entry)
                        decision.forward_plan_entry = entry
                    elif d.notice in ("general_exception", "special_urgency"):
                        decision.key_decision_exception = d.notice
                        decision.exception_reason = (
                            "The contract must be signed before the grant offer expires; the "
                            "chair of Overview and Scrutiny was told and agreed."
                        )
                    decision.lacks_notice = decision.compute_lacks_notice()
                if (
                    d.is_key
                    and decision.call_in_deadline
                    and decision.call_in_deadline < self.today
                ):
                    roll = rng.random()
                    if roll < 0.04:
                        decision.status = Decision.Status.CALLED_IN
                        decision.status_reason = (
                            "Called in by five members of Overview and Scrutiny, who questioned "
                            "the consultation."
                        )
                    elif roll < 0.5:
                        decision.status = Decision.Status.IMPLEMENTED
                decisions.append((item, decision))
        # Withdrawn entries: published in the forward plan, never decided.
        cabinet = self.bodies["cabinet"]
        for m in meetings:
            if m.spec.key == "cabinet" and rng.random() < 0.05:
                topic = rng.choice(TOPICS)
                plans.append(
                    ForwardPlanEntry(
                        council=self.council,
                        title=self.words.topic_title(topic, m.day),
                        decision_maker=m.spec.name,
                        body=cabinet,
                        expected_date=m.day,
                        published_at=m.start - dt.timedelta(days=60),
                        status=ForwardPlanEntry.Status.WITHDRAWN,
                        lead_officer=self.words.officer(topic.officer),
                    )
                )
        ForwardPlanEntry.objects.bulk_create(plans, batch_size=BATCH)
        for _, decision in decisions:
            if decision.forward_plan_entry is not None:
                decision.forward_plan_entry_id = decision.forward_plan_entry.pk
        made = Decision.objects.bulk_create([d for _, d in decisions], batch_size=BATCH)
        by_item = {item.pk: row for (item, _), row in zip(decisions, made, strict=True)}
        self.summary.decisions += len(made)
        self.summary.forward_plan += len(plans)

        votes: list[tuple[PItem, Vote]] = []
        for m in meetings:
            if m.status != Meeting.Status.HELD:
                continue
            for item, _ in m.walk():
                if not item.positions:
                    continue
                counts = Counter(item.positions.values())
                decided = by_item.get(item.pk)
                votes.append(
                    (
                        item,
                        Vote(
                            meeting_id=m.pk,
                            agenda_item_id=item.pk,
                            decision_id=decided.pk if decided else None,
                            motion=item.motion,
                            outcome=self.outcome(item.positions),
                            votes_for=counts[P.FOR],
                            votes_against=counts[P.AGAINST],
                            abstentions=counts[P.ABSTAIN],
                            is_exempt=item.is_exempt,
                        ),
                    )
                )
        made_votes = Vote.objects.bulk_create([v for _, v in votes], batch_size=BATCH)
        records = [
            VoteRecord(vote_id=vote.pk, councillor_id=pk, position=position)
            for (item, _), vote in zip(votes, made_votes, strict=True)
            for pk, position in item.positions.items()
        ]
        VoteRecord.objects.bulk_create(records, batch_size=BATCH)
        self.summary.votes += len(made_votes)
        self.summary.vote_records += len(records)

    def _bulk_attendance(self, meetings: list[PMeeting]) -> None:
        rows = [
            Attendance(
                meeting_id=m.pk,
                councillor_id=pk,
                status=status,
                substitute_for_id=m.substitutes.get(pk),
            )
            for m in meetings
            if m.status == Meeting.Status.HELD
            for pk, status in m.attendance.items()
        ]
        Attendance.objects.bulk_create(rows, batch_size=BATCH)
        declarations = [
            Declaration(
                meeting_id=m.pk,
                agenda_item_id=d.item.pk if d.item else None,
                councillor_id=d.councillor,
                kind=d.kind,
                description=d.description,
                left_the_room=d.left_the_room,
                dispensation=d.dispensation,
            )
            for m in meetings
            if m.status == Meeting.Status.HELD
            for d in m.declarations
        ]
        Declaration.objects.bulk_create(declarations, batch_size=BATCH)
        self.summary.attendance += len(rows)
        self.summary.declarations += len(declarations)

    def _bulk_timeline(self, meetings: list[PMeeting]) -> None:
        rows = []
        for m in meetings:
            first = m.rescheduled_from or m.start
            created_at = min(first - dt.timedelta(days=60), m.publish_at or first)
            rows.append(
                TimelineEntry(
                    meeting_id=m.pk,
                    at=created_at,
                    kind="created",
                    details={"start": first.isoformat()},
                )
            )
            if m.rescheduled_from:
                rows.append(
                    TimelineEntry(
                        meeting_id=m.pk,
                        at=m.rescheduled_from - dt.timedelta(days=10),
                        kind="postponed",
                        details={
                            "reason": POSTPONE_REASONS[1],
                            "was": m.rescheduled_from.isoformat(),
                            "start": m.start.isoformat(),
                        },
                    )
                )
            if m.publish_at:
                late = bool(m.late_reason)
                rows.append(
                    TimelineEntry(
                        meeting_id=m.pk,
                        at=m.publish_at,
                        kind="agenda_published",
                        details={
                            "late": late,
                            "deadline": m.deadline.isoformat() if m.deadline else "",
                            "reason": m.late_reason if late else "",
                        },
                    )
                )
            if m.status in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED):
                kind = "cancelled" if m.cancelled else "postponed"
                details: dict[str, Any] = {"reason": m.status_reason}
                if kind == "postponed":
                    details.update(was=m.start.isoformat(), start="")
                rows.append(
                    TimelineEntry(
                        meeting_id=m.pk,
                        at=m.start - dt.timedelta(days=3),
                        kind=kind,
                        details=details,
                    )
                )
            if m.minutes_at:
                rows.append(
                    TimelineEntry(meeting_id=m.pk, at=m.minutes_at, kind="minutes_published")
                )
        TimelineEntry.objects.bulk_create(rows, batch_size=BATCH)

    # -- recent and upcoming meetings, through the verbs -----------------------------------------

    def write_with_verbs(self, meetings: list[PMeeting]) -> None:
        for m in meetings:
            self._verb_meeting(m)
        self.summary.meetings += len(meetings)
        self.summary.by_verbs += len(meetings)

    def _stamp(self, meeting: Meeting, since: int, at: dt.datetime) -> int:
        """Move the timeline entries written since ``since`` to the moment they happened."""
        TimelineEntry.objects.filter(meeting=meeting, pk__gt=since).update(at=at)
        last = TimelineEntry.objects.filter(meeting=meeting).order_by("-pk").first()
        return last.pk if last else since

    def _verb_meeting(self, m: PMeeting) -> None:
        body = self.bodies[m.spec.key]
        first = m.start
        meeting = domain.create_meeting(
            None,
            body,
            start=first,
            end=m.end,
            venue=m.venue,
            title=m.title,
            webcast_url=m.webcast_url,
            source=SOURCE,
            source_id=m.key,
        )
        m.pk = meeting.pk
        # Made 45 days ahead (or before its agenda came out), and never later than a few
        # days ago: a meeting far ahead was still made in the past, before anything that
        # befell it (a cancellation is stamped at least three days before its start or now,
        # a postponement two hours ago).
        created_at = min(
            first - dt.timedelta(days=45),
            m.publish_at or first - dt.timedelta(days=45),
            self.now - dt.timedelta(days=4),
        )
        mark = self._stamp(meeting, 0, max(created_at, self.now - dt.timedelta(days=90)))
        late = bool(m.late_reason and m.publish_at)
        rows: dict[int, AgendaItem] = {}
        for item, parent in m.walk():
            row = domain.add_agenda_item(
                None,
                meeting,
                title=item.title[:500],
                kind=item.kind,
                description=item.description,
                parent=rows[id(parent)] if parent else None,
                exempt_paragraph=item.exempt_paragraph,
                lead_officer=item.lead_officer,
                portfolio=item.portfolio,
                source=SOURCE,
            )
            item.pk = row.pk
            rows[id(item)] = row
            self.summary.items += 1
            assert row.number == item.number, (row.number, item.number)
            for doc in item.docs:
                self._verb_document(meeting, doc, agenda_item=row)
        for doc in m.docs:
            if doc.kind != Document.Kind.MINUTES:
                self._verb_document(meeting, doc)
        if m.publish_at is not None and m.status != Meeting.Status.CANCELLED:
            domain.publish_agenda(None, meeting, late_reason=m.late_reason, now=m.publish_at)
            mark = self._stamp(meeting, mark, m.publish_at)
            if late:
                self.summary.late_agendas += 1
        if m.status == Meeting.Status.CANCELLED:
            domain.cancel_meeting(None, meeting, reason=m.status_reason)
            mark = self._stamp(meeting, mark, min(self.now, m.start - dt.timedelta(days=3)))
            return
        if m.status == Meeting.Status.POSTPONED:
            new_start = m.start + dt.timedelta(days=28)
            domain.postpone_meeting(None, meeting, reason=m.status_reason, new_start=new_start)
            self._stamp(meeting, mark, self.now - dt.timedelta(hours=2))
            return
        if m.status != Meeting.Status.HELD:
            return
        meeting.refresh_from_db()
        after = m.end
        domain.record_attendance(None, meeting, m.attendance, substitutes=m.substitutes)
        for declared in m.declarations:
            domain.record_declaration(
                None,
                meeting,
                councillor=Councillor.objects.get(pk=declared.councillor),
                kind=declared.kind,
                description=declared.description,
                agenda_item=AgendaItem.objects.get(pk=declared.item.pk) if declared.item else None,
                left_the_room=declared.left_the_room,
                dispensation=declared.dispensation,
            )
        decided_at = self._decided_at(m)
        for item, _ in m.walk():
            on: AgendaItem | None = None
            if item.decision is not None or item.positions:
                on = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
            decision: Decision | None = None
            if item.decision is not None and on is not None:
                d = item.decision
                entry = None
                if d.is_key and d.notice in ("ok", "late"):
                    ahead = 40 if d.notice == "ok" else 10
                    entry = domain.add_forward_plan_entry(
                        None,
                        self.council,
                        title=d.title[:500],
                        decision_maker=m.spec.name,
                        expected_date=m.day,
                        summary=item.description,
                        body=self.bodies[m.spec.key],
                        exempt_paragraph=item.exempt_paragraph,
                        lead_officer=item.lead_officer,
                        published_at=m.start - dt.timedelta(days=ahead),
                    )
                    self.summary.forward_plan += 1
                decision = domain.record_decision(
                    None,
                    self.council,
                    title=d.title[:500],
                    text=d.text,
                    decision_maker=m.spec.name,
                    decided_on=m.day,
                    agenda_item=on,
                    reasons=d.reasons,
                    alternatives_rejected=d.alternatives,
                    is_key_decision=d.is_key,
                    forward_plan_entry=entry,
                    key_decision_exception=d.notice
                    if d.notice in ("general_exception", "special_urgency")
                    else "",
                    exception_reason="The grant offer expires before the next meeting."
                    if d.notice in ("general_exception", "special_urgency")
                    else "",
                    source=SOURCE,
                    source_id=f"{m.key}-{item.number}",
                    now=min(decided_at, self.now),
                )
                self.summary.decisions += 1
            if item.positions and on is not None:
                domain.record_vote(
                    None,
                    meeting,
                    motion=item.motion,
                    positions=item.positions,
                    agenda_item=on,
                    decision=decision,
                )
                self.summary.votes += 1
                self.summary.vote_records += len(item.positions)
        mark = self._stamp(meeting, mark, min(after, self.now))
        if m.minutes_at is not None:
            minutes = next(doc for doc in m.docs if doc.kind == Document.Kind.MINUTES)
            document = self._verb_document(meeting, minutes)
            domain.publish_minutes(None, meeting, document=document)
            Meeting.objects.filter(pk=meeting.pk).update(minutes_published_at=m.minutes_at)
            Document.objects.filter(pk=document.pk).update(published_at=m.minutes_at)
            self._stamp(meeting, mark, m.minutes_at)
        self.summary.attendance += len(m.attendance)
        self.summary.declarations += len(m.declarations)

    def _verb_document(
        self, meeting: Meeting, doc: PDoc, agenda_item: AgendaItem | None = None
    ) -> Document:
        document = domain.attach_document(
            None,
            self.council,
            data=self.pdf(doc),
            title=doc.title[:500],
            kind=doc.kind,
            meeting=meeting,
            agenda_item=agenda_item,
            original_name=f"{doc.title[:80]}.pdf",
            source=SOURCE,
        )
        # Read the text now (the extraction task's verb), so search has it at once.
        domain.save_extracted_text(document.pk)
        self.summary.documents += 1
        return document

    # -- the clerk's and the public's side of upcoming meetings ---------------------------------

    def public_questions(self, meetings: list[PMeeting]) -> None:
        from moothall.accounts.models import User

        target = next((m for m in meetings if m.question_meeting and m.pk), None)
        if target is None:
            self.summary.notes.append("no upcoming meeting takes public questions")
            return
        meeting = Meeting.objects.select_related("council").get(pk=target.pk)
        if not domain.submissions_open(meeting):
            self.summary.notes.append("public questions closed for the chosen meeting")
            return
        user = User.objects.filter(email="resident@mootshire.example").first()
        if user is None:
            # No demo accounts (an https demo): a resident with no password, who cannot sign in.
            user = User.objects.filter(email=f"questions@{self.council.slug}.example").first()
            if user is None:
                user = User.objects.create_user(
                    f"questions@{self.council.slug}.example", None, name="Rita Resident"
                )
        accepted = domain.submit_to_meeting(
            user,
            meeting,
            kind="question",
            text=f"Will the council publish how many potholes on {self.words.road()} were "
            "repaired this year, and how long each repair took?",
            display_name=user.name or "A resident",
        )
        domain.decide_submission(None, accepted, accept=True)
        domain.submit_to_meeting(
            user,
            meeting,
            kind="question",
            text=f"When will the public toilets at {self.words.site()} reopen?",
            display_name=user.name or "A resident",
        )

    def clerk_access(self) -> None:
        """Let the demo clerk (officer@mootshire.example) into this council's back-office too."""
        from moothall.accounts.domain import grant_role
        from moothall.accounts.models import Role, User

        if settings.HTTPS:
            return
        admin = User.objects.filter(email="admin@moothall.example").first()
        officer = User.objects.filter(email="officer@mootshire.example").first()
        if admin is None or officer is None:
            return
        grant_role(admin, officer, self.council, Role.Kind.OFFICER, reason="Demo account")

    # -- all of it -------------------------------------------------------------------------------

    def build(self) -> Summary:
        clock = _Clock()
        self._load_people()
        self.add_former_councillors()
        self.create_bodies()
        self.appoint_members()
        self.write_memberships()
        meetings = self.schedule()
        self.plan(meetings)
        clock.lap("plan")
        old = [m for m in meetings if m.day < self.cutoff or not self.use_verbs]
        new = [m for m in meetings if m.day >= self.cutoff and self.use_verbs]
        for i in range(0, len(old), 500):
            self.write_bulk(old[i : i + 500])
        clock.lap("bulk")
        self.write_with_verbs(new)
        if self.use_verbs:
            self.public_questions(new)
        clock.lap("verbs")
        self.summary.seconds = clock.total()
        self.summary.notes.append(clock.describe())
        return self.summary


class _Clock:
    """Wall and CPU time of each phase (the machine may be shared: CPU time says more)."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.cpu_started = self.cpu_last = time.process_time()
        self.laps: list[tuple[str, float, float]] = []

    def lap(self, name: str) -> None:
        now, cpu = time.monotonic(), time.process_time()
        self.laps.append((name, now - self.last, cpu - self.cpu_last))
        self.last, self.cpu_last = now, cpu

    def total(self) -> float:
        return time.monotonic() - self.started

    def describe(self) -> str:
        parts = ", ".join(f"{name} {wall:.1f} s ({cpu:.1f} s CPU)" for name, wall, cpu in self.laps)
        return f"{parts}; total CPU {time.process_time() - self.cpu_started:.1f} s"


# --- Clearing and the demo step -----------------------------------------------------------


def clear_archive(council: Council) -> None:
    """Remove the demo's meetings and bodies of ``council`` (what ``source="demo"`` marks).

    Rows go with plain DELETE statements, leaves first: through the ORM each deleted
    document, item and decision would fire the search index's signals one by one (minutes
    for a whole archive). The caller rebuilds the search index afterwards, which drops the
    entries of everything deleted here.
    """
    meetings = Meeting.objects.filter(council=council, source=SOURCE)
    bodies = Body.objects.filter(council=council, source=SOURCE)
    db = Meeting.objects.db
    files = list(
        Document.objects.filter(meeting__in=meetings)
        .values_list("stored_file_id", flat=True)
        .distinct()
    )
    # _raw_delete: one DELETE, no signals, no cascade collection (see the docstring).
    VoteRecord.objects.filter(vote__meeting__in=meetings)._raw_delete(db)
    for model in (Vote, Decision, Declaration, Attendance, Document, TimelineEntry):
        model.objects.filter(meeting__in=meetings)._raw_delete(db)
    PublicSubmission.objects.filter(meeting__in=meetings)._raw_delete(db)
    AgendaItem.objects.filter(meeting__in=meetings).update(parent=None)
    AgendaItem.objects.filter(meeting__in=meetings)._raw_delete(db)
    meetings._raw_delete(db)
    ForwardPlanEntry.objects.filter(council=council, body__in=bodies).delete()
    Membership.objects.filter(body__in=bodies).delete()
    bodies.update(parent=None)
    bodies.delete()
    # Files only the demo's papers used go too (the same bytes come back as the same file);
    # their bytes leave the disk only once the transaction has committed.
    storage = StoredFile._meta.get_field("file").storage
    names: list[str] = []
    for i in range(0, len(files), 500):
        orphans = StoredFile.objects.filter(pk__in=files[i : i + 500], documents__isnull=True)
        names += [name for name in orphans.values_list("file", flat=True) if name]
        orphans.delete()

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)


def build_archive(
    council: Council,
    *,
    years: float = 10,
    scale: float = 1.0,
    today: dt.date | None = None,
    seed: int = SEED,
    verbs: bool = True,
) -> Summary:
    """Clear and write the demo archive of ``council`` (one transaction)."""
    with transaction.atomic():
        clear_archive(council)
        archive = Archive(council, years=years, scale=scale, today=today, seed=seed, verbs=verbs)
        summary = archive.build()
        archive.clerk_access()
        record(
            AUDIT_ACTION,
            council=council,
            target=council,
            version=GENERATOR_VERSION,
            years=years,
            scale=scale,
            today=archive.today.isoformat(),
            meetings=summary.meetings,
        )
    return summary


def built_version(council: Council) -> str | None:
    """The generator version of the archive ``council`` holds, if any."""
    entry = AuditEntry.objects.filter(action=AUDIT_ACTION, council=council).order_by("-pk").first()
    if entry is None or not Meeting.objects.filter(council=council, source=SOURCE).exists():
        return None
    return str(entry.details.get("version"))


def rebuild_search(council: Council) -> str:
    """Rebuild the search index of ``council`` with the search app's command, if installed.

    The bulk-written archive sends no save signals, so the index does not follow it by
    itself; the verbs' rows are indexed on commit, and rebuilt here with the rest.
    """
    if "rebuild_search_index" not in get_commands():
        return "search index not rebuilt (no rebuild_search_index command)"
    started = time.monotonic()
    out = io.StringIO()
    call_command("rebuild_search_index", council=council.slug, stdout=out)
    return f"{out.getvalue().strip()} ({time.monotonic() - started:.1f} s)"


@demo_step(order=40)
def meetings_archive(context: DemoContext) -> str:
    """Ten years of Brackenford's meetings, papers, decisions and votes (skipped when built)."""
    if not getattr(settings, "DEMO_MEETINGS_ARCHIVE", True):
        return "skipped (DEMO_MEETINGS_ARCHIVE is off)"
    council = Council.objects.filter(slug=DEMO_COUNCIL).first()
    if council is None:
        return f"skipped: no council {DEMO_COUNCIL!r} (the Mootshire step makes it)"
    version = built_version(council)
    if version == GENERATOR_VERSION:
        count = Meeting.objects.filter(council=council, source=SOURCE).count()
        return f"already built (version {version}): {count:,} meetings of {council.short_name}"
    summary = build_archive(council)
    searched = rebuild_search(council)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner after a bulk load (autovacuum would take a while).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return f"{council.short_name}: {summary.line()}; {searched}"
