"""Adversarial review (helper "review"): exempt business must reach no public channel.

Each scene is built through the clerk's verbs; everything that must stay private carries
the word in ``SECRET`` so a test can look for it in any answer.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "Gasworksby"
LONDON = ZoneInfo("Europe/London")
HELD = dt.datetime(2024, 3, 14, 18, 30, tzinfo=LONDON)
PUBLISHED = dt.datetime(2024, 3, 1, 9, 0, tzinfo=LONDON)


def absent(response, status: int = 200) -> None:
    assert response.status_code == status
    assert SECRET.lower().encode() not in response.content.lower()


def held_meeting(council):
    """A held meeting of the Planning Committee with its agenda published, and Ben a member."""
    ben = factories.CouncillorFactory(council=council, person__name="Ben Brook")
    ada = factories.CouncillorFactory(council=council, person__name="Ada Lovelace")
    body = domain.create_body(None, council, name="Planning Committee")
    domain.add_member(None, body, ben, role="member")
    domain.add_member(None, body, ada, role="chair")
    meeting = domain.create_meeting(None, body, start=HELD, venue="Moot Hall")
    report = domain.add_agenda_item(None, meeting, title="Bins in Moot Ward")
    exempt = domain.add_agenda_item(
        None, meeting, title=f"Sale to {SECRET}", kind="exempt", exempt_paragraph=3
    )
    domain.publish_agenda(None, meeting, now=PUBLISHED)
    return meeting, report, exempt, ben, ada


def councillor_url(councillor) -> str:
    return f"/mootshire/councillors/{councillor.pk}-{councillor.person.slug}/"


# --- Votes hanging from an exempt decision ------------------------------------------------


def test_a_vote_on_an_exempt_decision_recorded_without_its_item_stays_off_the_site(client, council):
    meeting, _report, exempt, ben, ada = held_meeting(council)
    secret_decision = domain.record_decision(
        None,
        council,
        title=f"Sale of the depot to {SECRET}",
        text=f"Resolved: that the depot be sold to {SECRET}.",
        decision_maker="Planning Committee",
        decided_on=HELD.date(),
        agenda_item=exempt,
    )
    assert secret_decision.is_exempt
    # The clerk picks the decision in the vote form and leaves "Agenda item" empty.
    domain.record_vote(
        None,
        meeting,
        motion=f"That the depot be sold to {SECRET}.",
        positions={ben.pk: "for", ada.pk: "against"},
        decision=secret_decision,
    )

    absent(client.get(f"/mootshire/meetings/{meeting.pk}/"))
    absent(client.get(councillor_url(ben)))
    # The API already leaves such a vote out (decision__is_exempt), so the site disagrees.
    absent(client.get(f"/api/v1/councils/mootshire/meetings/{meeting.pk}"))


def test_a_vote_on_a_decision_whose_item_becomes_exempt_leaves_the_site(client, council):
    meeting, report, _exempt, ben, ada = held_meeting(council)
    decision = domain.record_decision(
        None,
        council,
        title="Bins in Moot Ward",
        text="Resolved: that the depot be sold.",
        decision_maker="Planning Committee",
        decided_on=HELD.date(),
        agenda_item=report,
    )
    vote = domain.record_vote(
        None,
        meeting,
        motion=f"That the depot be sold to {SECRET}.",
        positions={ben.pk: "for", ada.pk: "for"},
        decision=decision,
    )
    domain.update_agenda_item(None, report, exempt_paragraph=3)
    decision.refresh_from_db()
    assert decision.is_exempt

    page = client.get(f"/mootshire/meetings/{meeting.pk}/")
    absent(page)
    assert page.context["vote_tables"] == []
    absent(client.get(councillor_url(ben)))
    # Nor its totals on the public timeline ("Vote recorded: carried, 2 for …").
    assert not meeting.timeline.filter(kind="vote_recorded", is_public=True).exists(), vote


# --- What was already fine (regression guards) ------------------------------------------------


def test_a_paper_of_an_exempt_sub_item_reaches_no_channel(client, council):
    meeting, _report, exempt, _ben, _ada = held_meeting(council)
    child = domain.add_agenda_item(
        None,
        meeting,
        title="Valuation",
        parent=exempt,
        is_urgent=True,
        urgency_reason="Offer expires.",
    )
    paper = domain.attach_document(
        None,
        council,
        data=make_pdf(f"Valuation for {SECRET}.", title="V"),
        title=f"{SECRET} valuation",
        kind="report",
        agenda_item=child,
    )
    assert paper.is_exempt
    for url in (
        f"/mootshire/meetings/{meeting.pk}/",
        f"/api/v1/councils/mootshire/meetings/{meeting.pk}",
        "/mootshire/feeds/documents.atom",
        "/sitemap.xml",
        "/mootshire/meetings.ics",
    ):
        absent(client.get(url))
    absent(client.get(f"/mootshire/documents/{paper.pk}/"), status=404)
    absent(client.get(f"/mootshire/documents/{paper.pk}/file"), status=404)
    absent(client.get(f"/api/v1/councils/mootshire/documents/{paper.pk}"), status=404)


def test_an_item_made_exempt_after_publication_leaves_every_channel(client, council, resident):
    meeting, report, _exempt, ben, _ada = held_meeting(council)
    sub = domain.add_agenda_item(
        None,
        meeting,
        title=f"{SECRET} rounds",
        parent=report,
        is_urgent=True,
        urgency_reason="Late.",
    )
    paper = domain.attach_document(
        None,
        council,
        data=make_pdf("Collection rounds.", title="R"),
        title=f"{SECRET} paper",
        kind="report",
        agenda_item=sub,
    )
    decision = domain.record_decision(
        None,
        council,
        title=f"{SECRET} decided",
        text="Resolved.",
        decision_maker="Planning Committee",
        decided_on=HELD.date(),
        agenda_item=sub,
    )
    domain.record_vote(
        None,
        meeting,
        motion=f"{SECRET} motion",
        positions={ben.pk: "for"},
        agenda_item=sub,
        decision=decision,
    )
    domain.record_declaration(
        None,
        meeting,
        councillor=ben,
        kind="registrable",
        description=f"Knows {SECRET}",
        agenda_item=sub,
    )
    assert SECRET.encode() in client.get(f"/mootshire/meetings/{meeting.pk}/").content

    domain.update_agenda_item(None, report, exempt_paragraph=1)

    for url in (
        f"/mootshire/meetings/{meeting.pk}/",
        f"/api/v1/councils/mootshire/meetings/{meeting.pk}",
        "/mootshire/decisions/",
        "/mootshire/feeds/decisions.atom",
        "/mootshire/feeds/documents.atom",
        "/sitemap.xml",
        councillor_url(ben),
    ):
        absent(client.get(url))
    absent(client.get(f"/mootshire/documents/{paper.pk}/file"), status=404)
    absent(client.get(f"/mootshire/decisions/{decision.pk}/"), status=404)
    client.force_login(resident)
    absent(client.get(f"/mootshire/meetings/{meeting.pk}/take-part/"))


def test_an_uploaded_web_page_is_downloaded_never_shown_inline(client, council):
    _meeting, report, _exempt, _ben, _ada = held_meeting(council)
    page = domain.attach_document(
        None,
        council,
        data=b"<!DOCTYPE html><html><body><script>alert(1)</script>Hi</body></html>",
        title='Report"; filename="evil.html\r\nX-Evil: 1',
        kind="report",
        agenda_item=report,
    )
    response = client.get(f"/mootshire/documents/{page.pk}/file")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html"
    assert response["Content-Disposition"] == (
        'attachment; filename="report-filenameevilhtml-x-evil-1.html"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "X-Evil" not in response
