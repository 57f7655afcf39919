"""Staff pages of participatory budgeting, under /<council>/staff/budgets/ ("staff" namespace)."""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import budget_views as views

ONE = "<int:process_id>/"
PROJECT = ONE + "projects/<int:project_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.processes, name="budget_processes"),
    path("new/", views.process_new, name="budget_process_new"),
    path(ONE, views.process, name="budget_process"),
    path(ONE + "edit/", views.process_edit, name="budget_process_edit"),
    path(ONE + "budgets/", views.budgets, name="budget_budgets"),
    path(ONE + "budgets/<int:budget_id>/", views.budget_change, name="budget_budget_change"),
    path(ONE + "budgets/<int:budget_id>/remove/", views.budget_remove, name="budget_budget_remove"),
    path(ONE + "phase/", views.phase, name="budget_phase"),
    path(ONE + "projects/", views.projects, name="budget_projects"),
    path(ONE + "projects/new/", views.project_new, name="budget_project_new"),
    path(PROJECT, views.project, name="budget_project"),
    path(PROJECT + "review/", views.project_review, name="budget_project_review"),
    path(PROJECT + "merge/", views.project_merge, name="budget_project_merge"),
    path(PROJECT + "edit/", views.project_edit, name="budget_project_edit"),
    path(PROJECT + "pictures/<int:image_id>/", views.project_image, name="budget_project_image"),
    path(ONE + "paper/", views.paper, name="budget_paper"),
    path(ONE + "paper/<int:budget_id>/", views.paper_enter, name="budget_paper_enter"),
    path(ONE + "paper/ballots/<int:ballot_id>/void/", views.paper_void, name="budget_paper_void"),
    path(ONE + "results/", views.results, name="budget_results"),
    path(ONE + "results/<int:budget_id>.csv", views.result_csv, name="budget_result_csv"),
    path(ONE + "delivery/", views.delivery, name="budget_delivery"),
    path(ONE + "delivery/<int:project_id>/", views.delivery_report, name="budget_delivery_report"),
]
