"""The meeting page points to the live page while the meeting runs and afterwards, and
to its recordings with "watch from here" links on the agenda."""

from __future__ import annotations

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from moothall.live import domain
from moothall.live.models import Chapter, Recording
from moothall.meetings import domain as meetings
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(council):
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    meeting = factories.MeetingFactory(body=body, agenda_published_at=timezone.now())
    factories.AgendaItemFactory(meeting=meeting, title="Library opening hours", position=0)
    factories.AgendaItemFactory(
        meeting=meeting, title="Sale of the depot", position=1, kind="exempt", exempt_paragraph=3
    )
    meetings.renumber(meeting)
    return meeting


def url(meeting) -> str:
    return f"/mootshire/meetings/{meeting.pk}/"


def live_link(meeting) -> str:
    return f'href="/mootshire/meetings/{meeting.pk}/live/"'


def test_before_it_goes_live_the_page_has_no_banner(client, meeting):
    response = client.get(url(meeting))

    assertNotContains(response, 'id="live-banner"')
    assertNotContains(response, live_link(meeting))


def test_while_live_a_banner_says_follow_it(client, officer, meeting):
    domain.start_live(officer, meeting)

    response = client.get(url(meeting))

    assertContains(
        response,
        '<p class="govuk-notification-banner__heading">This meeting is live now – '
        f'<a class="govuk-notification-banner__link" href="/mootshire/meetings/{meeting.pk}/live/">'
        "follow it</a></p>",
        html=True,
    )
    assertContains(response, 'aria-labelledby="live-banner-title"')


def test_while_adjourned_the_banner_stays(client, officer, meeting):
    domain.start_live(officer, meeting)
    domain.adjourn(officer, meeting)

    response = client.get(url(meeting))

    assertContains(response, 'id="live-banner"')
    assertContains(
        response,
        '<h2 class="govuk-notification-banner__title" id="live-banner-title">Adjourned</h2>',
        html=True,
    )


def test_after_the_end_a_link_leads_to_the_live_blog_and_comments(client, officer, meeting):
    domain.start_live(officer, meeting)
    domain.end_live(officer, meeting)

    response = client.get(url(meeting))

    assertNotContains(response, 'id="live-banner"')
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/meetings/{meeting.pk}/live/">'
        "Live blog and comments from this meeting</a>",
        html=True,
    )


def test_a_recording_with_chapters_gives_watch_from_here_links_on_public_items(client, meeting):
    recording = Recording.objects.create(
        meeting=meeting, title="Webcast", url="https://www.youtube.com/watch?v=abc123"
    )
    public, exempt = meeting.items.order_by("sort_key")
    Chapter.objects.create(recording=recording, item=public, start_s=125, source="clerk")
    Chapter.objects.create(recording=recording, item=exempt, start_s=900, source="clerk")

    response = client.get(url(meeting))

    assertContains(
        response,
        '<a class="govuk-link" href="https://www.youtube.com/watch?v=abc123&amp;t=125">'
        'Watch from here<span class="govuk-visually-hidden"> (item 1)</span></a>',
        html=True,
    )
    assertContains(response, "Watch from here", count=1)
    assertNotContains(response, "t=900")
    assertContains(response, "Watch the recording: Webcast")


def test_the_meeting_page_stays_within_its_query_budget_with_recordings(
    client, meeting, officer, django_assert_max_num_queries
):
    domain.start_live(officer, meeting)
    with django_assert_max_num_queries(30) as before:
        client.get(url(meeting))
    for n in range(3):
        recording = Recording.objects.create(meeting=meeting, url=f"https://example.org/{n}.mp4")
        Chapter.objects.create(
            recording=recording,
            item=meeting.items.order_by("sort_key")[0],
            start_s=10,
            source="clerk",
        )

    with django_assert_max_num_queries(len(before.captured_queries) + 2):
        response = client.get(url(meeting))

    assertContains(response, "Watch the recording: Recording 3")
