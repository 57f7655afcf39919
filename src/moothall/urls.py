from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/profile/", include("moothall.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("moothall.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("search/", include("moothall.search.urls")),
    path("<slug:council>/staff/", include("moothall.staff.urls")),
    path("", include("moothall.public.urls")),
]
