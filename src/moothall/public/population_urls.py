"""Public pages of population (the "public" namespace); owned by the population work."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import population_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:council>/population/", views.population, name="population"),
    path(
        "<slug:council>/petitions/<int:pk>/who-signed/",
        views.population_petition,
        name="population_petition",
    ),
]
