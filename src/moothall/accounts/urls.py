from django.urls import path

from moothall.accounts import privacy_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("data/", privacy_views.download_data, name="download_data"),
    path("delete/", privacy_views.delete_account, name="delete_account"),
    path("deleted/", privacy_views.account_deleted, name="account_deleted"),
]
