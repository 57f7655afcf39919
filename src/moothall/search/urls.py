from django.urls import path

from moothall.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("save/", views.save, name="save"),
    path("saved/", views.saved, name="saved"),
    path("saved/<int:pk>/delete/", views.delete_saved, name="delete_saved"),
]
