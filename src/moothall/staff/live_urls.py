"""The clerk's live console and the council's live settings, under
/<council>/staff/meetings/ (namespace "staff")."""

from django.urls import path

from moothall.staff import live_views as views

L = "<int:pk>/live/"

urlpatterns = [
    path("live/settings/", views.live_settings, name="live_settings"),
    path(L, views.live_console, name="live_console"),
    path(L + "step/<slug:step>/", views.live_step, name="live_step"),
    path(L + "items/<int:item_id>/", views.live_go_to, name="live_go_to"),
    path(L + "blog/", views.live_blog, name="live_blog"),
    path(L + "blog/<int:post_id>/remove/", views.live_blog_remove, name="live_blog_remove"),
]
