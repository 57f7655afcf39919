"""Community voice at Mootshire for the browser tests: petitions, ideas, letters, follows.

Built on the small area of ``tests/public/area.py`` (Mootshire County with its division
Mootford North, Lowdale District with Lowdale Central and Cara Cole, Brookby Parish; Rita
Resident lives at MH1 1AA, in all three), mostly through the verbs:

- Mootshire's petition scheme: those who live or work in the area may sign; no sponsors;
  a moderator checks every petition; open for 30 days; 2 signatures for an officer
  response, 3 for a committee hearing, 5 for a full-council debate. A second division,
  Mootford South (MH2 2BB), and a postcode in the area but in no division (MH9 9ZZ).
  Topics: Parks and Roads.
- ``library``, "Save Mootford Library" (Parks, Mootford North, started by Pat Petitioner),
  is open: Ann, Bob and Cat sign from Mootford North, Dev from Mootford South, Eli from
  outside the divisions, and two paper signatures are added (7 in all). The officer has
  responded, the Planning Committee heard it on 9 May 2024 (a decision linked) and the
  debate is due, overdue by a back-dated deadline. ``pending`` is Fay's signature, not
  yet confirmed; ``signed`` is Ann's. Two signatures from one internet address are
  flagged, with an open alert.
- ``draft`` is Rita's own draft ("A crossing by the school"); ``waiting`` waits for a
  moderator ("Fix the footpath on Mill Lane"); ``rejected`` was rejected with a reason.
- Full Council meets on 14 March 2030 (agenda not yet published: petitions can be
  placed on it).
- Ideas: ``idea``, "Benches in Mootford Park" by Ivy Ideas, supported by Rita, with a
  thread of comments (Rita's, Ivy's reply), responses from the officer (for the council)
  and from Chris Councillor, under consideration, and on Full Council's agenda
  (``idea_link``, no decision yet). ``duplicate`` says the same again.
- Letters: Rita has written to Cara Cole (``message``), who answered.
- Rita follows the library petition, the idea and Parks (``subscription``: the petition).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from moothall.correspondence import domain as correspondence
from moothall.correspondence.models import Message
from moothall.councils.models import Council, Topic, Ward
from moothall.ideas import domain as ideas
from moothall.ideas.models import Comment, Idea, IdeaAgendaLink
from moothall.meetings import domain as meetings
from moothall.meetings.models import Body, Meeting
from moothall.notifications import domain as notifications
from moothall.notifications.models import Subscription
from moothall.petitions import domain as petitions
from moothall.petitions.models import (
    AbuseAlert,
    Hearing,
    Obligation,
    Petition,
    Signature,
)
from tests import factories
from tests.public.area import Area

LONDON = ZoneInfo("Europe/London")
FULL_COUNCIL_MEETS = dt.datetime(2030, 3, 14, 19, 0, tzinfo=LONDON)
COMMITTEE_MET = dt.datetime(2024, 5, 9, 18, 30, tzinfo=LONDON)
FLOOD_ADDRESS = "203.0.113.9"


@dataclass
class VoiceScene:
    area: Area
    south: Ward
    parks: Topic
    roads: Topic
    library: Petition
    draft: Petition
    waiting: Petition
    rejected: Petition
    pending: Signature
    signed: Signature
    hearing: Hearing
    debate: Obligation
    alert: AbuseAlert
    full_council: Body
    council_meeting: Meeting
    idea: Idea
    duplicate: Idea
    comment: Comment
    idea_link: IdeaAgendaLink
    message: Message
    subscription: Subscription

    @property
    def council(self) -> Council:
        return self.area.county


def petitions_scheme(council: Council) -> Ward:
    """Mootshire's petition scheme, its second division and postcodes; returns that division."""
    south = factories.WardFactory(
        council=council, name="Mootford South", slug="mootford-south", gss_code="E58000302"
    )
    factories.PostcodeFactory(
        postcode="MH2 2BB", division_gss="E58000302", county_gss=council.gss_code
    )
    factories.PostcodeFactory(postcode="MH9 9ZZ", county_gss=council.gss_code)
    petitions.update_petition_scheme(
        None,
        council,
        allow_studies=False,
        sponsors_required=0,
        pre_moderation=True,
        duration_days=30,
        response_threshold=2,
        hearing_threshold=3,
        debate_threshold=5,
        response_working_days=10,
        hearing_working_days=20,
        debate_working_days=20,
    )
    return south


def open_petition(creator: Any, moderator: Any, council: Council, title: str, **fields: Any):
    fields.setdefault("action", "Keep Mootford Library open six days a week.")
    petition = petitions.start_petition(creator, council, title=title, **fields)
    petitions.submit_petition(creator, petition)
    return petitions.moderate_petition(moderator, petition, publish=True)


def sign(petition: Petition, name: str, email: str, postcode: str, *, confirm: bool = True):
    signature = petitions.sign_petition(
        petition,
        name=name,
        email=email,
        postcode=postcode,
        basis="lives",
        declaration=True,
        ip_address="192.0.2.1",
    )
    return petitions.confirm_signature(signature.token) if confirm else signature


def full_council_meeting(council: Council) -> tuple[Body, Meeting]:
    body = meetings.create_body(None, council, name="Full Council", kind="full_council")
    return body, meetings.create_meeting(None, body, start=FULL_COUNCIL_MEETS, venue="Moot Hall")


def build_voice_scene(
    area: Area, *, resident: Any, officer: Any, moderator: Any, councillor: Any, cara: Any
) -> VoiceScene:
    council = area.county
    south = petitions_scheme(council)
    parks = Topic.objects.create(council=council, name="Parks", slug="parks")
    roads = Topic.objects.create(council=council, name="Roads", slug="roads")
    pat = factories.UserFactory(email="pat.petitioner@example.org", name="Pat Petitioner")

    # --- Petitions -------------------------------------------------------------------
    library = open_petition(
        pat,
        moderator,
        council,
        "Save Mootford Library",
        background="The library is the only **warm space** in the village.",
        topic=parks,
        ward=area.division,
    )
    signed = sign(library, "Ann Archer", "ann@example.org", "MH1 1AA")
    sign(library, "Bob Baker", "bob@example.org", "MH1 1AA")
    sign(library, "Cat Carter", "cat@example.org", "MH1 1AA")
    sign(library, "Dev Dale", "dev@example.org", "MH2 2BB")
    sign(library, "Eli East", "eli@example.org", "MH9 9ZZ")
    pending = sign(library, "Fay Field", "fay@example.org", "MH1 1AA", confirm=False)
    petitions.add_paper_signatures(
        officer,
        library,
        signatures=[("Gus Green", "MH1 1AA"), ("Hal Hill", "MH2 2BB")],
        verified_count=0,
        note="Collected at the library desk.",
    )
    for name, email in (("Ike Flood", "ike@spam.example"), ("Jo Flood", "jo@spam.example")):
        Signature.objects.create(
            petition=library,
            name=name,
            email=email,
            email_key=email,
            email_domain="spam.example",
            postcode="MH1 1AA",
            status=Signature.Status.PENDING,
            ip_address=FLOOD_ADDRESS,
            flagged=True,
            flag_reasons=["address_rate"],
        )
    alert = AbuseAlert.objects.create(
        petition=library, kind=AbuseAlert.Kind.ADDRESS, key=FLOOD_ADDRESS, count=2
    )
    petitions.respond_to_petition(
        officer,
        library,
        response="We will keep the library open on **Saturdays** until March.",
    )
    committee = meetings.create_body(None, council, name="Planning Committee")
    met = meetings.create_meeting(None, committee, start=COMMITTEE_MET, venue="Moot Hall")
    hearing = petitions.place_petition_on_agenda(officer, library, met, kind="hear")
    decision = meetings.record_decision(
        None,
        council,
        title="Keep Mootford Library open",
        text="Resolved: keep the library open on Saturdays.",
        decision_maker="Planning Committee",
        decided_on=COMMITTEE_MET.date(),
        agenda_item=hearing.agenda_item,
    )
    hearing = petitions.link_petition_decision(
        officer, hearing, decision=decision, outcome="The committee agreed."
    )
    debate = Obligation.objects.get(petition=library, kind=Obligation.Kind.DEBATE)
    # Overdue, as it would be weeks from now: the pages then show it in red.
    Obligation.objects.filter(pk=debate.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=3)
    )

    draft = petitions.start_petition(
        resident,
        council,
        title="A crossing by the school",
        action="Put a zebra crossing outside Mootford School.",
        topic=roads,
    )
    waiting = petitions.submit_petition(
        resident,
        petitions.start_petition(
            resident,
            council,
            title="Fix the footpath on Mill Lane",
            action="Resurface the footpath on Mill Lane.",
        ),
    )
    rejected = petitions.submit_petition(
        pat,
        petitions.start_petition(
            pat, council, title="Close the bypass", action="Close the bypass at weekends."
        ),
    )
    rejected = petitions.moderate_petition(
        moderator,
        rejected,
        publish=False,
        reason_text="The bypass is run by National Highways, not the council.",
    )
    full_council, council_meeting = full_council_meeting(council)

    # --- Ideas -------------------------------------------------------------------------
    ivy = factories.UserFactory(email="ivy.ideas@example.org", name="Ivy Ideas", postcode="MH1 1AA")
    idea = ideas.propose_idea(
        ivy,
        council,
        title="Benches in Mootford Park",
        body="More **benches** by the pond, please: older people need a rest.",
        topic=parks,
        ward=area.division,
    )
    duplicate = ideas.propose_idea(
        pat, council, title="Seats by the pond", body="Somewhere to sit by the pond.", topic=parks
    )
    ideas.support_idea(resident, idea)
    comment = ideas.comment(resident, idea, body="Yes please, by the playground too.")
    ideas.comment(ivy, idea, body="Good idea: I will add it.", parent=comment)
    ideas.respond_to_idea(
        officer, idea, body="Our parks team is costing **six** benches.", as_council=True
    )
    ideas.respond_to_idea(councillor, idea, body="I have asked for this at Cabinet.")
    ideas.set_idea_status(
        officer, idea, Idea.Status.UNDER_CONSIDERATION, reason="The parks team is looking at it."
    )
    idea_link = ideas.place_idea_on_agenda(officer, idea, council_meeting)

    # --- A letter to a councillor, and what Rita follows ---------------------------------
    (message,) = correspondence.write_to_councillors(
        resident,
        area.district,
        [area.cara],
        subject="Pothole on Mill Lane",
        body="There is a deep pothole outside number 12.",
    )
    correspondence.reply_as_councillor(
        cara, message, body="Thank you: I have reported it to the highways team."
    )
    subscription = notifications.follow(resident, council, "petition", library.pk)
    notifications.follow(resident, council, "idea", idea.pk)
    notifications.follow(resident, council, "topic", parks.pk)

    for thing in (library, draft, waiting, rejected, idea, duplicate, message):
        thing.refresh_from_db()
    return VoiceScene(
        area=area,
        south=south,
        parks=parks,
        roads=roads,
        library=library,
        draft=draft,
        waiting=waiting,
        rejected=rejected,
        pending=pending,
        signed=signed,
        hearing=hearing,
        debate=debate,
        alert=alert,
        full_council=full_council,
        council_meeting=council_meeting,
        idea=idea,
        duplicate=duplicate,
        comment=comment,
        idea_link=idea_link,
        message=message,
        subscription=subscription,
    )
