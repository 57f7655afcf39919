"""The scene the clerk's meeting screens are tested in (the ``scene`` fixture of the conftest).

Mootshire's Planning Committee has two members (Ann Archer, chair; Ben Baker) and a
substitute (Cal Carter); Dee Dunn is a Mootshire councillor on no committee. Its
meeting on Thursday 14 March 2030 at 18:30 has an agenda of five items, two of them
exempt under paragraph 3:

    1   Apologies for absence
    2   Bin collections            (report)
    2a  Appendix: round changes
    3   Sale of land at Moot Lane  (exempt, paragraph 3)
    3a  Valuation                  (exempt with its parent)

The agenda deadline is Wednesday 6 March 2030 (five clear working days). A meeting
held on 9 May 2024 is in the past, for attendance, votes, decisions and minutes.
Elsewhere (another council) has a body and a meeting of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from moothall.councils.models import Councillor
from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import AgendaItem, Body, Meeting, Membership, PublicSubmission
from tests import factories

PDF = make_pdf("The report on bin collection in Moot Ward.", title="Bins")
SECRET_PDF = make_pdf("Valuation of the land at Moot Lane: 1,250,000 pounds.", title="Valuation")
FUTURE = timezone.make_aware(dt.datetime(2030, 3, 14, 18, 30))
PAST = timezone.make_aware(dt.datetime(2024, 5, 9, 18, 30))


@dataclass
class Scene:
    body: Body
    meeting: Meeting
    past: Meeting
    apologies: AgendaItem
    bins: AgendaItem
    appendix: AgendaItem
    land: AgendaItem
    valuation: AgendaItem
    ann: Councillor
    ben: Councillor
    cal: Councillor
    dee: Councillor
    elsewhere_body: Body
    elsewhere_meeting: Meeting

    def url(self, path: str = "") -> str:
        return f"/mootshire/staff/meetings/{self.meeting.pk}/{path}"


def councillor(council, name: str) -> Councillor:
    return factories.CouncillorFactory(council=council, person__name=name)


def build_scene(council, other_council) -> Scene:
    body = domain.create_body(None, council, name="Planning Committee")
    ann, ben, cal, dee = (
        councillor(council, name) for name in ("Ann Archer", "Ben Baker", "Cal Carter", "Dee Dunn")
    )
    domain.add_member(None, body, ann, role="chair", start_date=dt.date(2022, 5, 5))
    domain.add_member(None, body, ben, start_date=dt.date(2022, 5, 5))
    domain.add_member(None, body, cal, role="substitute", start_date=dt.date(2022, 5, 5))
    meeting = domain.create_meeting(None, body, start=FUTURE, venue="Moot Hall")
    apologies = domain.add_agenda_item(
        None, meeting, title="Apologies for absence", kind="apologies"
    )
    bins = domain.add_agenda_item(None, meeting, title="Bin collections", lead_officer="Pat Lee")
    appendix = domain.add_agenda_item(None, meeting, title="Appendix: round changes", parent=bins)
    land = domain.add_agenda_item(
        None, meeting, title="Sale of land at Moot Lane", kind="exempt", exempt_paragraph=3
    )
    valuation = domain.add_agenda_item(None, meeting, title="Valuation", parent=land)
    past = domain.create_meeting(None, body, start=PAST, venue="Moot Hall")
    elsewhere_body = domain.create_body(None, other_council, name="Licensing Panel")
    elsewhere_meeting = domain.create_meeting(None, elsewhere_body, start=FUTURE)
    for item in (apologies, bins, appendix, land, valuation):
        item.refresh_from_db()
    return Scene(
        body=body,
        meeting=meeting,
        past=past,
        apologies=apologies,
        bins=bins,
        appendix=appendix,
        land=land,
        valuation=valuation,
        ann=ann,
        ben=ben,
        cal=cal,
        dee=dee,
        elsewhere_body=elsewhere_body,
        elsewhere_meeting=elsewhere_meeting,
    )


def build_objects(scene: Scene, resident) -> dict[str, int]:
    """Ids of one of each kind of object the screens show, for building literal URLs."""
    document = domain.attach_document(
        None, scene.meeting.council, data=PDF, title="Bins report", kind="report",
        agenda_item=scene.bins,
    )  # fmt: skip
    decision = domain.record_decision(
        None, scene.past.council, title="Approve", text="Approved.", decision_maker="Committee",
        decided_on=PAST.date(), meeting=scene.past, now=PAST + dt.timedelta(days=1),
    )  # fmt: skip
    submission = PublicSubmission.objects.create(
        meeting=scene.meeting, submitter=resident, display_name="Rita", kind="question",
        text="Why are the bins late?",
    )  # fmt: skip
    seat = Membership.objects.get(body=scene.body, councillor=scene.ben)
    return {
        "m": scene.meeting.pk,
        "past": scene.past.pk,
        "item": scene.bins.pk,
        "doc": document.pk,
        "decision": decision.pk,
        "body": scene.body.pk,
        "seat": seat.pk,
        "sub": submission.pk,
    }
