"""Personal data in core's records (see ``moothall.accounts.privacy``)."""

from __future__ import annotations

from typing import Any

from moothall.accounts.privacy import Erase, not_personal, register
from moothall.core.models import AuditEntry, OutboxMessage, ScheduledJob


def _addresses(user: Any) -> list[str]:
    from allauth.account.models import EmailAddress

    found = {user.email.lower()} if user.email else set()
    found |= {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return sorted(found)


def _outbox(user: Any) -> Any:
    from django.db.models import Q

    query = Q()
    for address in _addresses(user):
        query |= Q(to__iexact=address)
    return OutboxMessage.objects.filter(query) if query else OutboxMessage.objects.none()


def _export_outbox(user: Any) -> list[dict[str, Any]]:
    # What we emailed the person: subjects and when (bodies hold one-time links).
    return list(
        _outbox(user)
        .order_by("pk")
        .values("pk", "to", "subject", "status", "created_at", "sent_at")
    )


def _erase_outbox(user: Any) -> int:
    # Emails to the person's addresses go (sent ones would be purged after 30 days anyway);
    # the confirmation of the deletion is queued after this runs.
    deleted, _by_model = _outbox(user).delete()
    return deleted


register(
    OutboxMessage,
    owner=None,
    erase=Erase.DELETE,
    personal=("to", "reply_to"),
    exporter=_export_outbox,
    eraser=_erase_outbox,
    retention="Sent emails are deleted after 30 days, failed ones after 90 (core.mail.purge).",
)
register(
    AuditEntry,
    owner=None,
    erase=Erase.KEEP,
    actors=("actor",),
    retention="Append-only record of staff actions; never changed. The actor link points at "
    "the anonymised tombstone after the person deletes their account.",
)
not_personal(ScheduledJob, reason="Names of periodic jobs.")
