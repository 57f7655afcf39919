"""Residents' reports and the public moderation log (mounted at the site's root)."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import moderation_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "<slug:council>/report/<slug:kind>/<int:pk>/",
        views.report,
        name="moderation_report",
    ),
    path("<slug:council>/moderation-log/", views.log, name="moderation_log"),
]
