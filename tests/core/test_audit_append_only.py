"""The audit log is append-only: the app refuses every change, and so does the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import override_settings

from moothall.core.audit import NOT_RECORDED, changes, record, record_export
from moothall.core.models import AppendOnlyError, AuditEntry
from tests import factories


@pytest.fixture
def entry(officer, council):
    return record("test.did_something", actor=officer, council=council, target=council, n=1)


# --- The app refuses -------------------------------------------------------------------


def test_saving_an_existing_entry_is_refused(entry):
    entry.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get().action == "test.did_something"


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda qs, e: qs.update(action="x"),
        lambda qs, e: qs.delete(),
        lambda qs, e: qs.bulk_update([e], ["action"]),
        lambda qs, e: qs.update_or_create(pk=e.pk, defaults={"action": "x"}),
        lambda qs, e: qs.filter(pk=e.pk)._raw_delete(qs.db),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create", "raw_delete"],
)
def test_the_queryset_refuses_every_change(entry, change):
    with pytest.raises(AppendOnlyError), transaction.atomic():
        change(AuditEntry.objects.all(), entry)
    assert AuditEntry.objects.get().action == "test.did_something"


def test_adding_entries_still_works(entry, council):
    record("test.second", council=council)
    AuditEntry.objects.bulk_create([AuditEntry(action="test.third", council=council)])
    assert AuditEntry.objects.count() == 3


# --- The database refuses (for code that goes round the ORM) ----------------------------


def test_the_database_refuses_an_update(entry):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'x'")
    assert AuditEntry.objects.get().action == "test.did_something"


def test_the_database_refuses_a_delete(entry):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.count() == 1


def test_the_database_refuses_a_truncate_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE is refused above)")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditentry CASCADE")
    assert AuditEntry.objects.count() == 1


def test_the_triggers_exist_in_the_migrated_database(db):
    """A later migration that remakes the table (SQLite does for many changes) would drop
    its triggers silently: this says so."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["core_auditentry"],
            )
            expected = {"core_auditentry_no_update", "core_auditentry_no_delete"}
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditentry'::regclass "
                "AND NOT tgisinternal AND tgenabled = 'O'"
            )
            expected = {"core_auditentry_no_update_delete", "core_auditentry_no_truncate"}
        assert {row[0] for row in cursor.fetchall()} == expected


# --- People and councils in the log ----------------------------------------------------


def test_a_person_who_appears_in_the_log_cannot_be_deleted(entry, officer):
    with pytest.raises(ProtectedError), transaction.atomic():
        officer.delete()
    assert AuditEntry.objects.get().actor == officer


def test_a_council_that_appears_in_the_log_cannot_be_deleted(entry, council):
    with pytest.raises(ProtectedError), transaction.atomic():
        council.delete()
    assert AuditEntry.objects.get().council == council


def test_a_person_not_in_the_log_can_still_be_deleted(entry):
    someone = factories.UserFactory()
    someone.delete()
    assert AuditEntry.objects.count() == 1


# --- Flush: production refuses, the test suite's flush may -----------------------------


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_the_log_only_when_the_test_setting_allows_it(council):
    record("test.flushed", council=council)
    with override_settings(AUDIT_LOG_FLUSHABLE=False), pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 1  # refused, nothing removed

    call_command("flush", interactive=False, verbosity=0)  # the tests' setting: allowed

    assert AuditEntry.objects.count() == 0
    # ... and the triggers are back afterwards.
    record("test.after_flush")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")


# --- The Django admin ------------------------------------------------------------------


def test_the_admin_offers_no_add_change_or_delete(rf, platform_admin, entry):
    admin = site._registry[AuditEntry]
    request = rf.get("/admin/core/auditentry/")
    request.user = platform_admin
    assert admin.has_view_permission(request, entry)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
    assert "delete_selected" not in admin.get_actions(request)


def test_the_admin_refuses_a_posted_delete(client, platform_admin, entry):
    client.force_login(platform_admin)
    response = client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = client.post(
        f"/admin/core/auditentry/{entry.pk}/change/", {"action": "test.rewritten"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.get().action == "test.did_something"


# --- Before and after -----------------------------------------------------------------


def test_changes_keeps_only_what_changed_in_plain_values():
    before = {"limit": 10, "opens": dt.date(2026, 1, 2), "rate": Decimal("1.50"), "same": "x"}
    after = {"limit": 20, "opens": dt.date(2026, 2, 3), "rate": Decimal("1.50"), "same": "x"}

    assert changes(before, after) == {
        "before": {"limit": 10, "opens": "2026-01-02"},
        "after": {"limit": 20, "opens": "2026-02-03"},
    }


def test_changes_reads_model_fields_and_never_keeps_personal_values(resident):
    before = {"postcode": "MH1 1AA", "is_active": True}
    resident.postcode = "MH2 2BB"
    resident.is_active = False

    result = changes(before, resident)

    assert result == {
        "before": {"postcode": NOT_RECORDED, "is_active": True},
        "after": {"postcode": NOT_RECORDED, "is_active": False},
    }
    assert "MH" not in str(result)


def test_changes_needs_fields_when_given_two_objects(council):
    with pytest.raises(ValueError, match="needs fields"):
        changes(council, council)
    assert changes(council, council, ["name"]) == {"before": {}, "after": {}}


def test_details_are_stored_as_json_whatever_the_verb_passes(council, officer):
    made = record(
        "test.dates",
        actor=officer,
        council=council,
        when=dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.UTC),
        amount=Decimal("12.50"),
        ward=council,
    )
    made.refresh_from_db()
    assert made.details == {
        "when": "2026-03-04T05:06:00+00:00",
        "amount": "12.50",
        "ward": council.pk,
    }


def test_an_export_records_who_what_format_and_rows(council, officer):
    made = record_export(
        "surveys.exported", actor=officer, council=council, target=council, rows=7, format="csv"
    )
    assert (made.actor, made.action, made.details) == (
        officer,
        "surveys.exported",
        {"rows": 7, "format": "csv"},
    )


def test_the_admin_will_not_delete_a_person_or_council_the_log_names(
    client, platform_admin, entry, officer, council
):
    client.force_login(platform_admin)
    for url in (
        f"/admin/accounts/user/{officer.pk}/delete/",
        f"/admin/councils/council/{council.pk}/delete/",
    ):
        response = client.post(url, {"post": "yes"})
        assert response.status_code == 200  # the page explaining why not, not a redirect
        assert "<title>Cannot delete " in response.content.decode()
    officer.refresh_from_db()
    council.refresh_from_db()
    assert AuditEntry.objects.get().actor == officer
