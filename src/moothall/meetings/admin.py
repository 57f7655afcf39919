"""Read-mostly admin views of meetings data (changes go through the clerk's back-office verbs)."""

from django.contrib import admin
from django.http import HttpRequest

from moothall.meetings.models import Body, Decision, Document, Meeting, MeetingSettings


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "kind", "is_active"]
    list_filter = ["kind", "council"]
    search_fields = ["name"]
    readonly_fields = ["source", "source_id", "source_url"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "council", "status", "agenda_published_at", "agenda_late"]
    list_filter = ["status", "agenda_late", "council"]
    date_hierarchy = "start"
    raw_id_fields = ["body"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "council", "kind", "is_exempt", "extraction", "published_at"]
    list_filter = ["kind", "is_exempt", "extraction"]
    raw_id_fields = ["meeting", "agenda_item", "stored_file"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["title", "council", "decided_on", "status", "is_key_decision", "lacks_notice"]
    list_filter = ["status", "is_key_decision", "lacks_notice"]
    raw_id_fields = ["meeting", "agenda_item", "forward_plan_entry"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.register(MeetingSettings)
