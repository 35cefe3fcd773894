"""Plumbing pages outside the articles: robots.txt, the health check, the favicon, uploaded
media in the embedded mode, and the error pages."""

import logging

from csp.decorators import csp
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static as static_url
from django.urls import reverse
from django.views import static

logger = logging.getLogger(__name__)


@csp({"default-src": ["'none'"], "sandbox": True})
def media_file(request, path):
    """Serve an uploaded file in the embedded mode: never sniffed, never executed."""
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database is unreachable")
        response = HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    else:
        response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; send them to the hashed icon.
    return redirect(static_url("img/favicon.svg"), permanent=True)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that could touch the database: this page must always render.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request": request}))
