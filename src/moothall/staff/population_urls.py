"""Staff pages (the "staff" namespace, under /<council>/staff/population/)."""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import population_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.population, name="population"),
    path("population.csv", views.population_csv, name="population_csv"),
]
