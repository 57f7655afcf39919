"""The audit log becomes append-only in the database as well as in the app.

- ``actor`` and ``council`` change from SET_NULL to PROTECT: deleting a person or a
  council would otherwise UPDATE their audit rows (which the triggers refuse). The ORM now
  refuses such a delete with ``ProtectedError``; the database's foreign keys refuse a raw
  one. (Deleting an account keeps the user row as an anonymised tombstone.)
- Triggers refuse every UPDATE and DELETE of ``core_auditentry`` rows (SQLite:
  ``RAISE(ABORT)``; PostgreSQL: a trigger function raising ``restrict_violation``, and a
  statement trigger refusing TRUNCATE too). Both surface in Django as ``IntegrityError``.

Only the test suite's flush may empty the table: ``moothall.core`` overrides the ``flush``
command, which lifts the triggers inside its own transaction when, and only when,
``settings.AUDIT_LOG_FLUSHABLE`` is true (set by the test configuration, never in
production settings).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SQLITE_INSTALL = [
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: DELETE refused'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()
    """,
    """
    CREATE TRIGGER core_auditentry_no_truncate
    BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_no_update_delete ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"no append-only triggers for {schema_editor.connection.vendor}: "
                "Moothall runs on SQLite or PostgreSQL"
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_outbox_compact_messages"),
        ("councils", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "base_manager_name": "objects",
                "ordering": ["-created_at", "-id"],
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                help_text="Who did it; empty for the system (an importer, a task).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="council",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="councils.council",
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_INSTALL, "postgresql": POSTGRESQL_INSTALL}),
            _run({"sqlite": SQLITE_REMOVE, "postgresql": POSTGRESQL_REMOVE}),
            elidable=False,
        ),
    ]
