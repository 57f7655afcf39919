"""Staff pages of deliberation, under /<council>/staff/deliberations/ ("staff" namespace):
set-up, seed statements, opening and closing, moderation, recomputing the analysis.
(Importing and exporting Polis data is in ``deliberation_import_urls``.)"""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import deliberation_views as views

ONE = "<int:conversation_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.conversations, name="conversations"),
    path("new/", views.conversation_new, name="conversation_new"),
    path(ONE, views.conversation, name="conversation"),
    path(ONE + "edit/", views.conversation_edit, name="conversation_edit"),
    path(ONE + "status/", views.conversation_status, name="conversation_status"),
    path(ONE + "recompute/", views.conversation_recompute, name="conversation_recompute"),
    path(ONE + "statements/", views.conversation_statements, name="conversation_statements"),
    path(ONE + "moderation/", views.conversation_moderation, name="conversation_moderation"),
    path(
        ONE + "statements/<int:statement_id>/moderate/",
        views.conversation_moderate,
        name="conversation_moderate",
    ),
]
