"""The public site. Fixed paths come first: a council's space is /<council-slug>/."""

from django.urls import include, path

from moothall.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("your-councils/", views.your_councils, name="your_councils"),
    path("councils/", views.councils, name="councils"),
    # Meetings, bodies, decisions, documents and feeds under /<council>/…
    path("", include("moothall.public.meeting_urls")),
    # Live meetings: the live page and its stream, attendees' media, recordings and
    # transcripts.
    path("", include("moothall.public.live_urls")),
    path("", include("moothall.public.live_stream_urls")),
    path("", include("moothall.public.live_media_urls")),
    path("", include("moothall.public.live_record_urls")),
    # Ideas and needs, petitions, obligations, "You said, we did", writing to councillors.
    path("", include("moothall.public.idea_urls")),
    path("", include("moothall.public.petition_urls")),
    path("", include("moothall.public.correspondence_urls")),
    path("", include("moothall.public.budget_urls")),
    # Consultations: surveys, deliberations, and who took part against who lives there.
    path("", include("moothall.public.survey_urls")),
    path("", include("moothall.public.survey_results_urls")),
    path("", include("moothall.public.deliberation_urls")),
    path("", include("moothall.public.deliberation_report_urls")),
    path("", include("moothall.public.population_urls")),
    path("", include("moothall.public.moderation_urls")),
    path("", include("moothall.public.privacy_urls")),
    path("<slug:council>/", views.council, name="council"),
    path("<slug:council>/brand.css", views.council_brand, name="council_brand"),
    path("<slug:council>/wards/<slug:ward>/", views.ward, name="ward"),
    path("<slug:council>/councillors/", views.council_councillors, name="council_councillors"),
    path(
        "<slug:council>/councillors/<int:pk>-<slug:slug>/",
        views.councillor,
        name="councillor",
    ),
]
