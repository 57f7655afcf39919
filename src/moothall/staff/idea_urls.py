"""The back-office for ideas and needs, at /<council>/staff/ideas/ (namespace "staff")."""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import idea_views as views

ONE = "<int:idea_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ideas, name="ideas"),
    path("settings/", views.idea_settings, name="idea_settings"),
    path(ONE, views.idea, name="idea"),
    path(ONE + "status/", views.idea_status, name="idea_status"),
    path(ONE + "respond/", views.idea_respond, name="idea_respond"),
    path(ONE + "merge/", views.idea_merge, name="idea_merge"),
    path(ONE + "agenda/", views.idea_agenda, name="idea_agenda"),
    path("links/<int:link_id>/decision/", views.idea_decision, name="idea_decision"),
    path("comments/<int:comment_id>/remove/", views.comment_remove, name="idea_comment_remove"),
]
