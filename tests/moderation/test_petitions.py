"""Petitions in moderation: a published petition can be reported and hidden (removed, for
good, as from the petitions' own queue), and the council's petition scheme is the space's
pre- or post-moderation setting."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from moothall.moderation import domain
from moothall.moderation.models import Flag, LogEntry
from moothall.moderation.registry import POST, PRE, spaces
from moothall.petitions import domain as petitions
from moothall.petitions.models import Petition, PetitionScheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition(council, resident):
    PetitionScheme.objects.create(council=council, sponsors_required=0, pre_moderation=False)
    started = petitions.start_petition(
        resident, council, title="Ban the neighbours", action="They are awful people."
    )
    return petitions.submit_petition(resident, started)


def test_a_published_petition_is_reported_hidden_and_logged_once(
    client, council, petition, moderator, councillor_user, django_capture_on_commit_callbacks
):
    assert petition.status == Petition.Status.OPEN  # post-moderated: published at once
    domain.flag(councillor_user, "petition", petition, reason="abusive")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        domain.hide(moderator, "petition", petition, rule="abusive", explanation="Targets people.")

    petition.refresh_from_db()
    assert petition.status == Petition.Status.REMOVED
    assert client.get(petition.get_absolute_url()).status_code == 404
    assert Flag.objects.get().outcome == Flag.Outcome.HIDDEN
    assert list(LogEntry.objects.values_list("kind", "action", "rule")) == [
        ("petition", "hidden", "abusive")
    ]
    # Its creator hears once, from moderation, with the rule and the explanation.
    told = [m for m in mail.outbox if m.to == [petition.creator.email]]
    assert len(told) == 1
    assert "Targets people." in told[0].body
    with pytest.raises(ValidationError) as refused:
        domain.restore(moderator, "petition", petition)
    assert refused.value.code == "cannot_restore"


def test_removing_a_published_petition_from_its_own_queue_is_logged_too(
    council, petition, moderator, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        petitions.moderate_petition(
            moderator, petition, publish=False, reason_text="Names a neighbour", hide=True
        )
    # From the petitions' own queue, the petitions app tells its creator.
    assert [m.to for m in mail.outbox] == [[petition.creator.email]]
    assert list(LogEntry.objects.values_list("kind", "action", "rule")) == [
        ("petition", "hidden", "")
    ]


def test_removing_a_petition_the_public_never_saw_is_not_logged(council, resident, moderator):
    PetitionScheme.objects.create(council=council, sponsors_required=0, pre_moderation=True)
    waiting = petitions.submit_petition(
        resident, petitions.start_petition(resident, council, title="Spam", action="Spam.")
    )
    assert waiting.status == Petition.Status.AWAITING_MODERATION
    petitions.moderate_petition(moderator, waiting, publish=False, reason_text="Spam", hide=True)
    assert not LogEntry.objects.exists()


def test_the_petition_scheme_is_the_spaces_mode(council, petition, council_admin):
    space = next(s for s in spaces(council) if s.key == "petitions")
    assert (space.mode, space.modes) == (POST, (PRE, POST))

    domain.set_space_mode(council_admin, council, "petitions", PRE)

    assert PetitionScheme.for_council(council).pre_moderation is True
    assert next(s for s in spaces(council) if s.key == "petitions").mode == PRE


def test_a_resident_reports_a_petition_from_its_page(client, council, petition, councillor_user):
    client.force_login(councillor_user)
    page = client.get(petition.get_absolute_url()).content.decode()
    report = f"/{council.slug}/report/petition/{petition.pk}/"
    assert f'href="{report}"' in page

    response = client.post(report, {"reason": "abusive", "note": ""})

    assert response.status_code == 200  # the "thank you" page
    assert Flag.objects.get().kind == "petition"
