"""Adversarial review (helper "red-team") of community voice: petitions, ideas and needs,
writing to councillors, notifications, and their API.

Each test is an attack, or a privacy regulator's question, tried through the real URLs and
verbs. Whatever must stay private carries the word in ``SECRET`` (or is a signer's own,
distinctive detail) so a test can look for it in any answer or email. The problems found
were fixed in the review (see /work/notes/requests.md, section "red-team"); a test still
marked ``xfail(strict=True)`` proves one left for later: it fails as an unexpected pass
once fixed, and the mark goes then.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.message import sanitize_address
from django.test import Client
from django.utils import timezone

from moothall.correspondence import domain as correspondence
from moothall.correspondence.models import Message
from moothall.ideas import domain as ideas
from moothall.meetings import domain as meetings
from moothall.notifications import delivery
from moothall.notifications import domain as notifications
from moothall.petitions import domain
from moothall.petitions.models import Petition, PetitionScheme, Signature
from tests import factories
from tests.correspondence.scene import CARA_PRIVATE, CARA_WORK
from tests.public.area import Area, build_area
from tests.public.petitions_scene import build_scene, draft, publish, sign

pytestmark = pytest.mark.django_db

SECRET = "Gasworksby"
LONDON = ZoneInfo("Europe/London")
HELD = dt.datetime(2024, 3, 14, 18, 30, tzinfo=LONDON)
PUBLISHED = dt.datetime(2024, 3, 1, 9, 0, tzinfo=LONDON)
UPCOMING = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
BIG = "99999999999999999999999"  # more than any database integer holds
REQUESTS = "see /work/notes/requests.md, red-team #"


@pytest.fixture
def world(council, resident, moderator, officer):
    """Mootshire's petitions scene (tests/public/petitions_scene.py)."""
    return build_scene(council, resident, moderator, officer)


@pytest.fixture
def letters(db) -> tuple[Area, object]:
    """Writing to councillors (tests/correspondence/scene.py): Rita Resident lives in Lowdale
    Central, whose councillor Cara Cole gets her post at her account's address."""
    area = build_area()
    writer = factories.UserFactory(
        email="rita.resident@example.org", name="Rita Resident", postcode="MH1 1AA"
    )
    cara = factories.UserFactory(email=CARA_PRIVATE, name="Cara Cole")
    factories.RoleFactory(user=cara, council=area.district, kind="councillor", councillor=area.cara)
    return area, writer


def absent(response, *needles: str, status: int = 200) -> None:
    assert response.status_code == status, response.status_code
    content = response.content.decode().lower()
    for needle in needles or (SECRET,):
        assert needle.lower() not in content, needle


def emails_mentioning(needle: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if needle.lower() in (m.subject + m.body).lower()]


def committee(council, *, start=HELD):
    body = meetings.create_body(None, council, name="Planning Committee")
    return meetings.create_meeting(None, body, start=start, venue="Moot Hall")


# --- Cross-council access and what is not published yet --------------------------------------


def test_nothing_of_mootshires_community_voice_is_found_under_another_councils_address(
    client, world, other_council, resident, outsider
):
    petition = publish(world)
    signature = sign(petition, "ann@example.org")
    waiting = draft(world, "A waiting petition")
    idea = ideas.propose_idea(resident, world.council, title="Benches", body="By the pond.")
    cllr = factories.CouncillorFactory(council=world.council, ward=world.moot)
    [letter] = correspondence.write_to_councillors(
        resident, world.council, [cllr], subject="Bins", body="Not collected."
    )
    public = [
        f"/elsewhere/petitions/{petition.pk}-save-moot-park/",
        f"/elsewhere/petitions/{waiting.pk}-a-waiting-petition/",
        f"/elsewhere/petitions/confirm/{signature.token}/",
        f"/elsewhere/petitions/withdraw/{signature.token}/",
        f"/elsewhere/petitions/stop-updates/{signature.token}/",
        f"/elsewhere/petitions/sponsor/{waiting.sponsor_token}/",
        f"/elsewhere/ideas/{idea.pk}-benches/",
        f"/elsewhere/messages/reply/{letter.token}/",
        f"/api/v1/councils/elsewhere/petitions/{petition.pk}",
        f"/api/v1/councils/elsewhere/ideas/{idea.pk}",
    ]
    for url in public:
        assert client.get(url).status_code == 404, url
    # Signed in, as the one who wrote and as Elsewhere's officer: still not found there.
    for person in (resident, outsider):
        client.force_login(person)
        assert client.get(f"/elsewhere/messages/{letter.pk}/").status_code == 404
        assert client.post(f"/elsewhere/petitions/{petition.pk}/sign/").status_code == 404
        assert client.post(f"/elsewhere/ideas/{idea.pk}/support/").status_code == 404
    assert Signature.objects.count() == 1
    assert idea.supports.count() == 0


@pytest.mark.parametrize("stage", ["draft", "gathering_sponsors", "awaiting_moderation"])
def test_a_petition_before_publication_is_found_by_no_resident_nor_outsider_anywhere(
    client, world, outsider, stage
):
    PetitionScheme.objects.filter(council=world.council).update(sponsors_required=2)
    petition = draft(world, f"Sell the park to {SECRET}")
    if stage != "draft":
        domain.submit_petition(world.resident, petition)
    if stage == "awaiting_moderation":
        Petition.objects.filter(pk=petition.pk).update(status=stage)
    stranger = factories.UserFactory(email="stan@example.org")
    for person in (None, stranger, outsider):
        if person is not None:
            client.force_login(person)
        absent(client.get(f"/mootshire/petitions/{petition.pk}-x/"), status=404)
        absent(client.get(f"/api/v1/councils/mootshire/petitions/{petition.pk}"), status=404)
        absent(client.get("/mootshire/petitions/?status=all"))
        absent(client.get("/api/v1/councils/mootshire/petitions"))
        absent(client.get("/search/?q=park"))
        absent(client.get(f"/mootshire/petitions/{petition.pk}/signed/"))
        assert client.post(f"/mootshire/petitions/{petition.pk}/sign/").status_code == 404
        assert client.post(f"/notifications/follow/petition/{petition.pk}/").status_code == 404
    assert not petition.signatures.exists()


# --- What signing reveals -----------------------------------------------------------------------

SIGN_FORM = {"name": "Sam Signer", "postcode": "MH1 1AA", "basis": "lives", "declaration": "on"}
CSRF_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _answer_to_signing(client: Client, petition: Petition, email: str) -> tuple:
    url = f"/mootshire/petitions/{petition.pk}/sign/"
    response = client.post(url, {**SIGN_FORM, "email": email})
    page = client.get(response["Location"])
    api = client.post(
        f"/api/v1/councils/mootshire/petitions/{petition.pk}/signatures",
        {
            "name": "Sam Signer",
            "email": email,
            "postcode": "MH1 1AA",
            "basis": "lives",
            "declaration": True,
        },
        content_type="application/json",
    )
    return (
        response.status_code,
        response["Location"],
        response.content,
        sorted(response.cookies),
        page.status_code,
        CSRF_VALUE.sub(b"", page.content),
        api.status_code,
        api.content,
    )


def test_the_sign_form_and_the_api_answer_byte_for_byte_alike_whoever_signed_before(
    world, moderator
):
    petition = publish(world)
    sign(petition, "pending@example.org", confirm=False)
    sign(petition, "confirmed@example.org")
    sign(petition, "jo.bloggs@gmail.com")
    withdrawn = sign(petition, "withdrawn@example.org")
    domain.withdraw_signature(withdrawn.token)
    caught = sign(petition, "caught@example.org")
    domain.invalidate_signatures(moderator, petition, reason_text="Bots.", ids=[caught.pk])

    answers = {
        email: _answer_to_signing(Client(), petition, email)
        for email in (
            "new@example.org",
            "pending@example.org",
            "confirmed@example.org",
            "JoBloggs+petition@googlemail.com",
            "withdrawn@example.org",
            "caught@example.org",
        )
    }

    first = answers["new@example.org"]
    assert first[:2] == (302, f"/mootshire/petitions/{petition.pk}/signed/")
    assert (first[4], first[6]) == (200, 202)
    for email, answer in answers.items():
        assert answer == first, email


def test_signers_names_emails_postcodes_and_addresses_reach_no_public_channel(
    client, world, officer, django_capture_on_commit_callbacks
):
    signer = ("Zebedee Quillfeather", "zebedee.quillfeather@private.example", "MH2 2BB")
    petition = publish(world, ward=world.lowdale, topic=world.parks)
    follower = factories.UserFactory(email="fay.follower@example.org")
    notifications.follow(follower, world.council, "petition", petition.pk)
    signature = domain.sign_petition(
        petition,
        name=signer[0],
        email=signer[1],
        postcode=signer[2],
        basis="lives",
        declaration=True,
        ip_address="198.51.100.77",
    )
    with django_capture_on_commit_callbacks(execute=True):
        domain.confirm_signature(signature.token)
        for email in ("ann@example.org", "bob@example.org", "cat@example.org"):
            sign(petition, email)
        domain.respond_to_petition(officer, petition, response="We will keep the park open.")
    needles = (*signer, "Quillfeather", "private.example", "198.51.100.77", "ann@example.org")

    for url in (
        petition.get_absolute_url(),
        "/mootshire/petitions/?status=all",
        "/mootshire/obligations/",
        "/mootshire/you-said-we-did/",
        "/mootshire/wards/lowdale-ward/",
        "/search/?q=park",
        "/sitemap.xml",
        "/api/v1/councils/mootshire/petitions",
        f"/api/v1/councils/mootshire/petitions/{petition.pk}",
        "/api/v1/councils/mootshire/obligations",
    ):
        absent(client.get(url), *needles)
    told = [m for m in mail.outbox if m.to == [follower.email]]
    assert told[-1].subject == "Mootshire: The council responded to Save Moot Park"
    for message in told:
        for needle in needles:
            assert needle.lower() not in str(message.message()).lower()


def test_a_petition_rejected_for_naming_a_private_person_can_be_kept_off_every_channel(
    client, world, moderator, django_capture_on_commit_callbacks
):
    petition = draft(world, f"Sack {SECRET}", background=f"{SECRET} lives at 12 Mill Lane.")
    domain.submit_petition(world.resident, petition)
    with django_capture_on_commit_callbacks(execute=True):
        domain.moderate_petition(
            moderator,
            petition,
            publish=False,
            reason_text="It names a private person.",
            hide=True,
        )

    # (By an address that does not spell the title: a 404 page repeats the address.)
    absent(client.get(f"/mootshire/petitions/{petition.pk}-x/"), status=404)
    absent(client.get("/mootshire/petitions/?status=rejected"))
    absent(client.get("/mootshire/petitions/?status=all"))
    absent(client.get(f"/api/v1/councils/mootshire/petitions/{petition.pk}"), status=404)
    absent(client.get("/api/v1/councils/mootshire/petitions"))
    absent(client.get("/search/?q=sack"))
    # Its creator is still told why, by email.
    [told] = [m for m in mail.outbox if m.to == [world.resident.email]]
    assert "It names a private person." in told.body


def test_the_shared_sponsor_link_no_longer_shows_a_petition_a_moderator_removed(
    client, world, moderator
):
    PetitionScheme.objects.filter(council=world.council).update(sponsors_required=5)
    petition = draft(world, f"Sack {SECRET}", background=f"{SECRET} lives at 12 Mill Lane.")
    domain.submit_petition(world.resident, petition)
    link = f"/mootshire/petitions/sponsor/{petition.sponsor_token}/"
    assert SECRET.encode() in client.get(link).content  # shared far and wide to find sponsors

    domain.moderate_petition(moderator, petition, publish=False, reason_text="Names.", hide=True)

    absent(client.get(link), status=404)


def test_a_plain_rejection_still_publishes_the_petition_with_its_reason(client, world, moderator):
    # Without "hide" the moderator rejects in public, as the scheme usually asks.
    petition = draft(world, "Build a motorway to the moon")
    domain.submit_petition(world.resident, petition)
    domain.moderate_petition(
        moderator, petition, publish=False, reason_text="The council cannot do this."
    )

    page = client.get(petition.get_absolute_url())

    assert page.status_code == 200
    assert b"Build a motorway to the moon" in page.content
    assert b"The council cannot do this." in page.content


def test_signers_personal_data_is_deleted_after_the_councils_retention_period_counts_stay(
    world, officer
):
    PetitionScheme.objects.filter(council=world.council).update(retention_days=30)
    old = publish(world, "An old petition")
    recent = publish(world, "A recent petition")
    for petition in (old, recent):
        sign(petition, "ann@example.org")
        sign(petition, "bob@example.org", "MH2 2BB")
        domain.close_petition(officer, petition, reason_text="Done.")
    Petition.objects.filter(pk=old.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    by_ward = domain.count_by_ward(old)

    domain.purge_personal_data()

    kept = old.signatures.values_list("name", "email", "email_key", "postcode", "ip_address")
    assert set(kept) == {("", "", "", "", None)}
    assert domain.count_by_ward(old) == by_ward
    assert domain.live_count(old) == 2
    assert recent.signatures.exclude(name="").count() == 2
    from moothall.core.schedule import registered_jobs

    jobs = {job.name for job in registered_jobs()}
    assert "moothall.petitions.tasks.purge_personal_data" in jobs


# --- Exempt business -----------------------------------------------------------------------------


def _heard_in_private(world, officer):
    """An open petition placed on the Planning Committee's agenda, whose item the clerk
    made exempt after the agenda was published."""
    petition = publish(world)
    sign(petition, "ann@example.org")
    meeting = committee(world.council)
    hearing = domain.place_petition_on_agenda(officer, petition, meeting, kind="hear")
    meetings.publish_agenda(None, meeting, now=PUBLISHED)
    meetings.update_agenda_item(None, hearing.agenda_item, exempt_paragraph=3)
    hearing.agenda_item.refresh_from_db()
    assert hearing.agenda_item.is_exempt
    return petition, hearing


def test_a_hearing_held_in_private_leaves_the_petition_page_and_you_said_we_did(
    client, world, officer
):
    petition, hearing = _heard_in_private(world, officer)
    domain.link_petition_decision(officer, hearing, decision=None, outcome=f"Sold to {SECRET}.")

    for url in (
        petition.get_absolute_url(),
        "/mootshire/you-said-we-did/",
        f"/api/v1/councils/mootshire/petitions/{petition.pk}",
    ):
        absent(client.get(url), SECRET, "Planning Committee")
    # The petition itself is still there, with its count.
    page = client.get(petition.get_absolute_url())
    assert page.context["total"] == 1
    assert page.context["hearings"] == []


def test_signers_and_followers_are_not_emailed_about_a_hearing_held_in_private(
    world, officer, django_capture_on_commit_callbacks
):
    petition, hearing = _heard_in_private(world, officer)
    follower = factories.UserFactory(email="fay.follower@example.org")
    notifications.follow(follower, world.council, "petition", petition.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        domain.link_petition_decision(officer, hearing, decision=None, outcome=f"To {SECRET}.")

    assert emails_mentioning(SECRET) == []
    assert emails_mentioning("Planning Committee") == []


def test_an_agenda_item_is_not_named_on_the_petition_page_before_its_agenda_is_published(
    client, world, officer
):
    petition = publish(world)
    meeting = committee(world.council, start=UPCOMING)
    domain.place_petition_on_agenda(
        officer, petition, meeting, kind="hear", title=f"Petition from {SECRET} residents"
    )

    before = client.get(petition.get_absolute_url())
    meetings.publish_agenda(None, meeting)
    after = client.get(petition.get_absolute_url())

    absent(before)
    # The hearing itself is announced (the verb tells signers too), the item not yet.
    assert b"Planning Committee" in before.content
    assert f"Agenda item: Petition from {SECRET} residents".encode() in after.content


# --- Links and tokens --------------------------------------------------------------------------


def test_a_struck_out_signatures_link_does_not_tell_its_signer(client, world, moderator):
    petition = publish(world)
    pending = sign(petition, "bot1@spam.example", confirm=False)
    confirmed = sign(petition, "bot2@spam.example")
    domain.invalidate_signatures(
        moderator, petition, reason_text="Bots.", ids=[pending.pk, confirmed.pk]
    )
    honest = sign(petition, "ann@example.org")

    pages = [
        client.get(f"/mootshire/petitions/confirm/{s.token}/") for s in (pending, confirmed, honest)
    ]

    for page in pages:
        assert page.status_code == 200
        assert page.context["counted"] is True
        assert b"does not count" not in page.content
        assert b"Your signature counts" in page.content
    assert domain.live_count(petition) == 1


def test_one_click_posts_without_a_csrf_token_do_only_what_they_say(
    world, resident, council, django_capture_on_commit_callbacks
):
    petition = publish(world)
    signature = sign(petition, "ann@example.org")
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    notifications.follow(resident, council, "petition", petition.pk)
    kept = notifications.follow(resident, council, "body", body.pk)
    gone = resident.subscriptions.get(kind="petition")
    browser = Client(enforce_csrf_checks=True)

    stop = browser.post(f"/mootshire/petitions/stop-updates/{signature.token}/")
    unsubscribe = browser.post(
        f"/notifications/unsubscribe/{notifications.unsubscribe_token(gone)}/"
    )
    # The forms that change more than a preference still need the token.
    withdraw = browser.post(f"/mootshire/petitions/withdraw/{signature.token}/")

    assert (stop.status_code, unsubscribe.status_code, withdraw.status_code) == (200, 200, 403)
    signature.refresh_from_db()
    assert (signature.status, signature.wants_updates) == ("confirmed", False)
    assert domain.live_count(petition) == 1
    assert list(resident.subscriptions.all()) == [kept]


def test_a_sponsor_link_signs_nothing_once_the_petition_is_open(client, world):
    petition = publish(world)

    response = client.post(
        f"/mootshire/petitions/sponsor/{petition.sponsor_token}/",
        {**SIGN_FORM, "email": "spon@example.org"},
    )

    assert response.status_code == 200
    assert response.context["gathering"] is False
    assert not petition.signatures.exists()
    with pytest.raises(ValidationError) as refused:
        domain.sign_petition(
            petition,
            name="Spon",
            email="spon@example.org",
            postcode="MH1 1AA",
            basis="lives",
            declaration=True,
            sponsor_token=petition.sponsor_token,
        )
    assert refused.value.code == "not_gathering"


# --- One person, one signature -------------------------------------------------------------------

# Spellings of jo@example.org that Django accepts and delivers to the same mailbox: the
# quoted local part, and domains that IDNA maps to example.org (a soft hyphen and a
# zero-width space vanish, a full-width letter becomes its ASCII self).
SAME_MAILBOX = [
    '"jo"@example.org',
    "jo@ex\u00adample.org",
    "jo@exa\u200bmple.org",
    "jo@ｅxample.org",
]


def test_these_spellings_really_are_one_mailbox():
    assert {sanitize_address(spelling, "utf-8") for spelling in SAME_MAILBOX} == {"jo@example.org"}


@pytest.mark.parametrize(
    "spelling",
    [
        "JO@Example.ORG",
        "jo+park@example.org",
        *SAME_MAILBOX,
        pytest.param("jo@bücher.example", id="idn-after-punycode"),
    ],
)
def test_one_mailbox_signs_once_however_its_address_is_spelt(world, spelling):
    petition = publish(world)
    first = "jo@xn--bcher-kva.example" if "bücher" in spelling else "jo@example.org"
    sign(petition, first)

    sign(petition, spelling)

    assert petition.signatures.count() == 1
    assert domain.live_count(petition) == 1


def test_signing_again_in_other_spellings_sends_one_inbox_one_email_per_ten_minutes(
    world, django_capture_on_commit_callbacks
):
    petition = publish(world)
    with django_capture_on_commit_callbacks(execute=True):
        for spelling in ["jo@example.org", *SAME_MAILBOX, "jo@ex\u00ad\u00adample.org"]:
            sign(petition, spelling, confirm=False)

    delivered = [sanitize_address(m.to[0], "utf-8") for m in mail.outbox]
    assert delivered == ["jo@example.org"]


def test_a_flood_from_one_ipv6_network_is_flagged_like_one_from_one_address(world):
    # One home connection has a whole /64 (2**64 addresses): it counts as one source.
    petition = publish(world)
    scheme = PetitionScheme.for_council(world.council)
    for n in range(1, scheme.flag_per_address_per_hour + 2):
        domain.sign_petition(
            petition,
            name=f"Bot {n}",
            email=f"bot{n}@gmail.com",
            postcode="MH1 1AA",
            basis="lives",
            declaration=True,
            ip_address=f"2001:db8:1:2::{n:x}",
        )

    assert petition.signatures.filter(flagged=True).count() == 1
    assert list(petition.alerts.filter(kind="address").values_list("key", flat=True)) == [
        "2001:db8:1:2::/64"
    ]


# --- Inboxes people did not ask to fill ------------------------------------------------------


def test_one_persons_comments_cannot_fill_a_followers_inbox(
    council, other_council, resident, django_capture_on_commit_callbacks
):
    from tests.ideas.scene import build_scene as ideas_scene
    from tests.ideas.scene import person

    idea = ideas_scene(council, other_council, resident).idea
    troll = person("troll@example.org", council)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):
            with contextlib.suppress(ValidationError, PermissionDenied):
                ideas.comment(troll, idea, body=f"Comment number {n}.")

    # The idea's author follows it, and hears at once.
    assert len([m for m in mail.outbox if m.to == [resident.email]]) <= 10


def test_one_resident_sending_many_petitions_cannot_fill_the_moderators_inbox(
    world, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):
            petition = draft(world, f"Petition number {n}")
            with contextlib.suppress(ValidationError, PermissionDenied):
                domain.submit_petition(world.resident, petition)

    assert len([m for m in mail.outbox if m.to == [moderator.email]]) <= 10


def test_a_removed_comment_is_not_sent_in_a_digest(
    council, other_council, resident, moderator, django_capture_on_commit_callbacks
):
    from tests.ideas.scene import build_scene as ideas_scene
    from tests.ideas.scene import person

    idea = ideas_scene(council, other_council, resident).idea
    reader = person("wendy@example.org", council)
    notifications.follow(reader, council, "idea", idea.pk, frequency="daily")
    troll = person("troll@example.org", council)
    with django_capture_on_commit_callbacks(execute=True):
        made = ideas.comment(troll, idea, body=f"{SECRET} lives at 12 Mill Lane, go and see.")
    ideas.remove_comment(moderator, made, reason="Personal details.")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        delivery.send_digests("daily")

    assert emails_mentioning(SECRET) == []


def test_retracted_news_leaves_the_digests_that_have_not_gone_yet(
    council, resident, django_capture_on_commit_callbacks
):
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    notifications.follow(resident, council, "body", body.pk, frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        for n, summary in ((1, f"{SECRET} lives at 12 Mill Lane."), (2, "Agenda published.")):
            notifications.notify(
                council,
                event="test",
                title=f"News {n}",
                url=f"/mootshire/ideas/1-benches/#comment-{n}",
                summary=summary,
                targets=[("body", body.pk)],
            )

    assert notifications.retract("/mootshire/ideas/1-benches/#comment-1") == 1
    with django_capture_on_commit_callbacks(execute=True):
        delivery.send_digests("daily")

    [digest] = mail.outbox
    assert ("News 2" in digest.body, "Agenda published." in digest.body) == (True, True)
    assert ("News 1" in digest.body, SECRET in digest.body) == (False, False)


# --- Text laid out as lines of our own in emails --------------------------------------------


def test_a_signers_name_cannot_lay_out_lines_in_the_email_to_the_address_given(
    client, world, django_capture_on_commit_callbacks
):
    petition = publish(world)
    name = "Jo\n\nYour bank account is locked. Unlock it at http://evil.example/\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/mootshire/petitions/{petition.pk}/sign/",
            {**SIGN_FORM, "name": name, "email": "victim@example.org"},
        )
        client.post(
            f"/api/v1/councils/mootshire/petitions/{petition.pk}/signatures",
            {
                "name": name,
                "email": "victim2@example.org",
                "postcode": "MH1 1AA",
                "basis": "lives",
                "declaration": True,
            },
            content_type="application/json",
        )

    assert [m for m in mail.outbox if "\nYour bank account" in m.body] == []


@pytest.mark.parametrize("field", ["name", "subject"])
def test_a_letter_cannot_forge_the_email_and_postcode_lines_the_councillor_reads(
    client, letters, django_capture_on_commit_callbacks, field
):
    area, writer = letters
    forged = "Rita\nEmail: someone.else@example.org\nPostcode: ZZ1 1ZZ"
    fields = {"name": "Rita Resident", "subject": "Bins", field: forged}
    with pytest.raises(ValidationError) as refused:
        correspondence.write_to_councillors(
            writer, area.district, [area.cara], body="Not collected.", **fields
        )
    assert refused.value.error_dict[field][0].code == "line_break"

    client.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/lowdale/wards/lowdale-central/write/",
            {"to": str(area.cara.pk), "body": "Not collected.", **fields},
        )

    assert page.status_code == 400
    assert page.context["form"].errors[field] == ["Write this on one line."]
    assert not Message.objects.exists()
    assert emails_mentioning("someone.else@example.org") == []


def test_neither_side_of_a_letter_is_ever_shown_the_others_address_but_the_councillor_theirs(
    client, letters, django_capture_on_commit_callbacks
):
    area, writer = letters
    with django_capture_on_commit_callbacks(execute=True):
        [letter] = correspondence.write_to_councillors(
            writer, area.district, [area.cara], subject="Bins", body="Not collected."
        )
        correspondence.reply_as_councillor(letter.token, letter, body="On it.")
        correspondence.reply_as_sender(writer, letter, body="Thank you.")
    to_resident = [m for m in mail.outbox if m.to == [writer.email]]
    to_councillor = [m for m in mail.outbox if m.to == [CARA_PRIVATE]]
    assert (len(to_resident), len(to_councillor)) == (2, 2)

    for message in to_resident:
        raw = str(message.message()).lower()
        for hidden in (CARA_PRIVATE, CARA_WORK, letter.token):
            assert hidden.lower() not in raw
    for message in to_councillor:
        assert writer.email in message.body
        assert letter.sender_token not in str(message.message())
    client.force_login(writer)
    for url in (f"/lowdale/messages/{letter.pk}/", "/lowdale/messages/"):
        absent(client.get(url), CARA_PRIVATE, CARA_WORK, letter.token)
    # The resident's own relay token does not open the councillor's page.
    assert client.get(f"/lowdale/messages/reply/{letter.sender_token}/").status_code == 404


# --- User text on pages ----------------------------------------------------------------------

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">[link](javascript:alert(3))'
# Markup our pages never hold: an element with an event handler, a link to a script URL.
HANDLER_ATTRIBUTE = re.compile(rb"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(rb"(href|src)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def test_user_text_reaches_every_page_sanitised_or_escaped(
    client, world, resident, officer, moderator, council
):
    world.moot.name = "<script>alert(4)</script>"
    world.moot.save()
    petition = publish(world, background=XSS, ward=world.moot)
    sign(petition, "ann@example.org")
    domain.respond_to_petition(officer, petition, response=XSS)
    idea = ideas.propose_idea(resident, council, title="<b>Benches</b>", body=XSS)
    ideas.comment(resident, idea, body=XSS)
    ideas.respond_to_idea(officer, idea, body=XSS, as_council=True)

    pages = [
        client.get(petition.get_absolute_url()),
        client.get(idea.get_absolute_url()),
        client.get("/mootshire/you-said-we-did/"),
        client.get("/mootshire/petitions/?status=all"),
    ]
    client.force_login(officer)
    pages.append(client.get(f"/mootshire/staff/petitions/{petition.pk}/"))
    pages.append(client.get(f"/mootshire/staff/ideas/{idea.pk}/"))

    for page in pages:
        assert page.status_code == 200
        assert b"<script>" not in page.content
        assert not HANDLER_ATTRIBUTE.search(page.content)
        assert not SCRIPT_URL.search(page.content)
    # The ward's name in the chart is text, not markup.
    assert b"&lt;script&gt;alert(4)&lt;/script&gt;" in pages[0].content


# --- Bad input ----------------------------------------------------------------------------------


def test_ids_too_big_for_any_database_are_not_found_never_a_500(
    client, world, resident, officer, council
):
    petition = publish(world)
    idea = ideas.propose_idea(resident, council, title="Benches", body="By the pond.")
    gets = [
        f"/mootshire/petitions/{BIG}-x/",
        f"/mootshire/petitions/{BIG}/edit/",
        f"/mootshire/ideas/{BIG}-x/",
        f"/mootshire/ideas/{idea.pk}/pictures/{BIG}.jpg",
        f"/mootshire/messages/{BIG}/",
        f"/mootshire/staff/petitions/{BIG}/",
        f"/mootshire/staff/ideas/{BIG}/",
        f"/api/v1/councils/mootshire/petitions/{BIG}",
        f"/api/v1/councils/mootshire/ideas/{BIG}",
    ]
    posts = [
        (f"/mootshire/petitions/{BIG}/sign/", {}),
        (f"/notifications/follow/petition/{BIG}/", {}),
        (f"/notifications/subscriptions/{BIG}/stop/", {}),
        (f"/mootshire/ideas/{idea.pk}/comments/", {"body": "Yes.", "parent": BIG}),
        (f"/mootshire/staff/ideas/{idea.pk}/merge/", {"into": BIG, "reason": "Same."}),
        (f"/mootshire/staff/petitions/{petition.pk}/place/", {"meeting": BIG, "kind": "hear"}),
        (f"/mootshire/staff/petitions/obligations/{BIG}/assign/", {"owner": "1"}),
    ]
    client.force_login(officer)
    for url in gets:
        assert client.get(url).status_code in (400, 404), url
    for url, data in posts:
        assert client.post(url, data).status_code in (200, 400, 404), url


def test_a_moderator_ticking_signatures_with_too_big_a_number_gets_a_clear_answer(
    client, world, moderator
):
    # It was an OverflowError (a 500) on SQLite; PostgreSQL compared it as a number.
    petition = publish(world)
    sign(petition, "ann@example.org")
    client.force_login(moderator)

    response = client.post(
        f"/mootshire/staff/petitions/{petition.pk}/invalidate/",
        {"ids": [BIG], "reason": "Bots.", "confirm": "True"},
    )

    assert response.status_code == 200
    assert domain.live_count(petition) == 1
