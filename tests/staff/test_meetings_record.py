"""After the meeting: attendance, declarations, recorded votes, decisions, minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from moothall.meetings import domain
from moothall.meetings.models import (
    Attendance,
    Decision,
    Declaration,
    ForwardPlanEntry,
    Meeting,
    Vote,
    VoteRecord,
)
from tests.staff import html
from tests.staff.meetings_scene import PDF, Scene

pytestmark = pytest.mark.django_db


def past(scene: Scene, path: str = "") -> str:
    return f"/mootshire/staff/meetings/{scene.past.pk}/{path}"


# --- Attendance --------------------------------------------------------------------


def test_the_attendance_form_lists_every_member_of_the_body(clerk, scene: Scene):
    response = clerk.get(past(scene, "attendance/"))

    form = response.context["form"]
    assert [row["councillor"] for row in form.rows] == [scene.ann, scene.ben, scene.cal]
    assert [value for value, _label in form.fields[f"status_{scene.ann.pk}"].choices] == [
        "present",
        "apologies",
        "absent",
        "substitute",
    ]
    assert [label for _value, label in form.fields[f"substitute_for_{scene.cal.pk}"].choices] == [
        "Nobody",
        "Ann Archer",
        "Ben Baker",
        "Cal Carter",
    ]
    page = html.main_text(response)
    assert "Ann Archer Present Apologies Absent Substitute" in page
    # Other councillors of the council can be added: Dee is offered, members are not twice.
    others = [label for _value, label in form.fields["extra_councillor_1"].choices]
    assert others[0] == "Nobody else"
    assert [label.split(" (")[0] for label in others[1:]] == ["Dee Dunn"]


def test_a_clerk_records_attendance_with_a_substitute_and_a_visitor(clerk, scene: Scene):
    response = clerk.post(
        past(scene, "attendance/"),
        {
            f"status_{scene.ann.pk}": "present",
            f"status_{scene.ben.pk}": "apologies",
            f"status_{scene.cal.pk}": "substitute",
            f"substitute_for_{scene.cal.pk}": str(scene.ben.pk),
            "extra_councillor_1": str(scene.dee.pk),
            "extra_status_1": "present",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == past(scene)
    rows = set(
        Attendance.objects.filter(meeting=scene.past).values_list(
            "councillor__person__name", "status", "substitute_for__person__name"
        )
    )
    assert rows == {
        ("Ann Archer", "present", None),
        ("Ben Baker", "apologies", None),
        ("Cal Carter", "substitute", "Ben Baker"),
        ("Dee Dunn", "present", None),
    }
    scene.past.refresh_from_db()
    assert scene.past.status == Meeting.Status.HELD
    assert html.table_rows(clerk.get(past(scene)))[:4] == [
        ["Ann Archer", "Present"],
        ["Ben Baker", "Apologies"],
        ["Cal Carter", "Substitute (for Ben Baker)"],
        ["Dee Dunn", "Present"],
    ]
    # The form now starts from what was recorded, visitor included.
    again = clerk.get(past(scene, "attendance/")).context["form"]
    assert again[f"status_{scene.dee.pk}"].value() == "present"
    assert again[f"substitute_for_{scene.cal.pk}"].value() == str(scene.ben.pk)


def test_only_a_substitute_can_stand_in_and_nothing_is_written(clerk, scene: Scene):
    response = clerk.post(
        past(scene, "attendance/"),
        {
            f"status_{scene.ann.pk}": "present",
            f"status_{scene.cal.pk}": "present",
            f"substitute_for_{scene.cal.pk}": str(scene.ben.pk),
        },
    )

    assert html.error_summary(response) == ["Only a substitute can stand in for a member."]
    assert html.error_links(response) == [f"#id_substitute_for_{scene.cal.pk}"]
    assert not Attendance.objects.exists()


def test_an_empty_attendance_form_says_so(clerk, scene: Scene):
    response = clerk.post(past(scene, "attendance/"), {})

    assert html.error_summary(response) == ["Record the attendance of at least one councillor."]
    assert not Attendance.objects.exists()


def test_an_added_councillor_needs_a_status(clerk, scene: Scene):
    response = clerk.post(past(scene, "attendance/"), {"extra_councillor_1": str(scene.dee.pk)})

    assert html.error_summary(response) == ["Choose an attendance status."]
    assert html.error_links(response) == ["#id_extra_status_1_0"]


# --- Declarations --------------------------------------------------------------------


def test_a_clerk_records_a_declaration_of_interest(clerk, scene: Scene):
    item = domain.add_agenda_item(None, scene.past, title="Planning application 24/001")

    response = clerk.post(
        past(scene, "declarations/new/"),
        {
            "councillor": scene.ben.pk,
            "kind": "pecuniary",
            "description": "Owns land next to the site.",
            "agenda_item": item.pk,
            "left_the_room": "on",
        },
    )

    declaration = Declaration.objects.get()
    assert response.status_code == 302
    assert (declaration.councillor, declaration.agenda_item, declaration.left_the_room) == (
        scene.ben,
        item,
        True,
    )
    assert (
        "Ben Baker: Disclosable pecuniary interest (item 1). Owns land next to the site. "
        "Left the room." in html.main_text(clerk.get(past(scene)))
    )


def test_a_declaration_needs_a_councillor_kind_and_description(clerk, scene: Scene):
    response = clerk.post(past(scene, "declarations/new/"), {})

    assert html.error_summary(response) == [
        "Choose a councillor of this council.",
        "Choose a kind of interest.",
        "Describe the interest.",
    ]
    assert not Declaration.objects.exists()


# --- Votes ------------------------------------------------------------------------------


def test_a_clerk_records_a_vote_with_each_councillors_position(clerk, scene: Scene):
    item = domain.add_agenda_item(None, scene.past, title="Local plan")
    form = clerk.get(past(scene, "votes/new/")).context["form"]
    assert [c.person.name for c, _name in form.position_fields] == [
        "Ann Archer",
        "Ben Baker",
        "Cal Carter",
    ]

    response = clerk.post(
        past(scene, "votes/new/"),
        {
            "motion": "That the local plan be approved.",
            "agenda_item": item.pk,
            f"position_{scene.ann.pk}": "for",
            f"position_{scene.ben.pk}": "against",
            f"position_{scene.cal.pk}": "for",
        },
    )

    vote = Vote.objects.get()
    assert response.status_code == 302
    assert (vote.outcome, vote.votes_for, vote.votes_against, vote.abstentions) == (
        "carried",
        2,
        1,
        0,
    )
    assert set(VoteRecord.objects.values_list("councillor__person__name", "position")) == {
        ("Ann Archer", "for"),
        ("Ben Baker", "against"),
        ("Cal Carter", "for"),
    }
    page = clerk.get(response["Location"])
    assert html.banners(page) == ["Vote recorded: 2 for, 1 against, 0 abstentions."]


def test_a_vote_needs_a_motion_and_at_least_one_position(clerk, scene: Scene):
    response = clerk.post(past(scene, "votes/new/"), {"motion": ""})

    assert html.error_summary(response) == ["Enter what was voted on."]
    assert not Vote.objects.exists()
    empty = clerk.post(past(scene, "votes/new/"), {"motion": "Approve"})
    assert html.error_summary(empty) == ["Record at least one councillor's vote."]


def test_the_chairs_casting_vote_can_be_recorded_as_the_outcome(clerk, scene: Scene):
    clerk.post(
        past(scene, "votes/new/"),
        {"motion": "Approve", f"position_{scene.ann.pk}": "for",
         f"position_{scene.ben.pk}": "against", "outcome": "carried"},
    )  # fmt: skip

    assert Vote.objects.get().outcome == "carried"


# --- Decisions -----------------------------------------------------------------------------


def _decision(**extra: str) -> dict[str, str]:
    return {
        "title": "Local plan adopted",
        "text": "Resolved: that the local plan be adopted.",
        "reasons": "The inspector found it sound.",
        "alternatives_rejected": "Delay.",
        "conflicts_declared": "None.",
        "dispensations": "None.",
        "decision_maker": "Planning Committee",
        "decided_on": "2024-05-09",
        **extra,
    }


def test_a_clerk_records_a_decision_with_its_reasons(clerk, scene: Scene):
    page = clerk.get(past(scene, "decisions/new/"))
    assert page.context["form"].initial == {
        "decision_maker": "Planning Committee",
        "decided_on": "2024-05-09",
    }

    response = clerk.post(past(scene, "decisions/new/"), _decision())

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert (decision.meeting, decision.reasons, decision.lacks_notice, decision.status) == (
        scene.past,
        "The inspector found it sound.",
        False,
        "made",
    )
    assert decision.call_in_deadline is not None
    assert html.banners(clerk.get(response["Location"])) == [
        "Decision recorded: Local plan adopted."
    ]


def test_a_key_decision_without_notice_is_recorded_with_a_warning(clerk, scene: Scene):
    response = clerk.post(past(scene, "decisions/new/"), _decision(is_key_decision="on"))

    decision = Decision.objects.get()
    assert decision.lacks_notice
    page = clerk.get(response["Location"])
    assert html.banners(page) == [
        "Decision recorded: Local plan adopted.",
        "This key decision had no forward-plan entry 28 clear days before and no recorded "
        "exception: it is flagged on every public page about it.",
    ]
    assert html.table_rows(page)[-1][0] == ("Local plan adopted Key decision No 28 days' notice")


def test_a_key_decision_on_the_forward_plan_in_time_is_not_flagged(clerk, scene: Scene, council):
    entry = domain.add_forward_plan_entry(
        None, council, title="Local plan", decision_maker="Cabinet",
        expected_date=dt.date(2024, 5, 9),
        published_at=timezone.make_aware(dt.datetime(2024, 3, 1, 9)),
    )  # fmt: skip

    clerk.post(
        past(scene, "decisions/new/"),
        _decision(is_key_decision="on", forward_plan_entry=str(entry.pk)),
    )

    decision = Decision.objects.get()
    assert (decision.lacks_notice, decision.forward_plan_entry) == (False, entry)
    entry.refresh_from_db()
    assert entry.status == ForwardPlanEntry.Status.DECIDED


def test_an_exception_needs_a_key_decision_and_a_reason(clerk, scene: Scene):
    response = clerk.post(
        past(scene, "decisions/new/"), _decision(key_decision_exception="special_urgency")
    )

    assert html.error_summary(response) == [
        "Only a key decision needs an exception.",
        "Enter the reason for the exception.",
    ]
    assert not Decision.objects.exists()
    urgent = clerk.post(
        past(scene, "decisions/new/"),
        _decision(
            is_key_decision="on",
            key_decision_exception="special_urgency",
            exception_reason="Flood defences failed.",
        ),
    )
    assert urgent.status_code == 302
    assert Decision.objects.get().lacks_notice is False


def test_a_decision_is_called_in_with_a_reason_then_confirmed(clerk, scene: Scene, council):
    decision = domain.record_decision(
        None, council, title="Close the depot", text="Agreed.", decision_maker="Cabinet",
        decided_on=dt.date(2024, 5, 9), meeting=scene.past,
    )  # fmt: skip
    url = f"/mootshire/staff/meetings/decisions/{decision.pk}/status/"
    page = clerk.get(url)
    assert [value for value, _ in page.context["form"].fields["status"].choices] == [
        "called_in",
        "implemented",
    ]

    no_reason = clerk.post(url, {"status": "called_in"})
    called_in = clerk.post(url, {"status": "called_in", "reason": "Scrutiny asked to review."})
    decision.refresh_from_db()
    status_after_call_in = decision.status
    confirmed = clerk.post(url, {"status": "made"})

    assert html.error_summary(no_reason) == ["Enter why the decision was called in."]
    assert status_after_call_in == "called_in"
    assert [called_in.status_code, confirmed.status_code] == [302, 302]
    decision.refresh_from_db()
    assert (decision.status, decision.status_reason) == ("made", "")
    kinds = list(scene.past.timeline.values_list("kind", flat=True))
    assert kinds[-2:] == ["decision_called_in", "decision_made"]


def test_a_decision_is_implemented_once_its_call_in_period_is_over(clerk, scene: Scene, council):
    running = domain.record_decision(
        None, council, title="Open the depot", text="Agreed.", decision_maker="Cabinet",
        decided_on=dt.date(2024, 5, 9), meeting=scene.past,
    )  # fmt: skip
    over = domain.record_decision(
        None, council, title="Close the depot", text="Agreed.", decision_maker="Cabinet",
        decided_on=dt.date(2024, 5, 9), meeting=scene.past,
        now=timezone.make_aware(dt.datetime(2024, 5, 10, 9)),
    )  # fmt: skip
    status_url = "/mootshire/staff/meetings/decisions/{}/status/"

    refused = clerk.post(status_url.format(running.pk), {"status": "implemented"})
    implemented = clerk.post(status_url.format(over.pk), {"status": "implemented"})

    assert html.error_summary(refused)[0].startswith(
        "The decision cannot be implemented until its call-in period ends on"
    )
    assert implemented.status_code == 302
    running.refresh_from_db()
    over.refresh_from_db()
    assert (running.status, over.status) == ("made", "implemented")
    page = clerk.get(status_url.format(over.pk))
    assert page.context["allowed"] == []
    assert "An implemented decision's status cannot change." in html.main_text(page)


def test_a_decision_cannot_be_called_in_after_its_deadline(clerk, scene: Scene, council):
    decision = domain.record_decision(
        None, council, title="Close the depot", text="Agreed.", decision_maker="Cabinet",
        decided_on=dt.date(2024, 5, 9), meeting=scene.past,
        now=timezone.make_aware(dt.datetime(2024, 5, 10, 9)),
    )  # fmt: skip

    response = clerk.post(
        f"/mootshire/staff/meetings/decisions/{decision.pk}/status/",
        {"status": "called_in", "reason": "Too late"},
    )

    assert html.error_summary(response) == ["The call-in period for this decision has ended."]
    decision.refresh_from_db()
    assert decision.status == "made"


# --- Minutes ----------------------------------------------------------------------------------


def test_a_clerk_publishes_the_minutes_with_their_document(clerk, scene: Scene, council):
    minutes = domain.attach_document(
        None, council, data=PDF, title="Minutes", kind="minutes", meeting=scene.past
    )
    page = clerk.get(past(scene, "minutes/"))
    assert page.context["form"]["document"].value() == minutes.pk

    response = clerk.post(past(scene, "minutes/"), {"document": minutes.pk})

    scene.past.refresh_from_db()
    minutes.refresh_from_db()
    assert response.status_code == 302
    assert scene.past.status == Meeting.Status.HELD
    assert scene.past.minutes_published_at is not None
    assert minutes.published_at is not None


def test_minutes_cannot_be_published_before_the_meeting(clerk, scene: Scene):
    response = clerk.post(scene.url("minutes/"), {})

    assert html.error_summary(response) == ["Minutes can be published only after the meeting."]
    scene.meeting.refresh_from_db()
    assert scene.meeting.minutes_published_at is None
