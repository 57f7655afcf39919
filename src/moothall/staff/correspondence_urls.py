"""URL patterns (filled in by the feature that owns them)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
