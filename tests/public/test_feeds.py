"""Atom feeds, iCalendar files and the sitemap: they parse, and carry what they should."""

from __future__ import annotations

import datetime as dt

import pytest
from defusedxml import ElementTree
from django.utils import timezone
from icalendar import Calendar

from moothall.meetings import domain
from tests import factories
from tests.public.meetings_scene import LONDON, Scene, build_scene

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def scene(council, resident, settings) -> Scene:
    settings.SITE_URL = "https://moothall.example"  # calendar UIDs are named after the site
    return build_scene(council, resident)


def _atom(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    # RFC 4287: a feed has an id, a title, an updated time and (here) an author; every
    # entry has an id, a title, an updated time and a link.
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text, name
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Mootshire County Council"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"http://testserver{url}"
    dt.datetime.fromisoformat(feed.find(f"{ATOM}updated").text)
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        assert entry.find(f"{ATOM}id").text
        assert entry.find(f"{ATOM}title").text
        dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert (
            entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http://testserver/")
        )
    return feed, entries


def test_the_meetings_feed_is_atom_with_new_meetings_first(client, scene):
    feed, entries = _atom(client, "/mootshire/feeds/meetings.atom")

    assert feed.find(f"{ATOM}title").text == "Meetings of Mootshire County Council"
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"http://testserver/mootshire/meetings/{m.pk}/"
        for m in (scene.postponed, scene.cancelled, scene.upcoming, scene.held)
    ]
    assert (
        entries[1].find(f"{ATOM}title").text
        == "Planning Committee, 21 March 2030, 18:30 (Cancelled)"
    )
    assert (
        entries[1].find(f"{ATOM}summary").text
        == "Planning Committee – Cancelled – Moot Hall – Reason: Not enough business"
    )


def test_the_decisions_feed_is_atom_with_public_decisions(client, scene):
    newer = domain.record_decision(
        None,
        scene.council,
        title="Close the old depot",
        text="Resolved: *close* it.",
        decision_maker="Cabinet",
        decided_on=dt.date(2024, 5, 1),
    )

    _, entries = _atom(client, "/mootshire/feeds/decisions.atom")

    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Close the old depot",
        "Weekly bin collections in Moot Ward",
    ]
    assert entries[0].find(f"{ATOM}id").text == f"http://testserver/mootshire/decisions/{newer.pk}/"
    assert entries[0].find(f"{ATOM}summary").get("type") == "html"
    assert entries[0].find(f"{ATOM}summary").text == "<p>Resolved: <em>close</em> it.</p>"


def test_the_documents_feed_is_atom_with_a_link_to_each_file(client, scene):
    _, entries = _atom(client, "/mootshire/feeds/documents.atom")

    assert [e.find(f"{ATOM}title").text for e in entries] == ["Agenda pack", "Bins report"]
    enclosure = entries[1].find(f"{ATOM}link[@rel='enclosure']")
    assert (
        enclosure.get("href") == f"http://testserver/mootshire/documents/{scene.report_pdf.pk}/file"
    )
    assert enclosure.get("type") == "application/pdf"
    assert enclosure.get("length") == str(scene.report_pdf.stored_file.size)


def test_feeds_of_a_council_hold_only_its_own_business(client, scene, other_council):
    factories.MeetingFactory(
        body=factories.BodyFactory(council=other_council), title="Elsewhere meeting"
    )

    _, entries = _atom(client, "/mootshire/feeds/meetings.atom")

    assert "Elsewhere meeting" not in [e.find(f"{ATOM}title").text for e in entries]
    assert len(entries) == 4


def _calendar(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar.to_ical() == response.content  # a faithful round trip
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    return calendar


def test_the_council_calendar_is_rfc_5545_with_each_meeting_as_an_event(client, scene):
    calendar = _calendar(client, "/mootshire/meetings.ics")

    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    # The meeting held in 2024 is older than a year: calendars carry the last year on.
    assert sorted(events) == sorted(
        f"meeting-{m.pk}@moothall.example"
        for m in (scene.upcoming, scene.cancelled, scene.postponed)
    )
    upcoming = events[f"meeting-{scene.upcoming.pk}@moothall.example"]
    assert upcoming.decoded("DTSTART") == dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)
    assert upcoming.decoded("DTEND") == dt.datetime(2030, 3, 14, 20, 30, tzinfo=dt.UTC)
    assert str(upcoming["LOCATION"]) == "Moot Hall"
    assert str(upcoming["URL"]) == f"http://testserver/mootshire/meetings/{scene.upcoming.pk}/"
    assert str(upcoming["STATUS"]) == "CONFIRMED"
    assert str(upcoming["SUMMARY"]) == "Planning Committee"


def test_cancelled_and_postponed_meetings_are_cancelled_events_with_their_reason(client, scene):
    calendar = _calendar(client, "/mootshire/bodies/planning-committee/meetings.ics")

    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    cancelled = events[f"meeting-{scene.cancelled.pk}@moothall.example"]
    postponed = events[f"meeting-{scene.postponed.pk}@moothall.example"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Cancelled: Planning Committee"
    assert (
        str(cancelled["DESCRIPTION"])
        == "Planning Committee\nCancelled. Reason: Not enough business"
    )
    assert str(postponed["STATUS"]) == "CANCELLED"
    assert (
        str(postponed["DESCRIPTION"])
        == "Planning Committee\nPostponed. Reason: The chair is unwell"
    )
    assert b"STATUS:CANCELLED" in calendar.to_ical()


def test_a_meeting_keeps_its_uid_when_it_moves(client, scene):
    before = _calendar(client, "/mootshire/meetings.ics")
    domain.postpone_meeting(
        None,
        scene.upcoming,
        reason="Room flooded",
        new_start=dt.datetime(2030, 4, 4, 18, 30, tzinfo=LONDON),
    )
    after = _calendar(client, "/mootshire/meetings.ics")

    uid = f"meeting-{scene.upcoming.pk}@moothall.example"
    [old] = [e for e in before.walk("VEVENT") if str(e["UID"]) == uid]
    [new] = [e for e in after.walk("VEVENT") if str(e["UID"]) == uid]
    assert old.decoded("DTSTART") != new.decoded("DTSTART")
    assert new.decoded("DTSTART") == dt.datetime(2030, 4, 4, 17, 30, tzinfo=dt.UTC)  # BST
    assert str(new["STATUS"]) == "CONFIRMED"


def test_the_body_calendar_holds_only_that_bodys_meetings(client, scene):
    cabinet = domain.create_body(None, scene.council, name="Cabinet", kind="cabinet")
    domain.create_meeting(None, cabinet, start=timezone.now() + dt.timedelta(days=3))

    calendar = _calendar(client, "/mootshire/bodies/planning-committee/meetings.ics")
    cabinet_calendar = _calendar(client, "/mootshire/bodies/cabinet/meetings.ics")

    assert len(calendar.walk("VEVENT")) == 3
    assert len(cabinet_calendar.walk("VEVENT")) == 1
    assert client.get("/mootshire/bodies/nothing/meetings.ics").status_code == 404


def test_the_sitemap_lists_councils_bodies_meetings_decisions_and_documents(client, scene):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    urlset = ElementTree.fromstring(response.content)
    assert urlset.tag == f"{SITEMAP}urlset"
    locations = [u.find(f"{SITEMAP}loc").text for u in urlset.findall(f"{SITEMAP}url")]
    base = "http://testserver/mootshire"
    assert locations == [
        f"{base}/",
        f"{base}/bodies/planning-committee/",
        *[
            f"{base}/meetings/{m.pk}/"
            for m in (scene.held, scene.upcoming, scene.cancelled, scene.postponed)
        ],
        f"{base}/decisions/{scene.decision.pk}/",
        f"{base}/documents/{scene.report_pdf.pk}/",
        f"{base}/documents/{scene.pack.pk}/",
    ]
