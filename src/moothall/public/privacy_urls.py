"""A council's privacy notice (public)."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import privacy_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:council>/privacy/", privacy_views.privacy_notice, name="privacy_notice"),
]
