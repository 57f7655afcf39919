"""Attendees' photos, audio and video, and the live blog's photos, as files."""

from django.urls import URLPattern, path

from moothall.public import live_media_views as views

urlpatterns: list[URLPattern] = [
    path(
        "<slug:council>/meetings/<int:pk>/live/media/<int:media_id>/",
        views.media_file,
        name="live_media_file",
    ),
    path(
        "<slug:council>/meetings/<int:pk>/live/blog/<int:post_id>/photo",
        views.blog_photo,
        name="live_blog_photo",
    ),
]
