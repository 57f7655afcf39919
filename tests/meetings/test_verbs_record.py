"""The record of a meeting: attendance, declarations, votes, the forward plan and decisions."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from moothall.core.models import AuditEntry
from moothall.meetings import domain
from moothall.meetings.models import (
    Attendance,
    Decision,
    Declaration,
    ForwardPlanEntry,
    MeetingSettings,
    TimelineEntry,
    Vote,
    VoteRecord,
)
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
D = dt.date


def counts() -> dict[str, int]:
    models = (
        Attendance,
        AuditEntry,
        Decision,
        Declaration,
        ForwardPlanEntry,
        TimelineEntry,
        Vote,
        VoteRecord,
    )
    return {model.__name__: model.objects.count() for model in models}


def audit(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


@pytest.fixture
def body(council):
    return factories.BodyFactory(council=council, name="Cabinet", slug="cabinet", kind="cabinet")


@pytest.fixture
def meeting(body):
    """Thursday 14 March 2024, 18:30: in the past, so attendance marks it held."""
    start = dt.datetime(2024, 3, 14, 18, 30, tzinfo=LONDON)
    return domain.create_meeting(None, body, start=start)


@pytest.fixture
def members(council):
    names = ["Ann Ash", "Bob Birch", "Cat Cedar", "Dan Damson", "Eve Elm", "Fay Fir", "Guy Gorse"]
    return [factories.CouncillorFactory(council=council, person__name=name) for name in names]


@pytest.fixture
def stranger(other_council):
    return factories.CouncillorFactory(council=other_council, person__name="Sam Stranger")


# --- Attendance ----------------------------------------------------------------------------


def test_attendance_with_a_substitute_is_recorded_and_the_meeting_is_held(
    officer, meeting, members
):
    ann, bob, cat, dan = members[:4]
    rows = domain.record_attendance(
        officer,
        meeting,
        {ann.pk: "present", bob.pk: "apologies", cat.pk: "substitute", dan.pk: "absent"},
        substitutes={cat.pk: bob.pk},
    )
    assert len(rows) == 4
    recorded = {a.councillor_id: (a.status, a.substitute_for_id) for a in meeting.attendance.all()}
    assert recorded == {
        ann.pk: ("present", None),
        bob.pk: ("apologies", None),
        cat.pk: ("substitute", bob.pk),
        dan.pk: ("absent", None),
    }
    meeting.refresh_from_db()
    assert meeting.status == "held"
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details) == (
        "attendance_recorded",
        True,
        {"present": 2},
    )
    assert entry.describe() == "Attendance recorded: 2 present."
    assert audit("meetings.record_attendance").details == {
        "entries": {
            str(ann.pk): "present",
            str(bob.pk): "apologies",
            str(cat.pk): "substitute",
            str(dan.pk): "absent",
        }
    }


def test_recording_attendance_again_replaces_it(officer, meeting, members):
    ann, bob = members[:2]
    domain.record_attendance(officer, meeting, {ann.pk: "present", bob.pk: "present"})
    domain.record_attendance(officer, meeting, {ann.pk: "apologies"})
    assert list(meeting.attendance.values_list("councillor_id", "status")) == [
        (ann.pk, "apologies")
    ]


def test_attendance_at_a_future_meeting_leaves_it_scheduled(officer, body, members):
    future = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
    )
    domain.record_attendance(officer, future, {members[0].pk: "apologies"})
    future.refresh_from_db()
    assert future.status == "scheduled"


@pytest.mark.parametrize(
    "case",
    ["bad status", "stranger", "stranger substituted", "substitute not marked so", "cancelled"],
)
def test_bad_attendance_is_refused_and_the_old_record_kept(
    officer, meeting, members, stranger, case
):
    ann, bob = members[:2]
    domain.record_attendance(officer, meeting, {ann.pk: "present"})
    entries: dict[int, str] = {ann.pk: "present", bob.pk: "substitute"}
    substitutes: dict[int, int] = {}
    if case == "bad status":
        entries[bob.pk] = "asleep"
    elif case == "stranger":
        entries[stranger.pk] = "present"
    elif case == "stranger substituted":
        substitutes = {bob.pk: stranger.pk}
    elif case == "substitute not marked so":
        substitutes = {ann.pk: bob.pk}
    else:
        type(meeting).objects.filter(pk=meeting.pk).update(status="cancelled")
        meeting.refresh_from_db()
    before = counts()
    with pytest.raises(ValidationError):
        domain.record_attendance(officer, meeting, entries, substitutes=substitutes)
    assert counts() == before
    assert list(meeting.attendance.values_list("councillor_id", "status")) == [(ann.pk, "present")]


# --- Declarations ---------------------------------------------------------------------------


def test_a_declaration_of_interest_is_recorded_on_the_public_timeline(officer, meeting, members):
    item = domain.add_agenda_item(None, meeting, title="Depot")
    declaration = domain.record_declaration(
        officer,
        meeting,
        councillor=members[0],
        kind="pecuniary",
        description="Owns land next to the depot",
        agenda_item=item,
        left_the_room=True,
    )
    assert (declaration.kind, declaration.left_the_room, declaration.agenda_item) == (
        "pecuniary",
        True,
        item,
    )
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("declaration_recorded", True)
    assert entry.details == {"name": "Ann Ash", "kind_label": "Disclosable pecuniary interest"}
    assert audit("meetings.record_declaration").details == {
        "councillor": members[0].pk,
        "kind": "pecuniary",
    }


def test_a_declaration_on_an_exempt_item_stays_off_the_public_timeline(officer, meeting, members):
    item = domain.add_agenda_item(None, meeting, title="Land sale", exempt_paragraph=3)
    domain.record_declaration(
        officer,
        meeting,
        councillor=members[0],
        kind="registrable",
        description="Knows bidder",
        agenda_item=item,
    )
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("declaration_recorded", False)
    assert "Land sale" not in str(entry.details)
    assert "bidder" not in str(entry.details)


@pytest.mark.parametrize("case", ["kind", "stranger", "item", "description"])
def test_a_bad_declaration_is_refused(officer, meeting, members, stranger, body, case):
    kwargs = {"councillor": members[0], "kind": "pecuniary", "description": "Owns land"}
    if case == "kind":
        kwargs["kind"] = "feelings"
    elif case == "stranger":
        kwargs["councillor"] = stranger
    elif case == "item":
        other = factories.MeetingFactory(body=body)
        kwargs["agenda_item"] = factories.AgendaItemFactory(meeting=other)
    else:
        kwargs["description"] = "  "
    before = counts()
    with pytest.raises(ValidationError):
        domain.record_declaration(officer, meeting, **kwargs)
    assert counts() == before


# --- Votes ----------------------------------------------------------------------------------


def test_a_vote_is_counted_and_its_outcome_follows_from_the_totals(officer, meeting, members):
    ann, bob, cat, dan, eve, fay, guy = members
    positions = {
        ann.pk: "for",
        bob.pk: "for",
        cat.pk: "for",
        dan.pk: "against",
        eve.pk: "abstain",
        fay.pk: "absent",
        guy.pk: "not_voting",
    }
    vote = domain.record_vote(officer, meeting, motion="Approve the budget", positions=positions)
    assert (vote.votes_for, vote.votes_against, vote.abstentions, vote.outcome) == (
        3,
        1,
        1,
        "carried",
    )
    assert dict(vote.records.values_list("councillor_id", "position")) == positions
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("vote_recorded", True)
    assert entry.details == {
        "outcome": "carried",
        "votes_for": 3,
        "votes_against": 1,
        "abstentions": 1,
    }
    assert entry.describe() == "Vote recorded: 3 for, 1 against, 1 abstentions."
    assert audit("meetings.record_vote").details == {
        "counts": {"for": 3, "against": 1, "abstain": 1, "absent": 1, "not_voting": 1},
        "outcome": "carried",
    }


@pytest.mark.parametrize(
    ("spread", "outcome"),
    [(("for", "against", "against"), "lost"), (("for", "against", "abstain"), "tied")],
)
def test_a_vote_is_lost_or_tied_by_its_totals(meeting, members, spread, outcome):
    positions = {c.pk: p for c, p in zip(members, spread, strict=False)}
    assert domain.record_vote(None, meeting, motion="M", positions=positions).outcome == outcome


def test_the_chairs_casting_vote_can_give_a_tied_vote_its_outcome(meeting, members):
    positions = {members[0].pk: "for", members[1].pk: "against"}
    vote = domain.record_vote(None, meeting, motion="M", positions=positions, outcome="carried")
    assert (vote.outcome, vote.votes_for, vote.votes_against) == ("carried", 1, 1)


def test_a_vote_on_an_exempt_item_is_exempt_and_off_the_public_timeline(meeting, members):
    item = domain.add_agenda_item(None, meeting, title="Land sale", exempt_paragraph=3)
    vote = domain.record_vote(
        None,
        meeting,
        motion="Sell to bidder B",
        positions={members[0].pk: "for"},
        agenda_item=item,
    )
    assert vote.is_exempt
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("vote_recorded", False)
    assert "bidder" not in str(entry.details)


@pytest.mark.parametrize(
    "case",
    ["no positions", "bad position", "stranger", "bad outcome", "blank motion", "item", "decision"],
)
def test_a_bad_vote_is_refused_with_nothing_written(
    meeting, members, stranger, other_council, body, case
):
    kwargs = {"motion": "Approve", "positions": {members[0].pk: "for"}}
    if case == "no positions":
        kwargs["positions"] = {}
    elif case == "bad position":
        kwargs["positions"] = {members[0].pk: "maybe"}
    elif case == "stranger":
        kwargs["positions"] = {members[0].pk: "for", stranger.pk: "against"}
    elif case == "bad outcome":
        kwargs["outcome"] = "won"
    elif case == "blank motion":
        kwargs["motion"] = ""
    elif case == "item":
        kwargs["agenda_item"] = factories.AgendaItemFactory(
            meeting=factories.MeetingFactory(body=body)
        )
    else:
        kwargs["decision"] = factories.DecisionFactory(council=other_council)
    before = counts()
    with pytest.raises(ValidationError):
        domain.record_vote(None, meeting, **kwargs)
    assert counts() == before


# --- The forward plan -----------------------------------------------------------------------


def test_a_forward_plan_entry_is_published_with_an_audit_entry(officer, council, body):
    when = dt.datetime(2030, 5, 1, 9, tzinfo=LONDON)
    entry = domain.add_forward_plan_entry(
        officer,
        council,
        title="Sale of the depot",
        decision_maker="Cabinet",
        expected_date=D(2030, 6, 30),
        body=body,
        published_at=when,
        exempt_paragraph=3,
    )
    assert (entry.status, entry.published_at, entry.exempt_paragraph, entry.is_key_decision) == (
        "planned",
        when,
        3,
        True,
    )
    assert audit("meetings.add_forward_plan_entry").target_id == str(entry.pk)


@pytest.mark.parametrize("case", ["title", "decision_maker", "paragraph", "body"])
def test_a_bad_forward_plan_entry_is_refused(officer, council, other_council, case):
    kwargs = {"title": "Depot", "decision_maker": "Cabinet", "expected_date": D(2030, 6, 30)}
    if case == "body":
        kwargs["body"] = factories.BodyFactory(council=other_council)
    elif case == "paragraph":
        kwargs["exempt_paragraph"] = 9
    else:
        kwargs[case] = " "
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.add_forward_plan_entry(officer, council, **kwargs)
    assert {"paragraph": "exempt_paragraph"}.get(case, case) in caught.value.message_dict
    assert counts() == before


# --- Decisions -------------------------------------------------------------------------------


def decide(council, **kwargs):
    kwargs.setdefault("title", "Sale of the depot")
    kwargs.setdefault("text", "Resolved: to sell the depot.")
    kwargs.setdefault("decision_maker", "Cabinet")
    kwargs.setdefault("decided_on", D(2026, 4, 2))
    kwargs.setdefault("now", dt.datetime(2026, 4, 2, 10, tzinfo=LONDON))
    return domain.record_decision(kwargs.pop("actor", None), council, **kwargs)


def test_a_decision_is_recorded_with_its_call_in_deadline_over_easter(officer, council, meeting):
    decision = decide(
        council,
        actor=officer,
        meeting=meeting,
        reasons="The depot is empty.",
        alternatives_rejected="Keeping it.",
        conflicts_declared="None.",
        dispensations="None.",
    )
    # Published Thursday 2 April 2026; five working days skip Good Friday (3 April) and
    # Easter Monday (6 April): Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April.
    assert decision.call_in_deadline == D(2026, 4, 13)
    assert (decision.status, decision.lacks_notice, decision.is_exempt) == ("made", False, False)
    assert decision.published_at == dt.datetime(2026, 4, 2, 10, tzinfo=LONDON)
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("decision_recorded", True)
    assert entry.details == {"title": "Sale of the depot", "decision": decision.pk}
    assert entry.describe() == "Decision recorded: Sale of the depot."
    assert audit("meetings.record_decision").details == {"key": False, "lacks_notice": False}


def test_the_call_in_period_follows_the_councils_settings_and_nation(body):
    scottish = factories.CouncilFactory(slug="glen", tier="unitary", nation="scotland")
    MeetingSettings.objects.create(council=scottish, notice_clear_days=3, call_in_days=3)
    decision = decide(scottish)
    # Scotland works on Easter Monday: Mon 6, Tue 7, Wed 8 April 2026.
    assert decision.call_in_deadline == D(2026, 4, 8)


def test_a_key_decision_with_28_clear_days_of_forward_plan_notice_is_not_flagged(council):
    # Decided Tuesday 30 June 2026; the entry was published on Monday 1 June (28 clear days).
    entry = domain.add_forward_plan_entry(
        None,
        council,
        title="Depot",
        decision_maker="Cabinet",
        expected_date=D(2026, 6, 30),
        published_at=dt.datetime(2026, 6, 1, 12, tzinfo=LONDON),
    )
    decision = decide(
        council, decided_on=D(2026, 6, 30), is_key_decision=True, forward_plan_entry=entry
    )
    assert decision.lacks_notice is False
    entry.refresh_from_db()
    assert entry.status == "decided"


def test_a_key_decision_with_27_clear_days_of_notice_is_flagged(council):
    entry = domain.add_forward_plan_entry(
        None,
        council,
        title="Depot",
        decision_maker="Cabinet",
        expected_date=D(2026, 6, 30),
        published_at=dt.datetime(2026, 6, 2, 9, tzinfo=LONDON),
    )
    decision = decide(
        council, decided_on=D(2026, 6, 30), is_key_decision=True, forward_plan_entry=entry
    )
    assert decision.lacks_notice is True
    assert audit("meetings.record_decision").details == {"key": True, "lacks_notice": True}


def test_a_key_decision_without_an_entry_is_flagged_unless_excepted(council):
    assert decide(council, is_key_decision=True).lacks_notice is True
    excepted = decide(
        council,
        is_key_decision=True,
        key_decision_exception="special_urgency",
        exception_reason="Storm damage to the depot roof",
    )
    assert (excepted.lacks_notice, excepted.exception_reason) == (
        False,
        "Storm damage to the depot roof",
    )
    general = decide(
        council,
        is_key_decision=True,
        key_decision_exception="general_exception",
        exception_reason="Scrutiny chair informed",
    )
    assert general.lacks_notice is False
    assert decide(council, is_key_decision=False).lacks_notice is False


def test_forward_plan_notice_is_counted_in_local_days(council):
    # Published 00:30 on Tuesday 2 June 2026 in London (23:30 on 1 June in UTC): only 27
    # clear days before a decision on Tuesday 30 June.
    entry = domain.add_forward_plan_entry(
        None,
        council,
        title="Depot",
        decision_maker="Cabinet",
        expected_date=D(2026, 6, 30),
        published_at=dt.datetime(2026, 6, 2, 0, 30, tzinfo=LONDON),
    )
    entry = ForwardPlanEntry.objects.get(pk=entry.pk)  # as a view would load it
    decision = decide(
        council, decided_on=D(2026, 6, 30), is_key_decision=True, forward_plan_entry=entry
    )
    assert decision.lacks_notice is True


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (
            {"is_key_decision": True, "key_decision_exception": "special_urgency"},
            "exception_reason",
        ),
        (
            {"key_decision_exception": "general_exception", "exception_reason": "Because"},
            "key_decision_exception",
        ),
        (
            {"is_key_decision": True, "key_decision_exception": "whim", "exception_reason": "x"},
            "key_decision_exception",
        ),
        ({"title": " "}, "title"),
        ({"text": ""}, "text"),
        ({"decision_maker": ""}, "decision_maker"),
    ],
)
def test_a_bad_decision_is_refused_with_nothing_written(council, kwargs, field):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        decide(council, **kwargs)
    assert field in caught.value.message_dict
    assert counts() == before


def test_a_decision_cannot_use_another_councils_meeting_item_or_plan(council, other_council, body):
    elsewhere_meeting = factories.MeetingFactory(body__council=other_council)
    elsewhere_item = factories.AgendaItemFactory(meeting=elsewhere_meeting)
    elsewhere_entry = domain.add_forward_plan_entry(
        None,
        other_council,
        title="Their depot",
        decision_maker="Their cabinet",
        expected_date=D(2026, 6, 30),
    )
    before = counts()
    for kwargs in (
        {"meeting": elsewhere_meeting},
        {"agenda_item": elsewhere_item},
        {"is_key_decision": True, "forward_plan_entry": elsewhere_entry},
    ):
        with pytest.raises(ValidationError):
            decide(council, **kwargs)
    assert counts() == before
    assert ForwardPlanEntry.objects.get(pk=elsewhere_entry.pk).status == "planned"


def test_a_decision_on_an_exempt_item_is_exempt_and_its_title_kept_private(council, meeting):
    item = domain.add_agenda_item(None, meeting, title="Land sale", exempt_paragraph=3)
    decision = decide(council, agenda_item=item, title="Sell to bidder B")
    assert (decision.is_exempt, decision.meeting) == (True, meeting)
    assert not Decision.objects.public().filter(pk=decision.pk).exists()
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details["title"]) == (
        "decision_recorded",
        False,
        "",
    )


# --- Decision status -------------------------------------------------------------------------


@pytest.fixture
def decision(council, meeting):
    return decide(council, meeting=meeting)  # call-in deadline Monday 13 April 2026


def test_a_decision_is_called_in_then_confirmed_then_implemented(officer, decision, meeting):
    with pytest.raises(ValidationError) as caught:
        domain.set_decision_status(officer, decision, "called_in", today=D(2026, 4, 13))
    assert "reason" in caught.value.message_dict
    domain.set_decision_status(
        officer, decision, "called_in", reason="Scrutiny asked", today=D(2026, 4, 13)
    )
    decision.refresh_from_db()
    assert (decision.status, decision.status_reason) == ("called_in", "Scrutiny asked")
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.describe()) == (
        "decision_called_in",
        True,
        "Decision called in: Sale of the depot. Reason: Scrutiny asked",
    )
    assert audit("meetings.set_decision_status").details == {
        "before": "made",
        "after": "called_in",
        "reason": "Scrutiny asked",
    }
    domain.set_decision_status(officer, decision, "made", today=D(2026, 5, 1))
    assert meeting.timeline.latest("id").kind == "decision_made"
    domain.set_decision_status(officer, decision, "implemented", today=D(2026, 5, 2))
    assert meeting.timeline.latest("id").describe() == "Decision implemented: Sale of the depot."
    before = counts()
    for status in ("made", "called_in", "implemented"):
        with pytest.raises(ValidationError) as caught:
            domain.set_decision_status(officer, decision, status, reason="Again")
        assert caught.value.code == "bad_transition"
    assert counts() == before


def test_a_decision_is_not_implemented_while_it_can_still_be_called_in(officer, decision):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.set_decision_status(officer, decision, "implemented", today=D(2026, 4, 13))
    assert caught.value.messages == [
        "The decision cannot be implemented until its call-in period ends on 13/04/2026."
    ]
    assert counts() == before
    domain.set_decision_status(officer, decision, "implemented", today=D(2026, 4, 14))
    decision.refresh_from_db()
    assert decision.status == "implemented"


def test_a_decision_cannot_be_called_in_after_its_deadline(officer, decision):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.set_decision_status(
            officer, decision, "called_in", reason="Too late", today=D(2026, 4, 14)
        )
    assert caught.value.code == "call_in_over"
    assert counts() == before
    assert Decision.objects.get(pk=decision.pk).status == "made"


def test_an_unknown_decision_status_is_refused(officer, decision):
    with pytest.raises(ValidationError):
        domain.set_decision_status(officer, decision, "shredded")
    assert Decision.objects.get(pk=decision.pk).status == "made"


def test_an_exempt_decisions_status_changes_stay_private(officer, council, meeting):
    item = domain.add_agenda_item(None, meeting, title="Land sale", exempt_paragraph=3)
    secret = decide(council, agenda_item=item, title="Sell to bidder B")
    domain.set_decision_status(officer, secret, "implemented", today=D(2026, 5, 1))
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details["title"]) == (
        "decision_implemented",
        False,
        "",
    )
