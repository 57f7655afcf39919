"""Adversarial review (helper "review"): object permissions, IDOR and CSRF on meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import Decision, PublicSubmission, Vote
from tests import factories

pytestmark = pytest.mark.django_db

FUTURE = dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)


def scene(council):
    ben = factories.CouncillorFactory(council=council, person__name="Ben Brook")
    body = domain.create_body(None, council, name="Planning Committee")
    domain.add_member(None, body, ben, role="member")
    meeting = domain.create_meeting(None, body, start=FUTURE)
    item = domain.add_agenda_item(None, meeting, title="Bins")
    paper = domain.attach_document(
        None,
        council,
        data=make_pdf("Draft report.", title="Draft"),
        title="Draft report",
        kind="report",
        agenda_item=item,
    )
    decision = domain.record_decision(
        None,
        council,
        title="Bins decided",
        text="Resolved.",
        decision_maker="Cabinet",
        decided_on=dt.date(2030, 3, 14),
        meeting=meeting,
    )
    entry = domain.add_forward_plan_entry(
        None,
        council,
        title="Bins plan",
        decision_maker="Cabinet",
        expected_date=dt.date(2030, 4, 1),
    )
    return meeting, item, paper, decision, entry, ben, body


def test_an_officer_of_another_council_reaches_no_staff_page_or_file_of_this_one(
    client, council, other_council, outsider
):
    meeting, item, paper, decision, _entry, _ben, body = scene(council)
    client.force_login(outsider)
    base = "/mootshire/staff/meetings/"
    for url in (
        f"{base}{meeting.pk}/",
        f"{base}{meeting.pk}/items/{item.pk}/edit/",
        f"{base}documents/{paper.pk}/",
        f"{base}decisions/{decision.pk}/status/",
        f"{base}bodies/{body.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{base}{meeting.pk}/cancel/", {"reason": "x"}).status_code == 403
    # Through their own council's URLs, this council's ids are not found.
    other = "/elsewhere/staff/meetings/"
    for url in (
        f"{other}{meeting.pk}/",
        f"{other}documents/{paper.pk}/",
        f"{other}decisions/{decision.pk}/status/",
        f"{other}bodies/{body.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"{other}{meeting.pk}/items/{item.pk}/move/", {"direction": "up"}).status_code
        == 404
    )


def test_staff_document_downloads_need_the_clerks_permission(client, council, resident, moderator):
    _meeting, _item, paper, *_ = scene(council)
    url = f"/mootshire/staff/meetings/documents/{paper.pk}/"
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    assert client.get(url).status_code == 403
    # And the unpublished paper is not on the public site.
    assert client.get(f"/mootshire/documents/{paper.pk}/file").status_code == 404


def test_a_clerk_cannot_post_another_councils_ids_into_this_councils_forms(
    client, council, other_council, officer
):
    meeting, _item, _paper, _decision, _entry, ben, _body = scene(council)
    o_meeting, o_item, _o_paper, o_decision, o_entry, o_ben, o_body = scene(other_council)
    client.force_login(officer)
    base = f"/mootshire/staff/meetings/{meeting.pk}/"

    response = client.post(
        base + "votes/new/",
        {"motion": "Carry on", "decision": o_decision.pk, f"position_{ben.pk}": "for"},
    )
    assert response.status_code == 200
    response = client.post(
        base + "decisions/new/",
        {
            "title": "Stolen",
            "text": "Resolved.",
            "decision_maker": "Cabinet",
            "decided_on": "2030-03-14",
            "agenda_item": o_item.pk,
            "forward_plan_entry": o_entry.pk,
        },
    )
    assert response.status_code == 200
    response = client.post(
        base + "declarations/new/",
        {"councillor": o_ben.pk, "kind": "registrable", "description": "Knows"},
    )
    assert response.status_code == 200
    response = client.post(
        f"/mootshire/staff/meetings/bodies/{o_body.pk}/members/new/", {"councillor": ben.pk}
    )
    assert response.status_code == 404
    assert not Vote.objects.exists()
    assert Decision.objects.filter(title="Stolen").count() == 0
    assert not o_meeting.declarations.exists()
    assert not meeting.declarations.exists()
    o_decision.refresh_from_db()
    assert o_decision.status == "made"


def test_a_resident_cannot_withdraw_someone_elses_submission(client, council, resident):
    meeting, *_ = scene(council)
    other = factories.UserFactory(email="sam@example.org", name="Sam")
    submission = domain.submit_to_meeting(
        other,
        meeting,
        kind="question",
        text="When are the bins collected?",
        display_name="Sam",
        today=dt.date(2030, 1, 1),
    )
    client.force_login(resident)
    for value in (str(submission.pk), f" {submission.pk}", "1e3", "-1", "99999999999999999999"):
        response = client.post(f"/mootshire/meetings/{meeting.pk}/take-part/", {"withdraw": value})
        assert response.status_code == 404, value
    submission.refresh_from_db()
    assert submission.status == PublicSubmission.Status.SUBMITTED


def test_state_changing_meeting_views_refuse_posts_without_a_csrf_token(council, officer, resident):
    meeting, item, paper, *_ = scene(council)
    clerk = Client(enforce_csrf_checks=True)
    clerk.force_login(officer)
    base = f"/mootshire/staff/meetings/{meeting.pk}/"
    for url, data in (
        (base + f"items/{item.pk}/move/", {"direction": "up"}),
        (base + "cancel/", {"reason": "Flood"}),
        (base + "publish/", {}),
        (f"/mootshire/staff/meetings/documents/{paper.pk}/remove/", {"reason": "x"}),
    ):
        assert clerk.post(url, data).status_code == 403, url
    person = Client(enforce_csrf_checks=True)
    person.force_login(resident)
    url = f"/mootshire/meetings/{meeting.pk}/take-part/"
    assert (
        person.post(url, {"kind": "question", "text": "Hi", "display_name": "R"}).status_code == 403
    )
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    assert not meeting.submissions.exists()


def test_get_requests_change_nothing(client, council, officer):
    meeting, item, paper, *_ = scene(council)
    client.force_login(officer)
    base = f"/mootshire/staff/meetings/{meeting.pk}/"
    assert client.get(base + f"items/{item.pk}/move/?direction=down").status_code == 405
    for url in (
        base + "cancel/?reason=Flood",
        base + "publish/",
        base + f"items/{item.pk}/remove/?reason=x",
        f"/mootshire/staff/meetings/documents/{paper.pk}/remove/?reason=x",
    ):
        assert client.get(url).status_code == 200, url
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    assert meeting.agenda_published_at is None
    assert meeting.items.count() == 1
    assert meeting.documents.count() == 1
