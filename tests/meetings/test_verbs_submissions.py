"""Public questions, deputations and requests to speak: deadline, the clerk's answer, emails.

The meeting is on Thursday 14 March 2030; Mootshire takes submissions until 3 working days
before it (Monday 11 March 2030).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from moothall.core.models import AuditEntry
from moothall.meetings import domain
from moothall.meetings.models import MeetingSettings, PublicSubmission, TimelineEntry
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
THURSDAY = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
D = dt.date
MONDAY = D(2030, 3, 11)


def counts() -> dict[str, int]:
    models = (AuditEntry, PublicSubmission, TimelineEntry)
    return {model.__name__: model.objects.count() for model in models}


def audit(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


@pytest.fixture
def meeting(council):
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    return domain.create_meeting(None, body, start=THURSDAY)


@pytest.fixture
def item(meeting):
    return domain.add_agenda_item(None, meeting, title="Bin collections")


def submit(user, meeting, **kwargs):
    kwargs.setdefault("kind", "question")
    kwargs.setdefault("text", "When will the bins be collected?")
    kwargs.setdefault("display_name", "Rita Resident")
    kwargs.setdefault("today", MONDAY)
    return domain.submit_to_meeting(user, meeting, **kwargs)


# --- Submitting ----------------------------------------------------------------------------


def test_a_resident_asks_a_question_and_is_sent_an_acknowledgement(
    resident, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = submit(resident, meeting)
    assert (question.status, question.kind, question.submitter, question.display_name) == (
        "submitted",
        "question",
        resident,
        "Rita Resident",
    )
    entry = audit("meetings.submit_to_meeting")
    assert (entry.actor, entry.council, entry.target_id) == (
        resident,
        meeting.council,
        str(question.pk),
    )
    # Nothing reaches the public timeline until the clerk accepts it.
    assert list(meeting.timeline.values_list("kind", flat=True)) == ["created"]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["rita.resident@example.org"], "We have your Public question for Cabinet")
    ]
    assert "When will the bins be collected?" in mail.outbox[0].body


def test_a_request_to_speak_names_an_item_of_the_meeting(resident, meeting, item):
    speak = submit(resident, meeting, kind="speak", text="About bins", agenda_item=item)
    assert (speak.kind, speak.agenda_item) == ("speak", item)


def test_the_deadline_is_counted_in_working_days_and_the_last_day_is_open(meeting):
    assert domain.submission_deadline_for(meeting) == MONDAY
    assert domain.submissions_open(meeting, today=MONDAY)
    assert not domain.submissions_open(meeting, today=D(2030, 3, 12))


def test_the_submission_deadline_skips_easter(council):
    # Thursday 9 April 2026: Wed 8, Tue 7, (Easter Monday 6), (Good Friday 3), Thu 2 April.
    body = factories.BodyFactory(council=council)
    meeting = domain.create_meeting(None, body, start=dt.datetime(2026, 4, 9, 18, tzinfo=LONDON))
    assert domain.submission_deadline_for(meeting) == D(2026, 4, 2)


def test_the_submission_deadline_follows_the_councils_settings(council, meeting):
    MeetingSettings.objects.create(council=council, notice_clear_days=5, public_submission_days=1)
    assert domain.submission_deadline_for(meeting) == D(2030, 3, 13)


def test_a_submission_after_the_deadline_is_refused_with_nothing_written_or_sent(
    resident, meeting, django_capture_on_commit_callbacks
):
    before = counts()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as caught,
    ):
        submit(resident, meeting, today=D(2030, 3, 12))
    assert caught.value.code == "closed"
    assert counts() == before
    assert mail.outbox == []


@pytest.mark.parametrize("status", ["postponed", "cancelled", "held"])
def test_a_meeting_that_is_not_scheduled_takes_no_submissions(resident, meeting, status):
    type(meeting).objects.filter(pk=meeting.pk).update(status=status)
    meeting.refresh_from_db()
    before = counts()
    with pytest.raises(ValidationError):
        submit(resident, meeting)
    assert counts() == before


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("kind", "kind"),
        ("blank text", "text"),
        ("long text", "text"),
        ("blank name", "display_name"),
        ("long name", "display_name"),
        ("speak without item", "agenda_item"),
        ("exempt item", "agenda_item"),
        ("other meeting's item", "agenda_item"),
    ],
)
def test_a_bad_submission_is_refused_with_nothing_written(resident, meeting, item, case, field):
    kwargs: dict = {}
    if case == "kind":
        kwargs["kind"] = "petition"
    elif case == "blank text":
        kwargs["text"] = "   "
    elif case == "long text":
        kwargs["text"] = "x" * 2001
    elif case == "blank name":
        kwargs["display_name"] = ""
    elif case == "long name":
        kwargs["display_name"] = "n" * 201
    elif case == "speak without item":
        kwargs["kind"] = "speak"
    elif case == "exempt item":
        kwargs["agenda_item"] = domain.add_agenda_item(
            None, meeting, title="Land sale", exempt_paragraph=3
        )
    else:
        kwargs["agenda_item"] = factories.AgendaItemFactory(
            meeting=factories.MeetingFactory(body=meeting.body)
        )
    before = counts()
    with pytest.raises(ValidationError) as caught:
        submit(resident, meeting, **kwargs)
    assert field in caught.value.message_dict
    assert counts() == before


def test_the_councils_own_length_limit_applies(council, resident, meeting):
    MeetingSettings.objects.create(
        council=council, notice_clear_days=5, public_submission_max_length=100
    )
    submit(resident, meeting, text="x" * 100)
    with pytest.raises(ValidationError):
        submit(resident, meeting, text="x" * 101)


def test_only_a_signed_in_active_person_may_submit(meeting):
    inactive = factories.UserFactory(email="gone@example.org", is_active=False)
    before = counts()
    for user in (AnonymousUser(), inactive, None):
        with pytest.raises(PermissionDenied):
            submit(user, meeting)
    assert counts() == before


# --- The clerk decides ------------------------------------------------------------------------


def test_the_clerk_accepts_a_question_it_goes_on_the_timeline_and_the_resident_is_told(
    officer, resident, meeting, django_capture_on_commit_callbacks
):
    question = submit(resident, meeting, display_name="Ann")
    with django_capture_on_commit_callbacks(execute=True):
        domain.decide_submission(officer, question, accept=True)
    question.refresh_from_db()
    assert (question.status, question.decided_by, question.reason) == ("accepted", officer, "")
    assert question.decided_at is not None
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details) == (
        "submission_accepted",
        True,
        {"submission_kind": "question", "name": "Ann"},
    )
    assert entry.describe() == "Public question from Ann accepted."
    assert audit("meetings.decide_submission").details == {"accepted": True, "reason": ""}
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["rita.resident@example.org"], "Your Public question for Cabinet has been accepted")
    ]


def test_the_clerk_declines_with_a_reason_which_the_resident_is_sent(
    officer, resident, meeting, django_capture_on_commit_callbacks
):
    question = submit(resident, meeting)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.decide_submission(officer, question, accept=False)
    assert "reason" in caught.value.message_dict
    assert counts() == before
    with django_capture_on_commit_callbacks(execute=True):
        domain.decide_submission(officer, question, accept=False, reason="Not council business")
    question.refresh_from_db()
    assert (question.status, question.reason) == ("declined", "Not council business")
    assert meeting.timeline.filter(kind="submission_accepted").count() == 0
    assert [m.subject for m in mail.outbox] == ["Your Public question for Cabinet cannot be taken"]
    assert "Not council business" in mail.outbox[0].body


def test_a_submission_is_decided_once(officer, resident, meeting):
    question = submit(resident, meeting)
    domain.decide_submission(officer, question, accept=True)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.decide_submission(officer, question, accept=False, reason="Changed mind")
    assert caught.value.code == "decided"
    assert counts() == before
    assert PublicSubmission.objects.get(pk=question.pk).status == "accepted"


# --- Withdrawing -------------------------------------------------------------------------------


def test_the_resident_withdraws_their_own_submission(resident, meeting):
    question = submit(resident, meeting)
    domain.withdraw_submission(resident, question)
    assert PublicSubmission.objects.get(pk=question.pk).status == "withdrawn"
    assert audit("meetings.withdraw_submission").actor == resident


def test_nobody_else_may_withdraw_a_submission(resident, officer, platform_admin, meeting):
    question = submit(resident, meeting)
    neighbour = factories.UserFactory(email="ned.neighbour@example.org")
    before = counts()
    for user in (neighbour, officer, platform_admin, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            domain.withdraw_submission(user, question)
    assert counts() == before
    assert PublicSubmission.objects.get(pk=question.pk).status == "submitted"


def test_a_declined_or_withdrawn_submission_cannot_be_withdrawn(officer, resident, meeting):
    declined = submit(resident, meeting)
    domain.decide_submission(officer, declined, accept=False, reason="Off topic")
    withdrawn = submit(resident, meeting, text="Another")
    domain.withdraw_submission(resident, withdrawn)
    before = counts()
    for submission in (declined, withdrawn):
        with pytest.raises(ValidationError) as caught:
            domain.withdraw_submission(resident, submission)
        assert caught.value.code == "closed"
    assert counts() == before
