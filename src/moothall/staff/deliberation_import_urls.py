"""Polis import and export in the back-office, under /<council>/staff/deliberations/
("staff" namespace)."""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import deliberation_import_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("import/", views.conversation_import, name="conversation_import"),
    path("<slug:slug>/export/", views.conversation_export, name="conversation_export"),
]
