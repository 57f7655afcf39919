"""The councillor answers (signed in, by their link or by email), the resident answers back,
and the councillor blocks and unblocks a sender."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from moothall.core.models import AuditEntry
from moothall.correspondence import domain
from moothall.correspondence.models import Message, Reply, SenderBlock
from tests.correspondence.scene import CARA_PRIVATE, CARA_WORK, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(writer, area, cara_user) -> Message:
    return write(writer, [area.cara], subject="Pothole", body="Deep hole.")


def test_the_councillor_replies_signed_in_and_the_message_is_answered(message, cara_user):
    reply = domain.reply_as_councillor(cara_user, message, body=" Reported it. ")

    message.refresh_from_db()
    assert (reply.author, reply.body, reply.via) == ("councillor", "Reported it.", "web")
    assert message.status == Message.Status.ANSWERED
    assert message.first_reply_at == reply.created_at
    entry = AuditEntry.objects.get(action="correspondence.reply_as_councillor")
    assert entry.actor == cara_user
    assert entry.details == {"reply": reply.pk, "via": "web", "by_link": False}


def test_the_first_reply_time_is_kept_when_the_councillor_writes_again(message, cara_user):
    first = timezone.now() - dt.timedelta(days=3)
    domain.reply_as_councillor(cara_user, message, body="One", now=first)
    domain.reply_as_councillor(cara_user, message, body="Two")

    message.refresh_from_db()
    assert message.first_reply_at == first
    assert message.replies.count() == 2


def test_the_councillor_replies_through_their_link_without_signing_in(message):
    reply = domain.reply_as_councillor(message.token.upper(), message, body="Done.", via="email")

    assert reply.via == "email"
    entry = AuditEntry.objects.get(action="correspondence.reply_as_councillor")
    assert entry.actor is None
    assert entry.details["by_link"] is True


@pytest.mark.parametrize("who", ["writer", "dan_user", "lowdale_officer", "outsider"])
def test_nobody_else_may_reply_as_the_councillor(message, who, request):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        domain.reply_as_councillor(actor, message, body="I am the councillor.")
    assert not Reply.objects.exists()


@pytest.mark.parametrize("token", ["", "0" * 32, "sender"])
def test_a_wrong_token_or_the_senders_own_token_may_not_reply_as_the_councillor(message, token):
    value = message.sender_token if token == "sender" else token

    with pytest.raises(PermissionDenied):
        domain.reply_as_councillor(value, message, body="Forged.")
    assert not Reply.objects.exists()


def test_the_resident_is_emailed_the_reply_from_the_platform_never_the_councillors_address(
    message, cara_user, writer, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://moothall.example"
    settings.MOOTHALL_REPLY_DOMAIN = "moothall.example"

    with django_capture_on_commit_callbacks(execute=True):
        domain.reply_as_councillor(cara_user, message, body="I have reported it.")

    (sent,) = mail.outbox
    assert sent.to == [writer.email]
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL
    assert sent.reply_to == [f"reply+{message.sender_token}@moothall.example"]
    assert sent.subject == "Councillor Cara Cole has replied: Pothole"
    assert "I have reported it." in sent.body
    assert f"https://moothall.example/lowdale/messages/{message.pk}/" in sent.body
    everything = f"{sent.subject} {sent.body} {sent.reply_to} {sent.extra_headers}"
    assert CARA_PRIVATE not in everything
    assert CARA_WORK not in everything
    assert message.token not in everything


def test_the_resident_answers_back_and_the_councillor_is_emailed_with_their_link(
    message, writer, django_capture_on_commit_callbacks, settings
):
    settings.MOOTHALL_REPLY_DOMAIN = "moothall.example"

    with django_capture_on_commit_callbacks(execute=True):
        reply = domain.reply_as_sender(writer, message, body="Thank you!")

    assert (reply.author, reply.via) == ("sender", "web")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT  # still waiting for the councillor
    (sent,) = mail.outbox
    assert sent.to == [CARA_PRIVATE]
    assert sent.reply_to == [f"reply+{message.token}@moothall.example"]
    assert "Thank you!" in sent.body
    assert message.get_reply_url() in sent.body
    assert AuditEntry.objects.filter(action="correspondence.reply_as_sender").count() == 1


@pytest.mark.parametrize("who", ["stranger", "cara_user", "lowdale_officer"])
def test_only_the_sender_may_answer_back_as_the_sender(message, who, request):
    with pytest.raises(PermissionDenied):
        domain.reply_as_sender(request.getfixturevalue(who), message, body="Hello")


def test_the_same_reply_twice_is_refused(message, writer):
    domain.reply_as_sender(writer, message, body="Any news?")

    with pytest.raises(ValidationError) as error:
        domain.reply_as_sender(writer, message, body=" Any news? ")

    assert error.value.code == "repeat"
    assert message.replies.count() == 1


def test_a_reply_with_no_text_is_refused(message, cara_user):
    with pytest.raises(ValidationError) as error:
        domain.reply_as_councillor(cara_user, message, body="  \n ")

    assert error.value.error_dict["body"][0].code == "required"
    assert not Reply.objects.exists()


def test_an_unknown_way_of_replying_is_refused(message, cara_user):
    with pytest.raises(ValidationError):
        domain.reply_as_councillor(cara_user, message, body="Hi", via="pigeon")


# --- Blocking -----------------------------------------------------------------------------


def test_the_councillor_blocks_a_sender_who_then_cannot_reply_either(message, cara_user, writer):
    block = domain.block_sender(cara_user, message, reason="Abusive language")

    assert (block.councillor, block.sender, block.reason) == (
        message.councillor,
        writer,
        "Abusive language",
    )
    with pytest.raises(ValidationError) as error:
        domain.reply_as_sender(writer, message, body="Why no answer?")
    assert error.value.code == "unavailable"
    entry = AuditEntry.objects.get(action="correspondence.block_sender")
    assert "Abusive" not in str(entry.details)


def test_blocking_twice_keeps_one_block_and_one_audit_entry(message, cara_user):
    domain.block_sender(cara_user, message)
    domain.block_sender(message.token, message)

    assert SenderBlock.objects.count() == 1
    assert AuditEntry.objects.filter(action="correspondence.block_sender").count() == 1


def test_the_councillor_unblocks_and_the_sender_may_write_again(message, cara_user, writer):
    domain.block_sender(cara_user, message)
    domain.unblock_sender(message.token, message)
    domain.unblock_sender(cara_user, message)

    assert not SenderBlock.objects.exists()
    assert AuditEntry.objects.filter(action="correspondence.unblock_sender").count() == 1
    domain.reply_as_sender(writer, message, body="Thanks for listening.")


@pytest.mark.parametrize("who", ["writer", "dan_user", "lowdale_officer", "outsider"])
def test_nobody_but_the_councillor_may_block(message, who, request):
    with pytest.raises(PermissionDenied):
        domain.block_sender(request.getfixturevalue(who), message)
    with pytest.raises(PermissionDenied):
        domain.block_sender(message.sender_token, message)
    assert not SenderBlock.objects.exists()


def test_a_block_reason_that_is_too_long_is_refused(message, cara_user):
    with pytest.raises(ValidationError):
        domain.block_sender(cara_user, message, reason="x" * 2001)
    assert not SenderBlock.objects.exists()
