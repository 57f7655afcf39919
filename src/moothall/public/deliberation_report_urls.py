"""A deliberation's public report, under /<council>/deliberations/<slug>/report/ ("public"
namespace)."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import deliberation_report_views as views

REPORT = "<slug:council>/deliberations/<slug:slug>/report/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(REPORT, views.conversation_report, name="conversation_report"),
    path(REPORT + "report.csv", views.conversation_report_csv, name="conversation_report_csv"),
    path(REPORT + "report.json", views.conversation_report_json, name="conversation_report_json"),
    path(
        REPORT + "participants.csv",
        views.conversation_report_participants_csv,
        name="conversation_report_participants_csv",
    ),
]
