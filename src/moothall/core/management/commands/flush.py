"""Django's ``flush``, aware that the audit log is append-only.

The audit table's triggers (migration ``core.0004``) refuse DELETE and TRUNCATE, so a
plain flush fails on it — which is what production wants: ``flush`` must not be a way to
erase the log. The test suite empties the database between transactional tests with
this command, so when ``settings.AUDIT_LOG_FLUSHABLE`` is true (the test configuration
sets it; production settings never do) the triggers are lifted for the flush and put back
exactly as they were, all in one transaction: no other connection ever sees the table
unprotected, and a failed flush leaves the triggers in place.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "core_auditentry"


def _lift_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Remove (SQLite) or disable (PostgreSQL) the table's triggers; return the SQL that
    restores them."""
    if TABLE not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            return [sql for _name, sql in triggers]
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            return [f"ALTER TABLE {TABLE} ENABLE TRIGGER USER"]
    return []


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        if not getattr(settings, "AUDIT_LOG_FLUSHABLE", False):
            super().handle(**options)
            return
        connection = connections[options["database"]]
        with transaction.atomic(using=options["database"]):
            restore = _lift_triggers(connection)
            super().handle(**options)
            with connection.cursor() as cursor:
                for statement in restore:
                    cursor.execute(statement)
