"""/notifications/: a person's preferences, the follow button's actions, one-click unsubscribe."""

from django.urls import path

from moothall.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("default/", views.default_frequency, name="default_frequency"),
    path("pause/", views.pause, name="pause"),
    path("subscriptions/<int:pk>/frequency/", views.frequency, name="frequency"),
    path("subscriptions/<int:pk>/stop/", views.stop, name="stop"),
    path("follow/<slug:kind>/<int:object_id>/", views.follow, name="follow"),
    path("unfollow/<slug:kind>/<int:object_id>/", views.unfollow, name="unfollow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
