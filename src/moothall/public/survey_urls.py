"""Public pages of surveys, under /<council>/surveys/ ("public" namespace): the list, a
survey's page, and answering it (reached by the response's secret token)."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import survey_views as views

SURVEY = "<slug:council>/surveys/<slug:slug>/"
ANSWER = SURVEY + "answer/<str:token>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:council>/surveys/", views.surveys, name="surveys"),
    path(SURVEY, views.survey, name="survey"),
    path(SURVEY + "start/", views.survey_start, name="survey_start"),
    path(ANSWER, views.survey_resume, name="survey_resume"),
    path(ANSWER + "page/<int:page>/", views.survey_page, name="survey_page"),
    path(ANSWER + "about-you/", views.survey_about_you, name="survey_about_you"),
    path(ANSWER + "check/", views.survey_check, name="survey_check"),
    path(ANSWER + "saved/", views.survey_saved, name="survey_saved"),
    path(ANSWER + "sent/", views.survey_done, name="survey_done"),
]
