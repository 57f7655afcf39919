"""The forward plan, the queue of public questions and deputations, and the meeting rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from moothall.core.models import AuditEntry
from moothall.meetings import domain
from moothall.meetings.models import ForwardPlanEntry, MeetingSettings, PublicSubmission
from tests.staff import html
from tests.staff.meetings_scene import Scene

pytestmark = pytest.mark.django_db

PLAN = "/mootshire/staff/meetings/forward-plan/"
QUEUE = "/mootshire/staff/meetings/submissions/"
RULES = "/mootshire/staff/meetings/settings/"


# --- Forward plan -----------------------------------------------------------------------


def test_a_clerk_adds_a_key_decision_to_the_forward_plan(clerk, scene: Scene):
    response = clerk.post(
        PLAN + "new/",
        {"title": "Budget 2031", "decision_maker": "Cabinet", "body": scene.body.pk,
         "expected_date": "2030-06-01", "is_key_decision": "on", "exempt_paragraph": "",
         "lead_officer": "Chief Finance Officer"},
    )  # fmt: skip

    entry = ForwardPlanEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == PLAN
    assert (entry.title, entry.body, entry.expected_date, entry.is_key_decision) == (
        "Budget 2031",
        scene.body,
        dt.date(2030, 6, 1),
        True,
    )
    page = clerk.get(PLAN)
    assert html.banners(page) == ["Added to the forward plan: Budget 2031."]
    row = html.table_rows(page)[0]
    assert row[:3] == ["Budget 2031 Key decision", "Cabinet Planning Committee", "1 June 2030"]
    assert row[4] == "Planned"


def test_a_forward_plan_entry_needs_a_title_maker_and_date(clerk, scene: Scene):
    response = clerk.post(PLAN + "new/", {"expected_date": "31/02/2030"})

    assert html.error_summary(response) == [
        "Enter the title of the decision.",
        "Enter who will make the decision.",
        "Enter a real date, for example 14/03/2030.",
    ]
    assert not ForwardPlanEntry.objects.exists()


def test_the_forward_plan_shows_only_this_councils_entries(clerk, scene: Scene, other_council):
    domain.add_forward_plan_entry(
        None, other_council, title="Their budget", decision_maker="Cabinet",
        expected_date=dt.date(2030, 6, 1),
    )  # fmt: skip

    assert html.table_rows(clerk.get(PLAN)) == []
    assert "The forward plan is empty." in html.main_text(clerk.get(PLAN))


# --- Public participation -------------------------------------------------------------------


@pytest.fixture
def question(scene: Scene, resident) -> PublicSubmission:
    return PublicSubmission.objects.create(
        meeting=scene.meeting, submitter=resident, display_name="Rita Resident",
        kind="question", text="When will the bins be collected on time?",
    )  # fmt: skip


def test_the_queue_lists_submissions_waiting_for_upcoming_meetings(
    clerk, scene: Scene, question, resident
):
    PublicSubmission.objects.create(
        meeting=scene.past, submitter=resident, display_name="Old", kind="question", text="Old?"
    )
    PublicSubmission.objects.create(
        meeting=scene.elsewhere_meeting, submitter=resident, display_name="Elsewhere",
        kind="question", text="Theirs?",
    )  # fmt: skip

    response = clerk.get(QUEUE)

    assert html.h1(response) == "Public questions and deputations"
    assert [row[:3] for row in html.table_rows(response)] == [
        ["Rita Resident", "Public question", "Planning Committee, 14 March 2030"]
    ]


def test_a_clerk_accepts_a_question_and_the_resident_is_emailed(
    clerk, scene: Scene, question, django_capture_on_commit_callbacks
):
    page = clerk.get(f"{QUEUE}{question.pk}/")
    assert "When will the bins be collected on time?" in html.main_text(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"{QUEUE}{question.pk}/", {"decision": "accept"})

    question.refresh_from_db()
    assert response.status_code == 302
    assert question.status == "accepted"
    assert [m.to for m in mail.outbox] == [["rita.resident@example.org"]]
    assert html.banners(clerk.get(QUEUE)) == ["Accepted. Rita Resident has been emailed."]
    assert scene.meeting.timeline.filter(kind="submission_accepted").count() == 1


def test_declining_needs_a_reason_which_is_kept(clerk, scene: Scene, question):
    refused = clerk.post(f"{QUEUE}{question.pk}/", {"decision": "decline", "reason": " "})
    question.refresh_from_db()
    status_after_refusal = question.status

    declined = clerk.post(
        f"{QUEUE}{question.pk}/",
        {"decision": "decline", "reason": "This is a matter for the county council."},
    )

    assert html.error_summary(refused) == ["Enter why you are declining."]
    assert status_after_refusal == "submitted"
    assert declined.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.reason) == (
        "declined",
        "This is a matter for the county council.",
    )
    assert html.table_rows(clerk.get(QUEUE)) == [
        ["Rita Resident", "Public question", "Planning Committee, 14 March 2030",
         "Declined This is a matter for the county council."],
    ]  # fmt: skip


def test_a_decided_submission_offers_no_second_decision(clerk, scene: Scene, question):
    domain.decide_submission(None, question, accept=True)
    before = AuditEntry.objects.count()

    page = clerk.get(f"{QUEUE}{question.pk}/")
    again = clerk.post(f"{QUEUE}{question.pk}/", {"decision": "decline", "reason": "No"})

    assert "decision" not in page.content.decode().split("<form")[1].split("</form>")[0]
    assert again.status_code == 200
    question.refresh_from_db()
    assert question.status == "accepted"
    assert AuditEntry.objects.count() == before


# --- Meeting rules ---------------------------------------------------------------------------


def test_a_council_admin_changes_the_meeting_rules(client, council_admin, council, scene: Scene):
    client.force_login(council_admin)
    page = client.get(RULES)
    assert page.context["form"].initial == {
        "notice_clear_days": 5,
        "call_in_days": 5,
        "public_submission_days": 3,
        "public_submission_max_length": 2000,
        "document_max_mb": 50,
    }

    response = client.post(
        RULES,
        {"notice_clear_days": "3", "call_in_days": "10", "public_submission_days": "2",
         "public_submission_max_length": "1500", "document_max_mb": "20"},
    )  # fmt: skip

    rules = MeetingSettings.objects.get(council=council)
    assert response.status_code == 302
    assert (
        rules.notice_clear_days,
        rules.call_in_days,
        rules.public_submission_days,
        rules.public_submission_max_length,
        rules.document_max_bytes,
    ) == (3, 10, 2, 1500, 20 * 1024 * 1024)
    assert AuditEntry.objects.filter(action="meetings.update_meeting_settings").count() == 1
    # The meetings list now counts three clear days back from 14 March 2030.
    assert html.table_rows(client.get("/mootshire/staff/meetings/"))[0][3] == "Publish by 10 March"


def test_rules_out_of_range_are_refused_and_nothing_is_saved(client, council_admin, scene: Scene):
    client.force_login(council_admin)

    response = client.post(
        RULES,
        {"notice_clear_days": "31", "call_in_days": "-1", "public_submission_days": "x",
         "public_submission_max_length": "50", "document_max_mb": ""},
    )  # fmt: skip

    assert html.error_summary(response) == [
        "Enter a whole number from 0 to 30.",
        "Enter a whole number from 0 to 30.",
        "Enter a whole number from 0 to 30.",
        "Enter a whole number from 100 to 20000.",
        "Enter a whole number from 1 to 500.",
    ]
    assert not MeetingSettings.objects.exists()


def test_the_rules_link_shows_only_for_a_council_admin(client, officer, council_admin, scene):
    client.force_login(officer)
    officer_page = client.get("/mootshire/staff/meetings/").content.decode()
    client.force_login(council_admin)
    admin_page = client.get("/mootshire/staff/meetings/").content.decode()

    assert f'href="{RULES}"' not in officer_page
    assert f'href="{RULES}"' in admin_page
