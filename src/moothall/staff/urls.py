"""The council back-office, mounted at /<council>/staff/ (every view gets ``council``, a slug)."""

from django.urls import include, path

from moothall.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("residents/", views.residents, name="residents"),
    path("residents/<int:user_id>/", views.resident, name="resident"),
    path("residents/<int:user_id>/verify/", views.verify_resident, name="verify_resident"),
    path(
        "verifications/<int:verification_id>/revoke/",
        views.revoke_verification,
        name="revoke_verification",
    ),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:role_id>/revoke/", views.revoke_role, name="revoke_role"),
    path("audit/", views.audit_log, name="audit_log"),
    path("meetings/", include("moothall.staff.meeting_urls")),
    # Live meetings (clerk's console, live blog), moderation of comments and media,
    # recordings and transcripts.
    path("meetings/", include("moothall.staff.live_urls")),
    path("meetings/", include("moothall.staff.live_moderation_urls")),
    path("meetings/", include("moothall.staff.live_record_urls")),
    path("ideas/", include("moothall.staff.idea_urls")),
    path("petitions/", include("moothall.staff.petition_urls")),
    path("correspondence/", include("moothall.staff.correspondence_urls")),
    path("budgets/", include("moothall.staff.budget_urls")),
    path("surveys/", include("moothall.staff.survey_urls")),
    path("surveys/", include("moothall.staff.survey_paper_urls")),
    path("deliberations/", include("moothall.staff.deliberation_import_urls")),
    path("deliberations/", include("moothall.staff.deliberation_urls")),
    path("population/", include("moothall.staff.population_urls")),
    path("moderation/", include("moothall.staff.moderation_urls")),
    path("privacy/", include("moothall.staff.privacy_urls")),
]
