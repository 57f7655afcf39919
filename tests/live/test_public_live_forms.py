"""A resident comments and shares a photo from the live page: signed out, in private
session, under pre- and post-moderation, and with bad input (a clear message, never
a 500 and nothing written)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.live import domain
from moothall.live.models import Comment, LiveSettings, Media
from moothall.meetings import domain as meetings
from tests import factories
from tests.live import contributions_scene as scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(council, officer):
    """Cabinet, live on item 1 "Library opening hours"; item 2 is exempt."""
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    meeting = factories.MeetingFactory(body=body, agenda_published_at=timezone.now())
    factories.AgendaItemFactory(meeting=meeting, title="Library opening hours", position=0)
    factories.AgendaItemFactory(
        meeting=meeting, title="Sale of the depot", position=1, kind="exempt", exempt_paragraph=3
    )
    meetings.renumber(meeting)
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    return meeting


def page(meeting) -> str:
    return f"/mootshire/meetings/{meeting.pk}/live/"


def comment_url(meeting) -> str:
    return f"{page(meeting)}comment"


def upload_url(meeting) -> str:
    return f"{page(meeting)}upload"


def photo_file(name="vote.jpg", data=None):
    return SimpleUploadedFile(name, data if data is not None else scene.picture(), "image/jpeg")


# --- Comments -----------------------------------------------------------------------------


def test_someone_signed_out_sees_a_sign_in_link_and_is_sent_to_sign_in(client, meeting):
    response = client.get(page(meeting))

    assertContains(
        response,
        f'<a class="govuk-link" href="/accounts/login/?next=/mootshire/meetings/{meeting.pk}/live/">'
        "Sign in to comment or to share a photo, audio or video</a>",
        html=True,
    )
    assertNotContains(response, 'id="comment-form"')

    posted = client.post(comment_url(meeting), {"text": "Hello"})

    assertRedirects(
        posted,
        f"/accounts/login/?next=/mootshire/meetings/{meeting.pk}/live/",
        fetch_redirect_response=False,
    )
    assert client.post(upload_url(meeting), {"caption": "x"}).status_code == 302
    assert not Comment.objects.exists()


def test_a_comment_under_post_moderation_appears_at_once(client, resident, meeting):
    client.force_login(resident)

    response = client.post(comment_url(meeting), {"text": "Keep the library open"}, follow=True)

    assertRedirects(response, f"{page(meeting)}#comments")
    assertContains(response, "Your comment has been published.")
    assertContains(
        response, '<p class="govuk-body" data-field="text">Keep the library open</p>', html=True
    )
    (comment,) = Comment.objects.all()
    assert (comment.status, comment.author, comment.item.title) == (
        "published",
        resident,
        "Library opening hours",
    )


def test_a_comment_under_pre_moderation_waits_for_a_moderator(client, resident, meeting, council):
    LiveSettings.objects.create(council=council, comment_moderation="pre")
    client.force_login(resident)

    response = client.post(comment_url(meeting), {"text": "Keep the library open"}, follow=True)

    assertContains(response, "Your comment will appear once a moderator has checked it")
    assertContains(response, "A moderator checks each comment before it appears.")
    assertNotContains(response, "Keep the library open")
    assert Comment.objects.get().status == "pending"


def test_in_private_session_a_comment_is_refused_with_a_message(client, resident, meeting, officer):
    client.force_login(resident)
    domain.next_item(officer, meeting)  # into the exempt item

    response = client.post(comment_url(meeting), {"text": "What is happening?"})

    assert response.status_code == 400
    assertContains(response, "There is a problem", status_code=400)
    assertContains(
        response,
        "The meeting is in private session: comments and uploads are closed until it "
        "returns to public business.",
        status_code=400,
    )
    assertContains(
        response,
        '<a href="#take-part">The meeting is in private session: comments and uploads are closed '
        "until it returns to public business.</a>",
        html=True,
        status_code=400,
    )
    assertNotContains(response, "depot", status_code=400)
    assert not Comment.objects.exists()


def test_a_comment_after_the_meeting_ended_is_refused_with_a_message(
    client, resident, meeting, officer
):
    client.force_login(resident)
    domain.end_live(officer, meeting)

    response = client.post(comment_url(meeting), {"text": "Too late?"})

    assertContains(response, "The meeting is not live", status_code=400)
    assert not Comment.objects.exists()


def test_a_comment_too_long_is_refused_on_its_field(client, resident, meeting):
    client.force_login(resident)

    response = client.post(comment_url(meeting), {"text": "x" * 501})

    assert response.status_code == 400
    assertContains(
        response,
        '<a href="#comment-text">Use 500 characters or fewer.</a>',
        html=True,
        status_code=400,
    )
    assertContains(
        response,
        '<p id="comment-text-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Use 500 characters or fewer.</p>',
        html=True,
        status_code=400,
    )
    assertContains(response, "<title>Error:", status_code=400)
    assertContains(response, "x" * 501, status_code=400)  # kept for correcting
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused(client, resident, meeting):
    client.force_login(resident)

    response = client.post(comment_url(meeting), {"text": "   "})

    assertContains(response, "Enter your comment", status_code=400)
    assert not Comment.objects.exists()


def test_too_many_comments_are_refused_with_the_rate_limit(client, resident, meeting, council):
    LiveSettings.objects.create(council=council, comments_per_window=1)
    client.force_login(resident)
    client.post(comment_url(meeting), {"text": "First"})

    response = client.post(comment_url(meeting), {"text": "Second"})

    assertContains(response, "the most we take", status_code=400)
    assert Comment.objects.count() == 1


def test_someone_without_a_confirmed_email_is_told_to_confirm_it(client, meeting):
    unconfirmed = factories.UserFactory(name="Una", verified_email=False)
    client.force_login(unconfirmed)

    assertContains(client.get(page(meeting)), 'id="confirm-email-to-comment"')
    response = client.post(comment_url(meeting), {"text": "Hello"}, follow=True)

    assertContains(response, "Confirm your email address before you comment or share a file.")
    assert not Comment.objects.exists()


def test_the_comment_address_takes_only_posts(client, resident, meeting):
    client.force_login(resident)

    assert client.get(comment_url(meeting)).status_code == 405
    assert client.get(upload_url(meeting)).status_code == 405


# --- Uploads ------------------------------------------------------------------------------


def test_a_good_photo_waits_for_a_moderator(client, resident, meeting):
    client.force_login(resident)

    response = client.post(
        upload_url(meeting),
        {"file": photo_file(), "caption": "The vote on the library"},
        follow=True,
    )

    assertRedirects(response, f"{page(meeting)}#media")
    assertContains(response, "Your file will appear once a moderator has checked it")
    media = Media.objects.get()
    assert (media.kind, media.status, media.caption) == (
        "photo",
        "pending",
        "The vote on the library",
    )


def test_a_good_photo_under_post_moderation_is_shown_at_once(client, resident, meeting, council):
    LiveSettings.objects.create(council=council, media_moderation="post")
    client.force_login(resident)

    response = client.post(
        upload_url(meeting), {"file": photo_file(), "caption": "The vote"}, follow=True
    )

    assertContains(response, "Your file has been published.")
    media = Media.objects.get()
    assertContains(
        response,
        f'<img class="mh-live-photo" data-field="url" src="/mootshire/meetings/{meeting.pk}/live/media/{media.pk}/" alt="The vote">',
        html=True,
    )


def test_a_program_called_a_photo_is_refused_on_the_file_field(client, resident, meeting):
    client.force_login(resident)

    response = client.post(
        upload_url(meeting), {"file": photo_file("cat.jpg", scene.ELF), "caption": "A cat"}
    )

    assert response.status_code == 400
    assertContains(response, '<a href="#upload-file">The file must be a photo', status_code=400)
    assertContains(response, 'id="upload-file-error"', status_code=400)
    assertContains(response, 'class="govuk-file-upload govuk-file-upload--error"', status_code=400)
    assertContains(response, 'value="A cat"', status_code=400)
    assert not Media.objects.exists()


def test_an_upload_without_a_file_or_caption_is_refused(client, resident, meeting):
    client.force_login(resident)

    response = client.post(upload_url(meeting), {"caption": ""})

    assertContains(response, "Choose a file to upload", status_code=400)
    assertContains(response, "Enter a caption that says what the file shows", status_code=400)
    assert not Media.objects.exists()


def test_a_file_larger_than_any_limit_is_refused_before_it_is_read(
    client, resident, meeting, council
):
    LiveSettings.objects.create(council=council, image_max_mb=1, audio_max_mb=1, video_max_mb=1)
    client.force_login(resident)

    response = client.post(
        upload_url(meeting),
        {"file": photo_file("big.jpg", b"\xff" * (1024 * 1024 + 1)), "caption": "Big"},
    )

    assertContains(response, "The file must be smaller than 1 MB", status_code=400)
    assert not Media.objects.exists()


def test_in_private_session_an_upload_is_refused_with_a_message(client, resident, meeting, officer):
    client.force_login(resident)
    domain.next_item(officer, meeting)

    response = client.post(upload_url(meeting), {"file": photo_file(), "caption": "The room"})

    assertContains(response, "The meeting is in private session", status_code=400)
    assert not Media.objects.exists()
