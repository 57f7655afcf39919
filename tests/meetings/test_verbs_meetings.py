"""Verbs for bodies, meetings, the agenda's publication, minutes and the council's rules.

Each verb: its effect, its audit entry, its timeline entry, and its refusals (with nothing
written). Permissions are in test_permissions.py. Dates: the meeting is on Thursday
14 March 2030 at 18:30 in Mootshire (an English county: 5 clear working days, so the
agenda deadline is Wednesday 6 March 2030; no bank holidays in between).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from moothall.core.models import AuditEntry
from moothall.meetings import domain
from moothall.meetings.models import (
    AgendaItem,
    Body,
    Document,
    Meeting,
    MeetingSettings,
    Membership,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
)
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
THURSDAY = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
MODELS = (
    AuditEntry,
    Body,
    Membership,
    Meeting,
    AgendaItem,
    Document,
    StoredFile,
    MeetingSettings,
    PublicSubmission,
    TimelineEntry,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def audit(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def at(day: int, hour: int = 9, month: int = 3) -> dt.datetime:
    return dt.datetime(2030, month, day, hour, tzinfo=LONDON)


@pytest.fixture
def body(council):
    return factories.BodyFactory(
        council=council, name="Planning Committee", slug="planning-committee"
    )


@pytest.fixture
def meeting(body):
    return domain.create_meeting(None, body, start=THURSDAY, venue="Moot Hall")


def submission(meeting, email: str, status: str = "submitted") -> PublicSubmission:
    user = factories.UserFactory(email=email)
    return PublicSubmission.objects.create(
        meeting=meeting,
        submitter=user,
        display_name=email.split("@")[0],
        kind="question",
        text="When will the bins be collected?",
        status=status,
    )


# --- Bodies --------------------------------------------------------------------------


def test_a_clerk_creates_a_body_with_a_unique_slug_and_an_audit_entry(council, officer):
    first = domain.create_body(officer, council, name="  Planning Committee ", kind="committee")
    second = domain.create_body(officer, council, name="Planning Committee")
    assert (first.name, first.slug, first.kind) == (
        "Planning Committee",
        "planning-committee",
        "committee",
    )
    assert second.slug == "planning-committee-2"
    entry = audit("meetings.create_body")
    assert (entry.actor, entry.council, entry.target_id) == (officer, council, str(second.pk))
    assert entry.details == {"name": "Planning Committee"}


def test_a_body_whose_name_has_no_letters_for_a_slug_is_called_body(council, officer):
    assert domain.create_body(officer, council, name="!!!").slug == "body"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Cabinet", "kind": "club"}, "kind"),
    ],
)
def test_a_body_needs_a_name_and_a_known_kind(council, officer, changes, field):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.create_body(officer, council, **changes)
    assert field in caught.value.message_dict
    assert counts() == before


def test_a_body_cannot_report_to_another_councils_body(council, other_council, officer):
    elsewhere = factories.BodyFactory(council=other_council, name="Elsewhere Cabinet")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.create_body(officer, council, name="Sub", parent=elsewhere)
    assert "parent" in caught.value.message_dict
    assert counts() == before


def test_updating_a_body_records_before_and_after(council, officer, body):
    domain.update_body(officer, body, name="Planning and Licensing", is_active=False)
    body.refresh_from_db()
    assert (body.name, body.is_active, body.slug) == (
        "Planning and Licensing",
        False,
        "planning-committee",
    )
    entry = audit("meetings.update_body")
    assert entry.details == {
        "before": {"name": "Planning Committee", "is_active": "True"},
        "after": {"name": "Planning and Licensing", "is_active": "False"},
    }


def test_a_body_cannot_be_its_own_parent_nor_change_unknown_fields(council, officer, body):
    before = counts()
    with pytest.raises(ValidationError):
        domain.update_body(officer, body, parent=body)
    with pytest.raises(ValueError, match="slug"):
        domain.update_body(officer, body, slug="sneaky")
    with pytest.raises(ValidationError):
        domain.update_body(officer, body, kind="club")
    body.refresh_from_db()
    assert (body.parent, body.kind, body.slug) == (None, "committee", "planning-committee")
    assert counts() == before


def test_a_body_cannot_become_a_sub_body_of_its_own_sub_body(council, officer, body):
    sub = domain.create_body(officer, council, name="Tree Sub-committee", parent=body)
    with pytest.raises(ValidationError):
        domain.update_body(officer, body, parent=sub)
    body.refresh_from_db()
    assert body.parent is None


def test_a_clerk_seats_a_councillor_and_ends_the_membership(council, officer, body):
    councillor = factories.CouncillorFactory(council=council)
    membership = domain.add_member(
        officer, body, councillor, role="chair", start_date=dt.date(2030, 5, 1)
    )
    assert (membership.role, membership.start_date) == ("chair", dt.date(2030, 5, 1))
    assert audit("meetings.add_member").details == {"councillor": councillor.pk, "role": "chair"}
    domain.end_membership(officer, membership, on=dt.date(2031, 5, 1))
    membership.refresh_from_db()
    assert membership.end_date == dt.date(2031, 5, 1)
    assert audit("meetings.end_membership").details == {
        "councillor": councillor.pk,
        "end_date": "2031-05-01",
    }
    with pytest.raises(ValidationError):
        domain.end_membership(officer, membership, on=dt.date(2030, 4, 1))
    membership.refresh_from_db()
    assert membership.end_date == dt.date(2031, 5, 1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"role": "emperor"},
        {"start_date": dt.date(2030, 5, 1), "end_date": dt.date(2030, 4, 1)},
    ],
)
def test_a_membership_needs_a_known_role_and_dates_in_order(council, officer, body, kwargs):
    councillor = factories.CouncillorFactory(council=council)
    before = counts()
    with pytest.raises(ValidationError):
        domain.add_member(officer, body, councillor, **kwargs)
    assert counts() == before


def test_only_councillors_of_the_council_sit_on_its_bodies(council, other_council, officer, body):
    stranger = factories.CouncillorFactory(council=other_council)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.add_member(officer, body, stranger)
    assert "councillor" in caught.value.message_dict
    assert counts() == before


# --- Meetings --------------------------------------------------------------------------


def test_a_new_meeting_knows_its_deadline_and_says_so_on_its_timeline(council, officer, body):
    meeting = domain.create_meeting(officer, body, start=THURSDAY, venue="Moot Hall")
    assert (meeting.council, meeting.status, meeting.venue) == (council, "scheduled", "Moot Hall")
    assert meeting.publication_deadline == dt.date(2030, 3, 6)
    entry = meeting.timeline.get()
    assert (entry.kind, entry.is_public, entry.actor) == ("created", True, officer)
    assert entry.details == {"start": "2030-03-14T18:30:00+00:00"}
    assert entry.describe() == "Meeting scheduled for 14 March 2030, 18:30."
    assert audit("meetings.create_meeting").target_id == str(meeting.pk)


def test_a_welsh_councils_meeting_gets_three_clear_days(officer):
    welsh = factories.CouncilFactory(slug="ynys", tier="unitary", nation="wales")
    body = factories.BodyFactory(council=welsh)
    meeting = domain.create_meeting(None, body, start=THURSDAY)
    # Thursday 14 March 2030: clear Mon 11, Tue 12, Wed 13, so published by Sunday 10.
    assert meeting.publication_deadline == dt.date(2030, 3, 10)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": dt.datetime(2030, 3, 14, 18, 30)}, "start"),
        ({"start": THURSDAY, "end": THURSDAY}, "end"),
        ({"start": THURSDAY, "venue": "v" * 301}, "venue"),
        ({"start": THURSDAY, "title": "t" * 301}, "title"),
    ],
)
def test_a_meeting_needs_an_aware_start_an_end_after_it_and_short_texts(body, kwargs, field):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.create_meeting(None, body, **kwargs)
    assert field in caught.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://example.org/" + "a" * 600])
def test_a_webcast_link_must_be_a_web_address(body, url):
    before = counts()
    with pytest.raises(ValidationError):
        domain.create_meeting(None, body, start=THURSDAY, webcast_url=url)
    assert counts() == before


def test_moving_a_meeting_is_a_rescheduling_on_the_timeline(officer, meeting):
    later = dt.datetime(2030, 3, 21, 18, 30, tzinfo=LONDON)
    domain.update_meeting(officer, meeting, start=later)
    meeting.refresh_from_db()
    # Thursday 21 March 2030: five clear days back from Wed 20 is Thu 14, so Wed 13.
    assert meeting.publication_deadline == dt.date(2030, 3, 13)
    entry = meeting.timeline.latest("id")
    assert entry.kind == "rescheduled"
    assert entry.details == {
        "start": "2030-03-21T18:30:00+00:00",
        "was": "2030-03-14T18:30:00+00:00",
    }
    assert entry.describe() == "Moved from 14 March 2030, 18:30 to 21 March 2030, 18:30."
    assert audit("meetings.update_meeting").details["after"] == {"start": str(later)}


def test_changing_a_meetings_venue_says_which_details_changed(officer, meeting):
    domain.update_meeting(officer, meeting, venue="Guildhall", webcast_url="https://x.example/")
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details) == (
        "meeting_updated",
        True,
        {"fields": ["venue", "webcast_url"]},
    )
    assert audit("meetings.update_meeting").details["before"] == {
        "venue": "Moot Hall",
        "webcast_url": "",
    }


def test_a_meeting_update_that_fails_writes_nothing(officer, meeting):
    before = counts()
    with pytest.raises(ValidationError):
        domain.update_meeting(officer, meeting, end=THURSDAY - dt.timedelta(hours=1))
    with pytest.raises(ValidationError):
        domain.update_meeting(officer, meeting, start=dt.datetime(2030, 3, 21, 18, 30))
    with pytest.raises(ValueError, match="status"):
        domain.update_meeting(officer, meeting, status="held")
    assert counts() == before
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.start, fresh.end, fresh.status) == (THURSDAY, None, "scheduled")


def test_postponing_keeps_the_meeting_with_its_reason_and_emails_who_sent_questions(
    officer, meeting, django_capture_on_commit_callbacks
):
    submission(meeting, "asked@example.org")
    submission(meeting, "accepted@example.org", status="accepted")
    submission(meeting, "declined@example.org", status="declined")
    submission(meeting, "withdrew@example.org", status="withdrawn")
    with django_capture_on_commit_callbacks(execute=True):
        domain.postpone_meeting(officer, meeting, reason="The chamber is flooded")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.status_reason) == ("postponed", "The chamber is flooded")
    assert meeting.start == THURSDAY
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("postponed", True)
    assert entry.details == {
        "reason": "The chamber is flooded",
        "was": "2030-03-14T18:30:00+00:00",
        "start": "",
    }
    assert audit("meetings.postpone_meeting").details == {"reason": "The chamber is flooded"}
    assert sorted(m.to[0] for m in mail.outbox) == ["accepted@example.org", "asked@example.org"]
    assert {m.subject for m in mail.outbox} == {"Planning Committee has been postponed"}


def test_postponing_to_a_new_date_reschedules_and_recomputes_the_deadline(officer, meeting):
    new_start = dt.datetime(2030, 4, 25, 18, 30, tzinfo=LONDON)
    domain.postpone_meeting(officer, meeting, reason="Purdah", new_start=new_start)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.start, meeting.status_reason) == (
        "scheduled",
        new_start,
        "Purdah",
    )
    # Thursday 25 April 2030, over Easter (Good Friday 19, Easter Monday 22 April): clear
    # days Wed 24, Tue 23, Thu 18, Wed 17, Tue 16, so the deadline is Monday 15 April.
    assert meeting.publication_deadline == dt.date(2030, 4, 15)
    assert meeting.timeline.latest("id").details["start"] == "2030-04-25T18:30:00+01:00"


@pytest.mark.parametrize("reason", ["", "   ", "r" * 2001])
def test_postponing_and_cancelling_need_a_reason_of_sensible_length(officer, meeting, reason):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.postpone_meeting(officer, meeting, reason=reason)
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        domain.cancel_meeting(officer, meeting, reason=reason)
    assert counts() == before
    meeting.refresh_from_db()
    assert (meeting.status, meeting.status_reason) == ("scheduled", "")


def test_postponing_to_a_naive_time_writes_nothing(officer, meeting):
    before = counts()
    with pytest.raises(ValidationError):
        domain.postpone_meeting(
            officer, meeting, reason="Flood", new_start=dt.datetime(2030, 4, 1, 18)
        )
    assert counts() == before
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"


def test_cancelling_keeps_the_meeting_with_its_reason_and_emails_who_sent_questions(
    officer, meeting, django_capture_on_commit_callbacks
):
    submission(meeting, "asked@example.org")
    submission(meeting, "declined@example.org", status="declined")
    with django_capture_on_commit_callbacks(execute=True):
        domain.cancel_meeting(officer, meeting, reason="No business")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.status_reason) == ("cancelled", "No business")
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details) == (
        "cancelled",
        True,
        {"reason": "No business"},
    )
    assert entry.describe() == "Cancelled. Reason: No business"
    assert audit("meetings.cancel_meeting").details == {"reason": "No business"}
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["asked@example.org"], "Planning Committee has been cancelled")
    ]


@pytest.mark.parametrize("status", ["cancelled", "held"])
def test_a_cancelled_or_held_meeting_cannot_be_postponed_or_cancelled(officer, meeting, status):
    Meeting.objects.filter(pk=meeting.pk).update(status=status)
    meeting.refresh_from_db()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.postpone_meeting(officer, meeting, reason="Again")
    assert caught.value.code == "bad_state"
    with pytest.raises(ValidationError):
        domain.cancel_meeting(officer, meeting, reason="Again")
    assert counts() == before


# --- Publishing the agenda -------------------------------------------------------------


def test_an_agenda_published_on_the_deadline_is_on_time_and_publishes_its_papers(
    council, officer, meeting
):
    item = domain.add_agenda_item(None, meeting, title="Bins")
    from moothall.demo.pdf import make_pdf

    paper = domain.attach_document(
        None, council, data=make_pdf("Bins"), title="Bins report", kind="report", agenda_item=item
    )
    assert paper.published_at is None
    domain.publish_agenda(officer, meeting, now=at(6, hour=23))  # Wednesday 6 March, 23:00
    meeting.refresh_from_db()
    paper.refresh_from_db()
    item.refresh_from_db()
    assert meeting.agenda_published_at == at(6, hour=23)
    assert (meeting.agenda_late, meeting.late_reason) == (False, "")
    assert meeting.publication_deadline == dt.date(2030, 3, 6)
    assert paper.published_at == at(6, hour=23)
    assert (item.is_urgent, item.urgency_reason) == (False, "")
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.actor) == ("agenda_published", True, officer)
    assert entry.details == {
        "late": False,
        "deadline": "2030-03-06",
        "reason": "",
        "elsewhere": False,
    }
    assert entry.describe() == "Agenda published."
    assert audit("meetings.publish_agenda").details == {
        "late": False,
        "deadline": "2030-03-06",
        "published_elsewhere": False,
    }


def test_an_agenda_published_after_the_deadline_needs_a_reason_and_marks_items_urgent(
    officer, meeting
):
    plain = domain.add_agenda_item(None, meeting, title="Budget")
    urgent = domain.add_agenda_item(
        None, meeting, title="Storm damage", is_urgent=True, urgency_reason="The storm"
    )
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.publish_agenda(officer, meeting, now=at(7, hour=0))  # Thursday 7 March, 00:00
    assert "late_reason" in caught.value.message_dict
    assert counts() == before
    assert not Meeting.objects.get(pk=meeting.pk).is_agenda_published

    domain.publish_agenda(officer, meeting, now=at(7), late_reason="Figures came late")
    meeting.refresh_from_db()
    assert (meeting.agenda_late, meeting.late_reason) == (True, "Figures came late")
    plain.refresh_from_db()
    urgent.refresh_from_db()
    assert (plain.is_urgent, plain.urgency_reason) == (True, "Figures came late")
    assert (urgent.is_urgent, urgent.urgency_reason) == (True, "The storm")
    entry = meeting.timeline.latest("id")
    assert entry.details == {
        "late": True,
        "deadline": "2030-03-06",
        "reason": "Figures came late",
        "elsewhere": False,
    }
    assert entry.describe() == (
        "Agenda published late (the deadline was 6 March 2030). Reason: Figures came late"
    )
    assert audit("meetings.publish_agenda").details == {
        "late": True,
        "deadline": "2030-03-06",
        "published_elsewhere": False,
    }


def test_a_reason_given_for_an_on_time_agenda_is_not_kept(officer, meeting):
    domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(officer, meeting, now=at(1), late_reason="Just in case")
    meeting.refresh_from_db()
    assert (meeting.agenda_late, meeting.late_reason) == (False, "")
    assert meeting.items.get().is_urgent is False


def test_an_agenda_is_published_once_only_and_never_empty_or_for_a_cancelled_meeting(
    officer, meeting
):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.publish_agenda(officer, meeting, now=at(1))
    assert caught.value.code == "empty"
    assert counts() == before

    domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(officer, meeting, now=at(1))
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.publish_agenda(officer, meeting, now=at(2))
    assert caught.value.code == "already"
    assert counts() == before
    assert Meeting.objects.get(pk=meeting.pk).agenda_published_at == at(1)


def test_a_cancelled_meetings_agenda_cannot_be_published(officer, meeting):
    domain.add_agenda_item(None, meeting, title="Budget")
    domain.cancel_meeting(officer, meeting, reason="No quorum")
    before = counts()
    with pytest.raises(ValidationError):
        domain.publish_agenda(officer, meeting, now=at(1))
    assert counts() == before


# --- Minutes ---------------------------------------------------------------------------


@pytest.fixture
def past_meeting(body):
    return domain.create_meeting(
        None, body, start=dt.datetime(2024, 3, 14, 18, 30, tzinfo=LONDON), venue="Moot Hall"
    )


def test_publishing_minutes_marks_the_meeting_held_and_publishes_the_minutes_paper(
    council, officer, past_meeting
):
    from moothall.demo.pdf import make_pdf

    minutes = domain.attach_document(
        None,
        council,
        data=make_pdf("Minutes"),
        title="Minutes",
        kind="minutes",
        meeting=past_meeting,
    )
    domain.publish_minutes(officer, past_meeting, document=minutes)
    past_meeting.refresh_from_db()
    minutes.refresh_from_db()
    assert past_meeting.status == "held"
    assert past_meeting.minutes_published_at is not None
    assert minutes.published_at == past_meeting.minutes_published_at
    entry = past_meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.describe()) == (
        "minutes_published",
        True,
        "Minutes published.",
    )
    assert audit("meetings.publish_minutes").target_id == str(past_meeting.pk)


def test_minutes_wait_for_the_meeting_and_never_come_from_another_meeting(
    council, officer, meeting, past_meeting
):
    from moothall.demo.pdf import make_pdf

    others = domain.attach_document(
        None, council, data=make_pdf("Other"), title="Other", kind="minutes", meeting=meeting
    )
    before = counts()
    with pytest.raises(ValidationError):
        domain.publish_minutes(officer, meeting)  # 2030: not held yet
    with pytest.raises(ValidationError) as caught:
        domain.publish_minutes(officer, past_meeting, document=others)
    assert "document" in caught.value.message_dict
    domain.cancel_meeting(officer, past_meeting, reason="Snow")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.publish_minutes(officer, past_meeting)
    assert caught.value.code == "cancelled"
    assert counts() == before
    assert Meeting.objects.get(pk=past_meeting.pk).minutes_published_at is None


# --- The council's rules ---------------------------------------------------------------


def test_a_council_admin_sets_the_councils_meeting_rules(council, council_admin):
    saved = domain.update_meeting_settings(council_admin, council, notice_clear_days=7)
    assert saved.pk is not None
    assert MeetingSettings.for_council(council).notice_clear_days == 7
    entry = audit("meetings.update_meeting_settings")
    assert entry.details == {"before": {"notice_clear_days": 5}, "after": {"notice_clear_days": 7}}


def test_meeting_rules_out_of_range_are_refused_with_nothing_saved(council, council_admin):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.update_meeting_settings(council_admin, council, notice_clear_days=31)
    assert "notice_clear_days" in caught.value.message_dict
    with pytest.raises(ValidationError):
        domain.update_meeting_settings(council_admin, council, document_max_bytes=10)
    assert counts() == before


def test_the_meeting_deadline_follows_the_councils_own_notice_days(council, council_admin, body):
    domain.update_meeting_settings(council_admin, council, notice_clear_days=3)
    meeting = domain.create_meeting(None, body, start=THURSDAY)
    # Three clear days before Thursday 14 March 2030: Mon 11, Tue 12, Wed 13.
    assert meeting.publication_deadline == dt.date(2030, 3, 10)


def test_meeting_rules_change_only_the_rules_of_the_admins_own_council(
    council, other_council, council_admin
):
    with pytest.raises((ValueError, ValidationError)):
        domain.update_meeting_settings(
            council_admin, council, council_id=other_council.pk, notice_clear_days=0
        )
    assert not MeetingSettings.objects.filter(council=other_council).exists()


def test_a_misspelt_meeting_rule_is_refused(council, council_admin):
    before = counts()
    with pytest.raises((ValueError, ValidationError)):
        domain.update_meeting_settings(council_admin, council, notice_days=3)
    assert counts() == before


def test_an_agenda_published_elsewhere_is_never_judged_late(officer, meeting):
    item = domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(officer, meeting, now=at(12), published_elsewhere=True)
    meeting.refresh_from_db()
    item.refresh_from_db()
    assert (meeting.agenda_late, meeting.agenda_published_elsewhere, item.is_urgent) == (
        False,
        True,
        False,
    )
    assert meeting.timeline.latest("id").details["elsewhere"] is True


def test_nothing_is_voted_or_declared_at_a_cancelled_meeting(officer, meeting, council):
    councillor = factories.CouncillorFactory(council=council)
    domain.cancel_meeting(officer, meeting, reason="No quorum")
    before = counts()
    with pytest.raises(ValidationError):
        domain.record_vote(officer, meeting, motion="Approve", positions={councillor.pk: "for"})
    with pytest.raises(ValidationError):
        domain.record_declaration(
            officer, meeting, councillor=councillor, kind="pecuniary", description="Land"
        )
    assert counts() == before
