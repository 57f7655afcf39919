"""The audit log in the Django admin: platform staff may read it, nobody may change it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from moothall.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
