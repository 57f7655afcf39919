"""URL patterns (filled in by the feature that owns them)."""

from django.urls import URLPattern, URLResolver

app_name = "notifications"
urlpatterns: list[URLPattern | URLResolver] = []
