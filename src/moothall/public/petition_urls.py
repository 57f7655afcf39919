"""Petitions, the council's obligations and "You said, we did", under /<council>/ in the
"public" namespace. The verbs and emails reverse ``petitions``, ``petition``,
``petition_sponsor``, ``petition_confirm``, ``petition_withdraw`` and
``petition_stop_updates``."""

from django.urls import path

from moothall.public import petition_views as views

urlpatterns = [
    path("<slug:council>/petitions/", views.petitions, name="petitions"),
    path(
        "<slug:council>/petitions/how-petitions-work/",
        views.petition_scheme,
        name="petition_scheme",
    ),
    path("<slug:council>/petitions/new/", views.petition_new, name="petition_new"),
    path(
        "<slug:council>/petitions/<int:pk>-<slug:slug>/",
        views.petition,
        name="petition",
    ),
    path("<slug:council>/petitions/<int:pk>/edit/", views.petition_edit, name="petition_edit"),
    path(
        "<slug:council>/petitions/<int:pk>/submit/",
        views.petition_submit,
        name="petition_submit",
    ),
    path("<slug:council>/petitions/<int:pk>/sign/", views.petition_sign, name="petition_sign"),
    path(
        "<slug:council>/petitions/<int:pk>/signed/",
        views.petition_signed,
        name="petition_signed",
    ),
    path(
        "<slug:council>/petitions/sponsor/<str:token>/",
        views.petition_sponsor,
        name="petition_sponsor",
    ),
    path(
        "<slug:council>/petitions/confirm/<str:token>/",
        views.petition_confirm,
        name="petition_confirm",
    ),
    path(
        "<slug:council>/petitions/withdraw/<str:token>/",
        views.petition_withdraw,
        name="petition_withdraw",
    ),
    path(
        "<slug:council>/petitions/stop-updates/<str:token>/",
        views.petition_stop_updates,
        name="petition_stop_updates",
    ),
    path("<slug:council>/obligations/", views.obligations, name="obligations"),
    path("<slug:council>/you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
]
