"""A resident asks a question, makes a deputation or asks to speak at a meeting, and withdraws."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.meetings import domain
from moothall.meetings.models import AgendaItem, Meeting, PublicSubmission
from tests import factories
from tests.public.meetings_scene import LONDON

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(council) -> Meeting:
    """Cabinet on Thursday 14 March 2030, agenda published: questions close on 11 March."""
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    found = domain.create_meeting(None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON))
    domain.add_agenda_item(None, found, title="Budget 2030")
    domain.add_agenda_item(
        None, found, title="Confidential contract", kind="exempt", exempt_paragraph=3
    )
    domain.publish_agenda(None, found, now=dt.datetime(2030, 3, 1, 9, tzinfo=LONDON))
    return found


def _url(meeting: Meeting) -> str:
    return f"/mootshire/meetings/{meeting.pk}/take-part/"


def test_someone_not_signed_in_is_sent_to_sign_in(client, meeting):
    response = client.get(_url(meeting))

    assertRedirects(
        response,
        f"/accounts/login/?next=/mootshire/meetings/{meeting.pk}/take-part/",
        fetch_redirect_response=False,
    )
    assert client.post(_url(meeting), {"kind": "question"}).status_code == 302
    assert not PublicSubmission.objects.exists()


def test_a_resident_sees_the_form_and_the_deadline(client, resident, meeting):
    client.force_login(resident)

    response = client.get(_url(meeting))

    assert response.status_code == 200
    assertContains(
        response, '<h1 class="govuk-heading-l">Take part in this meeting</h1>', html=True
    )
    assertContains(
        response,
        '<p class="govuk-body" id="deadline">The deadline is the end of Monday 11 March 2030.</p>',
        html=True,
    )
    budget = meeting.items.get(title="Budget 2030")
    assertContains(response, f'<option value="{budget.pk}">1. Budget 2030</option>', html=True)
    assertNotContains(response, "Confidential contract")
    assertContains(response, 'value="Rita Resident"')
    assertContains(response, "You have not sent anything to this meeting.")


def test_a_resident_asks_to_speak_on_an_item(
    client, resident, meeting, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    budget = meeting.items.get(title="Budget 2030")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(meeting),
            {
                "kind": "speak",
                "agenda_item": str(budget.pk),
                "display_name": "Rita R",
                "text": "I run the food bank and want to speak on the budget.",
            },
        )

    assertRedirects(response, _url(meeting), fetch_redirect_response=False)
    submission = PublicSubmission.objects.get()
    assert (submission.kind, submission.agenda_item, submission.submitter) == (
        "speak",
        budget,
        resident,
    )
    assert submission.status == "submitted"
    assert [m.to for m in mail.outbox] == [["rita.resident@example.org"]]
    page = client.get(_url(meeting))
    assertContains(page, "Sent. The clerk will tell you by email whether it is accepted.")
    assertContains(page, '<strong class="govuk-tag govuk-tag--blue">Submitted</strong>', html=True)
    assertContains(page, f'name="withdraw" value="{submission.pk}"')


def test_a_question_needs_no_item(client, resident, meeting):
    client.force_login(resident)

    client.post(
        _url(meeting),
        {"kind": "question", "agenda_item": "", "display_name": "Rita R", "text": "Why?"},
    )

    assert PublicSubmission.objects.get().agenda_item is None


def test_missing_answers_are_explained_and_nothing_is_sent(client, resident, meeting):
    client.force_login(resident)

    response = client.post(_url(meeting), {"kind": "", "display_name": "", "text": ""})

    assert response.status_code == 400
    assertContains(response, "There is a problem", status_code=400)
    assertContains(
        response, '<a href="#id_kind_0">Choose what you want to do</a>', html=True, status_code=400
    )
    assertContains(
        response, '<a href="#id_display_name">Enter your name</a>', html=True, status_code=400
    )
    assertContains(
        response,
        '<a href="#id_text">Enter your question or what you want to say</a>',
        html=True,
        status_code=400,
    )
    assert response.context["form"].errors
    assert not PublicSubmission.objects.exists()


def test_a_request_to_speak_without_an_item_is_refused_by_the_verb(client, resident, meeting):
    client.force_login(resident)

    response = client.post(
        _url(meeting), {"kind": "speak", "display_name": "Rita R", "text": "Let me speak."}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "agenda_item": ["Choose the item you want to speak on."]
    }
    assert not PublicSubmission.objects.exists()


def test_an_exempt_or_foreign_item_cannot_be_chosen(client, resident, meeting, council):
    client.force_login(resident)
    secret = meeting.items.get(title="Confidential contract")
    other = factories.AgendaItemFactory(meeting=factories.MeetingFactory(body__council=council))

    for item in (secret, other):
        response = client.post(
            _url(meeting),
            {"kind": "speak", "agenda_item": str(item.pk), "display_name": "R", "text": "Hi"},
        )
        assert response.status_code == 400
        assert "agenda_item" in response.context["form"].errors
    assert not PublicSubmission.objects.exists()


def test_too_long_a_text_is_refused(client, resident, meeting):
    client.force_login(resident)

    response = client.post(
        _url(meeting), {"kind": "question", "display_name": "R", "text": "x" * 2001}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"text": ["Use 2000 characters or fewer"]}


def test_after_the_deadline_the_form_is_closed(client, resident, council):
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    soon = domain.create_meeting(None, body, start=timezone.now() + dt.timedelta(days=1))
    client.force_login(resident)

    page = client.get(_url(soon))
    response = client.post(_url(soon), {"kind": "question", "display_name": "R", "text": "Late?"})

    deadline = domain.submission_deadline_for(soon)
    assertContains(
        page,
        "This meeting no longer takes questions, deputations or requests to speak: "
        f"the deadline was the end of {deadline:%A} {deadline.day} {deadline:%B %Y}.",
    )
    assertNotContains(page, '<form method="post" action="/mootshire/meetings/')
    assert response.status_code == 400
    assertContains(
        response,
        "This meeting no longer takes questions, deputations or requests to speak.",
        status_code=400,
    )
    assert not PublicSubmission.objects.exists()


def test_a_cancelled_meeting_takes_nothing(client, resident, meeting):
    domain.cancel_meeting(None, meeting, reason="No business")
    client.force_login(resident)

    page = client.get(_url(meeting))

    assertContains(
        page,
        "This meeting no longer takes questions, deputations or requests to speak: "
        "it has been cancelled.",
    )


def test_a_resident_withdraws_their_submission(client, resident, meeting):
    submission = domain.submit_to_meeting(
        resident, meeting, kind="question", text="Why?", display_name="Rita R"
    )
    client.force_login(resident)

    response = client.post(_url(meeting), {"withdraw": str(submission.pk)})

    assertRedirects(response, _url(meeting), fetch_redirect_response=False)
    submission.refresh_from_db()
    assert submission.status == "withdrawn"
    page = client.get(_url(meeting))
    assertContains(page, "Your submission has been withdrawn.")
    assertContains(page, '<strong class="govuk-tag govuk-tag--grey">Withdrawn</strong>', html=True)
    assertNotContains(page, 'name="withdraw"')

    again = client.post(_url(meeting), {"withdraw": str(submission.pk)}, follow=True)
    assertContains(again, "This submission is no longer open.")


def test_nobody_withdraws_someone_elses_submission(client, resident, meeting):
    neighbour = factories.UserFactory(email="ned@example.org")
    theirs = domain.submit_to_meeting(
        neighbour, meeting, kind="question", text="Mine", display_name="Ned"
    )
    client.force_login(resident)

    for value in (str(theirs.pk), "abc", "999999"):
        assert client.post(_url(meeting), {"withdraw": value}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"
    assertNotContains(client.get(_url(meeting)), "Mine")


def test_an_accepted_submission_appears_on_the_agenda_and_a_declined_one_shows_its_reason(
    client, resident, meeting
):
    budget = meeting.items.get(title="Budget 2030")
    accepted = domain.submit_to_meeting(
        resident,
        meeting,
        kind="speak",
        text="On the budget.",
        display_name="Rita R",
        agenda_item=budget,
    )
    declined = domain.submit_to_meeting(
        resident, meeting, kind="deputation", text="Off topic.", display_name="Rita R"
    )
    domain.decide_submission(None, accepted, accept=True)
    domain.decide_submission(None, declined, accept=False, reason="Not about this meeting")
    client.force_login(resident)

    mine = client.get(_url(meeting))
    agenda = client.get(f"/mootshire/meetings/{meeting.pk}/")

    assertContains(mine, "Reason: Not about this meeting")
    assertContains(mine, '<strong class="govuk-tag govuk-tag--green">Accepted</strong>', html=True)
    assertContains(agenda, "<li>Request to speak from Rita R: On the budget.</li>", html=True)
    assertNotContains(agenda, "Off topic.")


def test_before_the_agenda_is_out_only_questions_and_deputations_are_offered(
    client, resident, council
):
    body = domain.create_body(None, council, name="Cabinet", kind="cabinet")
    meeting = domain.create_meeting(
        None, body, start=dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
    )
    factories.AgendaItemFactory(meeting=meeting, title="Draft item")
    client.force_login(resident)

    page = client.get(_url(meeting))

    assert [value for value, _ in page.context["form"].fields["kind"].choices] == [
        "question",
        "deputation",
    ]
    assertNotContains(page, "Draft item")
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_a_nul_character_is_refused_not_stored(client, resident, meeting):
    client.force_login(resident)

    response = client.post(
        _url(meeting), {"kind": "question", "display_name": "R\x00", "text": "Why\x00?"}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"display_name", "text"}
    assert not PublicSubmission.objects.exists()
