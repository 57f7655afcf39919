"""The live stream of a meeting: server-sent events (moothall.live.stream)."""

from django.urls import URLPattern, path

from moothall.public import live_stream_views

urlpatterns: list[URLPattern] = [
    path(
        "<slug:council>/meetings/<int:pk>/live/events",
        live_stream_views.live_events,
        name="live_events",
    ),
]
