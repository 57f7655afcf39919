"""Who may use the meetings verbs: the role × verb matrix.

The clerk's verbs are for Mootshire's officers and council admins (and platform admins);
the council's meeting rules for its admins only; nobody else, and never the outsider (an
officer of Elsewhere). A refused call raises PermissionDenied and writes nothing.
"""

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from moothall.core.models import AuditEntry
from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingSettings,
    Membership,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
    Vote,
)
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
THURSDAY = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
ON_TIME = dt.datetime(2030, 3, 1, 9, tzinfo=LONDON)
PDF = make_pdf("A report.")

ROLES = [
    "anonymous",
    "resident",
    "councillor_user",
    "moderator",
    "officer",
    "council_admin",
    "outsider",
    "platform_admin",
]
CLERKS = {"officer", "council_admin", "platform_admin"}
ADMINS = {"council_admin", "platform_admin"}
SIGNED_IN = set(ROLES) - {"anonymous"}

MODELS = (
    AgendaItem,
    Attendance,
    AuditEntry,
    Body,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingSettings,
    Membership,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
    Vote,
)


def counts() -> dict[str, int]:
    """Rows in every table a verb may write, in one query (the matrix asks often)."""
    tables = [model._meta.db_table for model in MODELS]
    # Table names come from the models, never from input.
    sql = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return dict(zip(tables, row, strict=True))


def build_scene(council) -> SimpleNamespace:
    """One of everything at Mootshire, built as rows (not through verbs)."""
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    councillor = factories.CouncillorFactory(council=council)
    meeting = factories.MeetingFactory(body=body, start=THURSDAY)
    past = factories.MeetingFactory(body=body, start=dt.datetime(2024, 3, 14, 18, tzinfo=LONDON))
    first = factories.AgendaItemFactory(meeting=meeting, title="First", position=0)
    second = factories.AgendaItemFactory(meeting=meeting, title="Second", position=1)
    domain.renumber(meeting)
    submitter = factories.UserFactory(email="sue.submitter@example.org")
    return SimpleNamespace(
        council=council,
        body=body,
        councillor=councillor,
        membership=factories.MembershipFactory(body=body, councillor=councillor),
        meeting=meeting,
        past=past,
        first=first,
        second=second,
        document=domain.attach_document(
            None, council, data=PDF, title="Report", kind="report", meeting=meeting
        ),
        decision=factories.DecisionFactory(council=council, meeting=meeting),
        submission=PublicSubmission.objects.create(
            meeting=meeting, submitter=submitter, display_name="Sue", kind="question", text="Why?"
        ),
    )


Verb = Callable[[Any, SimpleNamespace], object]

CLERK_VERBS: dict[str, Verb] = {
    "create_body": lambda a, s: domain.create_body(a, s.council, name="Audit Committee"),
    "update_body": lambda a, s: domain.update_body(a, s.body, name="The Cabinet"),
    "add_member": lambda a, s: domain.add_member(a, s.body, s.councillor, role="chair"),
    "end_membership": lambda a, s: domain.end_membership(a, s.membership, on=dt.date(2031, 1, 1)),
    "create_meeting": lambda a, s: domain.create_meeting(a, s.body, start=THURSDAY),
    "update_meeting": lambda a, s: domain.update_meeting(a, s.meeting, venue="Guildhall"),
    "postpone_meeting": lambda a, s: domain.postpone_meeting(a, s.meeting, reason="Flood"),
    "cancel_meeting": lambda a, s: domain.cancel_meeting(a, s.meeting, reason="Flood"),
    "add_agenda_item": lambda a, s: domain.add_agenda_item(a, s.meeting, title="Third"),
    "update_agenda_item": lambda a, s: domain.update_agenda_item(a, s.first, title="Renamed"),
    "remove_agenda_item": lambda a, s: domain.remove_agenda_item(a, s.second),
    "reorder_agenda": lambda a, s: domain.reorder_agenda(a, s.meeting, [s.second.pk, s.first.pk]),
    "move_agenda_item": lambda a, s: domain.move_agenda_item(a, s.second, up=True),
    "move_agenda_item at the top": lambda a, s: domain.move_agenda_item(a, s.first, up=True),
    "publish_agenda": lambda a, s: domain.publish_agenda(a, s.meeting, now=ON_TIME),
    "attach_document": lambda a, s: domain.attach_document(
        a,
        s.council,
        data=b"<p>Supplement</p>",
        title="Supplement",
        kind="report",
        meeting=s.meeting,
    ),
    "remove_document": lambda a, s: domain.remove_document(a, s.document),
    "record_attendance": lambda a, s: domain.record_attendance(
        a, s.past, {s.councillor.pk: "present"}
    ),
    "record_declaration": lambda a, s: domain.record_declaration(
        a, s.meeting, councillor=s.councillor, kind="pecuniary", description="Owns land"
    ),
    "record_vote": lambda a, s: domain.record_vote(
        a, s.meeting, motion="Approve", positions={s.councillor.pk: "for"}
    ),
    "add_forward_plan_entry": lambda a, s: domain.add_forward_plan_entry(
        a, s.council, title="Depot", decision_maker="Cabinet", expected_date=dt.date(2030, 6, 30)
    ),
    "record_decision": lambda a, s: domain.record_decision(
        a,
        s.council,
        title="Depot",
        text="Sold.",
        decision_maker="Cabinet",
        decided_on=dt.date(2030, 3, 14),
        meeting=s.meeting,
    ),
    "set_decision_status": lambda a, s: domain.set_decision_status(a, s.decision, "implemented"),
    "publish_minutes": lambda a, s: domain.publish_minutes(a, s.past),
    "decide_submission": lambda a, s: domain.decide_submission(a, s.submission, accept=True),
}
ADMIN_VERBS: dict[str, Verb] = {
    "update_meeting_settings": lambda a, s: domain.update_meeting_settings(
        a, s.council, notice_clear_days=4
    ),
}
RESIDENT_VERBS: dict[str, Verb] = {
    "submit_to_meeting": lambda a, s: domain.submit_to_meeting(
        a,
        s.meeting,
        kind="question",
        text="When?",
        display_name="Me",
        today=dt.date(2030, 3, 1),
    ),
}
ALLOWED = (
    dict.fromkeys(CLERK_VERBS, CLERKS)
    | dict.fromkeys(ADMIN_VERBS, ADMINS)
    | dict.fromkeys(RESIDENT_VERBS, SIGNED_IN)
    # Only the submitter, who holds none of the roles here.
    | {"withdraw_submission": set()}
)
VERBS: dict[str, Verb] = {
    **CLERK_VERBS,
    **ADMIN_VERBS,
    **RESIDENT_VERBS,
    "withdraw_submission": lambda a, s: domain.withdraw_submission(a, s.submission),
}


def actor_for(request, role: str):
    if role == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(role)


class _Undo(Exception):
    """Raised to roll a savepoint back after an allowed call."""


def reload(scene: SimpleNamespace, ids: dict[str, int]) -> SimpleNamespace:
    """The same scene, read again from the database (a verb may have changed or deleted
    the objects in memory; deleting sets their pk to None, hence the saved ids)."""
    return SimpleNamespace(
        **{name: type(value).objects.get(pk=ids[name]) for name, value in vars(scene).items()}
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_role_verb_matrix(request, council, role):
    """Every verb, for one role: allowed ones succeed, the others raise PermissionDenied and
    write nothing. Each call runs in a savepoint rolled back afterwards, so every verb meets
    the same scene."""
    actor = actor_for(request, role)
    scene = build_scene(council)
    ids = {name: value.pk for name, value in vars(scene).items()}
    before = counts()
    outcomes = {}
    for verb, call in VERBS.items():
        try:
            with transaction.atomic():
                call(actor, scene)
                raise _Undo
        except _Undo:
            outcomes[verb] = "allowed"
        except PermissionDenied:
            outcomes[verb] = "denied" if counts() == before else "denied but wrote"
        scene = reload(scene, ids)
    expected = {verb: "allowed" if role in ALLOWED[verb] else "denied" for verb in VERBS}
    assert outcomes == expected
    assert counts() == before


def test_every_verb_of_the_domain_is_in_the_matrix():
    public = {
        name
        for name, value in vars(domain).items()
        if callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", "") == domain.__name__
    }
    # Queries and the system's own verbs (no actor) are not permissions.
    not_actions = {
        "deadline_for",
        "submission_deadline_for",
        "submissions_open",
        "next_decision_statuses",
        "renumber",
        "save_extracted_text",
    }
    assert public - not_actions == {v.split(" ")[0] for v in VERBS}


def test_a_clerk_without_two_factor_authentication_may_not_act(council):
    clerk = factories.UserFactory(email="nomfa.officer@example.org")
    factories.RoleFactory(user=clerk, council=council, kind="officer")
    scene = build_scene(council)
    before = counts()
    for verb in ("create_body", "publish_agenda", "record_decision"):
        with pytest.raises(PermissionDenied):
            CLERK_VERBS[verb](clerk, scene)
    assert counts() == before


def test_a_deactivated_clerk_may_not_act(council, officer):
    officer.is_active = False
    officer.save()
    scene = build_scene(council)
    with pytest.raises(PermissionDenied):
        domain.create_body(officer, scene.council, name="Audit Committee")


def test_the_outsider_may_act_at_their_own_council(other_council, outsider):
    body = domain.create_body(outsider, other_council, name="Elsewhere Cabinet")
    meeting = domain.create_meeting(outsider, body, start=THURSDAY)
    assert meeting.council == other_council


def test_the_outsider_cannot_reach_mootshire_through_their_own_council(
    council, other_council, outsider
):
    scene = build_scene(council)
    reaches: list[Callable[[], object]] = [
        lambda: domain.create_body(outsider, other_council, name="Sub", parent=scene.body),
        lambda: domain.attach_document(
            outsider, other_council, data=PDF, title="Leak", kind="report", agenda_item=scene.first
        ),
        lambda: domain.attach_document(
            outsider, other_council, data=PDF, title="Leak", kind="report", meeting=scene.meeting
        ),
        lambda: domain.record_decision(
            outsider,
            other_council,
            title="D",
            text="T",
            decision_maker="Cabinet",
            decided_on=dt.date(2030, 3, 14),
            agenda_item=scene.first,
        ),
        lambda: domain.add_forward_plan_entry(
            outsider,
            other_council,
            title="Depot",
            decision_maker="Cabinet",
            expected_date=dt.date(2030, 6, 30),
            body=scene.body,
        ),
    ]
    before = counts()
    for reach in reaches:
        with pytest.raises((PermissionDenied, ValidationError)), transaction.atomic():
            reach()
    assert counts() == before


def test_the_system_acts_without_an_actor(council):
    scene = build_scene(council)
    domain.publish_agenda(None, scene.meeting, now=ON_TIME)
    entry = AuditEntry.objects.filter(action="meetings.publish_agenda").get()
    assert entry.actor is None
    assert scene.meeting.timeline.latest("id").actor is None
