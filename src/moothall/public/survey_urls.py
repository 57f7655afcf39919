"""Public pages of survey (the "public" namespace); owned by the survey work."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
