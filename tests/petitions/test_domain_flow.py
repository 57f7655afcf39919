"""A petition's whole life through the verbs, as the public pages drive them.

Draft → sponsors → moderation → open → thresholds (obligations due in working days, over
Christmas) → placed on the full council's agenda → decision linked → debated; the
council's response; and, for a second petition, closing at its date and the response
that follows. Every step checks the state, the public timeline, who may take it, and who
is told by email.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from moothall.meetings import domain as meetings
from moothall.notifications.domain import follow
from moothall.petitions import domain
from moothall.petitions.models import Obligation, Petition, PetitionEvent, Signature
from tests import factories

pytestmark = pytest.mark.django_db

# Thursday 18 December 2025: the working days to come skip Christmas Day, Boxing Day and
# New Year's Day (bank holidays in England) as well as weekends.
THRESHOLD_DAY = dt.date(2025, 12, 18)


@pytest.fixture
def place(council):
    council.gss_code = "E10000031"
    council.save()
    moot = factories.WardFactory(council=council, name="Moot Ward", gss_code="E05000401")
    factories.PostcodeFactory(postcode="MH1 1AA", ward_gss=moot.gss_code, county_gss="E10000031")
    factories.PostcodeFactory(postcode="MH2 2BB", county_gss="E10000031")
    return moot


@pytest.fixture
def scheme(council, council_admin, place):
    return domain.update_petition_scheme(
        council_admin,
        council,
        sponsors_required=2,
        pre_moderation=True,
        duration_days=30,
        response_threshold=2,
        hearing_threshold=3,
        debate_threshold=4,
        response_working_days=10,
        hearing_working_days=20,
        debate_working_days=20,
        obligation_owner="Democratic Services",
    )


@pytest.fixture
def on_threshold_day(monkeypatch):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return THRESHOLD_DAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def _sign(petition, email, *, token="", postcode="MH1 1AA", updates=True):
    return domain.sign_petition(
        petition,
        name=email.split("@")[0].title(),
        email=email,
        postcode=postcode,
        basis="lives",
        declaration=True,
        ip_address="192.0.2.10",
        sponsor_token=token,
        wants_updates=updates,
    )


def _confirmed(petition, email, **kwargs):
    return domain.confirm_signature(_sign(petition, email, **kwargs).token)


def _events(petition, public_only=True):
    events = petition.events.order_by("created_at", "pk")
    if public_only:
        events = events.filter(is_public=True)
    return [event.kind for event in events]


def _sent():
    sent = [(message.to[0], message.subject) for message in mail.outbox]
    mail.outbox.clear()
    return sent


def test_a_petition_from_draft_to_debate(
    council,
    scheme,
    place,
    resident,
    moderator,
    officer,
    outsider,
    on_threshold_day,
    django_capture_on_commit_callbacks,
):
    run = django_capture_on_commit_callbacks
    # A resident starts a draft and changes it; nobody else may.
    with run(execute=True):
        petition = domain.start_petition(
            resident, council, title="Save Moot Park", action="Keep it open.", ward=place
        )
        petition = domain.edit_petition(resident, petition, action="Keep it open, every day.")
    assert (petition.status, petition.creator_name) == ("draft", "Rita Resident")
    with pytest.raises(PermissionDenied):
        domain.edit_petition(officer, petition, title="Hijacked")
    assert _events(petition) == []
    assert _events(petition, public_only=False) == ["created"]

    # Sent on: it gathers sponsors, and the creator gets the link to share.
    with run(execute=True):
        petition = domain.submit_petition(resident, petition)
    assert petition.status == "gathering_sponsors"
    assert _sent() == [
        ("rita.resident@example.org", "Find sponsors for your petition: Save Moot Park")
    ]
    with pytest.raises(PermissionDenied):
        domain.edit_petition(resident, petition, title="Too late")
    with pytest.raises(ValidationError) as refused:
        _sign(petition, "early@example.org")  # no sponsor link: not open yet
    assert refused.value.code == "not_open"

    # Two sponsors sign from the link and confirm: it waits for a moderator.
    with run(execute=True):
        first = _confirmed(petition, "ann@example.org", token=petition.sponsor_token)
    petition.refresh_from_db()
    assert (first.is_sponsor, petition.status) == (True, "gathering_sponsors")
    with run(execute=True):
        _confirmed(petition, "bob@example.org", token=petition.sponsor_token)
    petition.refresh_from_db()
    assert petition.status == "awaiting_moderation"
    assert ("morgan.moderator@example.org", "A petition is waiting for moderation") in [
        (to, subject.split(":")[0]) for to, subject in _sent()
    ]

    # Only a moderator publishes it. It opens for the scheme's 30 days, and the sponsors'
    # two signatures already reach the response threshold.
    with pytest.raises(PermissionDenied):
        domain.moderate_petition(resident, petition, publish=True)
    with pytest.raises(PermissionDenied):
        domain.moderate_petition(outsider, petition, publish=True)
    with run(execute=True):
        petition = domain.moderate_petition(moderator, petition, publish=True)
    assert petition.status == "open"
    assert petition.closes_on == timezone.localdate(petition.opened_at) + dt.timedelta(days=30)
    assert domain.live_count(petition) == 2
    respond = Obligation.objects.get(petition=petition)
    assert (respond.kind, respond.threshold, respond.owner_label, respond.due_on) == (
        "respond",
        2,
        "Democratic Services",
        dt.date(2026, 1, 6),  # 10 working days, skipping 25, 26 December and 1 January
    )
    assert "rita.resident@example.org" in [to for to, _subject in _sent()]
    with pytest.raises(ValidationError):
        _sign(petition, "late.sponsor@example.org", token=petition.sponsor_token)

    # Someone follows it; more people sign: the hearing and debate thresholds are crossed.
    follower = factories.UserFactory(email="fay.follower@example.org", name="Fay Follower")
    follow(follower, council, "petition", petition.pk, frequency="immediate")
    with run(execute=True):
        _confirmed(petition, "cat@example.org", postcode="MH2 2BB")
        _confirmed(petition, "dan@example.org", updates=False)
    assert domain.live_count(petition) == 4
    assert domain.count_by_ward(petition) in (
        [(place, 3), (None, 1)],
        [(None, 1), (place, 3)],
    )
    owed = {o.kind: o.due_on for o in Obligation.objects.filter(petition=petition)}
    assert owed == {
        "respond": dt.date(2026, 1, 6),
        "hear": dt.date(2026, 1, 20),
        "debate": dt.date(2026, 1, 20),
    }
    told = _sent()
    assert (
        "fay.follower@example.org",
        "Mootshire: Save Moot Park reached 3 signatures: Committee hearing",
    ) in told
    # Signers who asked for updates hear too (dan said no); each signer once per step.
    debate_news = [to for to, subject in told if "Full-council debate" in subject]
    assert sorted(debate_news) == sorted(
        ["ann@example.org", "bob@example.org", "cat@example.org", "fay.follower@example.org"]
    )

    # An officer places it on the full council's agenda, from this council only.
    body = meetings.create_body(None, council, name="Full Council", kind="full_council")
    meeting = meetings.create_meeting(
        None, body, start=dt.datetime(2026, 1, 15, 18, 30, tzinfo=dt.UTC)
    )
    with pytest.raises(PermissionDenied):
        domain.place_petition_on_agenda(outsider, petition, meeting, kind="debate")
    with run(execute=True):
        hearing = domain.place_petition_on_agenda(officer, petition, meeting, kind="debate")
    item = hearing.agenda_item
    assert (item.meeting, item.kind, item.title, item.description) == (
        meeting,
        "petition",
        "Petition: Save Moot Park",
        "Keep it open, every day.",
    )
    assert "ann@example.org" in [to for to, _subject in _sent()]

    # The decision is linked back: the debate obligation is met and the petition debated.
    decision = meetings.record_decision(
        None,
        council,
        title="Moot Park stays open",
        text="Resolved to keep Moot Park open.",
        decision_maker="Full Council",
        decided_on=dt.date(2026, 1, 15),
        agenda_item=item,
    )
    with run(execute=True):
        domain.link_petition_decision(officer, hearing, decision=decision, outcome="Agreed.")
    petition.refresh_from_db()
    hearing.refresh_from_db()
    assert (petition.status, hearing.decision, hearing.outcome) == ("debated", decision, "Agreed.")
    met = {o.kind: o.fulfilled_at is not None for o in Obligation.objects.filter(petition=petition)}
    assert met == {"respond": False, "hear": False, "debate": True}
    assert (
        "fay.follower@example.org",
        "Mootshire: A decision was taken on Save Moot Park",
    ) in _sent()

    # The council's response meets the response obligation; a debated petition stays so.
    with run(execute=True):
        domain.respond_to_petition(officer, petition, response="We **agree**.")
    petition.refresh_from_db()
    assert (petition.status, petition.response) == ("debated", "We **agree**.")
    assert Obligation.objects.open().filter(petition=petition).count() == 1
    with pytest.raises(PermissionDenied):
        domain.respond_to_petition(moderator, petition, response="Moderators do not answer.")

    # The public timeline tells the whole story; the private steps stay private.
    assert _events(petition) == [
        "published",
        "threshold",
        "threshold",
        "threshold",
        "placed",
        "debated",
        "decision",
        "responded",
    ]
    assert set(_events(petition, public_only=False)) - set(_events(petition)) == {
        "created",
        "submitted",
        "sponsored",
    }
    # Signing stops once it is debated.
    with pytest.raises(ValidationError):
        _sign(petition, "eve@example.org")


def test_a_petition_closes_at_its_date_and_is_then_answered(
    council, place, resident, officer, django_capture_on_commit_callbacks
):
    domain.update_petition_scheme(
        None, council, sponsors_required=0, pre_moderation=False, response_threshold=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        petition = domain.start_petition(
            resident, council, title="Light Moot Lane", action="Add street lights."
        )
        petition = domain.submit_petition(resident, petition)
        assert petition.status == "open"
        pending = _sign(petition, "slow@example.org")
        _confirmed(petition, "quick@example.org")
    assert Obligation.objects.filter(petition=petition, kind="respond").exists()

    # Not yet due: nothing closes.
    assert domain.close_due_petitions(today=petition.closes_on) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert domain.close_due_petitions(today=petition.closes_on + dt.timedelta(days=1)) == 1
    petition.refresh_from_db()
    assert petition.status == "closed"
    assert "closed" in _events(petition)
    assert ("quick@example.org", "Petition closed: Light Moot Lane") in _sent()

    # A link followed too late does not count, and a counted signature stays counted.
    with pytest.raises(ValidationError) as late:
        domain.confirm_signature(pending.token)
    assert late.value.code == "not_open"
    with pytest.raises(ValidationError):
        domain.withdraw_signature(Signature.objects.get(email="quick@example.org").token)
    assert domain.live_count(petition) == 1

    with django_capture_on_commit_callbacks(execute=True):
        domain.respond_to_petition(officer, petition, response="Lights go up in March.")
    petition.refresh_from_db()
    assert petition.status == "responded"
    assert Obligation.objects.open().filter(petition=petition).count() == 0
    assert domain.recount_petition(petition.pk) == 1


def test_a_rejected_petition_keeps_its_published_reason_and_takes_no_signatures(
    council, scheme, resident, moderator
):
    petition = domain.start_petition(resident, council, title="Ban Tuesdays", action="Do it.")
    domain.submit_petition(resident, petition)
    with pytest.raises(ValidationError) as no_reason:
        domain.moderate_petition(moderator, petition, publish=False, reason_text=" ")
    assert no_reason.value.message_dict == {"reason": ["Enter a reason."]}

    petition = domain.moderate_petition(
        moderator, petition, publish=False, reason_text="Not something the council can do."
    )

    assert (petition.status, petition.rejection_reason) == (
        "rejected",
        "Not something the council can do.",
    )
    assert petition.is_public
    assert _events(petition) == ["rejected"]
    assert PetitionEvent.objects.get(petition=petition, kind="rejected").details == {
        "reason": "Not something the council can do."
    }
    with pytest.raises(ValidationError):
        _sign(petition, "ann@example.org", token=petition.sponsor_token)
    assert not Petition.objects.filter(status="open").exists()
