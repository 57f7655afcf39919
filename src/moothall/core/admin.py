"""Core records in the Django admin: platform staff may read them, nobody may change them.

The audit log, the email outbox (what was sent, what is waiting, what failed and why)
and the periodic jobs' last and next runs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from moothall.core.models import AuditEntry, OutboxMessage, ScheduledJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "council", "target_type", "target_repr")
    list_filter = ("action",)
    search_fields = ("action", "target_repr", "target_id", "actor__email")
    list_select_related = ("actor", "council")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "council",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "details",
    )
    readonly_fields = fields
    show_full_result_count = False  # the log grows without end; counting it all is slow


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "template")
    search_fields = ("to", "subject")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "template",
        "to",
        "reply_to",
        "subject",
        "body",
        "unsubscribe_url",
        "headers",
        "status",
        "attempts",
        "next_attempt_at",
        "enqueued_at",
        "claimed_at",
        "sent_at",
        "last_error",
    )
    readonly_fields = fields
    show_full_result_count = False


@admin.register(ScheduledJob)
class ScheduledJobAdmin(ReadOnlyAdmin):
    list_display = ("name", "schedule", "last_run_at", "next_run_at", "last_task_id")
    fields = list_display
    readonly_fields = fields
