"""Paper responses to a survey, under /<council>/staff/surveys/<slug>/paper/ ("staff"
namespace)."""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import survey_paper_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:slug>/paper/", views.survey_paper, name="survey_paper"),
    path("<slug:slug>/paper/new/", views.survey_paper_new, name="survey_paper_new"),
]
