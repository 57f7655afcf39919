"""A first walk through the clerk's verbs, end to end (detailed tests live beside it)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import AgendaItem, Document, Meeting

pytestmark = pytest.mark.django_db

PDF = make_pdf("The report on bin collection in Moot Ward.", title="Bins")


def test_a_clerk_builds_and_publishes_an_agenda(
    council, officer, django_capture_on_commit_callbacks
):
    body = domain.create_body(officer, council, name="Planning Committee")
    start = timezone.make_aware(dt.datetime(2030, 3, 14, 18, 30))
    meeting = domain.create_meeting(officer, body, start=start, venue="Moot Hall")
    apologies = domain.add_agenda_item(officer, meeting, title="Apologies", kind="apologies")
    report = domain.add_agenda_item(officer, meeting, title="Bins", kind="report")
    sub = domain.add_agenda_item(officer, meeting, title="Appendix", parent=report)
    secret = domain.add_agenda_item(
        officer, meeting, title="Land sale", kind="exempt", exempt_paragraph=3
    )
    secret_sub = domain.add_agenda_item(officer, meeting, title="Valuation", parent=secret)
    with django_capture_on_commit_callbacks(execute=True):
        document = domain.attach_document(
            officer, council, data=PDF, title="Bins report", kind="report", agenda_item=report
        )
    hidden = domain.attach_document(
        officer, council, data=PDF, title="Valuation", kind="report", agenda_item=secret_sub
    )
    numbers = dict(AgendaItem.objects.filter(meeting=meeting).values_list("title", "number"))
    assert numbers == {
        "Apologies": "1",
        "Bins": "2",
        "Appendix": "2a",
        "Land sale": "3",
        "Valuation": "3a",
    }
    secret_sub.refresh_from_db()
    assert secret_sub.is_exempt
    assert hidden.is_exempt
    assert not document.is_exempt
    assert document.stored_file_id == hidden.stored_file_id  # same bytes, stored once
    document.refresh_from_db()
    assert document.extraction == Document.Extraction.DONE
    assert document.text == "Bins\nThe report on bin collection in Moot Ward."

    domain.publish_agenda(officer, meeting, now=timezone.make_aware(dt.datetime(2030, 3, 1, 9)))
    meeting.refresh_from_db()
    assert meeting.is_agenda_published
    assert not meeting.agenda_late
    assert Document.objects.public().filter(meeting=meeting).get() == document
    domain.move_agenda_item(officer, apologies, up=False)
    sub.refresh_from_db()
    assert sub.number == "1a"
    kinds = list(meeting.timeline.values_list("kind", flat=True))
    assert kinds == [
        "created",
        "item_added",
        "item_added",
        "item_added",
        "item_added",
        "item_added",
        "document_added",
        "document_added",
        "agenda_published",
        "agenda_reordered",
    ]
    assert list(meeting.timeline.filter(is_public=True).values_list("kind", flat=True)) == [
        "created",
        "agenda_published",
        "agenda_reordered",
    ]
    assert meeting.status == Meeting.Status.SCHEDULED


def test_a_late_agenda_needs_a_reason_and_says_so(
    council, officer, resident, django_capture_on_commit_callbacks
):
    body = domain.create_body(officer, council, name="Cabinet", kind="cabinet")
    start = timezone.make_aware(dt.datetime(2030, 3, 14, 18, 30))  # a Thursday
    meeting = domain.create_meeting(officer, body, start=start)
    domain.add_agenda_item(officer, meeting, title="Budget")
    late = timezone.make_aware(dt.datetime(2030, 3, 8, 9))  # deadline was Wed 6 March
    with pytest.raises(Exception, match="reason"):
        domain.publish_agenda(officer, meeting, now=late)
    domain.publish_agenda(officer, meeting, now=late, late_reason="Budget figures came late")
    meeting.refresh_from_db()
    assert meeting.agenda_late
    assert meeting.publication_deadline == dt.date(2030, 3, 6)
    assert meeting.items.get().is_urgent

    with django_capture_on_commit_callbacks(execute=True):
        submission = domain.submit_to_meeting(
            resident,
            meeting,
            kind="question",
            text="Why?",
            display_name="Ann",
            today=dt.date(2030, 3, 8),
        )
        domain.decide_submission(officer, submission, accept=True)
    assert [m.subject for m in mail.outbox] == [
        "We have your Public question for Cabinet",
        "Your Public question for Cabinet has been accepted",
    ]
