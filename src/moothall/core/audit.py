"""Recording audit entries. Verbs call :func:`record` inside their transaction.

The log is append-only (:class:`moothall.core.models.AuditEntry`): an entry says who did
what, when, to which thing, and — for a change of settings, roles or anything else with
a before and an after — what changed, as ``details["before"]`` and ``details["after"]``
holding only the fields that changed (:func:`changes`). Personal data (a postcode, an
email address, a name) is never copied into the log's before/after: such a field is
named as changed but its values are not kept (:data:`NOT_RECORDED`).

An export of data by staff is recorded too (:func:`record_export`): who exported what,
in which format, how many rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile

from moothall.core.models import AuditEntry

#: Field names whose values never enter the log, only the fact they changed.
PERSONAL_FIELDS = frozenset(
    {
        "postcode",
        "email",
        "name",
        "first_name",
        "last_name",
        "phone",
        "telephone",
        "address",
        "ip_address",
        "date_of_birth",
    }
)
NOT_RECORDED = "(not recorded: personal data)"


def plain(value: Any) -> Any:
    """``value`` as JSON can hold it: dates as ISO 8601, decimals as text, a model as its
    primary key, choices as their value, containers recursively."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, models.QuerySet):
        return [plain(v) for v in value]
    return str(value)


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a model instance (or keys of a mapping) as plain values.

    For a foreign key name its id is taken (``ward`` → the ward's id), so taking a snapshot
    never queries."""
    out: dict[str, Any] = {}
    for name in fields:
        if isinstance(obj, Mapping):
            value = obj.get(name)
        elif isinstance(obj, models.Model):
            try:
                field = obj._meta.get_field(name)
            except FieldDoesNotExist:  # a property, not a field
                value = getattr(obj, name, None)
            else:
                attname = getattr(field, "attname", name)
                value = getattr(obj, attname, None) if field.concrete else None
                if field.many_to_many and obj.pk is not None:
                    value = sorted(getattr(obj, name).values_list("pk", flat=True))
        else:
            value = getattr(obj, name, None)
        out[name] = plain(value)
    return out


def changes(
    before: Any, after: Any, fields: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """``{"before": {...}, "after": {...}}`` holding only the fields whose value changed.

    ``before`` and ``after`` are each a model instance or a mapping (a snapshot taken
    before the change is the usual ``before``). ``fields`` defaults to the mappings' keys
    (both must then be mappings or one a mapping). Personal fields are named but their
    values replaced by :data:`NOT_RECORDED`. Pass the result into :func:`record` as
    keyword arguments: ``record(action, ..., **changes(old, rules))``."""
    if fields is None:
        keys: list[str] = []
        for side in (before, after):
            if isinstance(side, Mapping):
                keys.extend(k for k in side if k not in keys)
        if not keys:
            raise ValueError("changes() needs fields= when neither side is a mapping")
        fields = keys
    names = list(fields)
    old = snapshot(before, names) if before is not None else dict.fromkeys(names)
    new = snapshot(after, names) if after is not None else dict.fromkeys(names)
    result: dict[str, dict[str, Any]] = {"before": {}, "after": {}}
    for name in names:
        if old[name] == new[name]:
            continue
        personal = name in PERSONAL_FIELDS
        result["before"][name] = NOT_RECORDED if personal else old[name]
        result["after"][name] = NOT_RECORDED if personal else new[name]
    return result


def record(
    action: str,
    *,
    actor: Any = None,
    council: Any = None,
    target: models.Model | None = None,
    **details: Any,
) -> AuditEntry:
    """Write one audit row. ``actor`` may be an anonymous user or None (the system).

    ``details`` are stored as JSON (:func:`plain` makes dates, decimals and models fit)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        council=council,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        details=plain(details),
    )


def record_export(
    action: str,
    *,
    actor: Any,
    council: Any,
    rows: int,
    format: str,
    target: models.Model | None = None,
    **details: Any,
) -> AuditEntry:
    """Record that staff exported data: who, what (``action``, ``target``), how much
    (``rows``) and in which ``format`` ("csv", "json", "pabulib", "polis", ...)."""
    return record(
        action, actor=actor, council=council, target=target, rows=rows, format=format, **details
    )
