"""The survey builder and results, under /<council>/staff/surveys/ ("staff" namespace).

Paper responses live beside these, under <slug>/paper/ (:mod:`moothall.staff.survey_paper_urls`).
"""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import survey_views as views

ONE = "<slug:slug>/"
QUESTION = ONE + "questions/<int:question_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.surveys, name="surveys"),
    path("new/", views.survey_new, name="survey_new"),
    path(ONE, views.survey, name="survey"),
    path(ONE + "details/", views.survey_edit, name="survey_edit"),
    path(ONE + "questions/new/", views.survey_question_new, name="survey_question_new"),
    path(QUESTION, views.survey_question_edit, name="survey_question_edit"),
    path(QUESTION + "remove/", views.survey_question_remove, name="survey_question_remove"),
    path(QUESTION + "move/", views.survey_question_move, name="survey_question_move"),
    path(ONE + "preview/", views.survey_preview, name="survey_preview"),
    path(ONE + "open/", views.survey_open, name="survey_open"),
    path(ONE + "close/", views.survey_close, name="survey_close"),
    path(ONE + "delete/", views.survey_delete, name="survey_delete"),
    path(ONE + "results/", views.survey_results, name="survey_results"),
    path(ONE + "responses.csv", views.survey_csv, name="survey_csv"),
]
