"""Demo petitions for Mootshire County Council, made through the petition verbs.

Mootshire is where the demo's staff accounts work (officer@, council-admin@mootshire.example),
so the petitions back-office, the moderation queue and the scheme editor have something to
show them. (Brackenford's meetings archive is rebuilt from scratch when its generator
changes; a hearing linked to one of its agenda items would stand in the way, so the
petitions keep to the county and its own Full Council.)

The scheme: three sponsors, moderation first, 90 days open, an officer response at 50
signatures, a committee hearing at 250 and a full-council debate at 600. Ten petitions,
one for each thing the back-office and the public pages show: a draft, one gathering
sponsors, one awaiting moderation, an open one with a few hundred signatures over the
county's divisions and a flood of flagged ones from one address, one over the debate
threshold with its obligations (one answered, one assigned, one overdue), one debated at
Full Council with the decision linked, one closed and answered, one closed without
reaching a threshold, one rejected with its published reason, and one handed in on paper.

Speed: the hundreds of signatures are written with ``bulk_create`` and counted with
:func:`~moothall.petitions.domain.recount_petition`; one last signature through
``sign_petition``/``confirm_signature`` then lets the verbs create the obligations.
The invented signers never asked for updates, so nobody is emailed about them. The verbs
stamp the wall clock; a petition's dates, timeline and obligations are then moved back to
when the story says they happened, so the lists read in order and one obligation is overdue.

Idempotent: an audit entry records the version built; a second run does nothing, a new
version clears the demo's petitions (by title) and its meetings (``source``) and builds
them again.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from moothall.accounts.models import User
from moothall.core.audit import record
from moothall.core.models import AuditEntry
from moothall.councils.demo_data import FIRST_NAMES, SURNAMES
from moothall.councils.models import Council, Postcode, Ward
from moothall.demo.registry import DemoContext, demo_step
from moothall.meetings import domain as meetings
from moothall.meetings import law
from moothall.meetings.models import Body, Decision, Meeting
from moothall.petitions import domain
from moothall.petitions.models import (
    AbuseAlert,
    Basis,
    Obligation,
    Petition,
    PetitionEvent,
    PetitionScheme,
    Signature,
    source_of,
)

SEED = 2019  # the year the UK Parliament's petitions site fell over under load
VERSION = "1"  # bump when the demo's shape changes: it is then rebuilt
DEMO_COUNCIL = "mootshire"
AUDIT_ACTION = "petitions.demo"
SOURCE = "demo-petitions"
FLOOD_ADDRESS = "203.0.113.77"  # TEST-NET-3: an address no real person has
FLOOD_DOMAIN = "quicksign.example"
# Invented signers use reserved domains only (RFC 2606), so no demo email reaches anyone.
DOMAINS = ("inbox.example", "mootmail.example", "example.com", "example.org", "example.net")
SPONSORS = 3
SCHEME: dict[str, object] = {
    "sponsors_required": SPONSORS,
    "pre_moderation": True,
    "duration_days": 90,
    "response_threshold": 50,
    "hearing_threshold": 250,
    "debate_threshold": 600,
    "response_working_days": 10,
    "hearing_working_days": 40,
    "debate_working_days": 40,
    "obligation_owner": "Democratic Services",
    "description": (
        "Anyone who lives, works or studies in Mootshire may start or sign a petition to "
        "the County Council.\n\n"
        "- **50 signatures**: an officer responds within 10 working days.\n"
        "- **250 signatures**: a committee hears the petition within 40 working days.\n"
        "- **600 signatures**: Full Council debates it within 40 working days.\n\n"
        "A petition needs three sponsors before a moderator checks it against this scheme. "
        "We reject petitions that are about one person, defamatory, or outside the "
        "council's powers, and publish the reason."
    ),
}
TITLES = {
    "draft": "Twenty's plenty: 20 mph outside every school",
    "sponsors": "A pedestrian crossing on Castle Street, Elmsbury",
    "moderation": "Reopen the public toilets at Elmsbury Harbour",
    "library": "Save Brackenford Library",
    "bins": "Keep the weekly bin collection",
    "skatepark": "A skate park for Kingsmead and Millbrook",
    "potholes": "Fix the potholes on Station Road, Brackenford",
    "parking": "Free parking on Saturdays in Elmsbury",
    "rejected": "Remove the Leader of the Council",
    "paper": "Keep the number 14 bus to Elmsbury Harbour",
}


class _Demo:
    def __init__(self, council: Council) -> None:
        self.council = council
        self.rng = random.Random(SEED)  # noqa: S311 - invented people, not secrets
        self.now = timezone.now()
        self.officer = User.objects.filter(email="officer@mootshire.example").first()
        self.resident = User.objects.filter(email="resident@mootshire.example").first()
        wards = {w.gss_code: w for w in Ward.objects.filter(council=council)}
        codes = list(
            Postcode.objects.filter(county_gss=council.gss_code)
            .order_by("postcode")
            .values_list("postcode", "division_gss", "ward_gss")
        )
        self.postcodes = [
            (code, wards.get(division) or wards.get(ward)) for code, division, ward in codes
        ]
        names = [(first, last) for last in SURNAMES for first in FIRST_NAMES]
        self.rng.shuffle(names)
        self.names = names
        self.signed = 0  # invented signers so far: each gets a different address
        self.petitions: dict[str, Petition] = {}
        self.invented: list[int] = []

    # -- people ------------------------------------------------------------------------

    def _name(self) -> tuple[str, str]:
        first, last = self.names[self.signed % len(self.names)]
        self.signed += 1
        return first, last

    def petitioner(self, first: str, last: str) -> User:
        """An invented resident who starts a petition: an account only for as long as the
        verbs need one (see :meth:`forget_petitioners`)."""
        email = f"{first}.{last}@residents.example".lower().replace("'", "")
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, name=f"{first} {last}")
        self.invented.append(user.pk)
        return user

    def forget_petitioners(self) -> None:
        """Delete the invented accounts: their petitions keep the name they were started
        under (``creator_name``; the creator link is cleared), and the demo leaves no
        accounts behind but the demo accounts step's own."""
        User.objects.filter(pk__in=self.invented).delete()

    # -- petitions through the verbs ---------------------------------------------------------

    def start(self, key: str, creator: User, action: str, background: str = "") -> Petition:
        petition = domain.start_petition(
            creator, self.council, title=TITLES[key], action=action, background=background
        )
        self.petitions[key] = petition
        return petition

    def sponsor(self, petition: Petition, count: int) -> None:
        for _ in range(count):
            first, last = self._name()
            postcode, _ward = self.rng.choice(self.postcodes)
            signature = domain.sign_petition(
                petition,
                name=f"{first} {last}",
                email=f"{first}.{last}.{self.signed}@{self.rng.choice(DOMAINS)}".lower(),
                postcode=postcode,
                basis=Basis.LIVES,
                declaration=True,
                sponsor_token=petition.sponsor_token,
                wants_updates=False,
            )
            domain.confirm_signature(signature.token)

    def submitted(self, key: str, creator: User, action: str, background: str = "") -> Petition:
        """Started, sent for sponsors, sponsored: waiting for a moderator."""
        petition = self.start(key, creator, action, background)
        domain.submit_petition(creator, petition)
        self.sponsor(petition, SPONSORS)
        return Petition.objects.get(pk=petition.pk)

    def opened(self, key: str, creator: User, action: str, background: str = "") -> Petition:
        petition = self.submitted(key, creator, action, background)
        domain.moderate_petition(self.officer, petition, publish=True)
        return Petition.objects.get(pk=petition.pk)

    def signatures(
        self,
        petition: Petition,
        count: int,
        *,
        pending: int = 0,
        flood: int = 0,
    ) -> None:
        """``count`` confirmed signatures over the county (and ``pending`` unconfirmed ones),
        spread between the opening and now, then one more through the verbs so that every
        threshold crossed creates its obligation."""
        opened = petition.opened_at or self.now
        end = min(self.now, _end_of(petition, self.now))
        span = max((end - opened).total_seconds(), 60.0)
        rows = []
        for n in range(count + pending):
            first, last = self._name()
            postcode, ward = self.rng.choice(self.postcodes)
            # Most people sign in the first days, when the petition is shared.
            at = opened + dt.timedelta(seconds=span * self.rng.random() ** 2.2)
            email = f"{first}.{last}.{self.signed}@{self.rng.choice(DOMAINS)}".lower()
            confirmed = n < count
            rows.append(
                _signature(
                    petition,
                    f"{first} {last}",
                    email,
                    postcode,
                    ward,
                    at,
                    confirmed=confirmed,
                    ip=f"198.51.100.{self.rng.randrange(1, 255)}",
                    basis=self.rng.choice([Basis.LIVES] * 8 + [Basis.WORKS, Basis.STUDIES]),
                )
            )
        for n in range(flood):
            first, last = self._name()
            at = self.now - dt.timedelta(minutes=50 - n)
            signature = _signature(
                petition,
                f"{first} {last}",
                f"{first}{n}@{FLOOD_DOMAIN}".lower(),
                "",
                None,
                at,
                confirmed=n % 3 == 0,
                ip=FLOOD_ADDRESS,
                basis=Basis.LIVES,
            )
            if n >= 20:  # the scheme flags what comes after 20 an hour from one address
                signature.flagged = True
                signature.flag_reasons = ["address_rate", "domain_rate"]
            rows.append(signature)
        Signature.objects.bulk_create(rows, batch_size=500)
        domain.recount_petition(petition.pk)
        if petition.status == Petition.Status.OPEN:
            self.sponsor_free_signature(petition)

    def sponsor_free_signature(self, petition: Petition) -> None:
        first, last = self._name()
        postcode, _ward = self.rng.choice(self.postcodes)
        signature = domain.sign_petition(
            petition,
            name=f"{first} {last}",
            email=f"{first}.{last}.{self.signed}@{self.rng.choice(DOMAINS)}".lower(),
            postcode=postcode,
            basis=Basis.LIVES,
            declaration=True,
            wants_updates=False,
        )
        domain.confirm_signature(signature.token)

    # -- moving a petition's story back in time ----------------------------------------

    def backdate(self, petition: Petition, days: int) -> Petition:
        """Move the petition's dates and timeline ``days`` back (before signatures exist)."""
        delta = dt.timedelta(days=days)
        Petition.objects.filter(pk=petition.pk).update(
            created_at=F("created_at") - delta,
            submitted_at=F("submitted_at") - delta,
            opened_at=F("opened_at") - delta,
            closes_on=F("closes_on") - delta,
        )
        PetitionEvent.objects.filter(petition=petition).update(created_at=F("created_at") - delta)
        Signature.objects.filter(petition=petition).update(  # the sponsors'
            created_at=F("created_at") - delta, confirmed_at=F("confirmed_at") - delta
        )
        return Petition.objects.get(pk=petition.pk)

    def settle_obligations(self, petition: Petition) -> None:
        """Date each obligation (and its timeline line) from when its threshold was crossed."""
        times = [
            moment
            for moment in Signature.objects.filter(
                petition=petition, status=Signature.Status.CONFIRMED
            )
            .order_by("confirmed_at", "pk")
            .values_list("confirmed_at", flat=True)
            if moment is not None
        ]
        scheme = PetitionScheme.for_council(self.council)
        days: dict[str, int] = {
            Obligation.Kind.RESPOND: scheme.response_working_days,
            Obligation.Kind.HEAR: scheme.hearing_working_days,
            Obligation.Kind.DEBATE: scheme.debate_working_days,
        }
        for obligation in Obligation.objects.filter(petition=petition):
            if obligation.threshold > len(times):
                continue
            crossed = times[obligation.threshold - 1]
            due = law.working_days_after(
                timezone.localdate(crossed), days[obligation.kind], self.council.nation
            )
            Obligation.objects.filter(pk=obligation.pk).update(created_at=crossed, due_on=due)
            for event in PetitionEvent.objects.filter(
                petition=petition, kind=PetitionEvent.Kind.THRESHOLD
            ):
                if event.details.get("obligation") == obligation.kind:
                    event.created_at = crossed
                    event.details = {**event.details, "due_on": due.isoformat()}
                    event.save(update_fields=["created_at", "details"])


def _end_of(petition: Petition, now: dt.datetime) -> dt.datetime:
    if petition.closes_on is None:
        return now
    return timezone.make_aware(dt.datetime.combine(petition.closes_on, dt.time(9, 0)))


def _signature(
    petition: Petition,
    name: str,
    email: str,
    postcode: str,
    ward: Ward | None,
    at: dt.datetime,
    *,
    confirmed: bool,
    ip: str,
    basis: str,
) -> Signature:
    key = domain.email_key(email)
    return Signature(
        petition=petition,
        name=name,
        email=email,
        email_key=key,
        email_domain=key.rpartition("@")[2],
        postcode=postcode,
        ward=ward,
        basis=basis,
        status=Signature.Status.CONFIRMED if confirmed else Signature.Status.PENDING,
        wants_updates=False,  # invented people are never emailed
        ip_address=ip,
        source=source_of(ip),
        created_at=at,
        confirmed_at=at + dt.timedelta(minutes=7) if confirmed else None,
    )


def _full_council(council: Council) -> Body:
    body = Body.objects.filter(council=council, kind=Body.Kind.FULL_COUNCIL).first()
    if body is None:
        body = meetings.create_body(
            None,
            council,
            name="Full Council",
            kind=Body.Kind.FULL_COUNCIL,
            purpose="All county councillors. Sets the budget and the policy framework, and "
            "debates petitions that reach the scheme's debate threshold.",
            source=SOURCE,
            source_id="full-council",
        )
    return body


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build(council: Council) -> dict[str, int]:
    """Set the scheme and write the demo petitions of ``council`` (one transaction)."""
    demo = _Demo(council)
    officer = demo.officer
    domain.update_petition_scheme(None, council, **SCHEME)
    today = timezone.localdate()
    body = _full_council(council)
    past_meeting = meetings.create_meeting(
        None, body, start=_at(today - dt.timedelta(days=21), 14), venue="Council Chamber, "
        "County Hall", source=SOURCE, source_id="past",
    )  # fmt: skip
    meetings.create_meeting(
        None, body, start=_at(today + dt.timedelta(days=45), 14), venue="Council Chamber, "
        "County Hall", source=SOURCE, source_id="next",
    )  # fmt: skip
    people = [demo.petitioner(first, last) for first, last in demo.names[-12:]]

    # A draft (the demo resident's, so they find it on their own page).
    demo.start(
        "draft",
        demo.resident or people[0],
        "Set a 20 mph limit on every road outside a school in Mootshire, in force at the "
        "start and end of the school day.",
    )
    # Gathering sponsors: one of three so far.
    sponsors = demo.start(
        "sponsors",
        people[1],
        "Install a zebra crossing on Castle Street by the primary school gates.",
    )
    domain.submit_petition(people[1], sponsors)
    demo.sponsor(sponsors, 1)
    # Sponsored, waiting for a moderator.
    demo.submitted(
        "moderation",
        people[2],
        "Reopen the public toilets at Elmsbury Harbour all year round.",
        "They closed in October. Families, older people and visitors have nowhere to go.",
    )

    # Open, a few hundred signatures over the county, and a flood from one address.
    library = demo.backdate(
        demo.opened(
            "library",
            people[3],
            "Keep Brackenford Library open six days a week and drop the plan to move it into "
            "the council offices.",
            "The library is the only free warm place in the town centre. **Over 1,200 people** "
            "borrowed from it last month.",
        ),
        40,
    )
    demo.signatures(library, 340, pending=25, flood=30)
    demo.settle_obligations(library)
    AbuseAlert.objects.create(
        petition=library, kind=AbuseAlert.Kind.ADDRESS, key=FLOOD_ADDRESS, count=30
    )
    AbuseAlert.objects.create(
        petition=library, kind=AbuseAlert.Kind.DOMAIN, key=FLOOD_DOMAIN, count=30
    )
    hearing = Obligation.objects.filter(petition=library, kind=Obligation.Kind.HEAR).first()
    if hearing is not None and officer is not None:
        domain.assign_obligation(officer, hearing, owner=officer)

    # Over the debate threshold: answered, placed on the next Full Council for debate.
    bins = demo.backdate(
        demo.opened(
            "bins",
            people[4],
            "Keep collecting household rubbish every week, and drop the plan for collections "
            "every three weeks.",
        ),
        60,
    )
    demo.signatures(bins, 720, pending=12)
    demo.settle_obligations(bins)
    domain.respond_to_petition(
        officer,
        bins,
        response="Thank you. Cabinet will not decide on collection frequency before Full "
        "Council has debated this petition. The debate is on the agenda of the next meeting.",
    )
    next_meeting = Meeting.objects.get(council=council, source=SOURCE, source_id="next")
    domain.place_petition_on_agenda(officer, bins, next_meeting, kind="debate")

    # Debated at Full Council three weeks ago, the decision linked back.
    skatepark = demo.backdate(
        demo.opened(
            "skatepark",
            people[5],
            "Build a skate park for young people in Kingsmead and Millbrook.",
        ),
        120,
    )
    demo.signatures(skatepark, 640)
    demo.settle_obligations(skatepark)
    domain.close_petition(None, skatepark)
    placed = domain.place_petition_on_agenda(officer, skatepark, past_meeting, kind="debate")
    meetings.publish_agenda(None, past_meeting, now=past_meeting.start - dt.timedelta(days=14))
    decision = meetings.record_decision(
        None,
        council,
        title="Skate park for Kingsmead and Millbrook",
        text="Resolved: that officers bring a costed plan for a skate park at Millbrook "
        "Recreation Ground to Cabinet within six months.",
        decision_maker="Full Council",
        decided_on=timezone.localdate(past_meeting.start),
        agenda_item=placed.agenda_item,
        now=past_meeting.start + dt.timedelta(days=1),
    )
    domain.link_petition_decision(
        officer,
        placed,
        decision=decision,
        outcome="Debated. The council asked for a costed plan within six months.",
    )

    # Closed, then answered.
    potholes = demo.backdate(
        demo.opened(
            "potholes",
            people[6],
            "Resurface Station Road in Brackenford before the winter.",
        ),
        100,
    )
    demo.signatures(potholes, 85, pending=4)
    demo.settle_obligations(potholes)
    domain.close_petition(None, potholes)
    domain.respond_to_petition(
        officer,
        potholes,
        response="Station Road is in this year's resurfacing programme. Work starts in "
        "March and takes three weeks; the worst potholes were filled last month.",
    )

    # Closed without reaching a threshold.
    parking = demo.backdate(
        demo.opened(
            "parking",
            people[7],
            "Make parking in the council's Elmsbury car parks free on Saturdays.",
        ),
        95,
    )
    demo.signatures(parking, 38, pending=3)
    domain.close_petition(None, parking)

    # Rejected, with its published reason.
    rejected = demo.submitted(
        "rejected",
        people[8],
        "Remove the Leader of the Council from office.",
    )
    domain.moderate_petition(
        officer,
        rejected,
        publish=False,
        reason_text="The scheme does not accept petitions about one person. Councillors "
        "are chosen at elections; the council has no power to remove one.",
    )

    # Handed in on paper: names typed in, and a verified count for the rest.
    paper = domain.enter_paper_petition(
        officer,
        council,
        title=TITLES["paper"],
        action="Keep the number 14 bus running to Elmsbury Harbour on Sundays.",
        creator_name="Elmsbury Harbour Residents' Association",
    )
    lines = []
    for _ in range(160):
        first, last = demo._name()
        postcode, _ward = demo.rng.choice(demo.postcodes)
        lines.append((f"{first} {last}", postcode))
    domain.add_paper_signatures(
        officer,
        paper,
        signatures=lines,
        verified_count=212,
        note="Handed in at County Hall by the residents' association; 212 further "
        "signatures checked but not typed in.",
    )

    demo.forget_petitioners()
    return {
        status: Petition.objects.filter(council=council, status=status).count()
        for status in Petition.Status.values
    }


def clear(council: Council) -> None:
    """Remove the demo's petitions (by title) and its meetings and body (by ``source``)."""
    Petition.objects.filter(council=council, title__in=TITLES.values()).delete()
    demo_meetings = Meeting.objects.filter(council=council, source=SOURCE)
    Decision.objects.filter(meeting__in=demo_meetings).delete()
    demo_meetings.delete()
    Body.objects.filter(council=council, source=SOURCE, meetings__isnull=True).delete()


def built_version(council: Council) -> str | None:
    entry = AuditEntry.objects.filter(action=AUDIT_ACTION, council=council).order_by("-pk").first()
    if (
        entry is None
        or not Petition.objects.filter(council=council, title__in=TITLES.values()).exists()
    ):
        return None
    return str(entry.details.get("version"))


@demo_step(order=50)
def demo_petitions(context: DemoContext) -> str:
    """Mootshire's petition scheme and ten petitions at every stage (skipped when built)."""
    council = Council.objects.filter(slug=DEMO_COUNCIL).first()
    if council is None:
        return f"skipped: no council {DEMO_COUNCIL!r} (the Mootshire step makes it)"
    if built_version(council) == VERSION:
        count = Petition.objects.filter(council=council, title__in=TITLES.values()).count()
        return f"already built (version {VERSION}): {count} petitions of {council.short_name}"
    started = time.monotonic()
    with transaction.atomic():
        clear(council)
        counts = build(council)
        record(AUDIT_ACTION, council=council, target=council, version=VERSION)
    signatures = Signature.objects.filter(petition__council=council).count()
    made = ", ".join(f"{n} {Petition.Status(s).label.lower()}" for s, n in counts.items() if n)
    seconds = time.monotonic() - started
    return f"{council.short_name}: {made}; {signatures:,} signatures ({seconds:.1f} s)"
