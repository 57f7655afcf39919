"""Moderating what the public adds to live meetings (mounted under …/staff/meetings/)."""

from django.urls import URLPattern, path

from moothall.staff import live_moderation_views as views

urlpatterns: list[URLPattern] = [
    path("live/moderation/", views.queue, name="live_moderation"),
    path(
        "live/moderation/comments/<int:comment_id>/",
        views.moderate_comment,
        name="live_moderate_comment",
    ),
    path(
        "live/moderation/media/<int:media_id>/",
        views.moderate_media,
        name="live_moderate_media",
    ),
]
