"""Root URLs: public pages under a language prefix, the admin and media outside it."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from articles.sitemaps import SITEMAPS
from serving import views as serving_views

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", serving_views.robots_txt, name="robots_txt"),
    path("favicon.ico", serving_views.favicon),
    path("healthz", serving_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
]

if settings.KB_SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.+)$", serving_views.media_file, name="media"),
    ]

urlpatterns += i18n_patterns(
    path("", include("articles.urls")),
    path("", include("insights.urls")),
    prefix_default_language=True,
)

handler404 = "serving.views.page_not_found"
handler500 = "serving.views.server_error"
