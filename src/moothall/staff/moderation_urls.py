"""The council's moderation back-office (mounted at /<council>/staff/moderation/)."""

from django.urls import URLPattern, URLResolver, path

from moothall.staff import moderation_views as views

ITEM = "items/<slug:kind>/<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="moderation"),
    path("waiting/", views.waiting, name="moderation_waiting"),
    path(ITEM, views.item, name="moderation_item"),
    path(
        ITEM + "<slug:action>/",
        views.act,
        name="moderation_act",
    ),
    path("bans/", views.bans, name="moderation_bans"),
    path("bans/<int:pk>/lift/", views.lift_ban, name="moderation_lift_ban"),
    path("settings/", views.settings, name="moderation_settings"),
    path("settings/<slug:key>/", views.set_space, name="moderation_set_space"),
]
