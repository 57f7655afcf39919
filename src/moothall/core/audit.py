"""Recording audit entries. Verbs call :func:`record` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from moothall.core.models import AuditEntry


def record(
    action: str,
    *,
    actor: Any = None,
    council: Any = None,
    target: models.Model | None = None,
    **details: Any,
) -> AuditEntry:
    """Write one audit row. ``actor`` may be an anonymous user or None (the system)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        council=council,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        details=details,
    )
