"""Core records: the audit log, the email outbox and the state of periodic jobs.

The audit log holds one row for every staff action and every state change a verb makes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit entry: the log is append-only."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Reading and adding only: every bulk change or removal is refused.

    The database refuses them too (triggers made by migration 0004); this refusal comes
    first, with a clearer message, and covers every path the ORM has (``update``,
    ``bulk_update``, ``update_or_create`` on an existing row, ``delete``, the collector's
    fast delete)."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries cannot be changed")

    def _update(self, values: Any) -> Any:
        raise AppendOnlyError("audit entries cannot be changed")

    def bulk_update(self, objs: Any, fields: Any, batch_size: Any = None) -> int:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")

    delete.queryset_only = True  # type: ignore[attr-defined]

    def _raw_delete(self, using: Any) -> int:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One staff action or state change: who, what, when, and what changed (``details``,
    with ``before``/``after`` for changed settings). Append-only: a saved entry is never
    changed or removed, by the app (the model and its queryset refuse) or by anything
    else speaking SQL (the database's triggers refuse; see migration 0004).

    ``actor`` and ``council`` are PROTECTed: a person or council that appears in the log
    cannot be deleted (the privacy verbs keep a deleted account as an anonymised
    tombstone instead), since SET_NULL would be an UPDATE of the log."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who did it; empty for the system (an importer, a task)."),
    )
    council = models.ForeignKey(
        "councils.Council", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # The log page's "kind of thing" filter lists a council's distinct kinds.
            models.Index(fields=["council", "target_type"]),
        ]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")


class OutboxMessage(models.Model):
    """One email to one address, stored by the verb's transaction and sent by a task.

    ``core.mail`` owns the lifecycle: pending → sending → sent, or back to pending
    with a later ``next_attempt_at`` after a failure, and failed after the last attempt.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    template = models.CharField(max_length=200, blank=True)
    to = models.EmailField()
    subject = models.TextField()
    body = models.TextField()
    reply_to = models.EmailField(blank=True)
    unsubscribe_url = models.URLField(max_length=2000, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a delivery task was last queued for it.")
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a worker last took it to send.")
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A message queued compact (``mail.queue_compact_email``): the subject and body are
    # rendered when it is sent, in ``language``, from the context ``builder`` (a dotted
    # path) makes out of ``context`` (ids); they are stored on the row once sent.
    builder = models.CharField(max_length=200, blank=True)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        # The sweep's two questions: which pending messages are due, which sends are stuck.
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class ScheduledJob(models.Model):
    """The state of one periodic job of ``core.schedule``: when it last ran and runs next.

    ``next_run_at`` doubles as the claim: a scheduler enqueues a run only if it moves
    ``next_run_at`` on from the value it read, so two schedulers never enqueue one run twice.
    """

    name = models.CharField(max_length=200, unique=True)
    schedule = models.CharField(max_length=100, help_text=_("How often it runs, as registered."))
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
