"""Public pages of ideas and needs, under /<council>/ideas/ in the "public" namespace."""

from django.urls import URLPattern, URLResolver, path

from moothall.public import idea_views as views

ONE = "<slug:council>/ideas/<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:council>/ideas/", views.ideas, name="ideas"),
    path("<slug:council>/ideas/new/", views.idea_new, name="idea_new"),
    path(ONE, views.idea_short, name="idea_short"),
    path("<slug:council>/ideas/<int:pk>-<slug:slug>/", views.idea, name="idea"),
    path(ONE + "edit/", views.idea_edit, name="idea_edit"),
    path(ONE + "support/", views.idea_support, name="idea_support"),
    path(ONE + "comments/", views.idea_comment, name="idea_comment"),
    path(ONE + "respond/", views.idea_respond, name="idea_respond"),
    path(ONE + "pictures/new/", views.idea_image_new, name="idea_image_new"),
    path(
        ONE + "pictures/<int:image_id>.<slug:extension>",
        views.idea_image,
        name="idea_image",
    ),
]
