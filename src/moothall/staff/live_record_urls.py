"""The clerk's pages for a meeting's recordings (namespace "staff"), under
/<council>/staff/meetings/."""

from django.urls import path

from moothall.staff import live_record_views as views

M = "<int:pk>/recordings/"
R = M + "<int:rec_id>/"

urlpatterns = [
    path(M, views.recordings, name="recordings"),
    path(M + "new/", views.recording_new, name="recording_new"),
    path(R, views.recording, name="recording"),
    path(R + "captions/", views.recording_captions, name="recording_captions"),
    path(R + "chapters/", views.recording_chapters, name="recording_chapters"),
    path(R + "chapters/timeline/", views.recording_timeline, name="recording_timeline"),
    path(R + "transcribe/", views.recording_transcribe, name="recording_transcribe"),
    path(R + "speakers/", views.recording_speakers, name="recording_speakers"),
    path(R + "remove/", views.recording_remove, name="recording_remove"),
]
