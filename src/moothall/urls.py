from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from moothall.core.urls import indexed
from moothall.public.sitemaps import SITEMAPS

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("accounts/profile/", include("moothall.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("moothall.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("search/", include("moothall.search.urls")),
    path("notifications/", include("moothall.notifications.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("<slug:council>/staff/", include("moothall.staff.urls")),
    path("", include("moothall.public.urls")),
]
# Each include resolves through an index (moothall.core.urls): one regular expression
# finds the first pattern that can match, rather than Django trying each one in turn.
urlpatterns = [indexed(p) if isinstance(p, URLResolver) else p for p in urlpatterns]
