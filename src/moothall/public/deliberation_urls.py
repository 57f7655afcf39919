"""Public pages of deliberation, under /<council>/deliberations/ ("public" namespace):
taking part. The report is in ``deliberation_report_urls``."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import deliberation_views as views

ONE = "<slug:council>/deliberations/<slug:slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:council>/deliberations/", views.conversations, name="conversations"),
    path(ONE, views.conversation, name="conversation"),
    path(ONE + "vote/", views.vote, name="conversation_vote"),
    path(ONE + "your-votes/", views.your_votes, name="conversation_votes"),
    path(ONE + "statements/new/", views.statement_new, name="conversation_statement_new"),
    path(ONE + "about-you/", views.about_you, name="conversation_about_you"),
]
