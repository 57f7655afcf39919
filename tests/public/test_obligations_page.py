"""The council-wide page of what petitions oblige the council to do: overdue first and
marked, then what is due, then what was met recently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from moothall.petitions import domain
from moothall.petitions.models import Obligation
from tests import factories
from tests.public.petitions_scene import Scene, build_scene, publish, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, resident, moderator, officer) -> Scene:
    return build_scene(council, resident, moderator, officer)


def _reach(scene: Scene, title: str, signatures: int):
    petition = publish(scene, title)
    for n in range(signatures):
        sign(petition, f"{title.split()[0].lower()}{n}@example.org")
    return petition


def test_overdue_obligations_come_first_and_are_marked_then_due_then_recently_met(client, scene):
    late = _reach(scene, "Late petition", 2)
    due = _reach(scene, "Due petition", 3)
    met = _reach(scene, "Met petition", 2)
    today = timezone.localdate()
    Obligation.objects.filter(petition=late).update(due_on=today - dt.timedelta(days=3))
    domain.respond_to_petition(scene.officer, met, response="Done.")
    named = factories.UserFactory(email="nia.named@example.org", name="Nia Named")
    factories.RoleFactory(user=named, council=scene.council, kind="officer")
    nameless = factories.UserFactory(email="no.name@example.org")
    factories.RoleFactory(user=nameless, council=scene.council, kind="officer")
    respond_due, hear_due = Obligation.objects.filter(petition=due).order_by("threshold")
    domain.assign_obligation(scene.officer, respond_due, owner=named)
    domain.assign_obligation(scene.officer, hear_due, owner=nameless)

    response = client.get("/mootshire/obligations/")

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">What the council must do</h1>', html=True)
    overdue = response.context["overdue"]
    assert [(row.petition, row.obligation.kind, row.overdue) for row in overdue] == [
        (late, "respond", True)
    ]
    assert [(row.petition, row.obligation.kind, row.owner) for row in response.context["due"]] == [
        (due, "respond", "Nia Named"),
        (due, "hear", "Democratic Services"),
    ]
    assert [(row.petition, row.obligation.kind) for row in response.context["met"]] == [
        (met, "respond")
    ]
    late_due = (today - dt.timedelta(days=3)).strftime("%-d %B %Y")
    assertContains(
        response,
        '<tr class="govuk-table__row"><td class="govuk-table__cell">Officer response<br>'
        '<span class="mh-secondary">at 2 signatures</span></td>'
        f'<td class="govuk-table__cell"><a class="govuk-link" href="{late.get_absolute_url()}">'
        "Late petition</a></td>"
        '<td class="govuk-table__cell">Democratic Services</td>'
        f'<td class="govuk-table__cell"><time datetime="{today - dt.timedelta(days=3):%Y-%m-%d}">'
        f"{late_due}</time></td>"
        '<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--red">Overdue</strong>'
        "</td></tr>",
        html=True,
    )
    assertContains(
        response,
        f'<strong class="govuk-tag govuk-tag--green">Met</strong> '
        f'<span class="mh-secondary">{today:%-d %B %Y}</span>',
        html=True,
    )
    # An officer without a name is never shown by their email address.
    assertNotContains(response, "no.name@example.org")


def test_with_nothing_owed_the_page_says_so(client, scene):
    response = client.get("/mootshire/obligations/")

    assertContains(response, '<p class="govuk-body">Nothing is overdue.</p>', html=True)
    assertContains(response, '<p class="govuk-body">Nothing else is due.</p>', html=True)
    assertContains(response, '<p class="govuk-body">None in the last 90 days.</p>', html=True)
