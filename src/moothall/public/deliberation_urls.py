"""Public pages of deliberation (the "public" namespace); owned by the deliberation work."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
