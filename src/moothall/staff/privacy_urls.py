"""The council's privacy settings in the back-office (mounted at /<council>/staff/privacy/)."""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import privacy_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", privacy_views.privacy_settings, name="privacy_settings"),
]
