"""Writing to councillors, under /<council>/ in the "public" namespace."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import correspondence_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "<slug:council>/wards/<slug:ward>/write/",
        views.write,
        name="correspondence_write",
    ),
    path("<slug:council>/messages/", views.my_messages, name="correspondence_messages"),
    path(
        "<slug:council>/messages/sent/<uuid:group>/",
        views.sent,
        name="correspondence_sent",
    ),
    path(
        "<slug:council>/messages/<int:pk>/",
        views.message,
        name="correspondence_message",
    ),
    path("<slug:council>/messages/inbox/", views.inbox, name="correspondence_inbox"),
    path(
        "<slug:council>/messages/inbox/<int:pk>/",
        views.inbox_message,
        name="correspondence_inbox_message",
    ),
    path(
        "<slug:council>/messages/inbox/<int:pk>/block/",
        views.inbox_block,
        name="correspondence_inbox_block",
    ),
    path(
        "<slug:council>/messages/reply/<str:token>/",
        views.token_reply,
        name="correspondence_reply",
    ),
    path(
        "<slug:council>/messages/reply/<str:token>/block/",
        views.token_block,
        name="correspondence_reply_block",
    ),
]
