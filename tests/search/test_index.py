"""The index follows commits; the rebuild command; the engines' own tables."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from moothall.meetings import domain
from moothall.meetings.models import Meeting
from moothall.search import index
from moothall.search.models import IndexEntry
from moothall.search.query import search
from moothall.search.registry import Entry, register
from tests.search.conftest import aware

pytestmark = pytest.mark.django_db


def found(query, **filters):
    return sorted((hit.kind, hit.title) for hit in search(query, **filters).hits)


def test_a_late_item_is_found_once_added(scene, django_capture_on_commit_callbacks):
    meeting = scene.meeting()
    scene.item(meeting, "Bins")
    scene.publish(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        domain.add_agenda_item(
            None, meeting, title="Flooding", is_urgent=True, urgency_reason="Storm damage"
        )
    assert found("flooding") == [("agenda_item", "Flooding")]


def test_a_changed_item_is_found_by_its_new_words_only(scene, django_capture_on_commit_callbacks):
    meeting = scene.meeting()
    item = scene.item(meeting, "Bins", "Weekly bins.")
    scene.publish(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        domain.update_agenda_item(None, item, title="Recycling", description="Fortnightly.")
    assert found("bins OR weekly") == []
    assert found("recycling fortnightly") == [("agenda_item", "Recycling")]
    entry = IndexEntry.objects.get()
    assert (entry.title, entry.text, entry.is_stale) == ("Recycling", "Fortnightly.", False)


def test_a_removed_item_and_its_papers_are_no_longer_found(
    scene, django_capture_on_commit_callbacks
):
    meeting = scene.meeting()
    item = scene.item(meeting, "Bins")
    scene.item(meeting, "Parks")
    scene.document("Wheelie bins.", title="Bin paper", agenda_item=item)
    scene.publish(meeting)
    assert found("bins") == [("agenda_item", "Bins"), ("document", "Bin paper")]
    with django_capture_on_commit_callbacks(execute=True):
        domain.remove_agenda_item(None, item, reason="Withdrawn by the officer")
    assert found("bins") == []
    assert list(IndexEntry.objects.values_list("title", flat=True)) == ["Parks"]


def test_a_removed_document_is_no_longer_found(scene, django_capture_on_commit_callbacks):
    meeting = scene.meeting()
    scene.item(meeting, "Bins")
    scene.publish(meeting)
    document = scene.document("Wheelie bins.", title="Bin paper", meeting=meeting)
    assert found("wheelie") == [("document", "Bin paper")]
    with django_capture_on_commit_callbacks(execute=True):
        domain.remove_document(None, document, reason="Replaced")
    assert found("wheelie") == []


def test_a_deleted_meeting_takes_its_entries_with_it(scene, django_capture_on_commit_callbacks):
    meeting = scene.meeting()
    scene.item(meeting, "Bins")
    scene.document("Wheelie bins.", title="Bin paper", meeting=meeting)
    scene.publish(meeting)
    scene.decision("Bins decided", "Bins are decided.", meeting=meeting)
    assert IndexEntry.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        Meeting.objects.get(pk=meeting.pk).delete()
    assert not IndexEntry.objects.exists()
    assert found("bins") == []


def test_a_postponed_meeting_is_found_at_its_new_date(scene, django_capture_on_commit_callbacks):
    meeting = scene.meeting(start=aware(2030, 3, 14, 18, 30))
    scene.item(meeting, "Bins")
    scene.publish(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        domain.postpone_meeting(
            None, meeting, reason="Flooding", new_start=aware(2030, 4, 11, 18, 30)
        )
    assert found("bins", date_to=dt.date(2030, 3, 31)) == []
    assert found("bins", date_from=dt.date(2030, 4, 11)) == [("agenda_item", "Bins")]


def test_a_recorded_decision_is_found(scene):
    scene.decision("Parking charges", "Resolved: new parking charges.")
    hit = search("parking").hits[0]
    assert (hit.kind, hit.title, hit.body_name, hit.date) == (
        "decision",
        "Parking charges",
        None,
        dt.date(2030, 3, 14),
    )


def test_a_transaction_rolled_back_leaves_the_index_as_it_was(scene):
    from django.db import transaction

    meeting = scene.meeting()
    item = scene.item(meeting, "Bins")
    scene.publish(meeting)

    def failing_request():
        with transaction.atomic():
            domain.update_agenda_item(None, item, title="Recycling")
            raise RuntimeError("the clerk's request failed")

    with pytest.raises(RuntimeError):
        failing_request()
    assert found("bins") == [("agenda_item", "Bins")]
    assert not IndexEntry.objects.get().is_stale


def test_rebuild_recomputes_everything_and_keeps_when_entries_were_first_indexed(
    scene, council, other_council
):
    meeting = scene.meeting()
    scene.item(meeting, "Bins")
    scene.item(meeting, "Parks")
    scene.publish(meeting)
    away = scene.meeting(scene.body("Full Council", council=other_council))
    scene.item(away, "Elsewhere bins")
    scene.publish(away)
    first = dict(IndexEntry.objects.values_list("title", "indexed_at"))
    # The index drifts: an entry lost, an orphan, a changed title, a kind no longer known.
    IndexEntry.objects.filter(title="Parks").delete()
    IndexEntry.objects.filter(title="Bins").update(title="Stale title", text="old")
    IndexEntry.objects.create(
        kind="agenda_item",
        object_id=999_999,
        council=council,
        title="Orphan",
        url="/x/",
        date=dt.date(2030, 1, 1),
    )
    IndexEntry.objects.create(
        kind="petition",
        object_id=1,
        council=council,
        title="Unknown kind",
        url="/y/",
        date=dt.date(2030, 1, 1),
    )

    call_command("rebuild_search_index", stdout=(out := io.StringIO()))

    assert out.getvalue() == (
        "Search index: agenda_item 3, document 0, decision 0, minutes 0, idea 0, petition 0, transcript 0 entries. "
        "1 created, 0 updated, 2 unchanged, 2 deleted.\n"
    )
    assert found("bins") == [("agenda_item", "Bins"), ("agenda_item", "Elsewhere bins")]
    assert found("parks") == [("agenda_item", "Parks")]
    assert found("orphan OR stale OR unknown") == []
    after = dict(IndexEntry.objects.values_list("title", "indexed_at"))
    assert after["Bins"] == first["Bins"]
    assert after["Elsewhere bins"] == first["Elsewhere bins"]


def test_rebuild_of_one_council_leaves_the_others_alone(scene, council, other_council):
    away = scene.meeting(scene.body("Full Council", council=other_council))
    scene.item(away, "Elsewhere bins")
    scene.publish(away)
    IndexEntry.objects.create(
        kind="agenda_item",
        object_id=999_999,
        council=other_council,
        title="Orphan",
        url="/x/",
        date=dt.date(2030, 1, 1),
    )
    IndexEntry.objects.create(
        kind="agenda_item",
        object_id=999_998,
        council=council,
        title="Orphan",
        url="/x/",
        date=dt.date(2030, 1, 1),
    )
    call_command("rebuild_search_index", "--council", "mootshire", stdout=io.StringIO())
    assert sorted(IndexEntry.objects.values_list("council__slug", "title")) == [
        ("elsewhere", "Elsewhere bins"),
        ("elsewhere", "Orphan"),
    ]


def test_rebuild_refuses_an_unknown_council(db):
    with pytest.raises(CommandError, match=r"No council has the slug 'nowhere'\."):
        call_command("rebuild_search_index", "--council", "nowhere")


def test_entries_for_must_give_one_entry_of_its_own_kind(scene, council):
    from moothall.councils.models import Ward
    from moothall.search import registry

    def wrong(ward):
        entry = {
            "council_id": council.pk,
            "object_id": ward.pk,
            "title": "x",
            "text": "",
            "date": dt.date(2030, 1, 1),
            "url": "/",
        }
        return [Entry(kind="ward", **entry), Entry(kind="ward", **entry)]

    ward = Ward.objects.create(council=council, name="Moot Ward", slug="moot-ward")
    register("ward", Ward, wrong, label="Ward", council_field="council")
    try:
        with pytest.raises(ValueError, match="at most one entry"):
            index.reindex(Ward, [ward.pk])
    finally:
        # Forget the registration and stop watching wards, or later tests that save a ward
        # before capturing on_commit callbacks would find their changes in a stale batch.
        from django.db.models.signals import post_delete, post_save

        from moothall.search import signals

        registry._registry.registrations.pop("ward")
        signals._watched.discard(Ward)
        uid = f"moothall.search:{Ward._meta.label}"
        post_save.disconnect(sender=Ward, dispatch_uid=uid + ":save")
        post_delete.disconnect(sender=Ward, dispatch_uid=uid + ":delete")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
def test_the_fts5_index_stays_consistent_with_its_rows(scene, django_capture_on_commit_callbacks):
    meeting = scene.meeting()
    item = scene.item(meeting, "Bins", "Weekly.")
    scene.publish(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        domain.update_agenda_item(None, item, title="Recycling")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_entry' "
            "ORDER BY name"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "search_entry_fts_delete",
            "search_entry_fts_insert",
            "search_entry_fts_update",
        ]
        # Raises if the FTS index and search_entry disagree.
        cursor.execute(
            "INSERT INTO search_entry_fts(search_entry_fts, rank) VALUES ('integrity-check', 1)"
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")
def test_the_vector_has_a_gin_index_and_weights(scene):
    meeting = scene.meeting()
    scene.item(meeting, "Bins", "Recycling.")
    scene.publish(meeting)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_vector'")
        assert cursor.fetchone()[0] == (
            "CREATE INDEX search_entry_vector ON public.search_entry USING gin (search_vector) "
            "WHERE (NOT is_stale)"
        )
        cursor.execute("SELECT search_vector::text FROM search_entry")
        assert cursor.fetchone()[0] == "'bin':1A 'recycl':2B"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
def test_the_fts5_triggers_come_back_after_a_migration_rebuilds_the_table(scene):
    from moothall.search.apps import _install_engine

    with connection.cursor() as cursor:
        # What Django's SQLite schema editor does to a table it alters: triggers are lost.
        cursor.execute("DROP TRIGGER search_entry_fts_insert")
    _install_engine(using="default")  # run after every migrate
    meeting = scene.meeting()
    scene.item(meeting, "Bins")
    scene.publish(meeting)
    assert found("bins") == [("agenda_item", "Bins")]
