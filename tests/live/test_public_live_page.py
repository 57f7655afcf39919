"""A resident follows a meeting on its live page: the state at load in each phase
(not started, live, private session, adjourned, ended), the live blog, comments and
media, and what the script needs from the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from moothall.live import contributions, domain
from moothall.live.models import LiveEvent
from moothall.meetings import domain as meetings
from tests import factories
from tests.live import contributions_scene as scene

pytestmark = pytest.mark.django_db


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(response, attribute: str, value: str | None = None) -> list[dict[str, str | None]]:
    """The attributes of every element of the page that has ``attribute`` (= ``value``)."""
    parser = _Tags()
    parser.feed(response.content.decode())
    return [
        attrs
        for _tag, attrs in parser.tags
        if attribute in attrs and (value is None or attrs[attribute] == value)
    ]


def shown(response, attribute: str, value: str | None = None) -> bool:
    (found,) = tags(response, attribute, value)
    return "hidden" not in found


@pytest.fixture
def meeting(council):
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    meeting = factories.MeetingFactory(body=body, agenda_published_at=timezone.now())
    factories.AgendaItemFactory(meeting=meeting, title="Apologies", position=0)
    factories.AgendaItemFactory(meeting=meeting, title="Library opening hours", position=1)
    factories.AgendaItemFactory(
        meeting=meeting, title="Sale of the depot", position=2, kind="exempt", exempt_paragraph=3
    )
    meetings.renumber(meeting)
    return meeting


def item(meeting, title):
    return meeting.items.get(title=title)


def url(meeting) -> str:
    return f"/mootshire/meetings/{meeting.pk}/live/"


def on_item(officer, meeting, title):
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, item(meeting, title))


# --- The state at load ------------------------------------------------------------------


def test_before_the_meeting_starts_the_page_says_so_and_takes_nothing(client, resident, meeting):
    client.force_login(resident)

    response = client.get(url(meeting))

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">Cabinet: follow it live</h1>', html=True)
    (status,) = tags(response, "data-live-status")
    assert status["data-live-status"] == "not_started"
    assertContains(response, "Not started yet</strong>")
    assert shown(response, "data-live-item", "none")
    assert shown(response, "data-live-closed", "not_started")
    assert not shown(response, "data-live-open")
    assert not shown(response, "data-live-private")


def test_while_live_the_page_shows_the_item_under_discussion(client, officer, meeting):
    on_item(officer, meeting, "Library opening hours")

    response = client.get(url(meeting))

    assertContains(response, "Live</strong>")
    assertContains(
        response,
        '<span data-live-item="public"><span data-live-item-number>2</span>. '
        "<span data-live-item-title>Library opening hours</span></span>",
        html=True,
    )
    assert not shown(response, "data-live-item", "private")
    assert shown(response, "data-live-open")
    assert not shown(response, "data-live-private")
    for closed in ("not_started", "private", "adjourned", "ended"):
        assert not shown(response, "data-live-closed", closed)


def test_in_private_session_the_exempt_item_is_never_named_and_the_forms_close(
    client, resident, officer, meeting
):
    on_item(officer, meeting, "Sale of the depot")
    client.force_login(resident)

    response = client.get(url(meeting))

    assertNotContains(response, "Sale of the depot")
    assertNotContains(response, "depot")
    assert shown(response, "data-live-private")
    assertContains(response, '<h2 class="govuk-heading-m">Private session</h2>', html=True)
    assert shown(response, "data-live-item", "private")
    assertContains(response, "<span data-live-private-number>3</span>", html=True)
    assert not shown(response, "data-live-item", "public")
    assert shown(response, "data-live-closed", "private")
    assertContains(
        response, "Comments and uploads are closed until the meeting returns to public business."
    )
    assert not shown(response, "data-live-open")
    page = response.content.decode()
    # The forms are not on the page: only in the template the script uses when it reopens.
    assert page.count('id="comment-form"') == 1
    assert page.index('<template id="live-template-forms">') < page.index('id="comment-form"')


def test_an_adjourned_meeting_says_so_and_takes_nothing(client, officer, meeting):
    on_item(officer, meeting, "Library opening hours")
    domain.adjourn(officer, meeting, reason="Fire alarm")

    response = client.get(url(meeting))

    assertContains(response, "Adjourned</strong>")
    assert shown(response, "data-live-closed", "adjourned")
    assert not shown(response, "data-live-open")


def test_an_adjourned_meeting_on_an_exempt_item_still_hides_its_title(client, officer, meeting):
    on_item(officer, meeting, "Sale of the depot")
    domain.adjourn(officer, meeting)

    response = client.get(url(meeting))

    assertNotContains(response, "depot")
    assert shown(response, "data-live-item", "private")


def test_an_ended_meeting_keeps_its_blog_and_comments(client, officer, resident, meeting):
    on_item(officer, meeting, "Library opening hours")
    domain.post_blog(officer, meeting, text="Approved unanimously.")
    contributions.post_comment(resident, meeting, text="Good news for readers")
    domain.end_live(officer, meeting)

    response = client.get(url(meeting))

    assertContains(response, "Ended</strong>")
    assert shown(response, "data-live-closed", "ended")
    assert not shown(response, "data-live-open")
    assert shown(response, "data-live-item", "none")
    assertContains(response, "<p>Approved unanimously.</p>", html=True)
    assertContains(response, "Good news for readers")


def test_a_meeting_of_another_council_or_none_at_all_is_not_found(client, meeting, other_council):
    assert client.get(f"/elsewhere/meetings/{meeting.pk}/live/").status_code == 404
    assert client.get(f"/mootshire/meetings/{meeting.pk + 999}/live/").status_code == 404


# --- Blog, comments, media ------------------------------------------------------------


def test_the_blog_is_newest_first_sanitised_with_its_link_and_photo(client, officer, meeting):
    on_item(officer, meeting, "Library opening hours")
    domain.post_blog(officer, meeting, text="First: the meeting opens.")
    post = domain.post_blog(
        officer,
        meeting,
        text="**Vote** now <script>alert(1)</script>",
        link="https://example.org/report",
        photo=scene.picture(),
        photo_alt="The chamber from the gallery",
    )

    response = client.get(url(meeting))
    page = response.content.decode()

    assert page.index("<strong>Vote</strong>") < page.index("First: the meeting opens.")
    assert "<script>alert(1)</script>" not in page
    assertContains(
        response,
        '<a class="govuk-link" data-field="link" href="https://example.org/report" '
        'rel="noopener noreferrer nofollow">https://example.org/report</a>',
        html=True,
    )
    (photo,) = [t for t in tags(response, "data-field", "photo") if t.get("src")]
    assert photo["src"] == f"/mootshire/meetings/{meeting.pk}/live/blog/{post.pk}/photo"
    assert photo["alt"] == "The chamber from the gallery"
    (entry,) = [
        t for t in tags(response, "data-live-kind", "blog") if t["data-live-id"] == str(post.pk)
    ]
    assert entry


def test_published_comments_are_escaped_with_their_line_breaks(client, officer, resident, meeting):
    on_item(officer, meeting, "Library opening hours")
    comment = contributions.post_comment(resident, meeting, text="<b>Keep it open</b>\nPlease")

    response = client.get(url(meeting))

    assertContains(
        response,
        '<p class="govuk-body" data-field="text">&lt;b&gt;Keep it open&lt;/b&gt;<br>Please</p>',
        html=True,
    )
    assertContains(response, '<strong data-field="name">Rita Resident</strong>', html=True)
    assert [
        t["data-live-id"] for t in tags(response, "data-live-kind", "comment") if t["data-live-id"]
    ] == [str(comment.pk)]


def test_comments_waiting_for_a_moderator_are_not_shown(
    client, officer, resident, meeting, council
):
    scene.LiveSettings.objects.create(council=council, comment_moderation="pre")
    on_item(officer, meeting, "Library opening hours")
    contributions.post_comment(resident, meeting, text="Not yet checked")

    response = client.get(url(meeting))

    assertNotContains(response, "Not yet checked")
    assert shown(response, "data-live-empty", "comment")


def test_published_photos_and_sounds_are_shown_with_their_captions(
    client, officer, resident, meeting, council
):
    scene.LiveSettings.objects.create(council=council, media_moderation="post")
    on_item(officer, meeting, "Library opening hours")
    photo = contributions.upload_media(resident, meeting, data=scene.picture(), caption="The vote")
    sound = contributions.upload_media(resident, meeting, data=scene.wav(), caption="The debate")

    response = client.get(url(meeting))

    base = f"/mootshire/meetings/{meeting.pk}/live/media"
    (img,) = [
        t for t in tags(response, "data-field", "url") if t.get("src") == f"{base}/{photo.pk}/"
    ]
    assert img["alt"] == "The vote"
    assertContains(
        response, f'<audio controls preload="none" data-field="url" src="{base}/{sound.pk}/">'
    )
    assertContains(response, '<span data-field="caption">The debate</span>', html=True)
    page = response.content.decode()
    assert page.index(f"{base}/{sound.pk}/") < page.index(f"{base}/{photo.pk}/")


# --- What the script needs --------------------------------------------------------------


def test_the_page_carries_what_the_script_needs(client, officer, meeting):
    on_item(officer, meeting, "Library opening hours")

    response = client.get(url(meeting))

    (root,) = tags(response, "data-live-root")
    assert root["data-events-url"] == f"/mootshire/meetings/{meeting.pk}/live/events"
    last = LiveEvent.objects.filter(meeting=meeting).order_by("-seq").first()
    assert root["data-last-event-id"] == str(last.seq)
    assert root["data-time-zone"] == "Europe/London"
    ids = {t["id"] for t in tags(response, "id") if t["id"].startswith("live-template-")}
    assert ids == {
        "live-template-blog",
        "live-template-comment",
        "live-template-media-photo",
        "live-template-media-audio",
        "live-template-media-video",
    }
    for kind in ("blog", "comment", "media"):
        assert tags(response, "data-live-list", kind)
        assert tags(response, "data-live-empty", kind)
    for name in ("html", "link", "photo", "name", "text", "at", "caption", "url", "href"):
        assert tags(response, "data-field", name), name
    (status,) = tags(response, "data-live-status")
    assert status["data-label-adjourned"] == "Adjourned"
    assert status["data-class-live"] == "govuk-tag govuk-tag--red"
    (state,) = tags(response, "aria-live", "polite")
    assert state["id"] == "live-state"
    (refresh,) = tags(response, "data-live-refresh")
    assertContains(
        response, f'<a class="govuk-link" href="{url(meeting)}">Refresh this page</a>', html=True
    )
    assert "hidden" not in refresh
    assertContains(
        response, '<script type="module" src="/static/moothall/live.js"></script>', html=True
    )


def test_the_page_has_no_inline_script_and_a_strict_policy(client, officer, meeting):
    on_item(officer, meeting, "Library opening hours")

    response = client.get(url(meeting))

    policy = response["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
    assert "unsafe-inline" not in policy
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert "style=" not in page


# --- Query budget -----------------------------------------------------------------------


def test_the_page_costs_the_same_few_queries_however_much_was_posted(
    client, officer, resident, meeting, council, django_assert_max_num_queries
):
    scene.LiveSettings.objects.create(council=council, media_moderation="post")
    on_item(officer, meeting, "Library opening hours")
    client.force_login(resident)
    with django_assert_max_num_queries(14) as few:
        client.get(url(meeting))
    for n in range(12):
        domain.post_blog(
            officer,
            meeting,
            text=f"Post {n}",
            photo=scene.picture() if n < 3 else None,
            photo_alt="A photo",
        )
        author = factories.UserFactory(name=f"Resident {n}")
        contributions.post_comment(author, meeting, text=f"Comment {n}")
        contributions.upload_media(author, meeting, data=scene.picture(), caption=f"Photo {n}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(meeting))

    assert response.content.decode().count('data-live-kind="comment" data-live-id="') == 13
