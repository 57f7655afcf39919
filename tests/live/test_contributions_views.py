"""The files shared at a live meeting (published only, served safely) and the staff
moderation queue (works without JavaScript, every action through the verbs)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from moothall.live import contributions as c
from moothall.live.models import BlogPost, Comment, Contribution, LiveEvent, Media
from tests.live import contributions_scene as s
from tests.live.contributions_scene import live_meeting

QUEUE = "/mootshire/staff/meetings/live/moderation/"


@pytest.fixture
def meeting(council):
    return live_meeting(council, media_moderation="pre", comment_moderation="pre")


@pytest.fixture
def photo(meeting, resident):
    return c.upload_media(resident, meeting, data=s.picture(), caption="The Chamber, Full!")


def _url(media) -> str:
    return f"/mootshire/meetings/{media.meeting_id}/live/media/{media.pk}/"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Files ------------------------------------------------------------------------------


def test_a_published_upload_is_served_inline_with_its_type_and_a_safe_name(
    client, photo, moderator
):
    c.decide_media(moderator, photo, publish=True)

    response = client.get(_url(photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="the-chamber-full.jpg"'
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    photo.file.open("rb")
    assert _body(response) == photo.file.read()
    photo.file.close()


def test_a_waiting_upload_is_hidden_from_the_public_and_its_uploader(client, photo, resident):
    assert client.get(_url(photo)).status_code == 404
    client.force_login(resident)
    assert client.get(_url(photo)).status_code == 404


@pytest.mark.parametrize("persona", ["moderator", "officer", "council_admin"])
def test_staff_see_a_waiting_upload_to_decide_on_it(request, client, photo, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_url(photo))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_staff_of_another_council_do_not_see_a_waiting_upload(client, photo, outsider):
    client.force_login(outsider)

    assert client.get(_url(photo)).status_code == 404


def test_a_rejected_upload_is_gone_for_everyone(client, photo, moderator):
    c.decide_media(moderator, photo, publish=False)
    client.force_login(moderator)

    assert client.get(_url(photo)).status_code == 404


def test_an_upload_is_found_only_under_its_own_council_and_meeting(client, photo, moderator):
    c.decide_media(moderator, photo, publish=True)

    assert (
        client.get(f"/elsewhere/meetings/{photo.meeting_id}/live/media/{photo.pk}/").status_code
        == 404
    )
    assert (
        client.get(
            f"/mootshire/meetings/{photo.meeting_id + 99}/live/media/{photo.pk}/"
        ).status_code
        == 404
    )


def test_audio_answers_a_byte_range(client, meeting, resident, moderator):
    audio = c.upload_media(resident, meeting, data=s.wav(), caption="The debate")
    c.decide_media(moderator, audio, publish=True)

    response = client.get(_url(audio), headers={"Range": "bytes=4-11"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 4-11/{audio.size}"
    assert response["Content-Type"] == "audio/wav"
    assert response.content == s.wav()[4:12]
    assert client.get(_url(audio), headers={"Range": "bytes=999999-"}).status_code == 416


def test_a_blog_photo_is_served_until_the_post_is_removed(client, meeting, officer):
    post = BlogPost(meeting=meeting, author=officer, text="Item 1 begins", photo_alt="The mayor")
    post.photo.save("0123456789abcdef.jpg", ContentFile(s.picture()), save=True)
    url = f"/mootshire/meetings/{meeting.pk}/live/blog/{post.pk}/photo"

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="the-mayor.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"

    BlogPost.objects.filter(pk=post.pk).update(is_removed=True)
    assert client.get(url).status_code == 404


def test_a_blog_post_without_a_photo_has_no_photo_address(client, meeting, officer):
    post = BlogPost.objects.create(meeting=meeting, author=officer, text="No picture")

    assert (
        client.get(f"/mootshire/meetings/{meeting.pk}/live/blog/{post.pk}/photo").status_code == 404
    )


# --- The moderation queue ------------------------------------------------------------------


@pytest.fixture
def waiting_comment(meeting, resident):
    return c.post_comment(resident, meeting, text="When will the <b>bridge</b> open?")


def test_the_queue_is_for_moderators_only(client, resident, councillor_user, outsider):
    assert client.get(QUEUE).status_code == 302  # to sign in
    for person in (resident, councillor_user, outsider):
        client.force_login(person)
        assert client.get(QUEUE).status_code == 403


def test_the_queue_lists_what_waits_escaped(
    client, moderator, waiting_comment, photo, django_assert_max_num_queries
):
    client.force_login(moderator)

    with django_assert_max_num_queries(12):
        response = client.get(QUEUE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 comment waiting" in page
    assert "1 upload waiting" in page
    assert "When will the &lt;b&gt;bridge&lt;/b&gt; open?" in page
    assert f'src="{_url(photo)}" alt="The Chamber, Full!"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_moderator_publishes_a_comment_from_the_queue(client, moderator, waiting_comment):
    client.force_login(moderator)

    response = client.post(
        f"{QUEUE}comments/{waiting_comment.pk}/", {"action": "publish", "reason": ""}
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert Comment.objects.get(pk=waiting_comment.pk).status == Contribution.PUBLISHED
    assert LiveEvent.objects.filter(kind="comment").count() == 1
    assert "The comment is published." in client.get(QUEUE).content.decode()


def test_a_moderator_rejects_an_upload_with_a_reason(client, moderator, photo):
    client.force_login(moderator)

    response = client.post(
        f"{QUEUE}media/{photo.pk}/?meeting={photo.meeting_id}",
        {"action": "reject", "reason": "Blurred", "meeting": photo.meeting_id},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?meeting={photo.meeting_id}"
    assert Media.objects.get(pk=photo.pk).reason == "Blurred"


def test_removing_without_a_reason_shows_the_error_on_that_row(client, moderator, waiting_comment):
    c.decide_comment(moderator, waiting_comment, publish=True)
    client.force_login(moderator)

    response = client.post(f"{QUEUE}comments/{waiting_comment.pk}/", {"action": "remove"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert f'href="#reason-comment-{waiting_comment.pk}">Enter a reason.</a>' in page
    assert f'id="reason-comment-{waiting_comment.pk}-error"' in page
    assert Comment.objects.get(pk=waiting_comment.pk).status == Contribution.PUBLISHED


def test_deciding_twice_is_a_clear_error_not_a_crash(client, moderator, waiting_comment):
    client.force_login(moderator)
    client.post(f"{QUEUE}comments/{waiting_comment.pk}/", {"action": "reject"})

    response = client.post(f"{QUEUE}comments/{waiting_comment.pk}/", {"action": "publish"})

    assert response.status_code == 400
    assert "This comment has already been decided." in response.content.decode()


def test_a_nonsense_action_is_refused(client, moderator, waiting_comment):
    client.force_login(moderator)

    response = client.post(f"{QUEUE}comments/{waiting_comment.pk}/", {"action": "delete-all"})

    assert response.status_code == 400
    assert Comment.objects.get(pk=waiting_comment.pk).status == Contribution.PENDING


def test_a_resident_cannot_moderate_by_posting(client, resident, waiting_comment, photo):
    client.force_login(resident)

    assert (
        client.post(f"{QUEUE}comments/{waiting_comment.pk}/", {"action": "publish"}).status_code
        == 403
    )
    assert client.post(f"{QUEUE}media/{photo.pk}/", {"action": "publish"}).status_code == 403
    assert Comment.objects.get(pk=waiting_comment.pk).status == Contribution.PENDING


def test_a_moderator_of_another_council_gets_a_404_for_our_comment(
    client, other_council, waiting_comment
):
    from tests.conftest import _staff

    elsewhere = _staff(other_council, "mo.elsewhere@example.org", "moderator")
    client.force_login(elsewhere)

    response = client.post(
        f"/elsewhere/staff/meetings/live/moderation/comments/{waiting_comment.pk}/",
        {"action": "publish"},
    )

    assert response.status_code == 404


def test_the_queue_forms_need_the_csrf_token(moderator, waiting_comment):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)

    response = strict.post(f"{QUEUE}comments/{waiting_comment.pk}/", {"action": "publish"})

    assert response.status_code == 403
    assert Comment.objects.get(pk=waiting_comment.pk).status == Contribution.PENDING
