"""A committee's business at Mootshire, built through the clerk's verbs, for the public pages.

- The Planning Committee (chair Ada Lovelace, members Ben Brook and Cy Cole).
- A meeting held on Thursday 14 March 2024 at 18:30, its agenda published on 1 March:
  1. Apologies; 2. "Bins in Moot Ward" (a report with a PDF, a recorded vote, a decision
  and an accepted public question); 2a. "Appendix: collection rounds"; 3. an exempt item
  (paragraph 3) with a sub-item, an exempt paper, an exempt vote and an exempt decision.
  A paper about the whole meeting (the agenda pack) and an exempt letter hang from the
  meeting itself. Ada declares an interest in item 2, and Ben one in the exempt item.
- Everything exempt carries the word ``SECRET`` so tests can look for it anywhere.
- An upcoming meeting on Thursday 14 March 2030 (agenda not published), a cancelled one
  on 21 March 2030 and a postponed one on 28 March 2030.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from moothall.councils.models import Council, Councillor
from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import (
    AgendaItem,
    Body,
    Decision,
    Document,
    Meeting,
    PublicSubmission,
    Vote,
)
from tests import factories

SECRET = "Secretsby"
LONDON = ZoneInfo("Europe/London")
HELD_START = dt.datetime(2024, 3, 14, 18, 30, tzinfo=LONDON)
PUBLISHED_AT = dt.datetime(2024, 3, 1, 9, 0, tzinfo=LONDON)

PUBLIC_PDF = make_pdf("The report on bin collection in Moot Ward.", title="Bins")
PACK_PDF = make_pdf("Agenda pack for the Planning Committee.", title="Agenda pack")
SECRET_PDF = make_pdf(f"Valuation of the gasworks for Mr {SECRET}.", title="Valuation")
SECRET_LETTER = make_pdf(f"Letter from Mr {SECRET}'s solicitors.", title="Letter")


@dataclass
class Scene:
    council: Council
    body: Body
    ada: Councillor
    ben: Councillor
    cy: Councillor
    held: Meeting
    upcoming: Meeting
    cancelled: Meeting
    postponed: Meeting
    report: AgendaItem
    appendix: AgendaItem
    exempt: AgendaItem
    exempt_child: AgendaItem
    report_pdf: Document
    pack: Document
    secret_pdf: Document
    secret_letter: Document
    vote: Vote
    secret_vote: Vote
    decision: Decision
    secret_decision: Decision
    question: PublicSubmission


def councillor(council: Council, name: str) -> Councillor:
    return factories.CouncillorFactory(council=council, person__name=name, party__name="Green")


def build_scene(council: Council, resident) -> Scene:
    ada = councillor(council, "Ada Lovelace")
    ben = councillor(council, "Ben Brook")
    cy = councillor(council, "Cy Cole")
    body = domain.create_body(None, council, name="Planning Committee")
    domain.add_member(None, body, ben, role="member")
    domain.add_member(None, body, ada, role="chair")
    domain.add_member(None, body, cy, role="vice_chair")

    held = domain.create_meeting(
        None,
        body,
        start=HELD_START,
        end=HELD_START + dt.timedelta(hours=2),
        venue="Council Chamber, Moot Hall",
        webcast_url="https://webcast.example/planning-2024-03-14",
    )
    domain.add_agenda_item(None, held, title="Apologies", kind="apologies")
    report = domain.add_agenda_item(
        None,
        held,
        title="Bins in Moot Ward",
        description="The **collection** report.",
        lead_officer="Pat Planner",
    )
    appendix = domain.add_agenda_item(
        None, held, title="Appendix: collection rounds", parent=report
    )
    exempt = domain.add_agenda_item(
        None,
        held,
        title=f"Sale of the gasworks to Mr {SECRET}",
        description=f"{SECRET} offers a price.",
        kind="exempt",
        exempt_paragraph=3,
    )
    exempt_child = domain.add_agenda_item(
        None, held, title=f"{SECRET} valuation appendix", parent=exempt
    )
    report_pdf = domain.attach_document(
        None, council, data=PUBLIC_PDF, title="Bins report", kind="report", agenda_item=report
    )
    pack = domain.attach_document(
        None, council, data=PACK_PDF, title="Agenda pack", kind="agenda_pack", meeting=held
    )
    secret_pdf = domain.attach_document(
        None,
        council,
        data=SECRET_PDF,
        title=f"{SECRET} valuation",
        kind="report",
        agenda_item=exempt_child,
    )
    secret_letter = domain.attach_document(
        None,
        council,
        data=SECRET_LETTER,
        title=f"{SECRET} letter",
        kind="other",
        meeting=held,
        exempt_paragraph=3,
    )
    domain.publish_agenda(None, held, now=PUBLISHED_AT)
    question = domain.submit_to_meeting(
        resident,
        held,
        kind="question",
        text="When will the bins be collected?",
        display_name="Rita R",
        agenda_item=report,
        today=PUBLISHED_AT.date(),
    )
    domain.decide_submission(None, question, accept=True)
    declined = domain.submit_to_meeting(
        resident,
        held,
        kind="deputation",
        text="A declined deputation.",
        display_name="Rita R",
        today=PUBLISHED_AT.date(),
    )
    domain.decide_submission(None, declined, accept=False, reason="Out of time")

    domain.record_attendance(
        None,
        held,
        {ada.pk: "present", ben.pk: "present", cy.pk: "apologies"},
    )
    domain.record_declaration(
        None,
        held,
        councillor=ada,
        kind="registrable",
        description="Lives on a collection round.",
        agenda_item=report,
    )
    domain.record_declaration(
        None,
        held,
        councillor=ben,
        kind="pecuniary",
        description=f"Knows Mr {SECRET}.",
        agenda_item=exempt,
        left_the_room=True,
    )
    decision = domain.record_decision(
        None,
        council,
        title="Weekly bin collections in Moot Ward",
        text="Resolved: collect the bins **weekly**.",
        decision_maker="Planning Committee",
        decided_on=HELD_START.date(),
        agenda_item=report,
        reasons="Residents asked.",
        alternatives_rejected="Fortnightly collections.",
        now=HELD_START,
    )
    secret_decision = domain.record_decision(
        None,
        council,
        title=f"Sell the gasworks to Mr {SECRET}",
        text=f"Resolved: accept the {SECRET} offer.",
        decision_maker="Planning Committee",
        decided_on=HELD_START.date(),
        agenda_item=exempt,
        now=HELD_START,
    )
    vote = domain.record_vote(
        None,
        held,
        motion="That the bins be collected weekly.",
        positions={ada.pk: "for", ben.pk: "against", cy.pk: "absent"},
        agenda_item=report,
        decision=decision,
    )
    secret_vote = domain.record_vote(
        None,
        held,
        motion=f"That the {SECRET} offer be accepted.",
        positions={ada.pk: "for", ben.pk: "abstain"},
        agenda_item=exempt,
        decision=secret_decision,
    )

    upcoming = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON), venue="Moot Hall"
    )
    cancelled = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 21, 18, 30, tzinfo=LONDON), venue="Moot Hall"
    )
    domain.cancel_meeting(None, cancelled, reason="Not enough business")
    postponed = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 28, 18, 30, tzinfo=LONDON), venue="Moot Hall"
    )
    domain.postpone_meeting(None, postponed, reason="The chair is unwell")

    for item in (report, appendix, exempt, exempt_child):
        item.refresh_from_db()
    for document in (report_pdf, pack, secret_pdf, secret_letter):
        document.refresh_from_db()
    held.refresh_from_db()
    return Scene(
        council=council,
        body=body,
        ada=ada,
        ben=ben,
        cy=cy,
        held=held,
        upcoming=upcoming,
        cancelled=cancelled,
        postponed=postponed,
        report=report,
        appendix=appendix,
        exempt=exempt,
        exempt_child=exempt_child,
        report_pdf=report_pdf,
        pack=pack,
        secret_pdf=secret_pdf,
        secret_letter=secret_letter,
        vote=vote,
        secret_vote=secret_vote,
        decision=decision,
        secret_decision=secret_decision,
        question=question,
    )
