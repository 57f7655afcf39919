"""The petitions back-office, at /<council>/staff/petitions/ (namespace "staff")."""

from django.urls import path

from moothall.staff import petition_views as views

P = "<int:petition_id>/"

urlpatterns = [
    path("", views.petitions, name="petitions"),
    path("moderation/", views.moderation, name="petitions_moderation"),
    path("obligations/", views.obligations, name="petition_obligations"),
    path(
        "obligations/<int:obligation_id>/assign/",
        views.obligation_assign,
        name="obligation_assign",
    ),
    path("scheme/", views.scheme, name="petition_scheme"),
    path("paper/", views.paper_petition, name="petition_enter_paper"),
    path(P, views.petition, name="petition"),
    path(P + "moderate/", views.petition_moderate, name="petition_moderate"),
    path(P + "respond/", views.petition_respond, name="petition_respond"),
    path(P + "close/", views.petition_close, name="petition_close"),
    path(P + "place/", views.petition_place, name="petition_place"),
    path(
        P + "hearings/<int:hearing_id>/decision/",
        views.hearing_decision,
        name="petition_hearing_decision",
    ),
    path(P + "paper/", views.petition_paper, name="petition_paper"),
    path(P + "abuse/", views.petition_abuse, name="petition_abuse"),
    path(
        P + "alerts/<int:alert_id>/resolve/",
        views.alert_resolve,
        name="petition_alert_resolve",
    ),
    path(P + "invalidate/", views.petition_invalidate, name="petition_invalidate"),
    path(P + "invalidations/", views.petition_invalidations, name="petition_invalidations"),
]
