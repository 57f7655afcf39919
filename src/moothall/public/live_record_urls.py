"""A meeting's recordings and transcripts for the public (namespace "public")."""

from django.urls import path

from moothall.public import live_record_views as views

R = "<slug:council>/meetings/<int:pk>/recordings/<int:rec_id>/"

urlpatterns = [
    path(R, views.recording, name="recording"),
    path(R + "file", views.recording_file, name="recording_file"),
]
