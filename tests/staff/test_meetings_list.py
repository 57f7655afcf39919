"""The clerk's list of meetings, and scheduling, changing, postponing and cancelling one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from moothall.meetings import domain
from moothall.meetings.models import Meeting, TimelineEntry
from tests import factories
from tests.staff import html
from tests.staff.meetings_scene import FUTURE, Scene

pytestmark = pytest.mark.django_db

LIST = "/mootshire/staff/meetings/"


def _when(moment: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i")


def _soon(days: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 30)))


def test_the_list_shows_each_meetings_status_and_agenda_deadline(clerk, scene: Scene):
    body = scene.body
    passed = domain.create_meeting(None, body, start=_soon(2), title="Site visit")
    late = domain.create_meeting(None, body, start=_soon(3), title="Extra meeting")
    domain.add_agenda_item(None, late, title="Budget")
    domain.publish_agenda(None, late, late_reason="Figures came late")
    on_time = domain.create_meeting(
        None, body, start=FUTURE + dt.timedelta(days=7), title="Spring meeting"
    )
    domain.add_agenda_item(None, on_time, title="Plans")
    domain.publish_agenda(None, on_time)
    cancelled = domain.create_meeting(None, body, start=FUTURE + dt.timedelta(days=14))
    domain.cancel_meeting(None, cancelled, reason="No business")

    response = clerk.get(LIST)

    assert response.status_code == 200
    assert html.h1(response) == "Meetings"
    assert html.title(response) == "Upcoming meetings – Mootshire – Moothall"
    assert html.table_rows(response) == [
        ["Site visit", _when(passed.start), "Scheduled", "Deadline passed"],
        ["Extra meeting", _when(late.start), "Scheduled", "Published late"],
        ["Planning Committee", "14 March 2030, 18:30", "Scheduled", "Publish by 6 March"],
        ["Spring meeting", "21 March 2030, 18:30", "Scheduled", "Published"],
        ["Planning Committee", "28 March 2030, 18:30", "Cancelled", "–"],
    ]
    assert ("Planning Committee", f"/mootshire/staff/meetings/{scene.meeting.pk}/") in html.links(
        response
    )


def test_past_meetings_are_listed_newest_first(clerk, scene: Scene):
    older = domain.create_meeting(
        None, scene.body, start=timezone.make_aware(dt.datetime(2023, 1, 12, 10, 0))
    )

    response = clerk.get(LIST + "?when=past")

    assert html.title(response) == "Past meetings – Mootshire – Moothall"
    assert [row[:3] for row in html.table_rows(response)] == [
        ["Planning Committee", "9 May 2024, 18:30", "Scheduled"],
        ["Planning Committee", "12 January 2023, 10:00", "Scheduled"],
    ]
    assert older.pk != scene.past.pk


def test_the_list_shows_only_this_councils_meetings(clerk, scene: Scene):
    response = clerk.get(LIST)

    assert [row[0] for row in html.table_rows(response)] == ["Planning Committee"]
    assert scene.elsewhere_meeting.body.name not in response.content.decode()


def test_the_list_is_paginated_in_pages_of_25(clerk, scene: Scene):
    for n in range(26):
        factories.MeetingFactory(body=scene.body, start=FUTURE + dt.timedelta(days=n + 1))

    first = clerk.get(LIST)
    second = clerk.get(LIST + "?page=2")

    assert len(html.table_rows(first)) == 25
    assert len(html.table_rows(second)) == 2
    assert "Page 2 of 2" in html.main_text(second)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_runs_the_same_few_queries_however_many_meetings(clerk, scene: Scene):
    few = _queries(clerk, LIST)
    for n in range(20):
        factories.MeetingFactory(body=scene.body, start=FUTURE + dt.timedelta(days=n + 1))

    many = _queries(clerk, LIST)

    assert few == many
    assert many <= 9


def test_a_clerk_schedules_a_meeting(clerk, scene: Scene, officer):
    response = clerk.post(
        "/mootshire/staff/meetings/new/",
        {
            "body": scene.body.pk,
            "title": "",
            "date": "04/04/2030",
            "start_time": "10:00",
            "end_time": "12:30",
            "venue": "Moot Hall",
            "webcast_url": "https://webcast.example.org/4-april",
        },
    )

    meeting = Meeting.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"/mootshire/staff/meetings/{meeting.pk}/"
    assert timezone.localtime(meeting.start) == timezone.make_aware(dt.datetime(2030, 4, 4, 10))
    assert timezone.localtime(meeting.end) == timezone.make_aware(dt.datetime(2030, 4, 4, 12, 30))
    assert (meeting.body, meeting.venue, meeting.webcast_url) == (
        scene.body,
        "Moot Hall",
        "https://webcast.example.org/4-april",
    )
    assert meeting.publication_deadline == dt.date(2030, 3, 27)
    assert list(meeting.timeline.values_list("kind", "actor")) == [("created", officer.pk)]
    page = clerk.get(response["Location"])
    assert html.banners(page) == ["Meeting scheduled: Planning Committee, 4 April 2030."]


def test_a_meeting_that_ends_before_it_starts_is_refused(clerk, scene: Scene):
    before = Meeting.objects.count()

    response = clerk.post(
        "/mootshire/staff/meetings/new/",
        {"body": scene.body.pk, "date": "2030-04-04", "start_time": "10:00", "end_time": "09:00"},
    )

    assert response.status_code == 200
    assert html.error_summary(response) == ["The meeting must end after it starts."]
    assert html.error_links(response) == ["#id_end_time"]
    assert html.title(response).startswith("Error: Schedule a meeting")
    assert Meeting.objects.count() == before


def test_scheduling_with_nothing_filled_in_says_what_is_missing(clerk, scene: Scene):
    response = clerk.post("/mootshire/staff/meetings/new/", {})

    assert html.error_summary(response) == [
        "Choose the body that is meeting.",
        "Enter a date.",
        "Enter a time.",
    ]


def test_a_clerk_moves_a_meeting_and_the_timeline_says_so(clerk, scene: Scene):
    response = clerk.post(
        scene.url("edit/"),
        {"date": "2030-03-21", "start_time": "18:30", "venue": "Library", "webcast_url": ""},
    )

    scene.meeting.refresh_from_db()
    assert response.status_code == 302
    assert timezone.localtime(scene.meeting.start) == timezone.make_aware(
        dt.datetime(2030, 3, 21, 18, 30)
    )
    assert scene.meeting.venue == "Library"
    assert scene.meeting.publication_deadline == dt.date(2030, 3, 13)
    moved = scene.meeting.timeline.get(kind="rescheduled")
    assert moved.describe() == "Moved from 14 March 2030, 18:30 to 21 March 2030, 18:30."


def test_the_edit_form_starts_from_the_meetings_details(clerk, scene: Scene):
    response = clerk.get(scene.url("edit/"))

    form = response.context["form"]
    assert "body" not in form.fields
    assert form.initial["date"] == "2030-03-14"
    assert form.initial["start_time"] == "18:30"
    assert form.initial["venue"] == "Moot Hall"


def test_a_clerk_postpones_a_meeting_with_a_reason_and_a_new_date(clerk, scene: Scene):
    response = clerk.post(
        scene.url("postpone/"),
        {"reason": "The hall is flooded", "new_date": "2030-03-28", "new_time": "18:30"},
    )

    scene.meeting.refresh_from_db()
    assert response.status_code == 302
    assert scene.meeting.status == Meeting.Status.SCHEDULED
    assert scene.meeting.status_reason == "The hall is flooded"
    assert timezone.localtime(scene.meeting.start).date() == dt.date(2030, 3, 28)
    assert scene.meeting.timeline.get(kind="postponed").describe() == (
        "Postponed to 28 March 2030, 18:30. Reason: The hall is flooded"
    )


def test_postponing_without_a_new_date_leaves_the_meeting_postponed(clerk, scene: Scene):
    clerk.post(scene.url("postpone/"), {"reason": "Awaiting a report"})

    scene.meeting.refresh_from_db()
    assert scene.meeting.status == Meeting.Status.POSTPONED
    assert timezone.localtime(scene.meeting.start) == FUTURE


def test_postponing_needs_a_reason_and_both_date_and_time(clerk, scene: Scene):
    before = TimelineEntry.objects.count()

    response = clerk.post(scene.url("postpone/"), {"reason": "  ", "new_date": "2030-03-28"})

    assert html.error_summary(response) == ["Enter a reason.", "Enter the new start time."]
    assert TimelineEntry.objects.count() == before
    scene.meeting.refresh_from_db()
    assert scene.meeting.status == Meeting.Status.SCHEDULED


def test_a_clerk_cancels_a_meeting_and_it_stays_on_the_record(clerk, scene: Scene):
    response = clerk.post(scene.url("cancel/"), {"reason": "No business to transact"})

    scene.meeting.refresh_from_db()
    assert response.status_code == 302
    assert scene.meeting.status == Meeting.Status.CANCELLED
    page = clerk.get(scene.url())
    assert html.summary(page)["Status"] == "Cancelled No business to transact"
    assert "Cancelled. Reason: No business to transact" in html.main_text(page)
    # A cancelled meeting cannot be cancelled again: the verb says so in the form.
    again = clerk.post(scene.url("cancel/"), {"reason": "Twice"})
    assert html.error_summary(again) == [
        "A meeting that has been held or cancelled cannot be cancelled."
    ]
