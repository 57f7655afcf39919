"""Public pages of participatory budgeting, under /<council>/budgets/ ("public" namespace)."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import budget_views as views

PROCESS = "<slug:council>/budgets/<slug:slug>/"
PROJECT = PROCESS + "projects/<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:council>/budgets/", views.processes, name="budget_processes"),
    path(PROCESS, views.process, name="budget_process"),
    path(PROCESS + "projects/", views.projects, name="budget_projects"),
    path(PROCESS + "projects/new/", views.project_new, name="budget_project_new"),
    path(PROJECT, views.project, name="budget_project"),
    path(PROJECT + "edit/", views.project_edit, name="budget_project_edit"),
    path(PROJECT + "withdraw/", views.project_withdraw, name="budget_project_withdraw"),
    path(
        PROJECT + "pictures/<int:image_id>.<slug:extension>",
        views.project_image,
        name="budget_project_image",
    ),
    path(PROCESS + "vote/", views.vote_start, name="budget_vote_start"),
    path(PROCESS + "vote/<int:budget_id>/", views.ballot, name="budget_ballot"),
    path(PROCESS + "vote/<int:budget_id>/done/", views.ballot_done, name="budget_ballot_done"),
    path(
        PROCESS + "vote/<int:budget_id>/total/",
        views.ballot_total,
        name="budget_ballot_total",
    ),
    path(
        PROCESS + "vote/<int:budget_id>/withdraw/",
        views.ballot_withdraw,
        name="budget_ballot_withdraw",
    ),
    path(PROCESS + "results/", views.results, name="budget_results"),
    path(PROCESS + "results/<int:budget_id>/", views.budget_result, name="budget_result"),
    path(PROCESS + "delivery/", views.delivery, name="budget_delivery"),
]
