"""Replies by email: real RFC 5322 bytes, built with Python's email package, to a relay address."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from moothall.correspondence import domain, inbound
from moothall.correspondence.inbound import receive, strip_history
from moothall.correspondence.models import Message, Reply
from tests.correspondence.scene import CARA_PRIVATE, CARA_WORK, write

pytestmark = pytest.mark.django_db

GMAIL_QUOTE = (
    "On Mon, 3 Mar 2030 at 09:15, Moothall <noreply@moothall.example>\n"
    "wrote:\n"
    "> ##- Please type your reply above this line -##\n"
    ">\n"
    "> Dear Councillor Cara Cole,\n"
)


@pytest.fixture(autouse=True)
def relay_domain(settings):
    settings.MOOTHALL_REPLY_DOMAIN = "moothall.example"


@pytest.fixture
def message(writer, area, cara_user) -> Message:
    return write(writer, [area.cara], subject="Pothole", body="Deep hole.")


def email_bytes(
    *,
    sender: str,
    to: str,
    text: str | None = None,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    charset: str = "utf-8",
) -> bytes:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = "Re: Message from Rita Resident: Pothole"
    email["Date"] = format_datetime(timezone.now())
    email["Message-ID"] = "<reply-1@mail.example>"
    for name, value in (headers or {}).items():
        email[name] = value
    if text is not None:
        email.set_content(text, charset=charset)
    if html is not None:
        if text is None:
            email.set_content(html, subtype="html")
        else:
            email.add_alternative(html, subtype="html")
    return email.as_bytes()


def to_councillor(message: Message) -> str:
    return f"Moothall relay <reply+{message.token}@moothall.example>"


def to_sender(message: Message) -> str:
    return f"reply+{message.sender_token}@moothall.example"


# --- Recording replies --------------------------------------------------------------------


def test_a_councillors_emailed_reply_is_recorded_without_the_quoted_history(
    message, django_capture_on_commit_callbacks
):
    raw = email_bytes(
        sender=f"Cara Cole <{CARA_PRIVATE.upper()}>",
        to=to_councillor(message),
        text=f"I have reported it to Highways.\n\nCara\n\n{GMAIL_QUOTE}",
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = receive(raw)

    assert outcome.status == "recorded"
    reply = Reply.objects.get()
    assert (reply.author, reply.via, reply.body) == (
        "councillor",
        "email",
        "I have reported it to Highways.\n\nCara",
    )
    message.refresh_from_db()
    assert message.status == Message.Status.ANSWERED
    assert message.first_reply_at == reply.created_at
    (relayed,) = mail.outbox
    assert relayed.to == ["rita.resident@example.org"]
    assert CARA_PRIVATE not in relayed.body
    assert CARA_PRIVATE.upper() not in relayed.body


def test_a_reply_from_the_councillors_published_work_address_is_accepted_too(message):
    raw = email_bytes(sender=CARA_WORK, to=to_councillor(message), text="Will do.")

    assert receive(raw).status == "recorded"
    assert Reply.objects.get().author == "councillor"


def test_the_residents_emailed_reply_is_recorded_as_theirs(message):
    raw = email_bytes(
        sender="Rita <rita.resident@example.org>",
        to=to_sender(message),
        text="Thank you so much.\n\n-- \nRita Resident\n07700 900123\n",
    )

    outcome = receive(raw)

    assert outcome.status == "recorded"
    reply = Reply.objects.get()
    assert (reply.author, reply.body) == ("sender", "Thank you so much.")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_the_envelope_recipient_is_used_when_the_headers_do_not_show_the_relay_address(
    message,
):
    raw = email_bytes(sender=CARA_PRIVATE, to="undisclosed-recipients:;", text="Done.")

    assert receive(raw).status == "refused"
    outcome = receive(raw, recipient=f"reply+{message.token}@MOOTHALL.example")
    assert outcome.status == "recorded"


def test_an_html_only_reply_is_read_without_its_quoted_blockquote(message):
    html = (
        "<html><head><style>p{color:red}</style></head><body>"
        "<div>Yes, I will raise it&nbsp;at Cabinet.</div><div><br></div>"
        '<div class="gmail_quote"><blockquote>##- Please type your reply above this line -##'
        "<p>Dear Councillor</p></blockquote></div></body></html>"
    )
    raw = email_bytes(sender=CARA_PRIVATE, to=to_councillor(message), html=html)

    assert receive(raw).status == "recorded"
    assert Reply.objects.get().body == "Yes, I will raise it at Cabinet."


def test_the_plain_text_part_is_preferred_and_other_charsets_are_read(message):
    raw = email_bytes(
        sender=CARA_PRIVATE,
        to=to_councillor(message),
        text="Diolch. Café on the green is fine.",
        html="<p>Something else entirely</p>",
        charset="iso-8859-1",
    )

    assert receive(raw).status == "recorded"
    assert Reply.objects.get().body == "Diolch. Café on the green is fine."


# --- Refusals -------------------------------------------------------------------------------


def test_an_unknown_token_is_refused_and_nothing_recorded(message, caplog):
    raw = email_bytes(sender=CARA_PRIVATE, to=f"reply+{'0' * 32}@moothall.example", text="Hello")

    outcome = receive(raw)

    assert (outcome.status, outcome.code) == ("refused", "unknown_token")
    assert not Reply.objects.exists()
    assert "unknown_token" in caplog.text
    assert CARA_PRIVATE not in caplog.text


def test_a_relay_address_at_another_domain_is_not_ours(message):
    raw = email_bytes(
        sender=CARA_PRIVATE, to=f"reply+{message.token}@elsewhere.example", text="Hello"
    )

    assert receive(raw).code == "no_relay_address"


def test_a_reply_to_the_councillors_address_from_anyone_else_is_refused(message, caplog):
    raw = email_bytes(
        sender="rita.resident@example.org", to=to_councillor(message), text="I am Cara."
    )

    outcome = receive(raw)

    assert (outcome.status, outcome.code) == ("refused", "from_mismatch")
    assert not Reply.objects.exists()
    assert f"message {message.pk}" in caplog.text
    assert "I am Cara." not in caplog.text


def test_the_councillors_address_cannot_reply_through_the_residents_relay(message):
    # Otherwise a resident, who knows their own relay token, could forge "the councillor
    # replied" by putting the councillor's address in From.
    raw = email_bytes(sender=CARA_PRIVATE, to=to_sender(message), text="Forged answer.")

    assert receive(raw).code == "from_mismatch"
    message.refresh_from_db()
    assert message.first_reply_at is None


def test_an_out_of_office_answer_is_ignored_and_does_not_count_as_a_reply(message):
    raw = email_bytes(
        sender=CARA_PRIVATE,
        to=to_councillor(message),
        text="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )

    outcome = receive(raw)

    assert (outcome.status, outcome.code) == ("ignored", "automatic")
    message.refresh_from_db()
    assert message.first_reply_at is None


def test_a_reply_with_nothing_above_the_quote_is_refused(message):
    raw = email_bytes(sender=CARA_PRIVATE, to=to_councillor(message), text=GMAIL_QUOTE)

    outcome = receive(raw)

    assert (outcome.status, outcome.code) == ("refused", "required")
    assert not Reply.objects.exists()


def test_a_blocked_residents_emailed_reply_is_refused_kindly(message, cara_user):
    domain.block_sender(cara_user, message)
    raw = email_bytes(sender="rita.resident@example.org", to=to_sender(message), text="Hello again")

    outcome = receive(raw)

    assert outcome.code == "unavailable"
    assert "cannot send messages to Councillor Cara Cole" in outcome.detail


def test_bytes_that_are_not_an_email_are_refused():
    assert receive(b"\x00\xff not an email").status == "refused"
    assert receive(b"").status == "refused"


# --- Stripping the history, as mail programs write it --------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Fine.\n\nOn 3 Mar 2030, at 09:15, Moothall wrote:\n> old", "Fine."),
        ("Iawn.\n\nAr 3 Maw 2030 am 09:15, ysgrifennodd Moothall:\n> hen", "Iawn."),
        (
            "Will check.\n\n________________________________\nFrom: Moothall\nSent: 3 March",
            "Will check.",
        ),
        (
            "Noted.\r\n\r\nFrom: Moothall <noreply@moothall.example>\r\nSent: Monday\r\n"
            "To: Cara\r\nSubject: Message",
            "Noted.",
        ),
        ("Yes.\n\n-----Original Message-----\nFrom: x", "Yes."),
        ("Sure.\n\nSent from my iPhone\n\n> quoted", "Sure."),
        ("First.\n> quoted\nSecond.\n\n\n\nThird.", "First.\nSecond.\n\nThird."),
        ("Regards,\nCara\n--\nCllr Cara Cole\ncara@example.org", "Regards,\nCara"),
        (
            "On Tuesday I visited the site, it is fine.",
            "On Tuesday I visited the site, it is fine.",
        ),
        (
            "From the start I agreed.\nTo be clear: yes.",
            "From the start I agreed.\nTo be clear: yes.",
        ),
    ],
)
def test_the_history_and_signature_are_cut_off(text, kept):
    assert strip_history(text) == kept


# --- The command --------------------------------------------------------------------------


def test_the_command_reads_one_email_from_standard_input(message):
    raw = email_bytes(sender=CARA_PRIVATE, to=to_councillor(message), text="Piped reply.")

    call_command("receive_email", stdin=io.BytesIO(raw))

    assert Reply.objects.get().body == "Piped reply."


def test_the_command_takes_the_envelope_recipient_from_the_environment(message, monkeypatch):
    monkeypatch.setenv("ORIGINAL_RECIPIENT", f"reply+{message.token}@moothall.example")
    raw = email_bytes(sender=CARA_PRIVATE, to="someone@else.example", text="Via Postfix.")

    call_command("receive_email", stdin=io.BytesIO(raw))

    assert Reply.objects.get().body == "Via Postfix."


@pytest.mark.parametrize(
    ("make", "returncode"),
    [
        (lambda m: email_bytes(sender=CARA_PRIVATE, to="x@moothall.example", text="Hi"), 67),
        (lambda m: email_bytes(sender="x@bad.example", to=to_councillor(m), text="Hi"), 77),
        (lambda m: email_bytes(sender=CARA_PRIVATE, to=to_councillor(m), text=" "), 65),
    ],
)
def test_the_command_tells_the_mail_server_why_it_refused(message, make, returncode):
    with pytest.raises(CommandError) as error:
        call_command("receive_email", stdin=io.BytesIO(make(message)))

    assert error.value.returncode == returncode
    assert not Reply.objects.exists()


def test_the_command_asks_the_mail_server_to_try_again_when_the_database_fails(
    message, monkeypatch
):
    def broken(raw: bytes, *, recipient: str = "") -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("moothall.correspondence.management.commands.receive_email.receive", broken)
    with pytest.raises(CommandError) as error:
        call_command("receive_email", stdin=io.BytesIO(b"x"))

    assert error.value.returncode == 75


def test_the_command_processes_a_maildir_and_moves_every_new_message(message, tmp_path: Path):
    for folder in ("new", "cur", "tmp"):
        (tmp_path / folder).mkdir()
    (tmp_path / "new" / "1.a.host").write_bytes(
        email_bytes(sender=CARA_PRIVATE, to=to_councillor(message), text="From the maildir.")
    )
    (tmp_path / "new" / "2.b.host").write_bytes(
        email_bytes(sender="spoof@bad.example", to=to_councillor(message), text="Spoof.")
    )
    (tmp_path / "new" / "3.c.host").write_bytes(
        email_bytes(
            sender=CARA_PRIVATE,
            to=to_councillor(message),
            text="Away.",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    out = io.StringIO()

    call_command("receive_email", maildir=str(tmp_path), stdout=out)

    assert out.getvalue().strip() == "1 recorded, 1 ignored, 1 refused"
    assert not list((tmp_path / "new").iterdir())
    assert sorted(p.name for p in (tmp_path / "cur").iterdir()) == [
        "1.a.host:2,S",
        "2.b.host:2,FS",
        "3.c.host:2,S",
    ]
    assert Reply.objects.get().body == "From the maildir."


def test_the_maildir_must_be_a_maildir(tmp_path: Path):
    with pytest.raises(CommandError, match="not a maildir"):
        call_command("receive_email", maildir=str(tmp_path))


def test_an_oversized_email_is_refused(message, monkeypatch):
    monkeypatch.setattr(inbound, "MAX_BYTES", 100)
    raw = email_bytes(sender=CARA_PRIVATE, to=to_councillor(message), text="x" * 200)

    assert receive(raw).code == "too_large"
