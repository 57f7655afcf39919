"""The live page of a meeting and its two forms (comment, upload)."""

from django.urls import URLPattern, path

from moothall.public import live_views

urlpatterns: list[URLPattern] = [
    path("<slug:council>/meetings/<int:pk>/live/", live_views.live, name="live"),
    path(
        "<slug:council>/meetings/<int:pk>/live/comment",
        live_views.live_comment,
        name="live_comment",
    ),
    path(
        "<slug:council>/meetings/<int:pk>/live/upload",
        live_views.live_upload,
        name="live_upload",
    ),
]
