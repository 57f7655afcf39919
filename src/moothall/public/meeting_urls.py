"""Public pages of open council business, under /<council>/ in the "public" namespace."""

from django.urls import path

from moothall.public import exports, feeds, meeting_views

urlpatterns = [
    path("<slug:council>/meetings/", meeting_views.meetings, name="meetings"),
    path("<slug:council>/meetings.ics", meeting_views.council_ical, name="council_ical"),
    path("<slug:council>/meetings/<int:pk>/", meeting_views.meeting, name="meeting"),
    path(
        "<slug:council>/meetings/<int:pk>/take-part/",
        meeting_views.meeting_take_part,
        name="meeting_take_part",
    ),
    path("<slug:council>/bodies/", meeting_views.bodies, name="bodies"),
    path("<slug:council>/bodies/<slug:body>/", meeting_views.body, name="body"),
    path(
        "<slug:council>/bodies/<slug:body>/meetings.ics",
        meeting_views.body_ical,
        name="body_ical",
    ),
    path("<slug:council>/decisions/", meeting_views.decisions, name="decisions"),
    path("<slug:council>/decisions.csv", exports.decisions_csv, name="decisions_csv"),
    path("<slug:council>/votes.csv", exports.votes_csv, name="votes_csv"),
    path("<slug:council>/decisions/<int:pk>/", meeting_views.decision, name="decision"),
    path("<slug:council>/forward-plan/", meeting_views.forward_plan, name="forward_plan"),
    path("<slug:council>/documents/<int:pk>/", meeting_views.document, name="document"),
    path(
        "<slug:council>/documents/<int:pk>/file",
        meeting_views.document_file,
        name="document_file",
    ),
    path("<slug:council>/feeds/meetings.atom", feeds.MeetingsFeed(), name="feed_meetings"),
    path("<slug:council>/feeds/decisions.atom", feeds.DecisionsFeed(), name="feed_decisions"),
    path("<slug:council>/feeds/documents.atom", feeds.DocumentsFeed(), name="feed_documents"),
]
