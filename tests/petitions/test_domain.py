"""The petition verbs, one rule at a time (the end-to-end flow is in test_domain_flow.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from moothall.petitions import domain
from moothall.petitions.models import (
    AbuseAlert,
    Obligation,
    Petition,
    PetitionEvent,
    PetitionScheme,
    Signature,
    SignatureTally,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council):
    council.gss_code = "E10000099"
    council.save()
    north = factories.WardFactory(council=council, name="North", gss_code="E05000001")
    south = factories.WardFactory(council=council, name="South", gss_code="E05000002")
    factories.PostcodeFactory(postcode="MH1 1AA", ward_gss="E05000001", county_gss="E10000099")
    factories.PostcodeFactory(postcode="MH2 2BB", ward_gss="E05000002", county_gss="E10000099")
    factories.PostcodeFactory(postcode="MK9 9ZZ", ward_gss="E05999999", county_gss="E10999999")
    PetitionScheme.objects.create(
        council=council,
        sponsors_required=0,
        pre_moderation=False,
        response_threshold=2,
        hearing_threshold=3,
        debate_threshold=4,
    )
    return {"council": council, "north": north, "south": south}


@pytest.fixture
def petition(scene, resident):
    petition = domain.start_petition(
        resident, scene["council"], title="Save the library", action="Keep it open."
    )
    return domain.submit_petition(resident, petition)


def sign(petition, email, postcode="MH1 1AA", basis="lives", **extra):
    return domain.sign_petition(
        petition,
        name=extra.pop("name", "Sam Signer"),
        email=email,
        postcode=postcode,
        basis=basis,
        declaration=extra.pop("declaration", True),
        **extra,
    )


def sign_and_confirm(petition, email, **extra):
    signature = sign(petition, email, **extra)
    return domain.confirm_signature(signature.token)


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("Jo.Bloggs+petitions@GoogleMail.com", "jobloggs@gmail.com"),
        ("jo.bloggs@gmail.com", "jobloggs@gmail.com"),
        ("  Jo@Example.ORG ", "jo@example.org"),
        ("jo+tag@example.org", "jo@example.org"),
        ("jo.bloggs@example.org", "jo.bloggs@example.org"),
    ],
)
def test_an_email_address_is_reduced_to_one_person(given, key):
    assert domain.email_key(given) == key


def test_without_sponsors_or_moderation_a_submitted_petition_opens_for_the_scheme_duration(
    petition,
):
    assert petition.status == Petition.Status.OPEN
    assert petition.closes_on == timezone.localdate() + dt.timedelta(days=90)


def test_a_signature_counts_only_after_its_link_is_followed(petition, scene):
    signature = sign(petition, "sam@example.org")
    assert signature.status == Signature.Status.PENDING
    assert domain.live_count(petition) == 0
    domain.confirm_signature(signature.token)
    domain.confirm_signature(signature.token)  # twice changes nothing
    assert domain.live_count(petition) == 1
    assert domain.count_by_ward(petition) == [(scene["north"], 1)]


def test_signing_again_with_the_same_address_in_another_form_makes_no_second_signature(
    petition, django_capture_on_commit_callbacks
):
    first = sign_and_confirm(petition, "jo.bloggs@gmail.com")
    Signature.objects.update(last_emailed_at=timezone.now() - dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        again = sign(petition, "Jo.Bloggs+x@GoogleMail.com")
    assert again.pk == first.pk
    assert Signature.objects.filter(petition=petition).count() == 1
    assert domain.live_count(petition) == 1
    assert mail.outbox[-1].subject == "You have already signed: Save the library"


def test_signing_again_and_again_cannot_fill_someones_inbox(
    petition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            sign(petition, "victim@example.org")
    assert [m.subject for m in mail.outbox] == ["Confirm your signature: Save the library"]


def test_a_withdrawn_signature_stops_counting_and_can_be_given_again(petition):
    signature = sign_and_confirm(petition, "sam@example.org")
    domain.withdraw_signature(signature.token)
    assert domain.live_count(petition) == 0
    again = sign(petition, "sam@example.org")
    assert again.pk == signature.pk
    assert again.status == Signature.Status.PENDING
    domain.confirm_signature(again.token)
    assert domain.live_count(petition) == 1


def test_someone_who_lives_elsewhere_cannot_sign_as_a_resident_but_may_as_a_worker(petition):
    with pytest.raises(ValidationError) as refused:
        sign(petition, "far@example.org", postcode="MK9 9ZZ")
    assert refused.value.error_dict["postcode"][0].code == "postcode_outside"
    worker = sign_and_confirm(petition, "far@example.org", postcode="MK9 9ZZ", basis="works")
    assert worker.ward is None
    assert domain.count_by_ward(petition) == [(None, 1)]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"email": "not an email"}, "email", "invalid_email"),
        ({"postcode": "nowhere"}, "postcode", "invalid_postcode"),
        ({"basis": "visits"}, "basis", "invalid_basis"),
        ({"declaration": False}, "declaration", "declaration_required"),
        ({"name": "  "}, "name", "required"),
        ({"name": "a\x00b"}, "name", "bad_characters"),
    ],
)
def test_bad_signing_input_is_refused_field_by_field_and_nothing_is_written(
    petition, changes, field, code
):
    values = {"email": "sam@example.org", "postcode": "MH1 1AA", "basis": "lives"}
    values.update(changes)
    with pytest.raises(ValidationError) as refused:
        sign(petition, **values)
    assert refused.value.error_dict[field][0].code == code
    assert not Signature.objects.exists()


def test_a_basis_the_scheme_does_not_allow_is_refused(petition, scene):
    PetitionScheme.objects.filter(council=scene["council"]).update(allow_studies=False)
    with pytest.raises(ValidationError) as refused:
        sign(petition, "student@example.org", basis="studies")
    assert refused.value.error_dict["basis"][0].code == "invalid_basis"


def test_a_draft_cannot_be_signed(scene, resident):
    draft = domain.start_petition(resident, scene["council"], title="Draft", action="Do it.")
    with pytest.raises(ValidationError) as refused:
        sign(draft, "sam@example.org")
    assert refused.value.code == "not_open"


def test_crossing_each_threshold_creates_its_obligation_due_in_working_days(petition):
    for n in range(4):
        sign_and_confirm(petition, f"person{n}@example.org")
    obligations = {o.kind: o for o in Obligation.objects.filter(petition=petition)}
    assert set(obligations) == {"respond", "hear", "debate"}
    today = timezone.localdate()
    from moothall.meetings import law

    assert obligations["respond"].due_on == law.working_days_after(today, 10, "england")
    assert obligations["debate"].due_on == law.working_days_after(today, 40, "england")
    assert obligations["respond"].owner_label == "Democratic Services"
    thresholds = PetitionEvent.objects.filter(petition=petition, kind="threshold")
    assert sorted(e.details["threshold"] for e in thresholds) == [2, 3, 4]


def test_an_overdue_obligation_is_listed_as_overdue(petition):
    for n in range(2):
        sign_and_confirm(petition, f"person{n}@example.org")
    obligation = Obligation.objects.get(petition=petition, kind="respond")
    later = obligation.due_on + dt.timedelta(days=1)
    assert obligation.is_overdue(later)
    assert list(Obligation.objects.overdue(later)) == [obligation]
    assert not obligation.is_overdue(obligation.due_on)


def test_responding_meets_the_response_obligation(petition, officer):
    for n in range(2):
        sign_and_confirm(petition, f"person{n}@example.org")
    domain.respond_to_petition(officer, petition, response="We will keep it open.")
    obligation = Obligation.objects.get(petition=petition, kind="respond")
    assert obligation.fulfilled_at is not None
    assert obligation.fulfilled_by == officer


def test_sponsors_then_moderation_then_publication(scene, resident, moderator):
    PetitionScheme.objects.filter(council=scene["council"]).update(
        sponsors_required=2, pre_moderation=True
    )
    petition = domain.start_petition(resident, scene["council"], title="Trees", action="Plant.")
    petition = domain.submit_petition(resident, petition)
    assert petition.status == Petition.Status.GATHERING_SPONSORS
    with pytest.raises(ValidationError):
        sign(petition, "public@example.org")  # not open to the public yet
    for n in range(2):
        sign_and_confirm(petition, f"sponsor{n}@example.org", sponsor_token=petition.sponsor_token)
    petition.refresh_from_db()
    assert petition.status == Petition.Status.AWAITING_MODERATION
    domain.moderate_petition(moderator, petition, publish=True)
    petition.refresh_from_db()
    assert petition.status == Petition.Status.OPEN
    assert domain.live_count(petition) == 2  # sponsors' signatures count


def test_a_rejected_petition_publishes_its_reason(scene, resident, moderator):
    PetitionScheme.objects.filter(council=scene["council"]).update(pre_moderation=True)
    petition = domain.submit_petition(
        resident, domain.start_petition(resident, scene["council"], title="X", action="Y")
    )
    with pytest.raises(ValidationError):
        domain.moderate_petition(moderator, petition, publish=False, reason_text=" ")
    domain.moderate_petition(
        moderator, petition, publish=False, reason_text="It is about a matter for the police."
    )
    petition.refresh_from_db()
    assert petition.status == Petition.Status.REJECTED
    assert petition.rejection_reason == "It is about a matter for the police."
    assert petition.is_public


@pytest.mark.parametrize("persona", ["resident", "councillor_user", "outsider"])
def test_only_the_councils_staff_may_moderate_or_invalidate(persona, request, scene, resident):
    PetitionScheme.objects.filter(council=scene["council"]).update(pre_moderation=True)
    petition = domain.submit_petition(
        resident, domain.start_petition(resident, scene["council"], title="X", action="Y")
    )
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        domain.moderate_petition(actor, petition, publish=True)
    with pytest.raises(PermissionDenied):
        domain.invalidate_signatures(actor, petition, reason_text="r", flagged=True)


def test_a_flood_from_one_address_is_flagged_quietly_and_moderators_are_told_once(
    petition, scene, moderator, django_capture_on_commit_callbacks
):
    PetitionScheme.objects.filter(council=scene["council"]).update(flag_per_address_per_hour=2)
    with django_capture_on_commit_callbacks(execute=True):
        signatures = [
            sign(petition, f"p{n}@example.org", ip_address="203.0.113.9") for n in range(4)
        ]
    assert [s.flagged for s in signatures] == [False, False, True, True]
    assert signatures[2].flag_reasons == ["address_rate"]
    alert = AbuseAlert.objects.get(petition=petition)
    assert (alert.kind, alert.key, alert.count) == ("address", "203.0.113.9", 4)
    alerts = [m for m in mail.outbox if m.subject.startswith("Unusual signing")]
    assert [m.to for m in alerts] == [["morgan.moderator@example.org"]]
    # Every signer was still sent a confirmation link: nothing reveals the flag.
    assert sum(m.subject.startswith("Confirm your signature") for m in mail.outbox) == 4


def test_invalidating_signatures_takes_them_off_the_count_without_telling_signers(
    petition, moderator, django_capture_on_commit_callbacks
):
    for n in range(3):
        sign_and_confirm(petition, f"bot{n}@spam.example", ip_address="198.51.100.7")
    sign_and_confirm(petition, "real@example.org", ip_address="192.0.2.1")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invalidation = domain.invalidate_signatures(
            moderator, petition, reason_text="Automated signing", ip_address="198.51.100.7"
        )
    assert invalidation.count == 3
    assert domain.live_count(petition) == 1
    assert domain.recount_petition(petition.pk) == 1
    assert mail.outbox == []


def test_paper_signatures_are_marked_as_paper_and_added_to_the_total(petition, officer, scene):
    added = domain.add_paper_signatures(
        officer,
        petition,
        signatures=[("Ann Paper", "MH2 2BB"), ("Bob Paper", "")],
        verified_count=50,
        note="Handed in at the town hall",
    )
    assert added == 52
    assert domain.live_count(petition) == 52
    paper = Signature.objects.filter(petition=petition, channel="paper")
    assert paper.count() == 2
    assert dict(domain.count_by_ward(petition)) == {None: 51, scene["south"]: 1}
    with pytest.raises(ValidationError) as refused:
        domain.add_paper_signatures(officer, petition, signatures=[("Cy", "nowhere")])
    assert refused.value.error_dict["signatures"][0].code == "invalid_postcode"


def test_the_recount_corrects_a_tally_that_drifted(petition):
    for n in range(3):
        sign_and_confirm(petition, f"person{n}@example.org")
    SignatureTally.objects.filter(petition=petition).update(count=100)
    assert domain.live_count(petition) > 3
    assert domain.recount_petition(petition.pk) == 3
    assert domain.live_count(petition) == 3
    petition.refresh_from_db()
    assert petition.signature_count == 3


def test_petitions_past_their_closing_date_close_and_stop_taking_signatures(petition):
    pending = sign(petition, "late@example.org")
    closed = domain.close_due_petitions(petition.closes_on + dt.timedelta(days=1))
    assert closed == 1
    petition.refresh_from_db()
    assert petition.status == Petition.Status.CLOSED
    with pytest.raises(ValidationError) as refused:
        domain.confirm_signature(pending.token)
    assert refused.value.code == "not_open"


def test_signers_are_told_of_each_step_with_a_one_click_way_to_stop(
    petition, officer, django_capture_on_commit_callbacks
):
    signature = sign_and_confirm(petition, "sam@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        domain.respond_to_petition(officer, petition, response="We agree.")
    to_signer = [m for m in mail.outbox if m.to == ["sam@example.org"]]
    assert len(to_signer) == 1
    assert to_signer[0].subject == "The council responded to Save the library"
    assert signature.token in to_signer[0].extra_headers["List-Unsubscribe"]
    domain.stop_updates(signature.token)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        domain.close_petition(officer, petition, reason_text="Early")
    assert not [m for m in mail.outbox if m.to == ["sam@example.org"]]


def test_emails_are_plain_text_so_an_ampersand_arrives_as_written(
    scene, resident, django_capture_on_commit_callbacks
):
    petition = domain.submit_petition(
        resident,
        domain.start_petition(
            resident, scene["council"], title="Parks & gardens <for all>", action="Mow."
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        sign(petition, "sam@example.org")
    (message,) = mail.outbox
    assert message.subject == "Confirm your signature: Parks & gardens <for all>"
    assert "“Parks & gardens <for all>”" in message.body
