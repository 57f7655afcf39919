"""Only the councils' limits are in the admin: conversations are private to their two sides."""

from django.contrib import admin

from moothall.correspondence.models import CorrespondenceSettings


@admin.register(CorrespondenceSettings)
class CorrespondenceSettingsAdmin(admin.ModelAdmin):
    list_display = ["council", "is_open", "messages_per_day", "max_length"]
    raw_id_fields = ["council"]
