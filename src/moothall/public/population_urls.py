"""Public pages of population (the "public" namespace); owned by the population work."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
