"""A resident writes to their ward's councillors: who may, to whom, how often, and what is sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from moothall.core.models import AuditEntry
from moothall.correspondence import domain
from moothall.correspondence.models import CorrespondenceSettings, Message, SenderBlock
from tests import factories
from tests.correspondence.scene import CARA_PRIVATE, CARA_WORK, write

pytestmark = pytest.mark.django_db


def refusal(error: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str]:
    """(code, message) of a refusal, whether it is about a field or the whole letter."""
    exc = error.value
    if hasattr(exc, "error_dict"):
        (field_errors,) = exc.error_dict.values()
        first = field_errors[0]
    else:
        first = exc.error_list[0]
    message = first.message % first.params if first.params else first.message
    return first.code, str(message)


# --- Who may write ----------------------------------------------------------------------


def test_a_resident_writes_to_one_councillor_of_their_ward(writer, area, cara_user):
    message = write(writer, [area.cara], subject=" Pothole ", body=" Deep hole. ")

    assert Message.objects.count() == 1
    assert message.councillor == area.cara
    assert message.sender == writer
    assert message.council == area.district
    assert (message.subject, message.body) == ("Pothole", "Deep hole.")
    assert message.sender_name == "Rita Resident"
    assert message.sender_postcode == "MH1 1AA"
    assert message.status == Message.Status.SENT
    assert message.first_reply_at is None
    assert len(message.token) == 32
    assert message.token != message.sender_token


def test_writing_to_all_the_wards_councillors_makes_one_message_each_sharing_a_group(
    writer, area, cara_user
):
    second = factories.CouncillorFactory(
        council=area.district, ward=area.district_ward, person__name="Zoe Zinn"
    )

    messages = domain.write_to_councillors(
        writer, area.district, [area.cara, second, area.cara], subject="Bins", body="Bins."
    )

    assert [m.councillor for m in messages] == [area.cara, second]
    assert len({m.group_id for m in messages}) == 1
    assert len({m.token for m in messages}) == 2


def test_someone_not_signed_in_cannot_write(area):
    with pytest.raises(PermissionDenied):
        write(AnonymousUser(), [area.cara])
    assert not Message.objects.exists()


def test_an_unverified_email_address_is_refused_with_what_to_do(area):
    person = factories.UserFactory(postcode="MH1 1AA", verified_email=False)

    with pytest.raises(ValidationError) as error:
        write(person, [area.cara])

    assert refusal(error) == (
        "email_unverified",
        "Confirm your email address before you write to a councillor.",
    )
    assert not Message.objects.exists()


def test_a_resident_without_a_postcode_is_asked_to_add_one(area):
    person = factories.UserFactory(postcode="")

    with pytest.raises(ValidationError) as error:
        write(person, [area.cara])

    assert refusal(error) == (
        "no_postcode",
        "Add your postcode to your profile: you can write to the councillors of the ward "
        "where you live.",
    )


def test_a_postcode_we_do_not_know_is_named(area):
    person = factories.UserFactory(postcode="ZZ9 9ZZ")

    with pytest.raises(ValidationError) as error:
        write(person, [area.cara])

    assert refusal(error) == (
        "unknown_postcode",
        "We cannot find the postcode ZZ9 9ZZ. Check the postcode in your profile.",
    )


def test_a_postcode_outside_the_councils_area_is_refused(area):
    factories.PostcodeFactory(postcode="EX1 1AA", district_gss="E07999999")
    person = factories.UserFactory(postcode="EX1 1AA")

    with pytest.raises(ValidationError) as error:
        write(person, [area.cara])

    assert refusal(error) == (
        "outside_area",
        "Your postcode EX1 1AA is not in the area of Lowdale District Council, so you cannot "
        "write to its councillors.",
    )


def test_a_resident_of_another_ward_cannot_write_to_this_wards_councillor(
    stranger, area, cara_user
):
    with pytest.raises(ValidationError) as error:
        write(stranger, [area.cara])

    assert refusal(error) == (
        "wrong_ward",
        "Your postcode is in Lowdale East: you can write to its councillors only.",
    )
    assert not Message.objects.exists()


def test_a_councillor_of_another_council_is_refused(writer, area):
    with pytest.raises(ValidationError) as error:
        domain.write_to_councillors(
            writer, area.district, [area.ada], subject="Roads", body="Potholes."
        )

    assert refusal(error)[0] == "wrong_ward"


def test_a_verified_resident_still_needs_a_postcode_in_the_ward(area):
    person = factories.UserFactory(postcode="")
    factories.ResidentVerificationFactory(user=person, council=area.district)

    with pytest.raises(ValidationError) as error:
        write(person, [area.cara])

    assert refusal(error)[0] == "no_postcode"


def test_a_former_councillor_cannot_be_written_to(writer, area):
    with pytest.raises(ValidationError) as error:
        domain.write_to_councillors(
            writer, area.county, [area.fred], subject="Roads", body="Potholes."
        )

    assert refusal(error) == ("not_in_office", "Fred Former is not a councillor at the moment.")


def test_a_councillor_with_no_address_cannot_be_written_to(writer, area):
    with pytest.raises(ValidationError) as error:
        write(writer, [area.brian])

    assert refusal(error) == (
        "no_address",
        "Councillor Brian Brook cannot be written to here: the council has not given us an "
        "email address for them.",
    )


def test_choosing_nobody_is_refused(writer, area):
    with pytest.raises(ValidationError) as error:
        domain.write_to_councillors(writer, area.district, [], subject="Hi", body="Hello")

    assert refusal(error) == ("required", "Choose who to write to.")


@pytest.mark.parametrize(
    ("field", "changes", "code"),
    [
        ("subject", {"subject": "   "}, "required"),
        ("subject", {"subject": "x" * 201}, "too_long"),
        ("body", {"body": ""}, "required"),
        ("body", {"body": "x" * 5001}, "too_long"),
        ("body", {"body": "nul\x00"}, "bad_characters"),
        ("name", {"name": " "}, "required"),
    ],
)
def test_bad_fields_are_refused_before_anything_is_written(
    writer, area, cara_user, field, changes, code
):
    arguments = {"subject": "Bins", "body": "Bins are left out.", **changes}

    with pytest.raises(ValidationError) as error:
        domain.write_to_councillors(writer, area.district, [area.cara], **arguments)

    assert list(error.value.error_dict) == [field]
    assert refusal(error)[0] == code
    assert not Message.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="correspondence").exists()


def test_a_council_that_closed_writing_takes_no_letters(writer, area, cara_user):
    CorrespondenceSettings.objects.create(council=area.district, is_open=False)

    with pytest.raises(ValidationError) as error:
        write(writer, [area.cara])

    assert refusal(error) == (
        "closed",
        "Lowdale District Council is not taking messages to councillors through this site "
        "just now.",
    )


# --- Limits and blocks -------------------------------------------------------------------


def test_the_daily_limit_counts_letters_not_recipients_and_says_when_to_come_back(
    writer, area, cara_user
):
    CorrespondenceSettings.objects.create(council=area.district, messages_per_day=2)
    first = timezone.make_aware(dt.datetime(2030, 3, 4, 9, 15))
    write(writer, [area.cara], body="One", now=first)
    write(writer, [area.cara], body="Two", now=first + dt.timedelta(hours=3))

    with pytest.raises(ValidationError) as error:
        write(writer, [area.cara], body="Three", now=first + dt.timedelta(hours=5))

    assert refusal(error) == (
        "daily_limit",
        "You have sent 2 messages in the last 24 hours, the most Lowdale District Council "
        "allows. You can write again from 09:15, 5 March.",
    )
    assert Message.objects.count() == 2
    # A day after the first, one more may go.
    write(writer, [area.cara], body="Three", now=first + dt.timedelta(hours=24, minutes=1))
    assert Message.objects.count() == 3


def test_replies_by_the_sender_count_towards_the_daily_limit(writer, area, cara_user):
    CorrespondenceSettings.objects.create(council=area.district, messages_per_day=2)
    message = write(writer, [area.cara], body="One")
    domain.reply_as_sender(writer, message, body="And another thing.")

    with pytest.raises(ValidationError) as error:
        write(writer, [area.cara], body="Two")

    assert refusal(error)[0] == "daily_limit"


def test_the_same_text_to_the_same_councillor_is_refused_however_it_is_spaced(
    writer, area, cara_user
):
    first = timezone.now() - dt.timedelta(days=40)
    write(writer, [area.cara], body="The bins  are\nleft OUT.", now=first)

    with pytest.raises(ValidationError) as error:
        write(writer, [area.cara], subject="Again", body="the bins are left out.")

    assert refusal(error) == (
        "repeat",
        "You have already sent this message to Councillor Cara Cole. To add to it, reply in "
        "that conversation under “My messages”.",
    )
    assert Message.objects.count() == 1


def test_a_councillor_who_blocked_the_sender_is_unavailable_without_saying_blocked(
    writer, area, cara_user
):
    message = write(writer, [area.cara])
    domain.block_sender(cara_user, message, reason="Abusive")

    with pytest.raises(ValidationError) as error:
        write(writer, [area.cara], body="Something else")

    code, text = refusal(error)
    assert code == "unavailable"
    assert text == (
        "You cannot send messages to Councillor Cara Cole through this site. If you need help, "
        "contact Lowdale District Council directly."
    )
    assert "block" not in text.lower()
    assert Message.objects.count() == 1


def test_a_block_by_one_councillor_stops_a_letter_to_all_and_names_them(writer, area, cara_user):
    zoe = factories.CouncillorFactory(
        council=area.district, ward=area.district_ward, person__name="Zoe Zinn"
    )
    SenderBlock.objects.create(councillor=area.cara, sender=writer, created_at=timezone.now())

    with pytest.raises(ValidationError) as error:
        write(writer, [zoe, area.cara])

    assert "Councillor Cara Cole" in refusal(error)[1]
    assert not Message.objects.exists()


# --- What is sent, and what is recorded ----------------------------------------------------


def test_the_councillor_is_emailed_at_their_accounts_address_with_a_relay_reply_to(
    writer, area, cara_user, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://moothall.example"
    settings.MOOTHALL_REPLY_DOMAIN = "Replies.Moothall.example"

    with django_capture_on_commit_callbacks(execute=True):
        message = write(writer, [area.cara], subject="Pothole", body="Deep hole & danger.")

    to_councillor, copy = mail.outbox
    assert to_councillor.to == [CARA_PRIVATE]
    assert to_councillor.reply_to == [f"reply+{message.token}@replies.moothall.example"]
    assert to_councillor.from_email == settings.DEFAULT_FROM_EMAIL
    assert to_councillor.subject == "Message from Rita Resident: Pothole"
    assert "Deep hole & danger." in to_councillor.body
    assert "rita.resident@example.org" in to_councillor.body
    assert "MH1 1AA" in to_councillor.body
    assert f"https://moothall.example/lowdale/messages/reply/{message.token}/" in to_councillor.body
    assert to_councillor.body.startswith(domain.REPLY_ABOVE)

    assert copy.to == ["rita.resident@example.org"]
    assert copy.subject == "Your message has been sent: Pothole"
    assert "Councillor Cara Cole" in copy.body
    assert f"https://moothall.example/lowdale/messages/{message.pk}/" in copy.body
    for sent in (copy,):
        text = f"{sent.subject} {sent.body} {sent.reply_to} {sent.from_email}"
        assert CARA_PRIVATE not in text
        assert CARA_WORK not in text
        assert message.token not in text


def test_without_an_account_the_councillor_is_emailed_at_their_work_address(
    writer, area, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        write(writer, [area.cara])

    assert mail.outbox[0].to == [CARA_WORK]


def test_the_relay_domain_defaults_to_the_sites_host(settings):
    settings.SITE_URL = "https://Moothall.Example:8443"
    settings.MOOTHALL_REPLY_DOMAIN = ""

    assert domain.relay_address("ab" * 16) == f"reply+{'ab' * 16}@moothall.example"


def test_each_message_has_an_audit_entry_without_its_text(writer, area, cara_user):
    message = write(writer, [area.cara], subject="Secret subject", body="Private words")

    entry = AuditEntry.objects.get(action="correspondence.write")
    assert entry.actor == writer
    assert entry.council == area.district
    assert entry.target_id == str(message.pk)
    assert entry.details == {"councillor": area.cara.pk, "group": str(message.group_id)}
    assert "Private words" not in str(entry.details) + entry.target_repr
    assert "Secret subject" not in str(entry.details) + entry.target_repr
