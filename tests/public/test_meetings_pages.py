"""The public pages of open council business, read by a resident who is not signed in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from moothall.meetings import domain
from moothall.meetings.models import Meeting
from tests import factories
from tests.public.meetings_scene import LONDON, PUBLIC_PDF, Scene, build_scene, councillor

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, resident) -> Scene:
    return build_scene(council, resident)


def _row(key: str, value: str) -> str:
    return (
        f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value">{value}</dd></div>'
    )


# --- The meetings calendar ---------------------------------------------------------


def test_the_calendar_lists_upcoming_meetings_soonest_first_with_their_status(client, scene):
    response = client.get("/mootshire/meetings/")

    assert response.status_code == 200
    assert response.context["council"] == scene.council
    assert list(response.context["page"].object_list) == [
        scene.upcoming,
        scene.cancelled,
        scene.postponed,
    ]
    assertContains(response, '<h1 class="govuk-heading-l">Meetings</h1>', html=True)
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/meetings/{scene.upcoming.pk}/">'
        "Planning Committee</a>",
        html=True,
    )
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--red">Cancelled</strong>', html=True
    )
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--orange">Postponed</strong>', html=True
    )
    assertContains(
        response,
        '<time datetime="2030-03-14T18:30:00+00:00">Thursday 14 March 2030, 18:30</time>',
        html=True,
    )
    assertNotContains(response, f"/mootshire/meetings/{scene.held.pk}/")


def test_the_past_tab_lists_past_meetings_most_recent_first(client, scene):
    older = domain.create_meeting(
        None, scene.body, start=dt.datetime(2023, 1, 5, 10, 0, tzinfo=LONDON)
    )

    response = client.get("/mootshire/meetings/?when=past")

    assert list(response.context["page"].object_list) == [scene.held, older]
    assertContains(
        response,
        '<a class="govuk-tabs__tab" href="?when=past" aria-current="page">Past</a>',
        html=True,
    )


def test_the_calendar_filters_by_body(client, scene):
    cabinet = domain.create_body(None, scene.council, name="Cabinet", kind="cabinet")
    budget = domain.create_meeting(
        None, cabinet, start=dt.datetime(2030, 2, 1, 10, 0, tzinfo=LONDON)
    )

    everything = client.get("/mootshire/meetings/")
    only_cabinet = client.get("/mootshire/meetings/?body=cabinet")
    unknown = client.get("/mootshire/meetings/?body=no-such-body")

    assert everything.context["page"].object_list[0] == budget
    assert list(only_cabinet.context["page"].object_list) == [budget]
    assertContains(only_cabinet, '<option value="cabinet" selected>Cabinet</option>', html=True)
    assert len(unknown.context["page"].object_list) == 4


def test_the_calendar_is_paginated(client, council):
    body = factories.BodyFactory(council=council, name="Panel", slug="panel")
    for day in range(22):
        factories.MeetingFactory(
            body=body, start=dt.datetime(2030, 1, 1, 10, tzinfo=dt.UTC) + dt.timedelta(days=day)
        )

    first = client.get("/mootshire/meetings/?body=panel")
    second = client.get("/mootshire/meetings/?body=panel&page=2")

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 2
    assertContains(first, 'href="?body=panel&amp;page=2"')
    assertContains(first, "Page 1 of 2")


def test_meetings_of_another_council_never_show(client, scene, other_council):
    elsewhere = factories.BodyFactory(council=other_council, name="Elsewhere Cabinet")
    theirs = factories.MeetingFactory(body=elsewhere, title="Elsewhere budget meeting")

    mine = client.get("/mootshire/meetings/")
    body_page = client.get(f"/mootshire/bodies/{elsewhere.slug}/")
    meeting_page = client.get(f"/mootshire/meetings/{theirs.pk}/")
    their_calendar = client.get("/elsewhere/meetings/")

    assertNotContains(mine, "Elsewhere budget meeting")
    assert body_page.status_code == 404
    assert meeting_page.status_code == 404
    assert list(their_calendar.context["page"].object_list) == [theirs]
    assert client.get(f"/elsewhere/meetings/{scene.held.pk}/").status_code == 404
    assert client.get(f"/elsewhere/decisions/{scene.decision.pk}/").status_code == 404
    assert client.get(f"/elsewhere/documents/{scene.report_pdf.pk}/").status_code == 404
    assert client.get(f"/elsewhere/documents/{scene.report_pdf.pk}/file").status_code == 404


def test_an_unknown_council_has_no_meetings_pages(client, db):
    for url in [
        "/nowhere/meetings/",
        "/nowhere/meetings/1/",
        "/nowhere/bodies/",
        "/nowhere/decisions/",
        "/nowhere/forward-plan/",
        "/nowhere/meetings.ics",
        "/nowhere/feeds/meetings.atom",
    ]:
        assert client.get(url).status_code == 404, url


# --- One meeting ----------------------------------------------------------------------


def test_a_meeting_page_shows_the_agenda_with_numbers_and_rendered_descriptions(client, scene):
    response = client.get(f"/mootshire/meetings/{scene.held.pk}/")

    assert response.status_code == 200
    assertContains(
        response,
        '<h1 class="govuk-heading-l">Planning Committee, 14 March 2024</h1>',
        html=True,
    )
    assertContains(response, '<h3 class="govuk-heading-m">1. Apologies</h3>', html=True)
    assertContains(response, '<h3 class="govuk-heading-m">2. Bins in Moot Ward</h3>', html=True)
    assertContains(
        response, '<h4 class="govuk-heading-s">2a. Appendix: collection rounds</h4>', html=True
    )
    assertContains(
        response,
        '<div class="govuk-body mh-markdown"><p>The <strong>collection</strong> report.</p></div>',
        html=True,
    )
    assertContains(response, "Lead officer: Pat Planner")
    assertContains(
        response,
        '<h3 class="govuk-heading-m">3. Exempt item – not for publication '
        "(Schedule 12A paragraph 3)</h3>",
        html=True,
    )
    assertContains(
        response,
        '<h4 class="govuk-heading-s">3a. Exempt item – not for publication '
        "(Schedule 12A paragraph 3)</h4>",
        html=True,
    )
    assertContains(response, _row("Venue", "Council Chamber, Moot Hall"), html=True)
    assertContains(
        response,
        _row(
            "Webcast",
            '<a class="govuk-link" href="https://webcast.example/planning-2024-03-14" '
            'rel="noopener noreferrer">Watch the webcast</a>',
        ),
        html=True,
    )
    assertContains(
        response,
        _row("Status", '<strong class="govuk-tag govuk-tag--grey">Held</strong>'),
        html=True,
    )


def test_a_meeting_page_shows_papers_decisions_and_accepted_questions(client, scene):
    response = client.get(f"/mootshire/meetings/{scene.held.pk}/")

    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/documents/{scene.report_pdf.pk}/">Bins report</a>',
        html=True,
    )
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/documents/{scene.pack.pk}/">Agenda pack</a>',
        html=True,
    )
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/decisions/{scene.decision.pk}/">'
        "Weekly bin collections in Moot Ward</a>",
        html=True,
        count=2,
    )
    assertContains(
        response,
        "<li>Public question from Rita R: When will the bins be collected?</li>",
        html=True,
    )
    assertNotContains(response, "A declined deputation.")


def test_a_meeting_page_shows_who_voted_how_with_totals(client, scene):
    response = client.get(f"/mootshire/meetings/{scene.held.pk}/")

    [table] = response.context["vote_tables"]
    assert table.vote == scene.vote
    assert table.totals == [
        ("For", 1),
        ("Against", 1),
        ("Abstain", 0),
        ("Absent", 1),
        ("Not voting", 0),
    ]
    assert [(r.councillor.name, r.position) for r in table.records] == [
        ("Ada Lovelace", "for"),
        ("Ben Brook", "against"),
        ("Cy Cole", "absent"),
    ]
    assertContains(
        response,
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
        f'<a class="govuk-link" href="/mootshire/councillors/{scene.ben.pk}-ben-brook/">Ben Brook</a>'
        '</th><td class="govuk-table__cell">Against</td></tr>',
        html=True,
    )
    assertContains(
        response,
        '<caption class="govuk-table__caption govuk-table__caption--s">How each councillor voted</caption>',
        html=True,
    )


def test_a_meeting_page_shows_attendance_declarations_and_the_public_timeline(client, scene):
    response = client.get(f"/mootshire/meetings/{scene.held.pk}/")

    assertContains(
        response,
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
        f'<a class="govuk-link" href="/mootshire/councillors/{scene.cy.pk}-cy-cole/">Cy Cole</a>'
        '</th><td class="govuk-table__cell">Apologies</td></tr>',
        html=True,
    )
    assertContains(
        response,
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">Ada Lovelace</th>'
        '<td class="govuk-table__cell">2</td><td class="govuk-table__cell">Other registrable interest</td>'
        '<td class="govuk-table__cell">Lives on a collection round.</td></tr>',
        html=True,
    )
    sentences = [sentence for _, sentence in response.context["timeline"]]
    assert sentences == [
        "Meeting scheduled for 14 March 2024, 18:30.",
        "Agenda published.",
        "Public question from Rita R accepted.",
        "Attendance recorded: 2 present.",
        "Ada Lovelace declared an interest (Other registrable interest).",
        "Decision recorded: Weekly bin collections in Moot Ward.",
        "Vote recorded: 1 for, 1 against, 0 abstentions.",
    ]


def test_a_late_agenda_is_announced_with_its_reason(client, council):
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    meeting = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
    )
    domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(
        None,
        meeting,
        now=dt.datetime(2030, 3, 8, 9, tzinfo=LONDON),
        late_reason="Budget figures came late",
    )

    response = client.get(f"/mootshire/meetings/{meeting.pk}/")

    assertContains(
        response,
        "Agenda published late: it was published on 8 March 2030, after the deadline of "
        "6 March 2030. Reason: Budget figures came late",
    )
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--orange">Urgent</strong>', html=True
    )


def test_a_cancelled_meeting_keeps_its_page_with_the_reason(client, scene):
    response = client.get(f"/mootshire/meetings/{scene.cancelled.pk}/")

    assert response.status_code == 200
    assertContains(
        response,
        '<div class="govuk-inset-text" id="status-notice">This meeting has been cancelled. '
        "Reason: Not enough business</div>",
        html=True,
    )
    assertNotContains(response, "Take part in this meeting")


def test_a_postponed_meeting_says_so_with_the_reason(client, scene):
    response = client.get(f"/mootshire/meetings/{scene.postponed.pk}/")

    assertContains(
        response,
        '<div class="govuk-inset-text" id="status-notice">This meeting has been postponed. '
        "A new date will be published. Reason: The chair is unwell</div>",
        html=True,
    )


def test_an_unpublished_agenda_is_not_shown(client, council):
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    meeting = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
    )
    domain.add_agenda_item(None, meeting, title="Draft item not yet public")

    response = client.get(f"/mootshire/meetings/{meeting.pk}/")

    assertContains(
        response,
        "The agenda for this meeting has not been published yet. "
        "It must be published by Wednesday 6 March 2030.",
    )
    assertNotContains(response, "Draft item not yet public")
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/meetings/{meeting.pk}/take-part/">'
        "Take part in this meeting</a>",
        html=True,
    )


def test_a_webcast_link_that_is_not_http_is_not_shown(client, council):
    meeting = factories.MeetingFactory(
        body=factories.BodyFactory(council=council), webcast_url="javascript:alert(1)"
    )

    response = client.get(f"/mootshire/meetings/{meeting.pk}/")

    assertNotContains(response, "javascript:")
    assertNotContains(response, "Watch the webcast")


def test_a_missing_meeting_is_not_found(client, scene):
    assert client.get("/mootshire/meetings/999999/").status_code == 404


# --- Bodies ------------------------------------------------------------------------------


def test_the_bodies_page_lists_bodies_that_meet_and_those_that_no_longer_do(client, scene):
    old = domain.create_body(None, scene.council, name="Old Panel", kind="panel")
    domain.update_body(None, old, is_active=False)

    response = client.get("/mootshire/bodies/")

    assert response.context["active"] == [scene.body]
    assert response.context["inactive"] == [old]
    assertContains(
        response,
        '<a class="govuk-link" href="/mootshire/bodies/planning-committee/">Planning Committee</a>',
        html=True,
    )


def test_a_body_page_lists_current_members_chair_first_and_its_meetings(client, scene):
    gone = councillor(scene.council, "Gone Member")
    domain.add_member(
        None,
        scene.body,
        gone,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 1, 1),
    )

    response = client.get("/mootshire/bodies/planning-committee/")

    assert response.status_code == 200
    assert [(m.councillor.name, m.role) for m in response.context["members"]] == [
        ("Ada Lovelace", "chair"),
        ("Cy Cole", "vice_chair"),
        ("Ben Brook", "member"),
    ]
    assert response.context["upcoming"] == [scene.upcoming, scene.cancelled, scene.postponed]
    assert response.context["recent"] == [scene.held]
    assertContains(response, '<h1 class="govuk-heading-l">Planning Committee</h1>', html=True)
    assertNotContains(response, "Gone Member")


def test_an_unknown_body_is_not_found(client, scene):
    assert client.get("/mootshire/bodies/no-such-body/").status_code == 404


# --- Decisions and the forward plan ----------------------------------------------------


def test_the_decisions_page_lists_public_decisions_and_filters_key_ones(client, scene):
    key = domain.record_decision(
        None,
        scene.council,
        title="Close the old depot",
        text="Resolved.",
        decision_maker="Cabinet",
        decided_on=dt.date(2024, 4, 1),
        is_key_decision=True,
    )

    everything = client.get("/mootshire/decisions/")
    key_only = client.get("/mootshire/decisions/?key=1")

    assert list(everything.context["page"].object_list) == [key, scene.decision]
    assert list(key_only.context["page"].object_list) == [key]
    assertContains(
        everything,
        '<strong class="govuk-tag govuk-tag--red">Taken without the required notice</strong>',
        html=True,
    )


def test_a_decision_page_shows_its_whole_record(client, scene):
    response = client.get(f"/mootshire/decisions/{scene.decision.pk}/")

    assert response.status_code == 200
    assertContains(
        response, '<h1 class="govuk-heading-l">Weekly bin collections in Moot Ward</h1>', html=True
    )
    assertContains(response, _row("Decided on", "14 March 2024"), html=True)
    assertContains(response, _row("Taken by", "Planning Committee"), html=True)
    assertContains(
        response,
        _row(
            "Agenda item",
            f'<a class="govuk-link" href="/mootshire/meetings/{scene.held.pk}/#item-{scene.report.pk}">'
            "2. Bins in Moot Ward</a>",
        ),
        html=True,
    )
    assertContains(response, _row("Call-in deadline", "21 March 2024"), html=True)
    assertContains(
        response,
        '<div class="govuk-body mh-markdown"><p>Resolved: collect the bins <strong>weekly</strong>.'
        "</p></div>",
        html=True,
    )
    assertContains(response, "<p>Residents asked.</p>", html=True)
    assertContains(response, "<p>Fortnightly collections.</p>", html=True)
    assert [t.vote for t in response.context["vote_tables"]] == [scene.vote]
    assertNotContains(response, "without 28 days")


def test_a_key_decision_without_notice_carries_a_visible_warning(client, council):
    decision = domain.record_decision(
        None,
        council,
        title="Close the old depot",
        text="Resolved.",
        decision_maker="Cabinet",
        decided_on=dt.date(2024, 4, 1),
        is_key_decision=True,
    )

    response = client.get(f"/mootshire/decisions/{decision.pk}/")

    assertContains(
        response,
        "Key decision taken without 28 days' notice in the forward plan and without a "
        "recorded exception",
    )


def test_a_called_in_decision_shows_its_status_and_reason(client, scene):
    domain.set_decision_status(
        None,
        scene.decision,
        "called_in",
        reason="Scrutiny asked for it",
        today=dt.date(2024, 3, 15),
    )

    response = client.get(f"/mootshire/decisions/{scene.decision.pk}/")

    assertContains(
        response, '<strong class="govuk-tag govuk-tag--orange">Called in</strong>', html=True
    )
    assertContains(response, "Reason: Scrutiny asked for it")


def test_the_forward_plan_lists_planned_key_decisions_soonest_first(client, council):
    later = domain.add_forward_plan_entry(
        None,
        council,
        title="Sell the old depot",
        decision_maker="Cabinet",
        expected_date=dt.date(2030, 6, 1),
        exempt_paragraph=3,
    )
    sooner = domain.add_forward_plan_entry(
        None,
        council,
        title="Adopt the local plan",
        decision_maker="Full Council",
        expected_date=dt.date(2030, 5, 1),
        summary="The plan for 2030 to 2045.",
    )

    response = client.get("/mootshire/forward-plan/")

    assert list(response.context["page"].object_list) == [sooner, later]
    assertContains(response, "The plan for 2030 to 2045.")
    assertContains(response, "Expected to be taken in private (Schedule 12A paragraph 3).")


# --- Documents -----------------------------------------------------------------------------


def test_a_document_page_shows_its_details_and_a_download_link(client, scene):
    response = client.get(f"/mootshire/documents/{scene.report_pdf.pk}/")

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">Bins report</h1>', html=True)
    assertContains(response, _row("Type", "Report"), html=True)
    assertContains(response, _row("Published", "1 March 2024"), html=True)
    assertContains(response, _row("File", f"PDF, {len(PUBLIC_PDF)}\xa0bytes"), html=True)
    assertContains(response, f'href="/mootshire/documents/{scene.report_pdf.pk}/file"')


def test_a_pdf_is_streamed_to_open_in_the_browser(client, scene):
    response = client.get(f"/mootshire/documents/{scene.report_pdf.pk}/file")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bins-report.pdf"'
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PUBLIC_PDF


def test_an_html_document_is_downloaded_never_shown_as_a_page(client, council):
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    meeting = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
    )
    domain.add_agenda_item(None, meeting, title="Budget")
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script>Report</body></html>"
    document = domain.attach_document(
        None, council, data=html, title='Budget "report" <b>', kind="report", meeting=meeting
    )
    domain.publish_agenda(None, meeting, now=dt.datetime(2030, 3, 1, 9, tzinfo=LONDON))

    response = client.get(f"/mootshire/documents/{document.pk}/file")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html"
    assert response["Content-Disposition"] == 'attachment; filename="budget-report-b.html"'
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_an_unpublished_document_is_not_found(client, council):
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    meeting = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
    )
    document = domain.attach_document(
        None, council, data=PUBLIC_PDF, title="Draft", kind="report", meeting=meeting
    )

    assert client.get(f"/mootshire/documents/{document.pk}/").status_code == 404
    assert client.get(f"/mootshire/documents/{document.pk}/file").status_code == 404


# --- The councillor's record ----------------------------------------------------------------


def test_a_councillor_page_shows_attendance_over_the_last_twelve_months(client, scene):
    now = timezone.now()
    for days_ago, status in [
        (10, "present"),
        (40, "substitute"),
        (70, "apologies"),
        (400, "absent"),
    ]:
        meeting = domain.create_meeting(None, scene.body, start=now - dt.timedelta(days=days_ago))
        domain.record_attendance(None, meeting, {scene.ada.pk: status})
    future = domain.create_meeting(None, scene.body, start=now + dt.timedelta(days=5))
    domain.record_attendance(None, future, {scene.ada.pk: "absent"})

    response = client.get(f"/mootshire/councillors/{scene.ada.pk}-ada-lovelace/")

    summary = response.context["attendance"]
    assert (summary.recorded, summary.attended, summary.rate) == (3, 2, 67)
    assertContains(response, "Attended 2 of the 3 meetings recorded in the last 12 months (67%).")


def test_a_councillor_page_lists_their_public_votes_linked_to_the_meeting(client, scene):
    response = client.get(f"/mootshire/councillors/{scene.ben.pk}-ben-brook/")

    assert [record.vote for record in response.context["votes"]] == [scene.vote]
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/meetings/{scene.held.pk}/#vote-{scene.vote.pk}">'
        "Planning Committee, 14 March 2024</a>",
        html=True,
    )
    assertContains(response, '<td class="govuk-table__cell">Against</td>', html=True)


def test_a_councillor_with_no_record_says_so(client, council):
    member = councillor(council, "Nora New")

    response = client.get(f"/mootshire/councillors/{member.pk}-nora-new/")

    assertContains(response, "No attendance has been recorded for them in the last 12 months.")
    assertContains(response, "No recorded votes.")


# --- The council page links to its business ----------------------------------------------------


def test_the_council_page_links_to_meetings_decisions_forward_plan_and_bodies(client, council):
    response = client.get("/mootshire/")

    for href, label in [
        ("/mootshire/meetings/", "Meetings"),
        ("/mootshire/decisions/", "Decisions"),
        ("/mootshire/forward-plan/", "Forward plan of key decisions"),
        ("/mootshire/bodies/", "Committees and other bodies"),
    ]:
        assertContains(response, f'<a class="govuk-link" href="{href}">{label}</a>', html=True)


def test_meeting_status_choices_are_all_shown_with_a_tag(client, council):
    body = factories.BodyFactory(council=council)
    for status in Meeting.Status.values:
        factories.MeetingFactory(body=body, status=status)

    response = client.get("/mootshire/meetings/")

    for label in ["Scheduled", "Postponed", "Cancelled", "Held"]:
        assertContains(response, f">{label}</strong>")


# --- Awkward addresses ------------------------------------------------------------------------

AWKWARD = ["\x00", "-1", "9" * 25, "%", "é", "²", "", "past", "1"]


@pytest.mark.parametrize("value", AWKWARD)
def test_any_query_on_a_meetings_page_is_answered_below_500(client, scene, value):
    for path in [
        "/mootshire/meetings/",
        "/mootshire/decisions/",
        "/mootshire/forward-plan/",
    ]:
        for name in ("page", "when", "body", "key"):
            response = client.get(path, {name: value})
            assert response.status_code == 200, (path, name, value)


@pytest.mark.parametrize("value", AWKWARD)
def test_any_withdraw_value_is_answered_below_500(client, scene, resident, value):
    client.force_login(resident)

    response = client.post(f"/mootshire/meetings/{scene.held.pk}/take-part/", {"withdraw": value})

    assert response.status_code in {302, 404}


@pytest.mark.parametrize(
    "url",
    [
        "/mootshire/meetings/99999999999999999999999/",
        "/mootshire/meetings/99999999999999999999999/take-part/",
        "/mootshire/decisions/99999999999999999999999/",
        "/mootshire/documents/99999999999999999999999/",
        "/mootshire/documents/99999999999999999999999/file",
    ],
)
def test_a_huge_number_in_an_address_is_not_found(client, scene, url):
    assert client.get(url).status_code == 404
