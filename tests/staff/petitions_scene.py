"""The scene the petitions back-office is tested in (tests/staff/test_petitions_*).

Mootshire has two wards, North (postcode MH3 3AB) and South (MH4 4DE), and a scheme
with no sponsors, moderation first, an officer response at 2 signatures, a committee
hearing at 3 and a full-council debate at 10.

- "Fix the footpath on Mill Lane" waits for moderation (started by Rita Resident).
- "Save Moot Library" is open: Ann and Bob (North) and Cat (South) signed and confirmed,
  which created the response and hearing obligations. Three more signatures came from
  one internet address, 203.0.113.9, and are flagged: Dan's (confirmed, North, at
  spam.example), Eve's (waiting, spam.example) and Fay's (waiting, other.example). Two
  alerts are open: the address, and the domain spam.example. It counts 4 (North 3,
  South 1).
- "A new bus shelter" is still a draft.
- Full Council meets on 14 March 2030 (agenda not published: it can take a petition)
  and met on 9 May 2024, when it took one public decision ("Keep the library open") and
  one exempt one. The Planning Committee's meeting on 21 March 2030 has its agenda
  published already. Elsewhere has a petition and a meeting of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from moothall.councils.models import Council, Ward
from moothall.meetings import domain as meetings
from moothall.meetings.models import Body, Decision, Meeting
from moothall.petitions import domain
from moothall.petitions.models import AbuseAlert, Petition, PetitionScheme, Signature
from tests import factories

FUTURE = timezone.make_aware(dt.datetime(2030, 3, 14, 19, 0))
PAST = timezone.make_aware(dt.datetime(2024, 5, 9, 19, 0))
FLOOD_ADDRESS = "203.0.113.9"
# Signers whose names and addresses only officers and admins may see.
SIGNERS = [
    ("Ann Archer", "ann@example.org"),
    ("Bob Baker", "bob@example.org"),
    ("Cat Carter", "cat@example.org"),
    ("Dan Flood", "dan@spam.example"),
    ("Eve Flood", "eve@spam.example"),
    ("Fay Flood", "fay@other.example"),
]


@dataclass
class Scene:
    council: Council
    other: Council
    north: Ward
    south: Ward
    waiting: Petition
    library: Petition
    draft: Petition
    elsewhere: Petition
    full_council: Body
    meeting: Meeting
    published_meeting: Meeting
    past: Meeting
    decision: Decision
    secret_decision: Decision
    elsewhere_meeting: Meeting
    address_alert: AbuseAlert
    domain_alert: AbuseAlert

    def url(self, path: str = "", petition: Petition | None = None) -> str:
        base = "/mootshire/staff/petitions/"
        if petition is not None:
            base += f"{petition.pk}/"
        return base + path


def sign(petition: Petition, name: str, email: str, postcode: str) -> Signature:
    signature = domain.sign_petition(
        petition, name=name, email=email, postcode=postcode, basis="lives", declaration=True
    )
    return domain.confirm_signature(signature.token)


def flooded(petition: Petition, name: str, email: str, status: str, ward: Ward | None) -> Signature:
    return Signature.objects.create(
        petition=petition,
        name=name,
        email=email,
        email_key=email,
        email_domain=email.rpartition("@")[2],
        postcode="MH3 3AB",
        ward=ward,
        status=status,
        ip_address=FLOOD_ADDRESS,
        flagged=True,
        flag_reasons=["address_rate"],
        confirmed_at=timezone.now() if status == Signature.Status.CONFIRMED else None,
    )


def petition_of(user, council: Council, title: str, action: str) -> Petition:
    return domain.submit_petition(
        user, domain.start_petition(user, council, title=title, action=action)
    )


def build_scene(council: Council, other: Council, resident) -> Scene:
    council.gss_code = "E10000099"
    council.save()
    north = factories.WardFactory(council=council, name="North", gss_code="E05000101")
    south = factories.WardFactory(council=council, name="South", gss_code="E05000102")
    factories.PostcodeFactory(postcode="MH3 3AB", ward_gss="E05000101", county_gss="E10000099")
    factories.PostcodeFactory(postcode="MH4 4DE", ward_gss="E05000102", county_gss="E10000099")
    PetitionScheme.objects.create(
        council=council,
        sponsors_required=0,
        pre_moderation=True,
        response_threshold=2,
        hearing_threshold=3,
        debate_threshold=10,
    )
    PetitionScheme.objects.create(council=other, sponsors_required=0, pre_moderation=False)

    waiting = petition_of(
        resident, council, "Fix the footpath on Mill Lane", "Resurface the footpath."
    )
    library = petition_of(resident, council, "Save Moot Library", "Keep the library open.")
    domain.moderate_petition(None, library, publish=True)
    sign(library, "Ann Archer", "ann@example.org", "MH3 3AB")
    sign(library, "Bob Baker", "bob@example.org", "MH3 3AB")
    sign(library, "Cat Carter", "cat@example.org", "MH4 4DE")
    flooded(library, "Dan Flood", "dan@spam.example", Signature.Status.CONFIRMED, north)
    flooded(library, "Eve Flood", "eve@spam.example", Signature.Status.PENDING, None)
    flooded(library, "Fay Flood", "fay@other.example", Signature.Status.PENDING, None)
    domain.recount_petition(library.pk)
    address_alert = AbuseAlert.objects.create(
        petition=library, kind=AbuseAlert.Kind.ADDRESS, key=FLOOD_ADDRESS, count=3
    )
    domain_alert = AbuseAlert.objects.create(
        petition=library, kind=AbuseAlert.Kind.DOMAIN, key="spam.example", count=2
    )
    draft = domain.start_petition(
        resident, council, title="A new bus shelter", action="Put one on the high street."
    )
    elsewhere = petition_of(resident, other, "Elsewhere's own petition", "Do something.")

    full_council = meetings.create_body(None, council, name="Full Council", kind="full_council")
    meeting = meetings.create_meeting(None, full_council, start=FUTURE, venue="Moot Hall")
    committee = meetings.create_body(None, council, name="Planning Committee")
    published_meeting = meetings.create_meeting(
        None, committee, start=FUTURE + dt.timedelta(days=7)
    )
    meetings.add_agenda_item(None, published_meeting, title="Apologies", kind="apologies")
    meetings.publish_agenda(None, published_meeting)
    past = meetings.create_meeting(None, full_council, start=PAST)
    item = meetings.add_agenda_item(None, past, title="Library services")
    secret_item = meetings.add_agenda_item(
        None, past, title="Sale of the library building", kind="exempt", exempt_paragraph=3
    )
    decision = meetings.record_decision(
        None, council, title="Keep the library open", text="Resolved: keep it open.",
        decision_maker="Full Council", decided_on=PAST.date(), agenda_item=item,
    )  # fmt: skip
    secret_decision = meetings.record_decision(
        None, council, title="Accept the bid", text="Resolved: accept.",
        decision_maker="Full Council", decided_on=PAST.date(), agenda_item=secret_item,
    )  # fmt: skip
    elsewhere_body = meetings.create_body(None, other, name="Elsewhere Council")
    elsewhere_meeting = meetings.create_meeting(None, elsewhere_body, start=FUTURE)
    for petition in (waiting, library, draft, elsewhere):
        petition.refresh_from_db()
    return Scene(
        council=council,
        other=other,
        north=north,
        south=south,
        waiting=waiting,
        library=library,
        draft=draft,
        elsewhere=elsewhere,
        full_council=full_council,
        meeting=meeting,
        published_meeting=published_meeting,
        past=past,
        decision=decision,
        secret_decision=secret_decision,
        elsewhere_meeting=elsewhere_meeting,
        address_alert=address_alert,
        domain_alert=domain_alert,
    )
