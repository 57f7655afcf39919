"""The small scene the meetings API tests read (fixtures only; the tests import them).

Mootshire's Planning Committee (chair Ada Lovelace, member Brian Brook, substitute
Cara Clay; Fred Former left in 2023) met on Thursday 14 March 2024 at 18:30:

1. Apologies
2. Land at Mill Lane (report; with its report, PDF) — Ada declared an interest;
   the committee voted 2–0 (Brian absent) and granted outline permission.
   2a. Site plan
3. An exempt item (paragraph 3) whose every word carries the marker PURPLE-OTTER:
   its description, its paper, a sub-item (3a), a declaration, a vote and a decision.

The agenda (with the agenda pack) went out on Friday 1 March 2024, in time. Brian
sent apologies and Cara substituted for him. A second Planning meeting, on 11 April
2024, was cancelled. The Cabinet meets on 14 March 2030; its agenda is not yet
published, so its papers are not public. The forward plan lists one key decision.

Elsewhere District Council has a body, a meeting, a decision and a document of its own.
Everything is made through the verbs (as the system, ``actor=None``), with on-commit
work (text extraction, the search index) run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from moothall.councils.models import Councillor
from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import (
    AgendaItem,
    Body,
    Decision,
    Document,
    ForwardPlanEntry,
    Meeting,
    Vote,
)
from tests import factories

MARKER = "PURPLE-OTTER"
LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def iso(moment: dt.datetime | None) -> str | None:
    """A date-time as the API writes it: UTC with a Z, to the millisecond (as Django does)."""
    if moment is None:
        return None
    return DjangoJSONEncoder().default(moment.astimezone(dt.UTC))


@dataclass
class Scene:
    planning: Body
    cabinet: Body
    ada: Councillor
    brian: Councillor
    cara: Councillor
    fred: Councillor
    meeting: Meeting
    apologies: AgendaItem
    mill_lane: AgendaItem
    site_plan: AgendaItem
    secret: AgendaItem
    secret_sub: AgendaItem
    pack: Document
    report: Document
    secret_paper: Document
    vote: Vote
    secret_vote: Vote
    decision: Decision
    secret_decision: Decision
    cancelled: Meeting
    future: Meeting
    unpublished_paper: Document
    plan_entry: ForwardPlanEntry
    elsewhere_body: Body
    elsewhere_meeting: Meeting
    elsewhere_decision: Decision
    elsewhere_document: Document


def _councillor(council, name: str, party: str | None) -> Councillor:
    return factories.CouncillorFactory(
        council=council,
        person__name=name,
        party=factories.PartyFactory(name=party) if party else None,
    )


def _pdf(text: str) -> bytes:
    return make_pdf(text, title=text.split(".")[0])


def build_scene(council, other_council) -> Scene:
    ada = _councillor(council, "Ada Lovelace", "Green Party")
    brian = _councillor(council, "Brian Brook", None)
    cara = _councillor(council, "Cara Clay", "Independent")
    fred = _councillor(council, "Fred Former", "Green Party")

    planning = domain.create_body(
        None, council, name="Planning Committee", purpose="Decides **planning** applications."
    )
    cabinet = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    domain.add_member(None, planning, cara, role="substitute", start_date=dt.date(2022, 5, 5))
    domain.add_member(None, planning, brian, role="member", start_date=dt.date(2022, 5, 5))
    domain.add_member(None, planning, ada, role="chair", start_date=dt.date(2022, 5, 5))
    domain.add_member(
        None,
        planning,
        fred,
        role="vice_chair",
        start_date=dt.date(2019, 5, 5),
        end_date=dt.date(2023, 1, 1),
    )

    meeting = domain.create_meeting(
        None, planning, start=london(2024, 3, 14, 18, 30), venue="Council Chamber, Moot Hall"
    )
    apologies = domain.add_agenda_item(None, meeting, title="Apologies", kind="apologies")
    mill_lane = domain.add_agenda_item(
        None,
        meeting,
        title="Land at Mill Lane",
        description="Outline application for 40 homes.",
        lead_officer="Head of Planning",
        portfolio="Housing",
    )
    site_plan = domain.add_agenda_item(None, meeting, title="Site plan", parent=mill_lane)
    secret = domain.add_agenda_item(
        None,
        meeting,
        title=f"Purchase of {MARKER} Farm",
        description=f"The price offered for {MARKER} Farm.",
        kind="exempt",
        exempt_paragraph=3,
        lead_officer=f"{MARKER} officer",
    )
    secret_sub = domain.add_agenda_item(None, meeting, title=f"{MARKER} valuation", parent=secret)
    pack = domain.attach_document(
        None,
        council,
        data=_pdf("Agenda pack. Planning."),
        title="Agenda pack",
        kind="agenda_pack",
        meeting=meeting,
    )
    report = domain.attach_document(
        None,
        council,
        data=_pdf("Mill Lane report. Forty homes."),
        title="Mill Lane report",
        kind="report",
        agenda_item=mill_lane,
    )
    secret_paper = domain.attach_document(
        None,
        council,
        data=_pdf(f"{MARKER} valuation. The price."),
        title=f"{MARKER} price",
        kind="report",
        agenda_item=secret_sub,
    )
    domain.publish_agenda(None, meeting, now=london(2024, 3, 1, 9, 0))

    domain.record_attendance(
        None,
        meeting,
        {ada.pk: "present", brian.pk: "apologies", cara.pk: "substitute"},
        substitutes={cara.pk: brian.pk},
    )
    domain.record_declaration(
        None,
        meeting,
        councillor=ada,
        kind="non_registrable",
        description="Lives on Mill Lane.",
        agenda_item=mill_lane,
        left_the_room=False,
    )
    domain.record_declaration(
        None,
        meeting,
        councillor=cara,
        kind="pecuniary",
        description=f"Owns shares in {MARKER} Farm.",
        agenda_item=secret,
    )
    decision = domain.record_decision(
        None,
        council,
        title="Outline permission at Mill Lane",
        text="Outline permission **granted**.",
        decision_maker="Planning Committee",
        decided_on=dt.date(2024, 3, 14),
        agenda_item=mill_lane,
        reasons="In line with the local plan.",
        alternatives_rejected="Refusal.",
        now=london(2024, 3, 15, 10, 0),
    )
    vote = domain.record_vote(
        None,
        meeting,
        motion="That outline permission be granted.",
        positions={ada.pk: "for", cara.pk: "for", brian.pk: "absent"},
        agenda_item=mill_lane,
        decision=decision,
    )
    secret_decision = domain.record_decision(
        None,
        council,
        title=f"Buy {MARKER} Farm",
        text=f"Resolved to buy {MARKER} Farm.",
        decision_maker="Planning Committee",
        decided_on=dt.date(2024, 3, 14),
        agenda_item=secret,
        reasons=f"{MARKER} reasons.",
        now=london(2024, 3, 15, 10, 0),
    )
    secret_vote = domain.record_vote(
        None,
        meeting,
        motion=f"That {MARKER} Farm be bought.",
        positions={ada.pk: "for", cara.pk: "against"},
        agenda_item=secret_sub,
        decision=secret_decision,
        outcome="carried",
    )

    cancelled = domain.create_meeting(None, planning, start=london(2024, 4, 11, 18, 30))
    domain.cancel_meeting(None, cancelled, reason="No applications ready.")

    future = domain.create_meeting(None, cabinet, start=london(2030, 3, 14, 10, 0))
    budget = domain.add_agenda_item(None, future, title="Draft budget")
    unpublished_paper = domain.attach_document(
        None,
        council,
        data=_pdf("Draft budget. Not yet public."),
        title="Draft budget",
        kind="report",
        agenda_item=budget,
    )
    plan_entry = domain.add_forward_plan_entry(
        None,
        council,
        title="Sale of the old depot",
        decision_maker="Cabinet",
        expected_date=dt.date(2030, 3, 14),
        summary="Whether to sell the depot.",
        body=cabinet,
        lead_officer="Director of Resources",
        published_at=london(2029, 12, 1, 9, 0),
    )

    elsewhere_body = domain.create_body(None, other_council, name="Planning Committee")
    elsewhere_meeting = domain.create_meeting(
        None, elsewhere_body, start=london(2024, 3, 14, 18, 30)
    )
    elsewhere_item = domain.add_agenda_item(None, elsewhere_meeting, title="Elsewhere report")
    elsewhere_document = domain.attach_document(
        None,
        other_council,
        data=_pdf("Elsewhere report."),
        title="Elsewhere report",
        kind="report",
        agenda_item=elsewhere_item,
    )
    domain.publish_agenda(None, elsewhere_meeting, now=london(2024, 3, 1, 9, 0))
    elsewhere_decision = domain.record_decision(
        None,
        other_council,
        title="Elsewhere decision",
        text="Agreed.",
        decision_maker="Planning Committee",
        decided_on=dt.date(2024, 3, 14),
        meeting=elsewhere_meeting,
        now=london(2024, 3, 15, 10, 0),
    )

    for obj in (meeting, mill_lane, site_plan, secret, secret_sub, pack, report, decision):
        obj.refresh_from_db()
    return Scene(
        planning=planning,
        cabinet=cabinet,
        ada=ada,
        brian=brian,
        cara=cara,
        fred=fred,
        meeting=meeting,
        apologies=apologies,
        mill_lane=mill_lane,
        site_plan=site_plan,
        secret=secret,
        secret_sub=secret_sub,
        pack=pack,
        report=report,
        secret_paper=secret_paper,
        vote=vote,
        secret_vote=secret_vote,
        decision=decision,
        secret_decision=secret_decision,
        cancelled=cancelled,
        future=future,
        unpublished_paper=unpublished_paper,
        plan_entry=plan_entry,
        elsewhere_body=elsewhere_body,
        elsewhere_meeting=elsewhere_meeting,
        elsewhere_decision=elsewhere_decision,
        elsewhere_document=elsewhere_document,
    )


@pytest.fixture(name="scene")
def scene_fixture(council, other_council, django_capture_on_commit_callbacks) -> Scene:
    """The scene (import ``scene_fixture`` into a test module to use ``scene``)."""
    with django_capture_on_commit_callbacks(execute=True):
        return build_scene(council, other_council)


# --- What the API says of the people and things in the scene --------------------------


def councillor_ref(councillor: Councillor) -> dict:
    party = councillor.party
    return {
        "id": councillor.pk,
        "name": councillor.person.name,
        "party": {"slug": party.slug, "name": party.name} if party else None,
        "url": f"/mootshire/councillors/{councillor.pk}-{councillor.person.slug}/",
        "api_url": f"/api/v1/councillors/{councillor.pk}",
    }


def meeting_ref(meeting: Meeting) -> dict:
    return {
        "id": meeting.pk,
        "title": meeting.display_title,
        "start": iso(meeting.start),
        "status": meeting.status,
        "url": f"/{meeting.council.slug}/meetings/{meeting.pk}/",
        "api_url": f"/api/v1/councils/{meeting.council.slug}/meetings/{meeting.pk}",
    }


def body_ref(body: Body) -> dict:
    return {
        "slug": body.slug,
        "name": body.name,
        "kind": body.kind,
        "api_url": f"/api/v1/councils/{body.council.slug}/bodies/{body.slug}",
    }


def meeting_item(meeting: Meeting) -> dict:
    """A meeting as the list shows it (and the start of its detail)."""
    return {
        **meeting_ref(meeting),
        "body": body_ref(meeting.body),
        "end": iso(meeting.end),
        "venue": meeting.venue or None,
        "status_reason": meeting.status_reason or None,
        "webcast_url": meeting.webcast_url or None,
        "agenda_published_at": iso(meeting.agenda_published_at),
        "publication_deadline": meeting.publication_deadline.isoformat()
        if meeting.publication_deadline
        else None,
        "agenda_late": meeting.agenda_late,
        "late_reason": meeting.late_reason or None,
        "minutes_published_at": iso(meeting.minutes_published_at),
    }


def decision_payload(scene: Scene) -> dict:
    """The Mill Lane decision, as lists and its own page give it (without its votes)."""
    decision = scene.decision
    return {
        "id": decision.pk,
        "title": "Outline permission at Mill Lane",
        "text": "Outline permission **granted**.",
        "reasons": "In line with the local plan.",
        "alternatives_rejected": "Refusal.",
        "conflicts_declared": None,
        "dispensations": None,
        "decision_maker": "Planning Committee",
        "decided_on": "2024-03-14",
        "published_at": "2024-03-15T10:00:00Z",
        "key_decision": False,
        "key_decision_exception": None,
        "exception_reason": None,
        "lacks_notice": False,
        "forward_plan_entry": None,
        # Five working days after publication on Friday 15 March.
        "call_in_deadline": "2024-03-22",
        "status": "made",
        "status_reason": None,
        "meeting": meeting_ref(scene.meeting),
        "agenda_item": {"id": scene.mill_lane.pk, "number": "2", "title": "Land at Mill Lane"},
        "url": f"/mootshire/decisions/{decision.pk}/",
        "api_url": f"/api/v1/councils/mootshire/decisions/{decision.pk}",
    }


def vote_payload(scene: Scene) -> dict:
    return {
        "id": scene.vote.pk,
        "motion": "That outline permission be granted.",
        "outcome": "carried",
        "votes_for": 2,
        "votes_against": 0,
        "abstentions": 0,
        "agenda_item": scene.mill_lane.pk,
        "decision": scene.decision.pk,
        "positions": [
            {"councillor": councillor_ref(scene.ada), "position": "for"},
            {"councillor": councillor_ref(scene.brian), "position": "absent"},
            {"councillor": councillor_ref(scene.cara), "position": "for"},
        ],
    }


def document_urls(document: Document) -> dict:
    slug, pk = document.council.slug, document.pk
    return {
        "url": f"/{slug}/documents/{pk}/",
        "download_url": f"/{slug}/documents/{pk}/file",
        "api_url": f"/api/v1/councils/{slug}/documents/{pk}",
    }
