"""The clerk's back-office for meetings, at /<council>/staff/meetings/ (namespace "staff")."""

from django.urls import path

from moothall.staff import meeting_views as views

M = "<int:meeting_id>/"

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("new/", views.meeting_new, name="meeting_new"),
    path(M, views.meeting, name="meeting"),
    path(M + "edit/", views.meeting_edit, name="meeting_edit"),
    path(M + "publish/", views.agenda_publish, name="agenda_publish"),
    path(M + "postpone/", views.meeting_postpone, name="meeting_postpone"),
    path(M + "cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(M + "items/new/", views.item_new, name="item_new"),
    path(M + "items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path(M + "items/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path(M + "items/<int:item_id>/move/", views.item_move, name="item_move"),
    path(M + "documents/new/", views.document_new, name="document_new"),
    path(M + "attendance/", views.attendance, name="attendance"),
    path(M + "declarations/new/", views.declaration_new, name="declaration_new"),
    path(M + "votes/new/", views.vote_new, name="vote_new"),
    path(M + "decisions/new/", views.decision_new, name="decision_new"),
    path(M + "minutes/", views.minutes, name="minutes"),
    path("documents/<int:document_id>/", views.document_download, name="document"),
    path("documents/<int:document_id>/remove/", views.document_remove, name="document_remove"),
    path("decisions/<int:decision_id>/status/", views.decision_status, name="decision_status"),
    path("bodies/", views.bodies, name="bodies"),
    path("bodies/new/", views.body_new, name="body_new"),
    path("bodies/<int:body_id>/", views.body, name="body"),
    path("bodies/<int:body_id>/members/new/", views.member_new, name="member_new"),
    path(
        "bodies/<int:body_id>/members/<int:membership_id>/end/",
        views.membership_end,
        name="membership_end",
    ),
    path("forward-plan/", views.forward_plan, name="forward_plan"),
    path("forward-plan/new/", views.forward_plan_new, name="forward_plan_new"),
    path("submissions/", views.submissions, name="submissions"),
    path("submissions/<int:submission_id>/", views.submission, name="submission"),
    path("settings/", views.meeting_settings, name="meeting_settings"),
]
