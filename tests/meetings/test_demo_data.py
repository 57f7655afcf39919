"""The demo meetings archive, built small: it keeps every rule the verbs keep.

The full demo is ten years at scale 1 (about 2,500 meetings); here one year at a fifth
of the pace (about 50 meetings, some 20 of them, the recent and upcoming ones, through
the verbs), which is enough to meet every kind of thing the generator promises.
"""

import datetime as dt
import hashlib

import pytest
from django.db import transaction
from django.utils import timezone

from moothall.core.models import AuditEntry
from moothall.councils.models import Councillor, TermOfOffice
from moothall.demo.registry import DemoContext
from moothall.meetings import domain, law
from moothall.meetings.demo_data import (
    AUDIT_ACTION,
    GENERATOR_VERSION,
    PItem,
    build_archive,
    built_version,
    meetings_archive,
    number_agenda,
)
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Document,
    Meeting,
    MeetingSettings,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
    Vote,
)
from tests import factories

pytestmark = pytest.mark.django_db

SCALE = 0.2  # a fifth of the full archive's pace of meetings


def _district():
    council = factories.CouncilFactory(
        name="Brackenford District Council", short_name="Brackenford", slug="brackenford"
    )
    wards = [
        factories.WardFactory(council=council, name=name)
        for name in ("Abbey", "Castle", "Millbrook", "Northgate")
    ]
    parties = [factories.PartyFactory(name=name) for name in ("Labour", "Green Party")]
    for n in range(12):
        councillor = factories.CouncillorFactory(
            council=council,
            ward=wards[n % 4],
            party=parties[0 if n < 7 else 1],
            person__name=f"Member {n}",
            term=None,
        )
        factories.TermOfOfficeFactory(councillor=councillor, start_date=dt.date(2023, 5, 4))
    return council


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end (each test
    runs in a savepoint within it, as usual)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            council = _district()
            summary = build_archive(council, years=1, scale=SCALE)
            yield council, summary
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_agenda_numbers_follow_the_rule_of_the_verbs():
    items = [PItem("Apologies", "apologies"), PItem("Plans", "report")]
    items[1].children = [PItem("Mill Lane", "report"), PItem("Kiln Road", "report")]
    number_agenda(items)
    assert [(i.number, i.sort_key) for i in items] == [("1", "0000."), ("2", "0001.")]
    assert [(c.number, c.sort_key) for c in items[1].children] == [
        ("2a", "0001.0000."),
        ("2b", "0001.0001."),
    ]


def test_the_archive_spans_a_year_ending_a_hundred_days_ahead(archive):
    council, summary = archive
    today = timezone.localdate()
    meetings = Meeting.objects.filter(council=council)
    first = timezone.localdate(meetings.order_by("start").first().start)
    last = timezone.localdate(meetings.order_by("start").last().start)
    assert summary.meetings == meetings.count() >= 30
    assert today - dt.timedelta(days=300) < first < today - dt.timedelta(days=200)
    assert today + dt.timedelta(days=40) < last <= today + dt.timedelta(days=100)
    assert summary.by_verbs == meetings.filter(start__date__gte=today - dt.timedelta(28)).count()
    assert meetings.filter(start__gte=timezone.now()).exists()


def test_every_agenda_is_numbered_as_renumber_would_number_it(archive):
    council, _ = archive
    before = dict(AgendaItem.objects.values_list("pk", "number"))
    keys = dict(AgendaItem.objects.values_list("pk", "sort_key"))
    for meeting in Meeting.objects.filter(council=council):
        domain.renumber(meeting)
    assert dict(AgendaItem.objects.values_list("pk", "number")) == before
    assert dict(AgendaItem.objects.values_list("pk", "sort_key")) == keys
    assert AgendaItem.objects.filter(parent__isnull=False, number__regex=r"^\d+[a-z]$").exists()


def test_exemption_cascades_to_sub_items_papers_votes_and_decisions(archive):
    nested = AgendaItem.objects.filter(parent__exempt_paragraph__isnull=False)
    assert nested.exists()
    assert not nested.filter(is_exempt=False).exists()
    assert not AgendaItem.objects.filter(parent__is_exempt=True, is_exempt=False).exists()
    assert not AgendaItem.objects.filter(exempt_paragraph__isnull=False, is_exempt=False).exists()
    assert not AgendaItem.objects.filter(
        exempt_paragraph__isnull=True, parent__is_exempt=False, is_exempt=True
    ).exists()
    for model in (Document, Vote, Decision):
        assert not model.objects.filter(agenda_item__is_exempt=True, is_exempt=False).exists()
        assert not model.objects.filter(agenda_item__is_exempt=False, is_exempt=True).exists()
    assert Document.objects.filter(is_exempt=True).exists()
    assert Decision.objects.filter(is_exempt=True).exists()


def test_no_exempt_paper_or_exempt_wording_is_public(archive):
    public = Document.objects.public()
    assert public.exists()
    assert not public.filter(is_exempt=True).exists()
    assert not public.filter(text__contains="NOT FOR PUBLICATION").exists()
    exempt_titles = set(
        AgendaItem.objects.filter(is_exempt=True)
        .exclude(title="Exempt business")
        .values_list("title", flat=True)
    )
    for text in public.filter(kind__in=["agenda_pack", "minutes"]).values_list("text", flat=True):
        assert not any(title in text for title in exempt_titles)
    assert not TimelineEntry.objects.filter(
        is_public=True,
        kind="decision_recorded",
        details__decision__in=list(
            Decision.objects.filter(is_exempt=True).values_list("pk", flat=True)
        ),
    ).exists()


def test_each_file_is_stored_once_and_every_paper_has_its_text(archive):
    council, summary = archive
    documents = Document.objects.filter(council=council)
    assert summary.documents == documents.count()
    assert StoredFile.objects.count() < documents.count()  # shared papers
    assert StoredFile.objects.filter(documents__isnull=True).count() == 0
    assert not documents.exclude(extraction=Document.Extraction.DONE).exists()
    assert not documents.filter(text="").exists()
    shared = StoredFile.objects.filter(documents__title__startswith="Guidance for members").first()
    assert shared.documents.count() >= 2
    for stored in StoredFile.objects.order_by("?")[:5]:
        with stored.file.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == stored.sha256
        assert data.startswith(b"%PDF-")
        assert len(data) == stored.size


def test_papers_are_published_with_the_agenda_and_the_minutes(archive):
    council, _ = archive
    for meeting in Meeting.objects.filter(council=council).prefetch_related("documents"):
        for document in meeting.documents.all():
            if document.kind == Document.Kind.MINUTES and not document.is_exempt:
                assert document.published_at is not None
                assert meeting.minutes_published_at is not None
            elif meeting.agenda_published_at is None:
                assert document.published_at is None
            else:
                assert document.published_at is not None


def test_deadlines_follow_the_law_and_late_agendas_say_why(archive):
    council, _ = archive
    days = MeetingSettings.for_council(council).notice_clear_days
    for meeting in Meeting.objects.filter(council=council):
        expected = law.publication_deadline(timezone.localdate(meeting.start), days, "england")
        assert meeting.publication_deadline == expected, meeting
    late = Meeting.objects.filter(council=council, agenda_late=True)
    assert late.count() >= 2  # one in the bulk archive, one through the verbs
    for meeting in late:
        assert timezone.localdate(meeting.agenda_published_at) > meeting.publication_deadline
        assert meeting.late_reason
        assert not meeting.items.filter(is_urgent=False).exists()
    on_time = Meeting.objects.filter(
        council=council, agenda_published_at__isnull=False, agenda_late=False
    )
    for meeting in on_time:
        assert timezone.localdate(meeting.agenda_published_at) <= meeting.publication_deadline


def test_held_meetings_have_attendance_votes_and_decisions_of_councillors_in_office(archive):
    council, _ = archive
    held = Meeting.objects.filter(council=council, status=Meeting.Status.HELD)
    assert held.count() > 20
    assert Attendance.objects.filter(status=Attendance.Status.APOLOGIES).exists()
    assert Vote.objects.exists()
    for vote in Vote.objects.prefetch_related("records"):
        records = list(vote.records.all())
        assert vote.votes_for == sum(1 for r in records if r.position == "for")
        assert vote.votes_against == sum(1 for r in records if r.position == "against")
    for attendance in Attendance.objects.select_related("meeting")[:300]:
        day = timezone.localdate(attendance.meeting.start)
        terms = TermOfOffice.objects.filter(councillor_id=attendance.councillor_id)
        assert any(
            (t.start_date is None or t.start_date <= day)
            and (t.end_date is None or t.end_date >= day)
            for t in terms
        )
    assert not Attendance.objects.filter(meeting__status=Meeting.Status.CANCELLED).exists()
    assert Councillor.objects.filter(council=council, source="demo").exists()  # former members


def test_recent_and_upcoming_meetings_went_through_the_verbs(archive):
    council, _ = archive
    recent = Meeting.objects.filter(
        council=council, start__date__gte=timezone.localdate() - dt.timedelta(days=28)
    )
    for meeting in recent:
        kinds = list(meeting.timeline.values_list("kind", flat=True))
        assert kinds[0] == "created"
        audit = AuditEntry.objects.filter(
            action="meetings.create_meeting", target_id=str(meeting.pk)
        )
        assert audit.exists()
    upcoming = recent.filter(start__gte=timezone.now())
    assert upcoming.filter(agenda_published_at__isnull=True, items__isnull=False).exists()
    assert upcoming.filter(status=Meeting.Status.CANCELLED).exists()
    submissions = PublicSubmission.objects.filter(meeting__council=council)
    assert sorted(submissions.values_list("status", flat=True)) == ["accepted", "submitted"]


def test_running_the_step_again_changes_nothing(archive, settings, django_assert_max_num_queries):
    council, summary = archive
    settings.DEMO_MEETINGS_ARCHIVE = True  # off for the rest of the suite (tests/conftest.py)
    assert built_version(council) == GENERATOR_VERSION
    assert AuditEntry.objects.filter(action=AUDIT_ACTION).count() == 1
    with django_assert_max_num_queries(5):
        line = meetings_archive(DemoContext())
    assert (
        line
        == f"already built (version {GENERATOR_VERSION}): {summary.meetings:,} meetings of Brackenford"
    )


def test_the_step_can_be_turned_off(archive, settings):
    settings.DEMO_MEETINGS_ARCHIVE = False

    assert meetings_archive(DemoContext()) == "skipped (DEMO_MEETINGS_ARCHIVE is off)"
