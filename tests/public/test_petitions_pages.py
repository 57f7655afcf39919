"""The public petition pages: the list, the scheme, starting a petition, a petition's page,
signing and the links in the emails, as residents, moderators and strangers use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.meetings import domain as meetings
from moothall.notifications.registry import followable
from moothall.petitions import domain
from moothall.petitions.models import Obligation, Petition, PetitionScheme, Signature
from moothall.search.query import search
from tests import factories
from tests.public.petitions_scene import Scene, build_scene, draft, links_in, publish, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, resident, moderator, officer) -> Scene:
    return build_scene(council, resident, moderator, officer)


def _row(key: str, value: str) -> str:
    return (
        f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value">{value}</dd></div>'
    )


def _link(petition: Petition) -> str:
    return f'<a class="govuk-link" href="{petition.get_absolute_url()}">{petition.title}</a>'


# --- The list ------------------------------------------------------------------------


def test_the_list_shows_open_petitions_newest_first_with_their_live_counts(client, scene):
    older = publish(scene, "Fix the potholes on Moot Lane", topic=scene.roads)
    newer = publish(scene, "Save Moot Park", topic=scene.parks, ward=scene.moot)
    sign(newer, "ann@example.org")
    sign(newer, "bob@example.org", "MH2 2BB")
    draft(scene, "A secret draft")

    response = client.get("/mootshire/petitions/")

    assert response.status_code == 200
    assert [p for p, _count in response.context["rows"]] == [newer, older]
    assertContains(response, '<h1 class="govuk-heading-l">Petitions</h1>', html=True)
    assertContains(response, _link(newer), html=True)
    assertContains(response, '<span class="mh-secondary">Parks · Moot Ward</span>', html=True)
    assertContains(
        response,
        '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>',
        html=True,
    )
    assertContains(
        response,
        '<a class="govuk-tabs__tab" href="?" aria-current="page">Open</a>',
        html=True,
    )
    assertNotContains(response, "A secret draft")


def test_the_tabs_show_closed_answered_rejected_and_all_but_never_unpublished_petitions(
    client, scene
):
    open_one = publish(scene, "Open one")
    closed = publish(scene, "Closed one")
    domain.close_petition(scene.officer, closed, reason_text="Withdrawn by its creator.")
    answered = publish(scene, "Answered one")
    domain.respond_to_petition(scene.officer, answered, response="We agree.")
    domain.close_petition(None, answered)
    waiting = draft(scene, "Waiting one")
    domain.submit_petition(scene.resident, waiting)
    rejected = draft(scene, "Rejected one")
    domain.submit_petition(scene.resident, rejected)
    domain.moderate_petition(scene.moderator, rejected, publish=False, reason_text="Libellous.")

    def listed(query: str) -> list[Petition]:
        return [p for p, _count in client.get(f"/mootshire/petitions/?{query}").context["rows"]]

    assert listed("status=closed") == [closed]
    assert listed("status=responded") == [answered]
    assert listed("status=rejected") == [rejected]
    assert set(listed("status=all")) == {open_one, closed, answered, rejected}
    assert listed("status=nonsense") == [open_one]


def test_the_list_filters_by_topic_and_ward_and_sorts_by_signatures(client, scene):
    park = publish(scene, "Save Moot Park", topic=scene.parks, ward=scene.moot)
    lane = publish(scene, "Fix Moot Lane", topic=scene.roads, ward=scene.moot)
    lowdale = publish(scene, "Lowdale bus stop", topic=scene.roads, ward=scene.lowdale)
    sign(park, "ann@example.org")
    for n in range(3):
        sign(lowdale, f"person{n}@example.org")
    for petition in (park, lane, lowdale):
        domain.recount_petition(petition.pk)

    def listed(query: str) -> list[Petition]:
        return [p for p, _count in client.get(f"/mootshire/petitions/?{query}").context["rows"]]

    assert listed("topic=roads") == [lowdale, lane]
    assert listed("ward=moot-ward") == [lane, park]
    assert listed("topic=roads&ward=moot-ward") == [lane]
    assert listed("sort=signatures") == [lowdale, park, lane]
    assert listed("topic=no-such-topic&ward=%00") == [lowdale, lane, park]
    response = client.get("/mootshire/petitions/?sort=signatures&topic=roads")
    assertContains(
        response,
        '<a class="govuk-tabs__tab" href="?status=closed&amp;sort=signatures&amp;topic=roads">'
        "Closed</a>",
        html=True,
    )


def test_the_list_is_paginated(client, scene):
    for n in range(21):
        publish(scene, f"Petition {n}")

    first = client.get("/mootshire/petitions/")
    second = client.get("/mootshire/petitions/?page=2")

    assert len(first.context["rows"]) == 20
    assert [p.title for p, _c in second.context["rows"]] == ["Petition 0"]
    assertContains(first, "Page 1 of 2")


def test_an_unknown_council_has_no_petitions(client):
    assert client.get("/nowhere/petitions/").status_code == 404


# --- The scheme ------------------------------------------------------------------------


def test_the_scheme_page_explains_the_councils_rules(client, scene):
    domain.update_petition_scheme(
        None,
        scene.council,
        description="Read **our** scheme.<script>alert(1)</script>",
        sponsors_required=5,
    )

    response = client.get("/mootshire/petitions/how-petitions-work/")

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">How petitions work</h1>', html=True)
    assertContains(
        response,
        "Petitions may be signed by people who live in the area, people who work in the area.",
    )
    assertContains(response, "Before it is published, 5 people must support it as sponsors.")
    assertContains(response, "A moderator checks every petition before it is published.")
    assertContains(response, "A petition is open for signatures for 30 days.")
    assertContains(
        response, "<li>2 signatures: officer response, within 10 working days</li>", html=True
    )
    assertContains(
        response, "<li>3 signatures: committee hearing, within 20 working days</li>", html=True
    )
    assertContains(
        response,
        "<li>4 signatures: full-council debate, within 20 working days</li>",
        html=True,
    )
    assertContains(response, "Democratic Services answers for petitions")
    assertContains(response, "<p>Read <strong>our</strong> scheme.</p>", html=True)
    assertNotContains(response, "<script>alert")


def test_a_council_without_a_scheme_follows_the_defaults(client, other_council):
    response = client.get("/elsewhere/petitions/how-petitions-work/")

    assert response.status_code == 200
    assertContains(
        response,
        "Petitions may be signed by people who live in the area, people who work in the area, "
        "people who study in the area.",
    )
    assertContains(
        response,
        "<li>1,000 signatures: full-council debate, within 40 working days</li>",
        html=True,
    )


# --- Starting a petition ----------------------------------------------------------------


def test_someone_not_signed_in_is_sent_to_sign_in_to_start_a_petition(client, scene):
    response = client.get("/mootshire/petitions/new/")

    assertRedirects(
        response,
        "/accounts/login/?next=/mootshire/petitions/new/",
        fetch_redirect_response=False,
    )


def test_a_resident_starts_a_draft_changes_it_and_sends_it_to_moderation(
    client, scene, django_capture_on_commit_callbacks
):
    client.force_login(scene.resident)
    form = client.get("/mootshire/petitions/new/")
    assertContains(
        form,
        "Moderation: a moderator checks it follows the council’s petition scheme.",
    )
    assertContains(form, 'value="Rita Resident"')

    response = client.post(
        "/mootshire/petitions/new/",
        {
            "title": "Save Moot Park",
            "action": "Keep it open.",
            "background": "It is *loved*.",
            "topic": "parks",
            "ward": "moot-ward",
            "creator_name": "Rita R",
        },
    )

    petition = Petition.objects.get()
    assert (petition.title, petition.status, petition.creator_name) == (
        "Save Moot Park",
        "draft",
        "Rita R",
    )
    assert (petition.topic, petition.ward) == (scene.parks, scene.moot)
    assertRedirects(response, petition.get_absolute_url())
    page = client.get(petition.get_absolute_url())
    assertContains(
        page,
        '<h2 class="govuk-heading-m" id="check">Check your petition before you send it</h2>',
        html=True,
    )
    assertContains(
        page,
        '<div class="govuk-inset-text" id="private">Only you and the council’s moderators can '
        "see this petition until it is published.</div>",
        html=True,
    )
    assertContains(page, "<em>loved</em>")

    edit_url = f"/mootshire/petitions/{petition.pk}/edit/"
    assertContains(client.get(edit_url), 'value="Save Moot Park"')
    response = client.post(
        edit_url, {"title": "Save Moot Park now", "action": "Keep it open.", "topic": "roads"}
    )
    petition.refresh_from_db()
    assert (petition.title, petition.topic, petition.ward) == (
        "Save Moot Park now",
        scene.roads,
        None,
    )
    assertRedirects(response, petition.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/mootshire/petitions/{petition.pk}/submit/", follow=True)

    petition.refresh_from_db()
    assert petition.status == "awaiting_moderation"
    assertContains(response, "Sent. A moderator will check it before it is published.")
    assertContains(
        response,
        '<p class="govuk-body" id="moderation">A moderator is checking this petition against the '
        "council’s petition scheme. Its creator will get an email when it is published, or told "
        "why it cannot be.</p>",
        html=True,
    )
    assert [m.to for m in mail.outbox] == [["morgan.moderator@example.org"]]
    # Sent on: no longer editable.
    assert client.get(edit_url).status_code == 404


def test_a_draft_without_a_title_is_refused_with_a_clear_message(client, scene):
    client.force_login(scene.resident)

    response = client.post(
        "/mootshire/petitions/new/",
        {"title": "  ", "action": "", "topic": "no-such", "creator_name": "Rita"},
    )

    assert response.status_code == 400
    for message in [
        '<a href="#id_title">Enter a title</a>',
        '<a href="#id_action">Say what you want the council to do</a>',
        '<a href="#id_topic">Choose a topic from the list.</a>',
    ]:
        assertContains(response, message, html=True, status_code=400)
    assert not Petition.objects.exists()


def test_sponsors_sign_from_the_shared_link_and_then_it_waits_for_a_moderator(
    client, scene, django_capture_on_commit_callbacks
):
    domain.update_petition_scheme(None, scene.council, sponsors_required=2)
    petition = draft(scene)
    client.force_login(scene.resident)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/mootshire/petitions/{petition.pk}/submit/")
    petition.refresh_from_db()
    sponsor_path = f"/mootshire/petitions/sponsor/{petition.sponsor_token}/"
    assert sponsor_path in links_in(mail.outbox[0])[0]

    page = client.get(petition.get_absolute_url())
    assertContains(page, f"http://testserver{sponsor_path}")
    assertContains(page, "0 of 2 sponsors have confirmed.")

    stranger = Client()
    assertContains(
        stranger.get(sponsor_path),
        "Before Mootshire publishes this petition, 2 people must support it as sponsors.",
    )
    assert stranger.get(petition.get_absolute_url()).status_code == 404
    for email in ("ann@example.org", "bob@example.org"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = stranger.post(
                sponsor_path,
                {
                    "name": "Ann",
                    "email": email,
                    "postcode": "MH1 1AA",
                    "basis": "lives",
                    "declaration": "on",
                },
            )
        assertRedirects(response, f"/mootshire/petitions/{petition.pk}/signed/")
        (confirm,) = [path for path in links_in(mail.outbox[0]) if "/confirm/" in path]
        with django_capture_on_commit_callbacks(execute=True):
            assertContains(stranger.get(confirm), "Thank you for sponsoring it")

    petition.refresh_from_db()
    assert petition.status == "awaiting_moderation"
    assertContains(stranger.get(sponsor_path), "This petition is no longer looking for sponsors.")


# --- One petition ------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["draft", "awaiting_moderation"])
def test_an_unpublished_petition_is_seen_only_by_its_creator_and_moderators(
    client, scene, stage, councillor_user, council_admin, outsider
):
    petition = draft(scene)
    if stage == "awaiting_moderation":
        domain.submit_petition(scene.resident, petition)
    url = petition.get_absolute_url()
    other = factories.UserFactory(email="nosy@example.org")

    seen = {}
    for name, user in [
        ("anonymous", None),
        ("other resident", other),
        ("councillor", councillor_user),
        ("outsider", outsider),
        ("creator", scene.resident),
        ("moderator", scene.moderator),
        ("officer", scene.officer),
        ("admin", council_admin),
    ]:
        client.logout()
        if user is not None:
            client.force_login(user)
        seen[name] = client.get(url).status_code

    assert seen == {
        "anonymous": 404,
        "other resident": 404,
        "councillor": 404,
        "outsider": 404,
        "creator": 200,
        "moderator": 200,
        "officer": 200,
        "admin": 200,
    }
    client.logout()
    assert client.get(f"/mootshire/petitions/{petition.pk}/signed/").status_code == 200
    assertNotContains(client.get(f"/mootshire/petitions/{petition.pk}/signed/"), petition.title)


def test_a_wrong_or_old_slug_redirects_to_the_petition(client, scene):
    petition = publish(scene)

    response = client.get(f"/mootshire/petitions/{petition.pk}-old-title/")

    assertRedirects(response, petition.get_absolute_url(), status_code=301)
    assert client.get(f"/elsewhere/petitions/{petition.pk}-save-moot-park/").status_code == 404


def test_the_petition_page_shows_the_count_by_ward_the_timeline_and_the_obligations(
    client, scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        petition = publish(
            scene, "Save Moot Park", background="It is **loved**.", topic=scene.parks
        )
        sign(petition, "ann@example.org")
        sign(petition, "bob@example.org")
        sign(petition, "cat@example.org", "MH2 2BB")
        sign(petition, "dan@example.org", "MH1 1AA")
        sign(petition, "eve@example.org", "EL1 1AA", basis="works")
    respond, hear, debate = Obligation.objects.filter(petition=petition).order_by("threshold")
    Obligation.objects.filter(pk=respond.pk).update(due_on=timezone.localdate() - dt.timedelta(1))
    respond.refresh_from_db()

    response = client.get(petition.get_absolute_url())

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">Save Moot Park</h1>', html=True)
    assertContains(response, '<strong class="govuk-tag govuk-tag--green">Open</strong>', html=True)
    assertContains(response, "<p>It is <strong>loved</strong>.</p>", html=True)
    assertContains(response, _row("Started by", "Rita Resident"), html=True)
    assertContains(response, _row("Topic", "Parks"), html=True)
    closes = petition.closes_on.strftime("%-d %B %Y")
    assertContains(response, _row("Closes", closes), html=True)
    assertContains(
        response,
        '<p class="govuk-body-l" id="count"><strong>5</strong> signatures</p>',
        html=True,
    )
    assertContains(
        response,
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
        '<a class="govuk-link" href="/mootshire/wards/moot-ward/">Moot Ward</a></th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">3</td></tr>',
        html=True,
    )
    assertContains(
        response,
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
        "Outside the council’s wards, or on paper</th>"
        '<td class="govuk-table__cell govuk-table__cell--numeric">1</td></tr>',
        html=True,
    )
    assert sorted((w.name if w else "", n) for w, n in response.context["by_ward"]) == [
        ("", 1),
        ("Lowdale Ward", 1),
        ("Moot Ward", 3),
    ]
    # The chart: the largest bar is full width, the others in proportion.
    assertContains(
        response,
        '<rect x="220" y="5" width="380" height="18" fill="#1d70b8"></rect>',
        html=True,
    )
    assertContains(
        response,
        '<rect x="220" y="33" width="127" height="18" fill="#1d70b8"></rect>',
        html=True,
    )
    assertContains(
        response,
        '<tr class="govuk-table__row"><td class="govuk-table__cell">Officer response<br>'
        '<span class="mh-secondary">at 2 signatures</span></td>'
        '<td class="govuk-table__cell">Democratic Services</td>'
        f'<td class="govuk-table__cell"><time datetime="{respond.due_on:%Y-%m-%d}">'
        f"{respond.due_on:%-d %B %Y}</time></td>"
        '<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--red">Overdue</strong>'
        "</td></tr>",
        html=True,
    )
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--red">Overdue</strong>', count=1, html=True
    )
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--blue">Due</strong>', count=2, html=True
    )
    hear_due = hear.due_on.strftime("%-d %B %Y")
    assertContains(response, f"Reached 3 signatures: committee hearing due by {hear_due}.")
    assertContains(response, f"Published. Open for signatures until {closes}.")
    assertNotContains(response, "Started as a draft.")  # a private line of the timeline
    assertContains(
        response, '<h2 class="govuk-heading-m" id="sign">Sign this petition</h2>', html=True
    )
    assertContains(
        response,
        '<input class="govuk-radios__input" id="id_basis_0" name="basis" type="radio" value="lives">',
        html=True,
    )
    assertNotContains(response, 'value="studies"')  # the scheme does not allow it
    assert debate.kind == "debate"


def test_the_follow_button_is_offered_on_a_published_petition(client, scene, resident):
    petition = publish(scene)

    assertContains(client.get(petition.get_absolute_url()), "Sign in to follow")
    client.force_login(resident)
    assertContains(
        client.get(petition.get_absolute_url()),
        f'action="/notifications/follow/petition/{petition.pk}/"',
    )


def test_a_hearing_a_decision_and_the_response_are_shown_with_their_links(client, scene):
    petition = publish(scene)
    body = meetings.create_body(None, scene.council, name="Full Council", kind="full_council")
    meeting = meetings.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)
    )
    hearing = domain.place_petition_on_agenda(scene.officer, petition, meeting, kind="debate")
    meetings.publish_agenda(None, meeting)
    decision = meetings.record_decision(
        None,
        scene.council,
        title="Moot Park stays open",
        text="Resolved to keep the park open.",
        decision_maker="Full Council",
        decided_on=dt.date(2030, 3, 14),
        agenda_item=hearing.agenda_item,
    )
    domain.link_petition_decision(scene.officer, hearing, decision=decision, outcome="Agreed.")
    domain.respond_to_petition(scene.officer, petition, response="We **agree**.")

    response = client.get(petition.get_absolute_url())

    assertContains(
        response, '<strong class="govuk-tag govuk-tag--purple">Debated</strong>', html=True
    )
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/meetings/{meeting.pk}/">Full Council, 14 March 2030</a>',
        html=True,
    )
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/meetings/{meeting.pk}/#item-{hearing.agenda_item.pk}">'
        "Agenda item: Petition: Save Moot Park</a>",
        html=True,
    )
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/decisions/{decision.pk}/">'
        "Decision: Moot Park stays open</a>",
        html=True,
    )
    assertContains(response, "<p>We <strong>agree</strong>.</p>", html=True)
    assertContains(
        response, "Placed on the agenda of Full Council on 14 March 2030 (full-council debate)."
    )
    assertContains(response, "Debated at full council.")
    assertContains(response, "This petition is closed: it no longer takes signatures.")
    assertNotContains(response, 'id="sign"')


def test_a_rejected_petition_shows_its_published_reason(client, scene):
    petition = draft(scene)
    domain.submit_petition(scene.resident, petition)
    domain.moderate_petition(
        scene.moderator, petition, publish=False, reason_text="It is about a matter for the courts."
    )

    response = client.get(petition.get_absolute_url())

    assertContains(
        response, '<strong class="govuk-tag govuk-tag--red">Rejected</strong>', html=True
    )
    assertContains(
        response,
        '<h2 class="govuk-heading-m" id="rejected">Why this petition was rejected</h2>',
        html=True,
    )
    assertContains(response, "It is about a matter for the courts.")
    assertContains(response, "Rejected: It is about a matter for the courts.")


# --- Signing -----------------------------------------------------------------------------

SIGN = {
    "name": "Jo Bloggs",
    "email": "Jo.Bloggs+x@Gmail.com",
    "postcode": "mh11aa",
    "basis": "lives",
    "declaration": "on",
    "wants_updates": "on",
}


def test_signing_emails_a_link_that_makes_the_signature_count(
    client, scene, django_capture_on_commit_callbacks
):
    petition = publish(scene)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/mootshire/petitions/{petition.pk}/sign/", SIGN, REMOTE_ADDR="198.51.100.7"
        )

    assertRedirects(response, f"/mootshire/petitions/{petition.pk}/signed/")
    signed = client.get(f"/mootshire/petitions/{petition.pk}/signed/")
    assertContains(signed, '<h1 class="govuk-heading-l">Check your email</h1>', html=True)
    signature = Signature.objects.get()
    assert (signature.status, signature.ip_address, signature.ward, signature.postcode) == (
        "pending",
        "198.51.100.7",
        scene.moot,
        "MH1 1AA",
    )
    assert domain.live_count(petition) == 0
    (message,) = mail.outbox
    assert message.to == ["Jo.Bloggs+x@Gmail.com"]
    confirm = f"/mootshire/petitions/confirm/{signature.token}/"
    assert links_in(message) == [confirm]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(confirm)

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-panel__title">Your signature counts</h1>', html=True)
    assertContains(
        response,
        '<p class="govuk-body-l" id="count">The petition now has <strong>1</strong> signature.</p>',
        html=True,
    )
    assertContains(response, f'href="/mootshire/petitions/withdraw/{signature.token}/"')
    assert domain.live_count(petition) == 1
    # Following the link again changes nothing.
    assertContains(client.get(confirm), "The petition now has <strong>1</strong> signature.")
    assert domain.live_count(petition) == 1


def test_signing_twice_with_two_spellings_of_one_gmail_address_makes_one_signature(
    client, scene, django_capture_on_commit_callbacks
):
    petition = publish(scene)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/mootshire/petitions/{petition.pk}/sign/", SIGN)
    client.get(f"/mootshire/petitions/confirm/{Signature.objects.get().token}/")
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            f"/mootshire/petitions/{petition.pk}/sign/", {**SIGN, "email": "jobloggs@gmail.com"}
        )

    # The same answer both times: nothing says who has signed.
    assert first.url == second.url == f"/mootshire/petitions/{petition.pk}/signed/"
    assert Signature.objects.count() == 1
    assert domain.live_count(petition) == 1
    # Within minutes of the first email no second one is sent (nobody can fill another's
    # inbox from the form); later, signing again says it already counts.
    assert [m.to for m in mail.outbox] == [["Jo.Bloggs+x@Gmail.com"]]
    Signature.objects.update(last_emailed_at=timezone.now() - dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        third = client.post(f"/mootshire/petitions/{petition.pk}/sign/", SIGN)
    assert third.url == first.url
    assert Signature.objects.count() == 1
    assert len(mail.outbox) == 2
    assert "already counts" in mail.outbox[1].body


def test_the_sign_form_explains_what_is_wrong_and_writes_nothing(client, scene):
    petition = publish(scene)

    response = client.post(
        f"/mootshire/petitions/{petition.pk}/sign/",
        {"name": "", "email": "not-an-email", "postcode": "EL1 1AA", "basis": "studies"},
    )

    assert response.status_code == 400
    for message in [
        '<a href="#id_name">Enter your name</a>',
        '<a href="#id_email">Enter an email address like name@example.com.</a>',
        '<a href="#id_basis_0">Choose why you may sign this petition</a>',
        '<a href="#id_declaration">Confirm that you may sign this petition</a>',
    ]:
        assertContains(response, message, html=True, status_code=400)
    assert not Signature.objects.exists()

    outside = client.post(
        f"/mootshire/petitions/{petition.pk}/sign/", {**SIGN, "postcode": "EL1 1AA"}
    )
    assertContains(
        outside,
        '<a href="#id_postcode">This postcode is not in Mootshire’s area.</a>',
        html=True,
        status_code=400,
    )
    nowhere = client.post(f"/mootshire/petitions/{petition.pk}/sign/", {**SIGN, "postcode": "ZZ"})
    assertContains(
        nowhere,
        '<a href="#id_postcode">Enter a full UK postcode, like SW1A 1AA.</a>',
        html=True,
        status_code=400,
    )
    assert not Signature.objects.exists()


def test_a_closed_or_unpublished_petition_takes_no_signatures(client, scene):
    closed = publish(scene)
    domain.close_petition(scene.officer, closed, reason_text="Early.")
    waiting = draft(scene, "Waiting")

    response = client.post(f"/mootshire/petitions/{closed.pk}/sign/", SIGN, follow=True)

    assertContains(response, "This petition is not open for signatures.")
    assert client.post(f"/mootshire/petitions/{waiting.pk}/sign/", SIGN).status_code == 404
    assert client.get(f"/mootshire/petitions/{closed.pk}/sign/").status_code == 405
    assert not Signature.objects.exists()


def test_following_a_link_after_the_petition_closed_is_refused_clearly(client, scene):
    petition = publish(scene)
    signature = sign(petition, "ann@example.org", confirm=False)
    domain.close_petition(scene.officer, petition, reason_text="Early.")

    response = client.get(f"/mootshire/petitions/confirm/{signature.token}/")

    assertContains(
        response,
        '<p class="govuk-body" id="reason">This petition stopped taking signatures before you '
        "confirmed.</p>",
        html=True,
        status_code=400,
    )
    assert domain.live_count(petition) == 0


def test_a_signer_withdraws_from_the_link(client, scene):
    petition = publish(scene)
    signature = sign(petition, "ann@example.org")
    url = f"/mootshire/petitions/withdraw/{signature.token}/"

    page = client.get(url)
    assertContains(page, "Your signature on “Save Moot Park” will no longer count.")
    assert domain.live_count(petition) == 1
    response = client.post(url)

    assertContains(
        response, '<h1 class="govuk-heading-l">Your signature is withdrawn</h1>', html=True
    )
    signature.refresh_from_db()
    assert signature.status == "withdrawn"
    assert domain.live_count(petition) == 0
    assertContains(client.get(url), "Your signature is withdrawn")


def test_stopping_updates_works_with_a_one_click_post_and_no_csrf_token(scene):
    petition = publish(scene)
    signature = sign(petition, "ann@example.org")
    client = Client(enforce_csrf_checks=True)
    url = f"/mootshire/petitions/stop-updates/{signature.token}/"

    assertContains(client.get(url), "Stop the emails")
    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assertContains(
        response, '<h1 class="govuk-heading-l">No more emails about this petition</h1>', html=True
    )
    signature.refresh_from_db()
    assert signature.wants_updates is False
    assert domain.live_count(petition) == 1


@pytest.mark.parametrize("kind", ["confirm", "withdraw", "stop-updates", "sponsor"])
@pytest.mark.parametrize("token", ["nope", "x" * 40, "x" * 200, "%00", "..", "é"])
def test_an_unknown_link_is_a_404_page_never_a_500(client, scene, kind, token):
    for method in ("get",) if kind == "confirm" else ("get", "post"):
        response = getattr(client, method)(f"/mootshire/petitions/{kind}/{token}/")
        assert response.status_code == 404, (method, kind, token)
        assertContains(response, "This link is not valid", status_code=404)


def test_a_link_from_another_council_is_not_valid_here(client, scene, other_council):
    petition = publish(scene)
    signature = sign(petition, "ann@example.org", confirm=False)

    response = client.get(f"/elsewhere/petitions/confirm/{signature.token}/")

    assert response.status_code == 404
    signature.refresh_from_db()
    assert signature.status == "pending"


# --- Search and following ------------------------------------------------------------------


def test_only_published_petitions_are_found_and_followed(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published = publish(scene, "Save the bandstand")
        hidden = draft(scene, "Bandstand draft")

    found = search("bandstand", council=scene.council)

    assert [(hit.kind, hit.object_id, hit.url) for hit in found.hits] == [
        ("petition", published.pk, published.get_absolute_url())
    ]
    registered = followable("petition")
    assert registered is not None
    assert registered.get(published.pk) == published
    assert registered.get(hidden.pk) is None


def test_a_council_page_links_to_its_petitions(client, scene):
    assertContains(
        client.get("/mootshire/"),
        '<a class="govuk-link" href="/mootshire/petitions/">Petitions</a>',
        html=True,
    )


def test_the_scheme_defaults_stand_until_a_council_saves_its_own(other_council):
    scheme = PetitionScheme.for_council(other_council)
    assert scheme.pk is None
    assert scheme.allowed_bases() == ["lives", "works", "studies"]
