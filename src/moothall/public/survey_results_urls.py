"""A survey's published results, at /<council>/surveys/<slug>/results/ ("public" namespace)."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import survey_results_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "<slug:council>/surveys/<slug:slug>/results/",
        views.survey_results,
        name="survey_results",
    ),
]
