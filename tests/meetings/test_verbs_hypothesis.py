"""Arbitrary input into the verbs: they accept it or raise ValidationError, nothing else,
and a refusal leaves nothing half-written.

Each example runs in a savepoint that is rolled back, so examples never see each other.
The text includes NUL and lone surrogates now and then: no database stores them, so the
verbs must refuse them (JSON can carry both).
"""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.core.models import AuditEntry
from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import (
    AgendaItem,
    Body,
    Decision,
    Document,
    Meeting,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
)
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
THURSDAY = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
MODELS = (
    AgendaItem,
    AuditEntry,
    Body,
    Decision,
    Document,
    Meeting,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def texts(limit: int) -> st.SearchStrategy[str]:
    """Any text, with the edges of ``limit``, blank strings and unstorable characters likely."""
    return st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=limit + 20),
        st.text(st.sampled_from("a \x00\ud800\udfff\u200b\n"), max_size=10),
        st.sampled_from(["", " ", "\t\n", "x" * limit, "x" * (limit + 1), " " + "y" * limit + " "]),
    )


def paragraphs() -> st.SearchStrategy[object]:
    return st.one_of(
        st.none(),
        st.integers(min_value=-3, max_value=12),
        st.text(max_size=3),
        st.floats(allow_infinity=False),
        st.booleans(),
    )


def counts() -> tuple[int, ...]:
    # Table names come from the models, never from input.
    tables = [model._meta.db_table for model in MODELS]
    sql = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


class _Undo(Exception):
    pass


@contextmanager
def isolated():
    """Run one example in a savepoint and roll it back."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def accepted_or_refused(call) -> object | None:
    """Call; on ValidationError check nothing was written and return None."""
    before = counts()
    try:
        return call()
    except ValidationError:
        assert counts() == before
        return None


def storable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def fits(value: str, limit: int) -> bool:
    return 0 < len(value.strip()) <= limit and storable(value)


@pytest.fixture
def meeting(council):
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    return domain.create_meeting(None, body, start=THURSDAY)


@pytest.fixture
def budget(meeting):
    return domain.add_agenda_item(None, meeting, title="Budget")


@FUZZ
@given(
    title=texts(500),
    paragraph=paragraphs(),
    urgent=st.booleans(),
    reason=texts(2000),
    description=texts(50),
    officer_name=texts(200),
)
def test_any_agenda_item_is_added_or_refused_cleanly(
    officer, meeting, title, paragraph, urgent, reason, description, officer_name
):
    with isolated():
        item = accepted_or_refused(
            lambda: domain.add_agenda_item(
                officer,
                meeting,
                title=title,
                exempt_paragraph=paragraph,
                is_urgent=urgent,
                urgency_reason=reason,
                description=description,
                lead_officer=officer_name,
            )
        )
        if item is None:
            return
        assert item.title == title.strip()
        assert fits(title, 500)
        assert item.exempt_paragraph in (None, 1, 2, 3, 4, 5, 6, 7)
        assert item.is_exempt == (item.exempt_paragraph is not None)
        assert item.number == "1"


@FUZZ
@given(title=texts(500), paragraph=paragraphs(), kind=st.sampled_from(["report", "exempt", "x"]))
def test_any_agenda_item_update_is_applied_or_refused_cleanly(
    officer, budget, title, paragraph, kind
):
    with isolated():
        item = AgendaItem.objects.get(pk=budget.pk)
        before = AgendaItem.objects.values().get(pk=item.pk)
        changed = accepted_or_refused(
            lambda: domain.update_agenda_item(
                officer, item, title=title, exempt_paragraph=paragraph, kind=kind
            )
        )
        if changed is None:
            assert AgendaItem.objects.values().get(pk=item.pk) == before
            return
        assert (changed.title, changed.kind) == (title.strip(), kind)
        assert changed.is_exempt == (changed.exempt_paragraph is not None)


@FUZZ
@given(reason=texts(2000), cancel=st.booleans())
def test_any_postponement_or_cancellation_reason_is_kept_or_refused(
    officer, meeting, reason, cancel
):
    verb = domain.cancel_meeting if cancel else domain.postpone_meeting
    with isolated():
        done = accepted_or_refused(lambda: verb(officer, meeting, reason=reason))
        fresh = Meeting.objects.get(pk=meeting.pk)
        if done is None:
            assert (fresh.status, fresh.status_reason) == ("scheduled", "")
            assert not fits(reason, 2000)
            meeting.status, meeting.status_reason = "scheduled", ""
            return
        assert fits(reason, 2000)
        assert fresh.status_reason == reason.strip()
        assert fresh.status == ("cancelled" if cancel else "postponed")
        meeting.status, meeting.status_reason = "scheduled", ""


@FUZZ
@given(name=texts(200))
def test_any_body_name_gives_a_body_with_a_usable_slug_or_is_refused(officer, council, name):
    with isolated():
        first = accepted_or_refused(lambda: domain.create_body(officer, council, name=name))
        if first is None:
            assert not fits(name, 200)
            return
        second = domain.create_body(officer, council, name=name)
        assert first.slug != second.slug
        assert 0 < len(second.slug) <= 120


@FUZZ
@given(
    title=texts(500),
    text=texts(50),
    exception=st.sampled_from(["", "special_urgency", "general_exception", "whim"]),
    reason=texts(2000),
    reasons=texts(50),
)
def test_any_decision_is_recorded_or_refused_cleanly(
    officer, council, meeting, title, text, exception, reason, reasons
):
    with isolated():
        decision = accepted_or_refused(
            lambda: domain.record_decision(
                officer,
                council,
                title=title,
                text=text,
                decision_maker="Cabinet",
                decided_on=dt.date(2030, 3, 14),
                meeting=meeting,
                is_key_decision=True,
                key_decision_exception=exception,
                exception_reason=reason,
                reasons=reasons,
                alternatives_rejected=reasons,
                conflicts_declared=reasons,
                dispensations=reasons,
            )
        )
        if decision is None:
            return
        assert decision.title == title.strip()
        assert decision.lacks_notice == (exception == "")
        assert exception != "whim"


@FUZZ
@given(text=texts(2000), name=texts(200), kind=st.sampled_from(["question", "speak", "poem"]))
def test_any_public_submission_is_taken_or_refused_cleanly(resident, meeting, text, name, kind):
    with isolated():
        taken = accepted_or_refused(
            lambda: domain.submit_to_meeting(
                resident,
                meeting,
                kind=kind,
                text=text,
                display_name=name,
                today=dt.date(2030, 3, 1),
            )
        )
        if taken is None:
            return
        assert kind == "question"  # speaking needs an item; poems are not a kind
        assert (taken.text, taken.display_name) == (text.strip(), name.strip())


@FUZZ
@given(reason=texts(2000))
def test_any_late_reason_publishes_a_late_agenda_or_is_refused(officer, budget, reason):
    meeting = budget.meeting
    with isolated():
        late = dt.datetime(2030, 3, 12, 9, tzinfo=LONDON)
        published = accepted_or_refused(
            lambda: domain.publish_agenda(officer, meeting, now=late, late_reason=reason)
        )
        fresh = Meeting.objects.get(pk=meeting.pk)
        if published is None:
            assert not fits(reason, 2000)
            assert fresh.agenda_published_at is None
            meeting.agenda_published_at = None
            return
        assert (fresh.agenda_late, fresh.late_reason) == (True, reason.strip())
        meeting.agenda_published_at = None


PDF = make_pdf("A report.")


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.binary(max_size=50).map(lambda tail: b"<p>" + tail),
        st.binary(max_size=50).map(lambda tail: b"%PDF-" + tail),
        st.binary(max_size=50).map(lambda tail: b"PK\x03\x04" + tail),
        st.integers(0, len(PDF)).map(lambda n: PDF[:n]),
    ),
    title=texts(500),
    paragraph=paragraphs(),
    # Unstorable characters in the file name have their own test below.
    name=texts(300).filter(storable),
)
def test_any_upload_is_stored_or_refused_cleanly(council, meeting, data, title, paragraph, name):
    with isolated():
        document = accepted_or_refused(
            lambda: domain.attach_document(
                None,
                council,
                data=data,
                title=title,
                kind="report",
                meeting=meeting,
                exempt_paragraph=paragraph,
                original_name=name,
            )
        )
        if document is None:
            return
        assert document.stored_file.content_type in (
            "application/pdf",
            "text/html",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        assert document.stored_file.size == len(data) > 0


# --- Found while fuzzing ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report\ud800.pdf", "report\x00.pdf"])
def test_a_file_name_with_unstorable_characters_is_refused_or_cleaned(council, meeting, name):
    try:
        with transaction.atomic():
            document = domain.attach_document(
                None,
                council,
                data=b"<p>Report</p>",
                title="Report",
                kind="report",
                meeting=meeting,
                original_name=name,
            )
    except ValidationError:
        return
    # Accepted: then the stored name must be one a database keeps (SQLite keeps NUL).
    assert "\x00" not in document.original_name


def test_a_title_with_a_nul_character_is_refused(officer, meeting):
    before = counts()
    with pytest.raises(ValidationError), transaction.atomic():
        domain.add_agenda_item(officer, meeting, title="Bins\x00")
    assert counts() == before


def test_a_title_with_a_lone_surrogate_is_refused(officer, meeting):
    before = counts()
    with pytest.raises(ValidationError), transaction.atomic():
        domain.add_agenda_item(officer, meeting, title="Bins \ud800")
    assert counts() == before


def test_an_infinite_paragraph_is_refused(officer, meeting):
    with pytest.raises(ValidationError):
        domain.add_agenda_item(officer, meeting, title="Bins", exempt_paragraph=float("inf"))


def test_a_too_long_title_names_the_limit(officer, meeting):
    with pytest.raises(ValidationError) as caught:
        domain.add_agenda_item(officer, meeting, title="x" * 501)
    assert caught.value.message_dict == {"title": ["Use 500 characters or fewer."]}
