"""Signing's two paths: the quick one (one SQL statement on PostgreSQL) for a new signer of
an open petition, and the general one for everything else. Both give the same answers, the
same rows and the same email; these tests say which path ran and that nothing differs."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from moothall.core import mail as outbox
from moothall.core.models import OutboxMessage
from moothall.petitions import domain
from moothall.petitions.models import AbuseAlert, Petition, PetitionScheme, Signature, source_of
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council):
    council.gss_code = "E10000099"
    council.save()
    north = factories.WardFactory(council=council, name="North", gss_code="E05000001")
    factories.WardFactory(council=council, name="South", gss_code="E05000002")
    factories.PostcodeFactory(postcode="MH1 1AA", ward_gss="E05000001", county_gss="E10000099")
    factories.PostcodeFactory(postcode="MK9 9ZZ", ward_gss="E05999999", county_gss="E10999999")
    PetitionScheme.objects.create(council=council, sponsors_required=0, pre_moderation=False)
    return {"council": council, "north": north}


@pytest.fixture
def petition(scene, resident):
    petition = domain.start_petition(
        resident, scene["council"], title="Parks & gardens", action="Keep them open."
    )
    return domain.submit_petition(resident, petition)


@pytest.fixture
def paths(monkeypatch):
    """Which path each call took: "quick" or "general"."""
    taken: list[str] = []
    general = domain._sign_slowly
    quick = domain._sign_quickly

    def spy_general(*args, **kwargs):
        taken.append("general")
        return general(*args, **kwargs)

    def spy_quick(*args, **kwargs):
        result = quick(*args, **kwargs)  # raises _TakeTheLongWay when it cannot answer
        taken.append("quick")
        return result

    monkeypatch.setattr(domain, "_sign_slowly", spy_general)
    monkeypatch.setattr(domain, "_sign_quickly", spy_quick)
    return taken


def sign(petition, email="sam@example.org", **extra):
    return domain.sign_petition(
        petition,
        name=extra.pop("name", "Sam Signer"),
        email=email,
        postcode=extra.pop("postcode", "MH1 1AA"),
        basis=extra.pop("basis", "lives"),
        declaration=extra.pop("declaration", True),
        **extra,
    )


def as_stored(signature):
    """Every column's value, and whether the object knows its row exists."""
    columns = {f.attname: getattr(signature, f.attname) for f in Signature._meta.concrete_fields}
    return columns, signature._state.adding


def test_a_new_signer_takes_the_quick_path_and_gets_the_same_row_and_email(
    petition, scene, paths, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        signature = sign(
            petition, "Sam.Signer+x@GoogleMail.com", ip_address="198.51.100.7", wants_updates=False
        )

    assert paths == ["quick"]
    if connection.vendor == "postgresql":
        # The checks, the signature and its email: one statement (the test's transaction
        # stands in for the commit a request makes on its own).
        signing = [q for q in queries.captured_queries if "petitions_signature" in q["sql"]]
        assert len(signing) == 1
    stored = Signature.objects.get(pk=signature.pk)
    assert as_stored(signature) == as_stored(stored)
    assert (stored.token, stored.status, stored.email_key, stored.email_domain) == (
        signature.token,
        "pending",
        "samsigner@gmail.com",
        "gmail.com",
    )
    assert (stored.ward_id, stored.postcode, stored.source, stored.wants_updates) == (
        scene["north"].pk,
        "MH1 1AA",
        "198.51.100.7",
        False,
    )
    assert (stored.flagged, stored.flag_reasons, stored.channel, stored.is_sponsor) == (
        False,
        [],
        "online",
        False,
    )
    # The email is queued compact (nothing rendered in the request) and rendered when sent,
    # exactly as the general path renders it.
    message = OutboxMessage.objects.get(template=domain.CONFIRM_EMAIL)
    assert (message.builder, message.context, message.status) == (
        domain.CONFIRM_EMAIL_BUILDER,
        {"signature": stored.pk},
        "sent",
    )
    subject, body = outbox.render_email(domain.CONFIRM_EMAIL, domain._confirmation_context(stored))
    assert [(m.subject, m.body) for m in mail.outbox if m.to == [stored.email]] == [(subject, body)]
    assert (message.subject, message.body) == (subject, body)  # kept, as sent
    assert "Parks & gardens" in subject  # not HTML-escaped
    assert f"/petitions/confirm/{stored.token}/" in body


def test_the_quick_email_is_rendered_in_the_signers_language(
    petition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), translation.override("cy"):
        sign(petition)
    welsh = mail.outbox[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), translation.override("cy"):
        domain._sign_slowly(
            petition,
            name="Sam Signer",
            email="other@example.org",
            postcode="MH1 1AA",
            basis="lives",
            declaration=True,
        )
    assert OutboxMessage.objects.filter(language="cy").count() == 1
    assert welsh.subject == mail.outbox[0].subject


def test_signing_again_takes_the_general_path_with_the_same_answer(
    petition, paths, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = sign(petition, "sam@example.org")
        again = sign(petition, "SAM@example.org", name="Sam Again")

    assert paths == ["quick", "general"]
    assert again.pk == first.pk
    assert Signature.objects.filter(petition=petition).count() == 1
    # Within the resend interval nobody is emailed twice.
    assert len(mail.outbox) == 1


def test_a_withdrawn_signer_signs_again_by_the_general_path(petition, paths):
    first = sign(petition)
    domain.withdraw_signature(first.token)
    again = sign(petition, name="Sam Back")
    assert paths == ["quick", "general"]
    again.refresh_from_db()
    assert (again.pk, again.status, again.name) == (first.pk, "pending", "Sam Back")


def test_a_sponsor_takes_the_general_path(council, resident, scene, paths):
    PetitionScheme.objects.filter(council=council).update(sponsors_required=1)
    petition = domain.submit_petition(
        resident, domain.start_petition(resident, council, title="Sponsored", action="Do it.")
    )
    signature = sign(petition, sponsor_token=petition.sponsor_token)
    assert paths == ["general"]
    assert signature.is_sponsor


def test_a_petition_closed_a_moment_ago_refuses_and_nothing_is_written(petition, officer, paths):
    domain.close_petition(officer, petition, reason_text="Closed early.")
    outbox_before = OutboxMessage.objects.count()  # the petition's own emails
    with pytest.raises(ValidationError) as refused:
        sign(petition)
    assert refused.value.code == "not_open"
    assert paths == ["general"]  # the quick path found it closed and wrote nothing
    assert not Signature.objects.filter(petition=petition).exists()
    assert OutboxMessage.objects.count() == outbox_before


def test_a_petition_closed_behind_a_stale_copy_still_refuses(petition, officer):
    stale = Petition.objects.get(pk=petition.pk)  # loaded while it was open
    Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.CLOSED)
    with pytest.raises(ValidationError) as refused:
        sign(stale)
    assert refused.value.code == "not_open"
    assert not Signature.objects.filter(petition=petition).exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"email": "not-an-email"}, "email", "invalid_email"),
        ({"postcode": "NOPE"}, "postcode", "invalid_postcode"),
        ({"postcode": "MK9 9ZZ"}, "postcode", "postcode_outside"),
        ({"postcode": "MK1 1ZZ"}, "postcode", "postcode_outside"),  # a postcode we do not know
        ({"basis": "visits"}, "basis", "invalid_basis"),
        ({"declaration": False}, "declaration", "declaration_required"),
        ({"name": "   "}, "name", "required"),
        ({"name": "Sam\nBcc: x"}, "name", "line_break"),
    ],
)
def test_refusals_are_those_of_the_general_path(petition, paths, change, field, code):
    email = change.pop("email", "sam@example.org")
    with pytest.raises(ValidationError) as refused:
        sign(petition, email, **change)
    assert refused.value.error_dict[field][0].code == code
    assert paths == ["general"]
    assert not Signature.objects.exists()
    assert not OutboxMessage.objects.filter(template=domain.CONFIRM_EMAIL).exists()


def test_a_basis_the_scheme_stopped_taking_is_refused_at_once(petition, council, paths):
    PetitionScheme.objects.filter(council=council).update(allow_works=False)
    with pytest.raises(ValidationError) as refused:
        sign(petition, basis="works", postcode="MK9 9ZZ")
    assert refused.value.error_dict["basis"][0].code == "invalid_basis"
    # Someone who works in the area may sign from a postcode outside it, while allowed.
    PetitionScheme.objects.filter(council=council).update(allow_works=True)
    assert sign(petition, basis="works", postcode="MK9 9ZZ").ward_id is None
    assert paths == ["general", "quick"]


def test_a_closed_petition_with_bad_input_still_says_it_is_closed(petition, officer):
    # The general path's order: the petition's state first, then the fields.
    domain.close_petition(officer, petition, reason_text="Closed early.")
    with pytest.raises(ValidationError) as refused:
        sign(petition, "not-an-email")
    assert refused.value.code == "not_open"


def test_a_reference_finds_only_a_public_petition_of_that_council(
    petition, council, other_council, resident
):
    ref = domain.PetitionRef(council.slug, petition.pk)
    assert sign(ref).petition_id == petition.pk
    with pytest.raises(Petition.DoesNotExist):
        sign(domain.PetitionRef(other_council.slug, petition.pk))
    draft = domain.start_petition(resident, council, title="Draft", action="Not yet.")
    with pytest.raises(Petition.DoesNotExist):
        sign(domain.PetitionRef(council.slug, draft.pk))
    with pytest.raises(Petition.DoesNotExist):
        sign(domain.PetitionRef(council.slug, 10**9))


def test_the_quick_path_flags_a_flood_and_alerts_once(
    petition, council, moderator, django_capture_on_commit_callbacks
):
    PetitionScheme.objects.filter(council=council).update(
        flag_per_address_per_hour=2, alert_per_domain_per_hour=2
    )
    with django_capture_on_commit_callbacks(execute=True):
        returned = [
            sign(petition, f"bot{n}@floodmail.example", ip_address="203.0.113.9") for n in range(4)
        ]

    flags = list(
        Signature.objects.filter(petition=petition)
        .order_by("pk")
        .values_list("flagged", "flag_reasons")
    )
    both = ["address_rate", "domain_rate"]
    assert flags == [(False, []), (False, []), (True, both), (True, both)]
    stored = Signature.objects.filter(petition=petition).order_by("pk")
    assert [as_stored(s) for s in returned] == [as_stored(s) for s in stored]
    alerts = {(a.kind, a.key, a.count) for a in AbuseAlert.objects.filter(petition=petition)}
    assert alerts == {("address", "203.0.113.9", 4), ("domain", "floodmail.example", 4)}
    # The moderators heard once per source, never the signer.
    to_moderator = [m for m in mail.outbox if m.to == [moderator.email]]
    assert len(to_moderator) == 2


@pytest.mark.parametrize(
    ("address", "source"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2::7", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("", ""),
        (None, ""),
        ("not an address", ""),
    ],
)
def test_the_source_of_an_address(address, source):
    assert source_of(address) == source


def test_ipv6_signers_in_different_networks_are_different_sources(petition, council):
    PetitionScheme.objects.filter(council=council).update(flag_per_address_per_hour=1)
    sign(petition, "a@gmail.com", ip_address="2001:db8:1:2::1")
    sign(petition, "b@gmail.com", ip_address="2001:db8:1:3::1")
    sign(petition, "c@gmail.com", ip_address="2001:db8:1:2::2")
    flagged = dict(Signature.objects.values_list("email", "flagged"))
    assert flagged == {"a@gmail.com": False, "b@gmail.com": False, "c@gmail.com": True}


def test_a_moderator_invalidates_a_whole_ipv6_network_by_its_alert_key(
    petition, moderator, django_capture_on_commit_callbacks
):
    for n, address in enumerate(["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:9:9::1"]):
        sign(petition, f"p{n}@gmail.com", ip_address=address)
    invalidation = domain.invalidate_signatures(
        moderator, petition, reason_text="One network.", ip_address="2001:db8:1:2::/64"
    )
    assert invalidation.count == 2
    assert dict(Signature.objects.values_list("email", "status")) == {
        "p0@gmail.com": "invalidated",
        "p1@gmail.com": "invalidated",
        "p2@gmail.com": "pending",
    }


def test_confirming_reaches_the_default_schemes_first_threshold_exactly_once(
    council, resident, scene
):
    PetitionScheme.objects.filter(council=council).delete()  # the defaults: 10, 500, 1000
    petition = domain.start_petition(resident, council, title="No scheme", action="Do it.")
    Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.OPEN)
    tokens = [sign(petition, f"p{n}@gmail.com").token for n in range(11)]
    for token in tokens[:9]:
        domain.confirm_signature(token)
    assert not petition.obligations.exists()
    domain.confirm_signature(tokens[9])
    assert list(petition.obligations.values_list("kind", "threshold")) == [("respond", 10)]
    domain.confirm_signature(tokens[10])
    domain.confirm_signature(tokens[10])  # twice changes nothing
    assert petition.obligations.count() == 1
    assert domain.live_count(petition) == 11


def test_the_drain_builds_confirmation_emails_in_a_fixed_number_of_queries(
    petition, scene, resident, django_capture_on_commit_callbacks
):
    """However many confirmation emails a drain sends, and for however many petitions,
    it reads the signatures and the petitions once each: the emails are those the
    general path renders, from the full rows."""
    other = domain.submit_petition(
        resident,
        domain.start_petition(resident, scene["council"], title="Bins", action="Empty them."),
    )

    def queue(count, start):
        with django_capture_on_commit_callbacks(execute=False):  # left for the drain
            for n in range(start, start + count):
                sign((petition, other)[n % 2], f"signer{n}@example.org", name=f"Signer {n}")

    def drained(count):
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries:
            assert outbox.drain() == count
        return len(queries.captured_queries)

    outbox.drain()  # the petitions' own emails
    queue(2, 0)
    few = drained(2)
    queue(8, 2)
    many = drained(8)
    if connection.vendor == "postgresql":  # elsewhere each message is claimed on its own
        assert few == many
    assert len(mail.outbox) == 8
    for message in mail.outbox:
        stored = Signature.objects.get(email=message.to[0])
        assert (message.subject, message.body) == outbox.render_email(
            domain.CONFIRM_EMAIL, domain._confirmation_context(stored)
        )
        assert stored.name in message.body
        assert stored.petition.title in message.subject
