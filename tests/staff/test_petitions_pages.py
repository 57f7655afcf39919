"""The petitions back-office, page by page and action by action, through the real URLs.

Signed in as Mootshire's officer (Olive Officer, with MFA) unless a test says otherwise.
The scene is described in tests/staff/petitions_scene.py.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone
from pytest_django.asserts import assertContains

from moothall.core.models import AuditEntry
from moothall.meetings.models import AgendaItem
from moothall.petitions import domain
from moothall.petitions.models import (
    AbuseAlert,
    Hearing,
    Invalidation,
    Obligation,
    PaperCount,
    Petition,
    PetitionEvent,
    PetitionScheme,
    Signature,
)
from tests import factories
from tests.staff import html
from tests.staff.petitions_scene import FLOOD_ADDRESS, Scene, build_scene, flooded

pytestmark = pytest.mark.django_db

LIST = "/mootshire/staff/petitions/"


@pytest.fixture
def scene(council, other_council, resident) -> Scene:
    return build_scene(council, other_council, resident)


@pytest.fixture
def staff(client, officer):
    client.force_login(officer)
    return client


def _day(value: dt.date | dt.datetime | None) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, "j F Y")


def _when(moment: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i")


def _snapshot() -> tuple:
    return (
        AuditEntry.objects.count(),
        list(Petition.objects.order_by("pk").values_list("pk", "status", "response")),
        list(Signature.objects.order_by("pk").values_list("pk", "status")),
        list(Hearing.objects.order_by("pk").values_list("pk", "decision_id", "outcome")),
        list(Obligation.objects.order_by("pk").values_list("pk", "owner_id", "fulfilled_at")),
        PaperCount.objects.count(),
        Invalidation.objects.count(),
        AgendaItem.objects.count(),
        list(PetitionScheme.objects.order_by("pk").values()),
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_petitions(scene: Scene, resident, n: int) -> None:
    """``n`` more open petitions, each with a flagged signature, an alert and an obligation."""
    for i in range(n):
        petition = domain.start_petition(
            resident, scene.council, title=f"Petition {i}", action="Do it."
        )
        domain.submit_petition(resident, petition)
        domain.moderate_petition(None, petition, publish=True)
        flooded(petition, f"P{i}", f"p{i}@spam.example", Signature.Status.CONFIRMED, scene.north)
        domain.recount_petition(petition.pk)
        AbuseAlert.objects.create(petition=petition, kind="address", key=FLOOD_ADDRESS, count=9)
        Obligation.objects.create(
            council=scene.council, petition=petition, kind="respond", threshold=1,
            owner_name="Democratic Services", due_on=timezone.localdate(),
        )  # fmt: skip
        domain.invalidate_signatures(None, petition, reason_text="Flood", flagged=True)


# --- The list ----------------------------------------------------------------------------


def test_the_list_shows_each_petition_with_its_live_count_and_abuse_flags(staff, scene):
    response = staff.get(LIST)

    assert response.status_code == 200
    assert html.title(response) == "Petitions – Mootshire – Moothall"
    assert html.h1(response) == "Petitions"
    assert html.table_rows(response) == [
        ["Save Moot Library", "Open", "4", "3", "2", _day(scene.library.closes_on)],
        ["A new bus shelter", "Draft", "0", "0", "0", "–"],
        ["Fix the footpath on Mill Lane", "Awaiting moderation", "0", "0", "0", "–"],
    ]
    assert (
        "All (3) Draft (1) Gathering sponsors (0) Awaiting moderation (1) Open (1) Closed (0) "
        "Responded (0) Debated (0) Rejected (0)"
    ) in html.main_text(response)
    assert ("Save Moot Library", f"{LIST}{scene.library.pk}/") in html.links(response)


def test_the_list_filters_by_status_and_ignores_an_unknown_one(staff, scene):
    open_only = staff.get(LIST + "?status=open")
    rejected = staff.get(LIST + "?status=rejected")
    unknown = staff.get(LIST + "?status=<script>")

    assert html.title(open_only) == "Petitions: Open – Mootshire – Moothall"
    assert [row[0] for row in html.table_rows(open_only)] == ["Save Moot Library"]
    assert "No petitions are rejected." in html.main_text(rejected)
    assert len(html.table_rows(unknown)) == 3


def test_a_moderator_is_led_to_moderation_and_the_abuse_checks_not_the_workspace(
    client, moderator, scene
):
    client.force_login(moderator)

    response = client.get(LIST)

    petitions = [link for link in html.links(response) if link[0] in (
        "Save Moot Library", "Fix the footpath on Mill Lane", "A new bus shelter")]  # fmt: skip
    assert petitions == [
        ("Save Moot Library", f"{LIST}{scene.library.pk}/abuse/"),
        ("A new bus shelter", f"{LIST}{scene.draft.pk}/abuse/"),
        ("Fix the footpath on Mill Lane", f"{LIST}{scene.waiting.pk}/moderate/"),
    ]
    assert "Obligations" not in [label for label, _ in html.links(response)]


def test_the_list_runs_the_same_few_queries_however_many_petitions(staff, scene, resident):
    few = _queries(staff, LIST)
    _more_petitions(scene, resident, 12)

    many = _queries(staff, LIST)

    assert few == many
    assert many <= 9  # session, user, roles, MFA, council, tabs, count, page, live counts


# --- Moderation ------------------------------------------------------------------------------


def test_the_moderation_queue_lists_what_waits_oldest_first(staff, scene, resident):
    later = domain.submit_petition(
        resident,
        domain.start_petition(resident, scene.council, title="Later one", action="Wait."),
    )

    response = staff.get(LIST + "moderation/")

    assert html.h1(response) == "Petitions awaiting moderation"
    assert html.table_rows(response) == [
        ["Fix the footpath on Mill Lane", "Rita Resident", "–", _when(scene.waiting.submitted_at)],
        ["Later one", "Rita Resident", "–", _when(later.submitted_at)],
    ]
    assert "2 petitions waiting" in html.main_text(response)


def test_the_moderation_queue_runs_the_same_few_queries_however_many_wait(staff, scene, resident):
    few = _queries(staff, LIST + "moderation/")
    for i in range(10):
        # Ten people (one person may have only a few waiting at once).
        author = factories.UserFactory(email=f"author{i}@example.org", name=f"Author {i}")
        domain.submit_petition(
            author, domain.start_petition(author, scene.council, title=f"P{i}", action="X")
        )

    assert _queries(staff, LIST + "moderation/") == few
    assert few <= 7


def test_a_moderator_publishes_a_petition(client, moderator, scene):
    client.force_login(moderator)
    url = f"{LIST}{scene.waiting.pk}/moderate/"
    page = client.get(url)

    response = client.post(url, {"decision": "publish"}, follow=True)

    assert html.summary(page)["What it asks"] == "Resurface the footpath."
    assert response.redirect_chain == [(LIST + "moderation/", 302)]
    assert html.banners(response) == ["Published: Fix the footpath on Mill Lane."]
    scene.waiting.refresh_from_db()
    assert scene.waiting.status == Petition.Status.OPEN
    assert AuditEntry.objects.filter(action="petitions.published", actor=moderator).count() == 1


def test_rejecting_needs_a_reason_which_is_published(client, moderator, scene):
    client.force_login(moderator)
    url = f"{LIST}{scene.waiting.pk}/moderate/"
    before = _snapshot()

    refused = client.post(url, {"decision": "reject", "reason": "  "})
    unchosen = client.post(url, {"reason": "Why not"})

    assert html.error_summary(refused) == ["Enter the reason the petition is rejected."]
    assert html.title(refused).startswith("Error: ")
    assert html.error_summary(unchosen) == ["Choose whether to publish or reject the petition."]
    assert _snapshot() == before

    client.post(url, {"decision": "reject", "reason": "It names a private person."})

    scene.waiting.refresh_from_db()
    assert scene.waiting.status == Petition.Status.REJECTED
    assert scene.waiting.rejection_reason == "It names a private person."
    assert PetitionEvent.objects.get(petition=scene.waiting, kind="rejected").is_public


def test_an_open_petition_can_only_be_rejected_not_published_again(staff, scene):
    url = f"{LIST}{scene.library.pk}/moderate/"
    before = _snapshot()

    page = staff.get(url)
    again = staff.post(url, {"decision": "publish"})

    assert "Publish the petition" not in page.content.decode()
    assert "Reject it, with a reason" in page.content.decode()
    assert html.error_summary(again) == ["Choose whether to publish or reject the petition."]
    assert _snapshot() == before

    rejected = staff.post(url, {"decision": "reject", "reason": "A duplicate."}, follow=True)

    # An officer who rejects a published petition goes back to its workspace.
    assert rejected.redirect_chain == [(f"{LIST}{scene.library.pk}/", 302)]
    assert html.summary(rejected)["Status"] == "Rejected A duplicate."


def test_a_draft_has_nothing_to_moderate(staff, scene):
    before = _snapshot()

    page = staff.get(f"{LIST}{scene.draft.pk}/moderate/")
    post = staff.post(f"{LIST}{scene.draft.pk}/moderate/", {"decision": "reject", "reason": "X"})

    assert "This petition is draft: there is nothing to moderate." in html.main_text(page)
    assert post.status_code == 200
    assert _snapshot() == before


# --- The workspace -----------------------------------------------------------------------------


def test_the_workspace_shows_the_petition_its_count_obligations_hearings_and_timeline(staff, scene):
    hearing = domain.place_petition_on_agenda(None, scene.library, scene.past, kind="hear")
    respond = scene.library.obligations.get(kind="respond")
    hear = scene.library.obligations.get(kind="hear")

    response = staff.get(f"{LIST}{scene.library.pk}/")

    assert html.h1(response) == "Save Moot Library"
    assert html.summary(response) == {
        "What it asks": "Keep the library open.",
        "Background": "–",
        "Started by": "Rita Resident",
        "Topic": "–",
        "Ward": "–",
        "Status": "Open",
        "Open": f"From {_day(scene.library.opened_at)} until {_day(scene.library.closes_on)}",
    }
    text = html.main_text(response)
    assert "4 signatures count now" in text
    assert "2 waiting for email confirmation; 0 typed in from paper." in text
    assert "Abuse checks: 3 flagged signatures, 2 open alerts" in text
    assert html.table_rows(response)[:2] == [["North", "3"], ["South", "1"]]
    page = response.content.decode()
    assert f'action="/mootshire/staff/petitions/obligations/{respond.pk}/assign/"' in page
    assert "Officer response 2 signatures" in text
    assert f"{_day(respond.due_on)} Due Democratic Services" in text
    assert f"Committee hearing 3 signatures {_day(hear.due_on)} Due" in text
    assert "Full Council, 9 May 2024 Item 3 Committee hearing Not recorded yet" in text
    assert f"{LIST}{scene.library.pk}/hearings/{hearing.pk}/decision/" in [
        href for _, href in html.links(response)
    ]
    assert "Petition started as a draft. Rita Resident Staff only" in text
    assert (
        f"Published; open for signatures until {_day(scene.library.closes_on)}. – Everyone" in text
    )
    assert f"2 signatures reached: Officer response due by {_day(respond.due_on)}." in text
    assert [label for label, _ in html.links(response)][:6] == [
        "See the public page",
        "Reject it, with a published reason",
        "Publish the council's response",
        "Place it on a meeting's agenda",
        "Enter paper signatures",
        "Close it early",
    ]


def test_the_workspace_of_a_rejected_petition_offers_no_actions(staff, scene):
    domain.moderate_petition(None, scene.waiting, publish=False, reason_text="Off topic.")

    response = staff.get(f"{LIST}{scene.waiting.pk}/")

    assert html.summary(response)["Status"] == "Rejected Off topic."
    labels = [label for label, _ in html.links(response)]
    for action in ("Publish the council's response", "Place it on a meeting's agenda",
                   "Enter paper signatures", "Close it early"):  # fmt: skip
        assert action not in labels


# --- Responding, closing ------------------------------------------------------------------------


def test_an_officer_publishes_the_councils_response(staff, scene, officer):
    url = f"{LIST}{scene.library.pk}/respond/"

    response = staff.post(url, {"response": "We will **keep** the library open."}, follow=True)

    assert response.redirect_chain == [(f"{LIST}{scene.library.pk}/", 302)]
    assert html.banners(response) == ["The response is published and signers are being told."]
    assert "<strong>keep</strong>" in response.content.decode()
    respond = scene.library.obligations.get(kind="respond")
    assert respond.fulfilled_at is not None
    assert respond.fulfilled_by == officer
    assert "Met" in html.main_text(response)


def test_an_empty_response_is_refused(staff, scene):
    before = _snapshot()

    response = staff.post(f"{LIST}{scene.library.pk}/respond/", {"response": "   "})

    assert response.status_code == 200
    assert html.error_summary(response) == ["Enter the council's response."]
    assert _snapshot() == before


def test_an_officer_closes_a_petition_early_with_a_reason(staff, scene):
    url = f"{LIST}{scene.library.pk}/close/"
    before = _snapshot()

    refused = staff.post(url, {"reason": ""})
    assert html.error_summary(refused) == ["Enter a reason."]
    assert _snapshot() == before

    response = staff.post(url, {"reason": "The council agreed to keep it."}, follow=True)

    assert html.banners(response) == ["The petition is closed. Signing has stopped."]
    scene.library.refresh_from_db()
    assert scene.library.status == Petition.Status.CLOSED
    assert "Closed early: The council agreed to keep it." in html.main_text(response)
    again = staff.post(url, {"reason": "Twice"})
    assert html.error_summary(again) == ["A petition that is Closed cannot become Closed."]


# --- Agendas and decisions ------------------------------------------------------------------------


def test_an_officer_places_the_petition_on_an_upcoming_meeting_for_debate(staff, scene, officer):
    url = f"{LIST}{scene.library.pk}/place/"
    page = staff.get(url)
    choices = [label for value, label in page.context["form"].fields["meeting"].choices if value]

    response = staff.post(
        url, {"meeting": scene.meeting.pk, "kind": "debate", "title": ""}, follow=True
    )

    # Only meetings still to come, not cancelled, whose agenda can take an item.
    assert choices == ["Full Council (Full Council), 14/03/2030 19:00"]
    assert html.banners(response) == [
        "Placed on the agenda of Full Council, 14 March 2030 as item 1."
    ]
    hearing = Hearing.objects.get(petition=scene.library)
    assert (hearing.kind, hearing.agenda_item.meeting, hearing.agenda_item.title) == (
        "debate",
        scene.meeting,
        "Petition: Save Moot Library",
    )
    assert hearing.created_by == officer


def test_placing_needs_a_meeting_of_this_council_and_a_kind(staff, scene):
    url = f"{LIST}{scene.library.pk}/place/"
    before = _snapshot()

    empty = staff.post(url, {})
    published = staff.post(url, {"meeting": scene.published_meeting.pk, "kind": "hear"})
    past = staff.post(url, {"meeting": scene.past.pk, "kind": "sing"})

    assert html.error_summary(empty) == [
        "Choose the meeting that will consider the petition.",
        "Choose a hearing or a debate.",
    ]
    assert html.error_summary(published) == ["Choose the meeting that will consider the petition."]
    assert html.error_summary(past) == [
        "Choose the meeting that will consider the petition.",
        "Choose a hearing or a debate.",
    ]
    assert _snapshot() == before


def test_an_officer_links_the_decision_taken_and_the_hearing_obligation_is_met(staff, scene):
    hearing = domain.place_petition_on_agenda(None, scene.library, scene.past, kind="hear")
    url = f"{LIST}{scene.library.pk}/hearings/{hearing.pk}/decision/"
    page = staff.get(url)
    choices = [label for _, label in page.context["form"].fields["decision"].choices]

    response = staff.post(url, {"decision": scene.decision.pk, "outcome": ""}, follow=True)

    # The exempt decision of that meeting is never offered.
    assert choices == ["No decision recorded: describe the outcome", "Keep the library open"]
    assert html.banners(response) == ["The outcome is linked and signers are being told."]
    hearing.refresh_from_db()
    assert hearing.decision == scene.decision
    assert scene.library.obligations.get(kind="hear").fulfilled_at is not None
    assert "Keep the library open" in html.main_text(response)


def test_a_debate_linked_with_an_outcome_makes_the_petition_debated(staff, scene):
    hearing = domain.place_petition_on_agenda(None, scene.library, scene.past, kind="debate")

    staff.post(
        f"{LIST}{scene.library.pk}/hearings/{hearing.pk}/decision/",
        {"outcome": "Debated; the council will consult on opening hours."},
    )

    scene.library.refresh_from_db()
    assert scene.library.status == Petition.Status.DEBATED


def test_linking_refuses_an_exempt_decision_and_an_empty_outcome(staff, scene):
    hearing = domain.place_petition_on_agenda(None, scene.library, scene.past, kind="hear")
    url = f"{LIST}{scene.library.pk}/hearings/{hearing.pk}/decision/"
    before = _snapshot()

    secret = staff.post(url, {"decision": scene.secret_decision.pk})
    empty = staff.post(url, {"decision": "", "outcome": " "})

    assert html.error_summary(secret) == ["Choose a decision taken at that meeting."]
    assert html.error_summary(empty) == ["Choose the decision taken, or describe the outcome."]
    assert _snapshot() == before


# --- Paper signatures -----------------------------------------------------------------------------


def test_an_officer_enters_a_paper_petitions_signatures_and_a_verified_count(staff, scene):
    response = staff.post(
        f"{LIST}{scene.library.pk}/paper/",
        {
            "signatures": "Gil Green, MH3 3AB\n\nHal Hughes, mh4 4de\nIda Ince,\n",
            "verified_count": "40",
            "note": "Handed in at Moot Hall.",
        },
        follow=True,
    )

    assert html.banners(response) == ["43 paper signatures added."]
    paper = Signature.objects.filter(petition=scene.library, channel="paper").order_by("pk")
    assert [(s.name, s.postcode, s.ward) for s in paper] == [
        ("Gil Green", "MH3 3AB", scene.north),
        ("Hal Hughes", "MH4 4DE", scene.south),
        ("Ida Ince", "", None),
    ]
    assert PaperCount.objects.get(petition=scene.library).note == "Handed in at Moot Hall."
    assert domain.live_count(scene.library) == 47
    assert "47 signatures count now" in html.main_text(response)
    assert "3 typed in from paper." in html.main_text(response)


def test_wrong_paper_lines_are_reported_by_line_number_and_nothing_is_added(staff, scene):
    before = _snapshot()

    response = staff.post(
        f"{LIST}{scene.library.pk}/paper/",
        {"signatures": "Gil Green, MH3 3AB\nno comma here\n, MH3 3AB\nJo, NOT A CODE\n"},
    )
    nothing = staff.post(f"{LIST}{scene.library.pk}/paper/", {"signatures": "", "note": ""})
    negative = staff.post(f"{LIST}{scene.library.pk}/paper/", {"verified_count": "-3"})

    assert html.error_summary(response) == [
        "Line 2: write the name, a comma, then the postcode.",
        "Line 3: write the name, a comma, then the postcode.",
        "Line 4: “NOT A CODE” is not a UK postcode.",
    ]
    assert html.error_summary(nothing) == ["Enter the signatures, or the verified count."]
    assert html.error_summary(negative) == ["Enter a whole number of signatures."]
    assert _snapshot() == before


# --- Obligations --------------------------------------------------------------------------------------


def test_an_officer_assigns_an_obligation_from_the_workspace(staff, scene, officer):
    respond = scene.library.obligations.get(kind="respond")

    response = staff.post(
        f"{LIST}obligations/{respond.pk}/assign/", {"owner": officer.pk}, follow=True
    )

    assert response.redirect_chain == [(f"{LIST}{scene.library.pk}/", 302)]
    assert html.banners(response) == [
        "Olive Officer now owns the officer response for “Save Moot Library”."
    ]
    respond.refresh_from_db()
    assert respond.owner == officer
    assert "An owner was named for the officer response." in html.main_text(response)


def test_the_obligations_list_puts_overdue_first_and_assigns_back_to_the_list(
    staff, scene, council_admin
):
    hear = scene.library.obligations.get(kind="hear")
    Obligation.objects.filter(pk=hear.pk).update(due_on=timezone.localdate() - dt.timedelta(1))
    respond = scene.library.obligations.get(kind="respond")
    hear.refresh_from_db()

    page = staff.get(LIST + "obligations/")
    assigned = staff.post(
        f"{LIST}obligations/{hear.pk}/assign/",
        {"owner": council_admin.pk, "back": "list"},
        follow=True,
    )

    assert html.h1(page) == "Petition obligations"
    assert [row[:4] for row in html.table_rows(page)] == [
        ["Save Moot Library", "Committee hearing", _day(hear.due_on), "Overdue"],
        ["Save Moot Library", "Officer response", _day(respond.due_on), "Due"],
    ]
    assert "1 obligation is overdue." in html.main_text(page)
    assert assigned.redirect_chain == [(LIST + "obligations/", 302)]
    assert html.table_rows(assigned)[0][4].startswith("Ada Admin")


def test_met_obligations_are_listed_apart(staff, scene):
    domain.respond_to_petition(None, scene.library, response="Yes.")

    response = staff.get(LIST + "obligations/?show=met")

    assert html.title(response) == "Obligations met – Mootshire – Moothall"
    respond = scene.library.obligations.get(kind="respond")
    assert [row[:4] for row in html.table_rows(response)] == [
        [
            "Save Moot Library",
            "Officer response",
            _day(respond.due_on),
            f"Met {_day(respond.fulfilled_at)}",
        ]
    ]


def test_the_obligations_list_runs_the_same_few_queries_however_many(staff, scene, resident):
    few = _queries(staff, LIST + "obligations/")
    _more_petitions(scene, resident, 10)

    assert _queries(staff, LIST + "obligations/") == few
    assert few <= 9


def test_the_assign_page_offers_the_councils_officers_and_admins_only(
    staff, scene, officer, council_admin, moderator, outsider
):
    respond = scene.library.obligations.get(kind="respond")

    page = staff.get(f"{LIST}obligations/{respond.pk}/assign/")

    assert [label for _, label in page.context["form"].fields["owner"].choices] == [
        "No one: the team the scheme names",
        "Ada Admin (ada.admin@example.org)",
        "Olive Officer (olive.officer@example.org)",
    ]


# --- Abuse --------------------------------------------------------------------------------------------


def test_the_abuse_view_groups_flagged_signatures_by_address_and_domain(client, moderator, scene):
    client.force_login(moderator)
    domain.resolve_alert(None, scene.domain_alert)

    response = client.get(f"{LIST}{scene.library.pk}/abuse/")

    assert html.h1(response) == "Abuse checks"
    text = html.main_text(response)
    assert (
        "4 signatures count now. 3 signatures, counted or waiting for confirmation, are "
        "flagged as unusual."
    ) in text
    assert "One internet address: 203.0.113.9 3" in text
    assert "One email domain: spam.example 2" in text
    assert "Looked at" in text
    assert "203.0.113.9 3 3 Invalidate signatures from 203.0.113.9" in text
    assert "spam.example 2 2 Invalidate signatures with email at spam.example" in text
    assert "other.example 1 1 Invalidate" in text
    assert (
        "Invalidate signatures from 203.0.113.9",
        f"{LIST}{scene.library.pk}/invalidate/?ip_address=203.0.113.9",
    ) in html.links(response)
    # The open alert comes first, with its button; the resolved one says when.
    assert text.index("203.0.113.9 3") < text.index("spam.example 2")


def test_a_moderator_marks_an_alert_as_looked_at(client, moderator, scene):
    client.force_login(moderator)

    response = client.post(
        f"{LIST}{scene.library.pk}/alerts/{scene.address_alert.pk}/resolve/", follow=True
    )

    assert html.banners(response) == [
        "Alert marked as looked at: One internet address 203.0.113.9."
    ]
    scene.address_alert.refresh_from_db()
    assert scene.address_alert.resolved_by == moderator
    assert AuditEntry.objects.filter(action="petitions.alert_resolved").count() == 1


def test_the_abuse_view_runs_the_same_few_queries_however_many_flags(staff, scene):
    few = _queries(staff, f"{LIST}{scene.library.pk}/abuse/")
    for i in range(15):
        flooded(scene.library, f"F{i}", f"f{i}@flood{i}.example", "pending", scene.south)
        AbuseAlert.objects.create(petition=scene.library, kind="domain", key=f"flood{i}.example")

    assert _queries(staff, f"{LIST}{scene.library.pk}/abuse/") == few
    assert few <= 13


# --- Invalidation -----------------------------------------------------------------------------------


def test_invalidating_shows_how_many_match_then_strikes_them_out(client, moderator, scene):
    client.force_login(moderator)
    url = f"{LIST}{scene.library.pk}/invalidate/"
    form = client.get(url + "?email_domain=spam.example")
    before = _snapshot()

    preview = client.post(url, {"email_domain": "spam.example", "reason": ""})

    assert form.context["form"]["email_domain"].value() == "spam.example"
    assert "2 signatures match (1 counted now)." in html.main_text(preview)
    assert 'name="expected" value="2"' in preview.content.decode()
    assert _snapshot() == before

    done = client.post(
        url,
        {"email_domain": "spam.example", "reason": "One flood", "confirm": "True", "expected": "2"},
        follow=True,
    )

    assert done.redirect_chain == [(f"{LIST}{scene.library.pk}/abuse/", 302)]
    assert html.banners(done) == ["2 signatures invalidated."]
    assert domain.live_count(scene.library) == 3
    invalidation = Invalidation.objects.get()
    assert (invalidation.count, invalidation.reason, invalidation.made_by) == (
        2,
        "One flood",
        moderator,
    )
    assert sorted(
        Signature.objects.filter(status="invalidated").values_list("name", flat=True)
    ) == ["Dan Flood", "Eve Flood"]


def test_signatures_chosen_in_the_abuse_view_are_invalidated_by_id(staff, scene):
    url = f"{LIST}{scene.library.pk}/invalidate/"
    dan, eve = (Signature.objects.get(name=name) for name in ("Dan Flood", "Eve Flood"))

    preview = staff.post(url, {"ids": [dan.pk, eve.pk]})
    staff.post(url, {"ids": [dan.pk, eve.pk], "reason": "Same person", "confirm": "True"})

    assert "2 signatures match (1 counted now)." in html.main_text(preview)
    assert Invalidation.objects.get().criteria == {"ids": sorted([dan.pk, eve.pk])}


def _hidden_fields(response) -> list[tuple[str, str]]:
    """The hidden inputs of the page's form, as a browser would send them back."""
    form = response.content.decode().split('<form method="post" novalidate>')[1]
    return [
        (name, unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?', form.split("</form>")[0]
        )
        if name != "csrfmiddlewaretoken"
    ]


@pytest.mark.parametrize(
    "first_step",
    [
        {"ids": "{dan} {eve}"},
        {"ip_address": FLOOD_ADDRESS, "flagged": "on", "since": "01/01/2020 10:00"},
    ],
)
def test_the_confirming_step_carries_exactly_what_was_matched(staff, scene, first_step):
    url = f"{LIST}{scene.library.pk}/invalidate/"
    dan, eve = (Signature.objects.get(name=name).pk for name in ("Dan Flood", "Eve Flood"))
    data = {
        key: value.format(dan=dan, eve=eve).split() if key == "ids" else value
        for key, value in first_step.items()
    }
    preview = staff.post(url, data)
    carried = _hidden_fields(preview)

    sent: dict[str, list[str]] = {"reason": ["Flood"], "confirm": ["True"]}
    for name, value in carried:
        sent.setdefault(name, []).append(value)
    staff.post(url, sent)

    # What a browser sends back: the same rule, and the number seen.
    expected = 2 if "ids" in first_step else 3
    assert ("expected", str(expected)) in carried
    assert Invalidation.objects.get().count == expected


def test_a_changed_number_of_matches_is_shown_again_before_anything_is_struck_out(staff, scene):
    url = f"{LIST}{scene.library.pk}/invalidate/"
    flooded(scene.library, "Gus Flood", "gus@spam.example", "pending", None)
    before = _snapshot()

    response = staff.post(
        url,
        {"email_domain": "spam.example", "reason": "Flood", "confirm": "True", "expected": "2"},
    )

    assert (
        "The number of matching signatures changed from 2 to 3 while you were looking."
        in html.main_text(response)
    )
    assert 'name="expected" value="3"' in response.content.decode()
    assert _snapshot() == before


def test_bad_invalidation_input_is_refused_with_clear_messages(staff, scene, other_council):
    url = f"{LIST}{scene.library.pk}/invalidate/"
    foreign = Signature.objects.create(petition=scene.elsewhere, name="X", email="x@y.example")
    before = _snapshot()

    nothing = staff.post(url, {"reason": "No rule"})
    address = staff.post(url, {"ip_address": "999.1.1.1"})
    domain_ = staff.post(url, {"email_domain": "not a domain"})
    window = staff.post(url, {"since": "14/03/2030 18:00", "until": "14/03/2030 17:00"})
    no_reason = staff.post(url, {"ip_address": FLOOD_ADDRESS, "confirm": "True"})
    ids = staff.post(url, {"ids": ["one"]})
    elsewhere = staff.post(url, {"ids": [foreign.pk]})

    assert html.error_summary(nothing) == ["Say which signatures to invalidate."]
    assert html.error_summary(address) == [
        "Enter an internet address, like 192.0.2.1 or 2001:db8::1."
    ]
    assert html.error_summary(domain_) == ["Enter a domain, like example.com."]
    assert html.error_summary(window) == ["The end must be after the start."]
    assert html.error_summary(no_reason) == ["Enter a reason."]
    assert "3 signatures match (1 counted now)." in html.main_text(no_reason)  # still confirming
    assert html.error_summary(ids) == ["Choose signatures from the list."]
    assert "No signatures match. Nothing has been changed." in html.main_text(elsewhere)
    assert _snapshot() == before


def test_past_invalidations_are_listed_with_their_rule_and_reason(client, moderator, scene):
    client.force_login(moderator)
    domain.invalidate_signatures(
        moderator, scene.library, reason_text="A flood", ip_address=FLOOD_ADDRESS, flagged=True
    )
    invalidation = Invalidation.objects.get()

    response = client.get(f"{LIST}{scene.library.pk}/invalidations/")

    assert html.h1(response) == "Past invalidations"
    assert html.table_rows(response) == [
        [
            _when(invalidation.created_at),
            "Morgan Moderator",
            "from the address 203.0.113.9; flagged only",
            "3",
            "A flood",
        ]
    ]


def test_the_invalidations_list_runs_the_same_few_queries_however_many(staff, scene):
    domain.invalidate_signatures(None, scene.library, reason_text="One", ids=[1])
    few = _queries(staff, f"{LIST}{scene.library.pk}/invalidations/")
    for i in range(10):
        domain.invalidate_signatures(None, scene.library, reason_text=f"R{i}", ids=[i + 2])

    assert _queries(staff, f"{LIST}{scene.library.pk}/invalidations/") == few
    assert few <= 8


# --- The scheme --------------------------------------------------------------------------------------


SCHEME = {
    "allow_lives": "on",
    "allow_works": "on",
    "sponsors_required": "2",
    "pre_moderation": "on",
    "duration_days": "60",
    "response_threshold": "25",
    "hearing_threshold": "",
    "debate_threshold": "750",
    "response_working_days": "10",
    "hearing_working_days": "40",
    "debate_working_days": "30",
    "obligation_owner": "Democratic Services",
    "flag_per_address_per_hour": "20",
    "alert_per_domain_per_hour": "30",
    "retention_days": "365",
    "description": "Our scheme.",
}


def test_a_council_admin_edits_the_petition_scheme(client, council_admin, scene):
    client.force_login(council_admin)
    page = client.get(LIST + "scheme/")

    response = client.post(LIST + "scheme/", SCHEME, follow=True)

    assert html.h1(page) == "Petition scheme"
    assert page.context["form"]["debate_threshold"].value() == 10
    assert html.banners(response) == ["The petition scheme has been saved."]
    scheme = PetitionScheme.objects.get(council=scene.council)
    assert (
        scheme.allow_studies,
        scheme.sponsors_required,
        scheme.duration_days,
        scheme.hearing_threshold,
        scheme.debate_threshold,
        scheme.description,
    ) == (False, 2, 60, None, 750, "Our scheme.")
    entry = AuditEntry.objects.get(action="petitions.scheme_updated")
    assert entry.details["changed"]["debate_threshold"] == [10, 750]


def test_a_council_without_a_scheme_starts_from_the_defaults(client, council_admin, council):
    client.force_login(council_admin)

    page = client.get(LIST + "scheme/")

    form = page.context["form"]
    assert (form["sponsors_required"].value(), form["debate_threshold"].value()) == (5, 1000)


def test_bad_scheme_input_is_refused_with_clear_messages(client, council_admin, scene):
    client.force_login(council_admin)
    before = _snapshot()

    nobody = client.post(LIST + "scheme/", {**SCHEME, "allow_lives": "", "allow_works": ""})
    numbers = client.post(
        LIST + "scheme/",
        {**SCHEME, "duration_days": "0", "sponsors_required": "many", "retention_days": "9"},
    )
    threshold = client.post(LIST + "scheme/", {**SCHEME, "response_threshold": "0"})

    assert html.error_summary(nobody) == ["Let at least one group of people sign."]
    assert html.error_summary(numbers) == [
        "Enter a whole number.",
        "Enter a number no smaller than 1.",
        "Enter a number no smaller than 30.",
    ]
    assert html.error_summary(threshold) == ["A threshold must be at least 1."]
    assert _snapshot() == before


def test_an_officer_enters_a_paper_petition_then_its_signatures(client, council, officer):
    client.force_login(officer)

    form = client.get("/mootshire/staff/petitions/paper/")
    assert form.status_code == 200
    response = client.post(
        "/mootshire/staff/petitions/paper/",
        {
            "title": "Sunday buses to the harbour",
            "action": "Keep the number 14 running on Sundays.",
            "creator_name": "Harbour Residents' Association",
        },
    )

    petition = Petition.objects.get(title="Sunday buses to the harbour")
    assert response.status_code == 302
    assert response["Location"] == f"/mootshire/staff/petitions/{petition.pk}/paper/"
    assert petition.is_paper
    assert petition.status == Petition.Status.OPEN
    assert petition.creator is None
    assert petition.creator_name == "Harbour Residents' Association"


def test_a_paper_petition_without_what_it_asks_is_refused_with_a_message(client, council, officer):
    client.force_login(officer)

    response = client.post(
        "/mootshire/staff/petitions/paper/", {"title": "Buses", "creator_name": "Someone"}
    )

    assert response.status_code == 200
    assertContains(response, "Enter what the petition asks the council to do.")
    assert not Petition.objects.exists()
