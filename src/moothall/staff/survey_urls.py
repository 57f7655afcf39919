"""Staff pages (the "staff" namespace, under /<council>/staff/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
