"""Write to your councillor, on the site: the resident's form and messages, the councillor's
inbox and reply link, who may open which page, and whose address each page shows."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.core.models import AuditEntry
from moothall.correspondence import domain
from moothall.correspondence.models import Message, Reply, SenderBlock
from tests import factories
from tests.correspondence import scene as _scene
from tests.correspondence.scene import CARA_PRIVATE, CARA_WORK, write

pytestmark = pytest.mark.django_db

# The scene of tests/correspondence (it replaces this folder's own ``area``).
scene = _scene.scene
area = _scene.area
writer = _scene.writer
cara_user = _scene.cara_user
dan_user = _scene.dan_user
lowdale_officer = _scene.lowdale_officer
outsider = _scene.outsider
stranger = _scene.stranger

WRITE = "/lowdale/wards/lowdale-central/write/"


@pytest.fixture
def message(writer, area, cara_user) -> Message:
    return write(writer, [area.cara], subject="Pothole on Mill Lane", body="Deep hole.")


def assert_private_to_sender(response) -> None:
    """Nothing on a resident's page gives away a councillor's address or reply link."""
    html = response.content.decode()
    assert CARA_PRIVATE not in html
    assert CARA_WORK not in html
    assert "/messages/reply/" not in html
    assert "reply+" not in html


# --- From the ward and councillor pages ------------------------------------------------------


def test_the_ward_page_invites_residents_to_write(client, area):
    response = client.get("/lowdale/wards/lowdale-central/")

    assertContains(
        response,
        f'<a class="govuk-button" data-module="govuk-button" id="write" href="{WRITE}">'
        "Write to your councillors</a>",
        html=True,
    )


def test_a_councillor_page_links_to_writing_and_says_when_there_are_too_few_messages(client, area):
    response = client.get(f"/lowdale/councillors/{area.cara.pk}-cara-cole/")

    assertContains(
        response,
        f'<a class="govuk-link" id="write" href="{WRITE}?to={area.cara.pk}">Write to Cara Cole</a>',
        html=True,
    )
    assertContains(
        response,
        '<p class="govuk-body" id="response-rate">'
        "Not enough messages yet to show how often they reply.</p>",
        html=True,
    )


def test_a_councillor_page_shows_their_response_rate_once_ten_messages_count(client, area, writer):
    start = timezone.now() - dt.timedelta(days=200)
    for n in range(10):
        sent = start + dt.timedelta(days=7 * n)
        (message,) = domain.write_to_councillors(
            writer, area.district, [area.cara], subject=f"Issue {n}", body=f"Text {n}", now=sent
        )
        if n < 7:
            domain.reply_as_councillor(
                message.token, message, body="Answer", now=sent + dt.timedelta(days=1)
            )

    response = client.get(f"/lowdale/councillors/{area.cara.pk}-cara-cole/")

    assertContains(
        response,
        '<p class="govuk-body" id="response-rate">Answered 7 of the 10 messages sent to them '
        "through this site in the last 12 months within 10 working days (70%).</p>",
        html=True,
    )


# --- Who may write, and what they are told -----------------------------------------------


def test_someone_not_signed_in_is_told_to_sign_in_and_comes_back(client, area):
    response = client.get(WRITE)

    assert response.status_code == 200
    assertContains(
        response,
        '<p class="govuk-body" id="problem">Sign in to write to your councillors.</p>',
        html=True,
    )
    assertContains(response, f'href="/accounts/login/?next={WRITE}"')
    assertNotContains(response, '<form method="post"')


def test_a_resident_without_a_postcode_is_sent_to_their_profile(client, area):
    person = factories.UserFactory(postcode="")
    client.force_login(person)

    response = client.get(WRITE)

    assertContains(
        response,
        '<a class="govuk-button" data-module="govuk-button" href="/accounts/profile/" id="fix">'
        "Add your postcode to your profile</a>",
        html=True,
    )


def test_an_unconfirmed_email_address_is_explained(client, area):
    person = factories.UserFactory(postcode="MH1 1AA", verified_email=False)
    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
    client.force_login(person)

    response = client.get(WRITE)

    assertContains(response, "Confirm your email address before you write to a councillor.")
    assertContains(response, 'href="/accounts/email/"')


def test_a_resident_of_another_ward_is_pointed_to_their_own_councillors(client, stranger):
    client.force_login(stranger)

    response = client.get(WRITE)

    assertContains(
        response,
        '<p class="govuk-body" id="problem">Your postcode MH2 2BB is in Lowdale East. You can '
        "write to the councillors of the ward where you live.</p>",
        html=True,
    )
    assertContains(response, 'href="/lowdale/wards/lowdale-east/write/"')
    assert client.post(WRITE, {"to": "1", "subject": "x", "body": "y"}).status_code == 403
    assert not Message.objects.exists()


def test_the_form_offers_only_councillors_who_can_be_written_to_and_says_who_cannot(
    client, writer, area, cara_user
):
    client.force_login(writer)

    response = client.get(f"{WRITE}?to={area.cara.pk}")

    assert response.status_code == 200
    assertContains(
        response,
        f'<input class="govuk-radios__input" id="id_to_0" name="to" type="radio" '
        f'value="{area.cara.pk}" checked>',
        html=True,
    )
    assertNotContains(response, f'value="{area.brian.pk}"')
    assertNotContains(response, 'value="all"')
    assertContains(
        response,
        "Councillor Brian Brook cannot be written to here: the council has not given us an "
        "email address for them.",
    )
    assertContains(response, 'value="Rita Resident"')
    assert_private_to_sender(response)


def test_a_resident_writes_and_sees_the_confirmation(
    client, writer, area, cara_user, django_capture_on_commit_callbacks
):
    client.force_login(writer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            WRITE,
            {
                "to": str(area.cara.pk),
                "name": "Rita R.",
                "subject": "Pothole",
                "body": "Deep hole outside 12.",
            },
        )

    message = Message.objects.get()
    assertRedirects(response, f"/lowdale/messages/sent/{message.group_id}/")
    assert (message.sender_name, message.subject, message.body) == (
        "Rita R.",
        "Pothole",
        "Deep hole outside 12.",
    )
    page = client.get(response["Location"])
    assertContains(page, '<h1 class="govuk-panel__title">Message sent</h1>', html=True)
    assertContains(
        page,
        f'<ul class="govuk-list govuk-list--bullet" id="recipients"><li>'
        f'<a class="govuk-link" href="/lowdale/messages/{message.pk}/">Councillor Cara Cole</a>'
        "</li></ul>",
        html=True,
    )
    assert_private_to_sender(page)
    assert [sent.to for sent in mail.outbox] == [[CARA_PRIVATE], ["rita.resident@example.org"]]


def test_writing_to_all_the_wards_councillors_is_a_choice(client, writer, area, cara_user):
    zoe = factories.CouncillorFactory(
        council=area.district, ward=area.district_ward, person__name="Zoe Zinn"
    )
    client.force_login(writer)

    page = client.get(WRITE)
    assertContains(page, "All 2 councillors of Lowdale Central")
    response = client.post(WRITE, {"to": "all", "name": "Rita", "subject": "Bins", "body": "B"})

    assert response.status_code == 302
    assert sorted(m.councillor_id for m in Message.objects.all()) == sorted([area.cara.pk, zoe.pk])


def test_refusals_by_the_verb_appear_on_the_form(client, writer, area, cara_user, message):
    client.force_login(writer)

    response = client.post(
        WRITE, {"to": str(area.cara.pk), "name": "Rita", "subject": "Again", "body": "Deep hole."}
    )

    assert response.status_code == 400
    assertContains(response, "There is a problem", status_code=400)
    assertContains(
        response, "You have already sent this message to Councillor Cara Cole.", status_code=400
    )
    assert Message.objects.count() == 1


# --- The resident's messages ---------------------------------------------------------------


def test_my_messages_lists_what_the_resident_sent_and_whether_it_was_answered(
    client, writer, message, cara_user
):
    domain.reply_as_councillor(cara_user, message, body="On it.")
    client.force_login(writer)

    response = client.get("/lowdale/messages/")

    assertContains(
        response,
        f'<a class="govuk-link" href="/lowdale/messages/{message.pk}/">Pothole on Mill Lane</a>',
        html=True,
    )
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--green">Answered</strong>', html=True
    )
    assert_private_to_sender(response)


def test_the_resident_reads_the_replies_and_answers_back(
    client, writer, message, cara_user, django_capture_on_commit_callbacks
):
    domain.reply_as_councillor(cara_user, message, body="I have reported it.")
    client.force_login(writer)

    page = client.get(f"/lowdale/messages/{message.pk}/")
    assertContains(page, "Councillor Cara Cole replied")
    assertContains(page, "<p>I have reported it.</p>", html=True)
    assert_private_to_sender(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/lowdale/messages/{message.pk}/", {"body": "Thank you."})

    assertRedirects(response, f"/lowdale/messages/{message.pk}/")
    assert message.replies.last().body == "Thank you."
    (relayed,) = mail.outbox
    assert relayed.to == [CARA_PRIVATE]


def test_a_blocked_resident_sees_a_kind_sentence_instead_of_the_reply_form(
    client, writer, message, cara_user
):
    domain.block_sender(cara_user, message, reason="Rude")
    client.force_login(writer)

    page = client.get(f"/lowdale/messages/{message.pk}/")

    assertContains(
        page,
        '<p class="govuk-body" id="unavailable">You cannot send messages to Councillor Cara '
        "Cole through this site. If you need help, contact Lowdale District Council "
        "directly.</p>",
        html=True,
    )
    assertNotContains(page, "Rude")
    assertNotContains(page, "Send reply")
    client.post(f"/lowdale/messages/{message.pk}/", {"body": "Let me in"})
    assert not Reply.objects.exists()


# --- The councillor's side -------------------------------------------------------------------


def test_the_councillors_inbox_lists_messages_with_the_senders_name_and_postcode(
    client, cara_user, message
):
    client.force_login(cara_user)

    response = client.get("/lowdale/messages/inbox/")

    assertContains(
        response,
        f'<a class="govuk-link" href="/lowdale/messages/inbox/{message.pk}/">'
        "Pothole on Mill Lane</a>",
        html=True,
    )
    assertContains(response, "Rita Resident")
    assertContains(response, "MH1 1AA")


def test_the_councillor_sees_the_senders_address_and_replies_in_the_app(
    client, cara_user, message, writer, django_capture_on_commit_callbacks
):
    client.force_login(cara_user)
    url = f"/lowdale/messages/inbox/{message.pk}/"

    page = client.get(url)
    assertContains(
        page,
        '<a class="govuk-link" href="mailto:rita.resident@example.org">rita.resident@example.org</a>',
        html=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "Reported to Highways."})

    assertRedirects(response, url)
    reply = Reply.objects.get()
    assert (reply.author, reply.via) == ("councillor", "web")
    (relayed,) = mail.outbox
    assert relayed.to == [writer.email]
    assert CARA_PRIVATE not in relayed.body + relayed.subject + str(relayed.reply_to)


def test_the_reply_link_works_without_signing_in(
    client, message, django_capture_on_commit_callbacks
):
    url = f"/lowdale/messages/reply/{message.token}/"

    page = client.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assertContains(page, "rita.resident@example.org")
    assertContains(page, "<p>Deep hole.</p>", html=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "Thanks, on it."})

    assertRedirects(response, url)
    assert Reply.objects.get().body == "Thanks, on it."
    entry = AuditEntry.objects.get(action="correspondence.reply_as_councillor")
    assert entry.actor is None


@pytest.mark.parametrize("which", ["sender_token", "unknown", "short", "upper"])
def test_only_the_councillors_own_token_opens_the_reply_page(client, message, which):
    token = {
        "sender_token": message.sender_token,
        "unknown": "f" * 32,
        "short": message.token[:-1],
        "upper": message.token.upper(),
    }[which]

    response = client.get(f"/lowdale/messages/reply/{token}/")

    assert response.status_code == (200 if which == "upper" else 404)
    assert client.get(f"/mootshire/messages/reply/{message.token}/").status_code == 404


def test_the_councillor_blocks_and_unblocks_from_the_reply_link(client, message, writer):
    block_url = f"/lowdale/messages/reply/{message.token}/block/"

    response = client.post(block_url, {"action": "block", "reason": "Threats"})

    assertRedirects(response, f"/lowdale/messages/reply/{message.token}/")
    assert SenderBlock.objects.get().reason == "Threats"
    page = client.get(f"/lowdale/messages/reply/{message.token}/")
    assertContains(page, "Unblock Rita Resident")

    client.post(block_url, {"action": "unblock"})
    assert not SenderBlock.objects.exists()


def test_the_councillor_blocks_from_the_inbox(client, cara_user, message):
    client.force_login(cara_user)

    client.post(f"/lowdale/messages/inbox/{message.pk}/block/", {"action": "block"})

    assert SenderBlock.objects.filter(sender=message.sender, councillor=message.councillor).exists()
    inbox = client.get("/lowdale/messages/inbox/")
    assertContains(inbox, '<strong class="govuk-tag govuk-tag--grey">Blocked</strong>', html=True)


# --- Who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "thread", "inbox", "inbox_thread", "block"),
    [
        ("writer", 200, 403, 403, 403),
        ("cara_user", 404, 200, 200, 302),
        ("dan_user", 404, 200, 404, 404),
        ("lowdale_officer", 404, 403, 403, 403),
        ("outsider", 404, 403, 403, 403),
        ("stranger", 404, 403, 403, 403),
    ],
)
def test_permissions_matrix(client, message, request, persona, thread, inbox, inbox_thread, block):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(f"/lowdale/messages/{message.pk}/").status_code == thread
    assert client.get("/lowdale/messages/inbox/").status_code == inbox
    assert client.get(f"/lowdale/messages/inbox/{message.pk}/").status_code == inbox_thread
    response = client.post(f"/lowdale/messages/inbox/{message.pk}/block/", {"action": "block"})
    assert response.status_code == block
    assert SenderBlock.objects.exists() == (persona == "cara_user")


def test_someone_not_signed_in_is_sent_to_sign_in_for_every_private_page(client, message):
    for url in (
        "/lowdale/messages/",
        f"/lowdale/messages/{message.pk}/",
        f"/lowdale/messages/sent/{message.group_id}/",
        "/lowdale/messages/inbox/",
        f"/lowdale/messages/inbox/{message.pk}/",
    ):
        response = client.get(url)
        assertRedirects(response, f"/accounts/login/?next={url}", fetch_redirect_response=False)
    assert client.post(f"/lowdale/messages/inbox/{message.pk}/block/").status_code == 403


def test_another_residents_sent_page_is_not_found(client, stranger, message):
    client.force_login(stranger)

    assert client.get(f"/lowdale/messages/sent/{message.group_id}/").status_code == 404


# --- Lists cost the same whatever their length ---------------------------------------------------


def _letters(writer, area, count: int) -> None:
    start = timezone.now() - dt.timedelta(days=300)
    for n in range(count):
        domain.write_to_councillors(
            writer,
            area.district,
            [area.cara],
            subject=f"Subject {n}",
            body=f"Text {n}",
            now=start + dt.timedelta(days=n),
        )


@pytest.mark.parametrize("count", [3, 25])
def test_my_messages_and_the_inbox_run_a_fixed_number_of_queries(
    client, writer, area, cara_user, count, django_assert_max_num_queries
):
    _letters(writer, area, count)
    client.force_login(writer)
    with django_assert_max_num_queries(8):
        response = client.get("/lowdale/messages/")
    assert len(response.context["page"].object_list) == min(count, 20)

    client.force_login(cara_user)
    with django_assert_max_num_queries(9):
        response = client.get("/lowdale/messages/inbox/")
    assert len(response.context["page"].object_list) == min(count, 20)


# --- Bad input -------------------------------------------------------------------------------------

fuzz = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
awkward = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "all", "-1", "9" * 30, "x" * 201, "y" * 5001, "é\u200b"]),
)


@fuzz
@given(data=st.dictionaries(st.sampled_from(["to", "name", "subject", "body", "extra"]), awkward))
def test_any_form_input_is_answered_clearly_and_never_half_written(
    client, writer, area, cara_user, data
):
    client.force_login(writer)
    before = (Message.objects.count(), AuditEntry.objects.count())

    response = client.post(WRITE, data)

    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assertContains(response, "There is a problem", status_code=400)
        assert (Message.objects.count(), AuditEntry.objects.count()) == before
    else:
        assert Message.objects.count() == before[0] + 1
        assert re.fullmatch(r"/lowdale/messages/sent/[0-9a-f-]{36}/", response["Location"])


@fuzz
@given(body=awkward, token=st.text(max_size=40))
def test_any_reply_input_and_any_token_is_answered_below_500(client, message, body, token):
    before = Reply.objects.count()

    response = client.post(f"/lowdale/messages/reply/{message.token}/", {"body": body})
    probe = client.get(f"/lowdale/messages/reply/{quote(token, safe='')}x/")

    assert response.status_code in {302, 400}
    assert Reply.objects.count() == before + (response.status_code == 302)
    assert probe.status_code in {200, 404}
