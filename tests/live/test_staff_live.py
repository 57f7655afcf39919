"""The clerk's live console and the council's live settings, through their URLs."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from moothall.live import domain
from moothall.live.models import BlogPost, LiveEvent, LiveMeeting, LiveSettings
from moothall.meetings import domain as meetings
from tests import factories

pytestmark = pytest.mark.django_db


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


@pytest.fixture
def console(meeting):
    return f"/mootshire/staff/meetings/{meeting.pk}/live/"


@pytest.fixture
def clerk(client, officer):
    client.force_login(officer)
    return client


def said(response) -> list[str]:
    """The message this response added (earlier ones wait unread: redirects are not
    followed here)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, format="PNG")
    return out.getvalue()


# --- Who may reach it ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "council_admin", "platform_admin"])
def test_clerks_open_the_console(client, request, persona, console):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(console)
    assert response.status_code == 200
    assert "Start the meeting" in response.content.decode()


@pytest.mark.parametrize("persona", ["resident", "councillor_user", "moderator", "outsider"])
def test_everyone_else_is_refused_the_console_and_its_buttons(client, request, persona, console):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(console).status_code == 403
    assert client.post(console + "step/start/").status_code == 403
    assert client.post(console + "blog/", {"text": "Hi"}).status_code == 403
    assert not LiveMeeting.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, console):
    response = client.get(console)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_meeting_of_another_council_is_refused(client, council, outsider, other_council):
    elsewhere = factories.MeetingFactory(body__council=other_council)
    client.force_login(outsider)
    assert client.get(f"/mootshire/staff/meetings/{elsewhere.pk}/live/").status_code == 403
    assert client.get(f"/elsewhere/staff/meetings/{elsewhere.pk}/live/").status_code == 200


def test_an_unknown_meeting_is_not_found(clerk):
    assert clerk.get("/mootshire/staff/meetings/999999/live/").status_code == 404


def test_buttons_need_a_post(clerk, console):
    assert clerk.get(console + "step/start/").status_code == 405
    assert not LiveMeeting.objects.exists()


def test_buttons_need_the_csrf_token(officer, console):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(console + "step/start/").status_code == 403
    assert not LiveMeeting.objects.exists()


# --- Running the meeting ---------------------------------------------------------------


def test_the_clerk_runs_a_meeting_from_the_console(clerk, console, meeting):
    *_, exempt = meeting.items.order_by("sort_key")

    response = clerk.post(console + "step/start/")
    assert response.status_code == 302
    assert response["Location"] == console
    assert said(response) == ["The meeting is live."]

    response = clerk.post(console + "step/next/")
    assert said(response) == ["Now on item 1."]
    page = clerk.get(console).content.decode()
    assert "1. Apologies" in page
    assert "Go to this item" in page

    response = clerk.post(console + f"items/{exempt.pk}/")
    assert said(response) == ["Now on item 3."]
    page = clerk.get(console).content.decode()
    assert "Private session" in page

    response = clerk.post(console + "step/previous/")
    assert said(response) == ["Now on item 2."]

    response = clerk.post(console + "step/adjourn/", {"reason": "Tea"})
    assert said(response) == ["The meeting is adjourned."]
    assert "Resume the meeting" in clerk.get(console).content.decode()

    response = clerk.post(console + "step/resume/")
    assert said(response) == ["The meeting has resumed."]

    response = clerk.post(console + "step/end/")
    assert said(response) == ["The meeting has ended."]
    assert LiveMeeting.objects.get().status == "ended"
    assert "This meeting has ended." in clerk.get(console).content.decode()


def test_a_refused_step_is_a_message(clerk, console, meeting):
    clerk.post(console + "step/start/")
    response = clerk.post(console + "step/previous/")
    assert response.status_code == 302
    assert said(response) == ["The meeting is not on an agenda item yet: there is no item before."]
    response = clerk.post(console + "step/start/")
    assert said(response) == ["This meeting has already gone live."]


def test_an_unknown_step_is_a_message(clerk, console):
    response = clerk.post(console + "step/explode/")
    assert response.status_code == 302
    assert said(response) == ["Choose one of the buttons."]


def test_an_unpublished_agenda_is_explained_and_not_started(clerk, console, meeting):
    meeting.agenda_published_at = None
    meeting.save()
    page = clerk.get(console).content.decode()
    assert "Publish the agenda before the meeting goes live." in page
    assert "govuk-button--start" not in page
    response = clerk.post(console + "step/start/")
    assert said(response) == [
        "Publish the agenda before the meeting goes live (or record that it was published "
        "on the council's own website)."
    ]


def test_going_to_an_item_of_another_meeting_is_not_found(clerk, console, meeting):
    other = factories.AgendaItemFactory(meeting__body=meeting.body)
    clerk.post(console + "step/start/")
    assert clerk.post(console + f"items/{other.pk}/").status_code == 404


def test_a_too_long_reason_for_adjourning_is_a_message(clerk, console):
    clerk.post(console + "step/start/")
    response = clerk.post(console + "step/adjourn/", {"reason": "x" * 2001})
    assert response.status_code == 302
    assert said(response) == ["Use 2000 characters or fewer."]
    assert LiveMeeting.objects.get().status == "live"


# --- Live blog -------------------------------------------------------------------------


def test_the_clerk_posts_text_a_link_and_a_photo(clerk, console, meeting):
    clerk.post(console + "step/start/")
    response = clerk.post(
        console + "blog/",
        {
            "text": "The chair opens the meeting.",
            "link": "https://example.org/agenda",
            "photo": SimpleUploadedFile("../../etc/passwd.png", picture(), "image/png"),
            "photo_alt": "The council chamber",
        },
    )
    assert response.status_code == 302
    assert said(response) == ["Posted on the live blog."]
    post = BlogPost.objects.get()
    assert post.link == "https://example.org/agenda"
    assert "passwd" not in post.photo.name
    page = clerk.get(console).content.decode()
    assert "The chair opens the meeting." in page
    assert "The council chamber" in page
    assert LiveEvent.objects.filter(kind="blog").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Write the post."),
        ({"text": "x" * 1001}, "Use 1000 characters or fewer."),
        ({"text": "Hi", "link": "javascript:alert(1)"}, "Enter a web address starting http://"),
        (
            {"text": "Hi", "photo": SimpleUploadedFile("a.png", picture(), "image/png")},
            "Describe the photo for people who cannot see it.",
        ),
        (
            {
                "text": "Hi",
                "photo": SimpleUploadedFile("a.png", b"MZ\x90\x00 an executable", "image/png"),
                "photo_alt": "A picture",
            },
            "The file must be a picture",
        ),
    ],
)
def test_a_bad_post_is_shown_back_with_its_error(clerk, console, data, message):
    clerk.post(console + "step/start/")
    response = clerk.post(console + "blog/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not BlogPost.objects.exists()


def test_blogging_before_the_start_is_a_form_error(clerk, console):
    response = clerk.post(console + "blog/", {"text": "Hello"})
    assert response.status_code == 200
    assert "This meeting has not gone live yet." in response.content.decode()


def test_the_blog_address_sends_a_get_back_to_the_console(clerk, console):
    response = clerk.get(console + "blog/")
    assert response.status_code == 302
    assert response["Location"] == console


def test_the_clerk_removes_a_post(clerk, console, meeting, officer):
    domain.start_live(officer, meeting)
    post = domain.post_blog(officer, meeting, text="Wrong meeting, sorry")
    response = clerk.post(console + f"blog/{post.pk}/remove/", {"reason": "Posted by mistake"})
    assert said(response) == ["The post has been removed from the live blog."]
    post.refresh_from_db()
    assert post.is_removed
    assert "Wrong meeting, sorry" not in clerk.get(console).content.decode()
    response = clerk.post(console + f"blog/{post.pk}/remove/")
    assert said(response) == ["This post has already been removed."]


def test_a_post_of_another_meeting_cannot_be_removed_here(clerk, console, meeting, officer):
    other = factories.MeetingFactory(body=meeting.body, agenda_published_at=timezone.now())
    domain.start_live(officer, other)
    post = domain.post_blog(officer, other, text="Elsewhere")
    assert clerk.post(console + f"blog/{post.pk}/remove/").status_code == 404


# --- Settings --------------------------------------------------------------------------


SETTINGS = "/mootshire/staff/meetings/live/settings/"
GOOD = {
    "comment_moderation": "pre",
    "media_moderation": "post",
    "comment_max_length": "300",
    "comments_per_window": "3",
    "image_max_mb": "5",
    "audio_max_mb": "20",
    "video_max_mb": "100",
}


def test_the_council_admin_saves_the_live_settings(client, council_admin, council):
    client.force_login(council_admin)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    assert "Checked before it is shown" in page.content.decode()
    response = client.post(SETTINGS, GOOD)
    assert response.status_code == 302
    assert said(response) == ["The live meeting settings have been saved."]
    saved = LiveSettings.objects.get(council=council)
    assert (saved.comment_moderation, saved.media_moderation, saved.comments_per_window) == (
        "pre",
        "post",
        3,
    )


def test_bad_settings_are_shown_back(client, council_admin):
    client.force_login(council_admin)
    response = client.post(SETTINGS, {**GOOD, "comment_moderation": "never", "video_max_mb": "0"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose how comments are moderated." in page
    assert "Enter a whole number from 1 to 2000." in page
    assert not LiveSettings.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "moderator", "resident", "outsider"])
def test_only_the_council_admin_changes_the_live_settings(client, council, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, GOOD).status_code == 403
    assert not LiveSettings.objects.exists()


def test_the_console_runs_the_same_queries_however_many_posts(clerk, console, meeting, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clerk.get(console).status_code == 200
        return len(queries)

    domain.post_blog(officer, meeting, text="One", photo=picture(), photo_alt="A room")
    few = count()
    for n in range(8):
        domain.post_blog(officer, meeting, text=f"Post {n}", photo=picture(), photo_alt="A room")
    assert count() == few
