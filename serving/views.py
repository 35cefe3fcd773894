"""Plumbing pages outside the articles: robots.txt, the health check, the favicon, uploaded
media in the embedded mode, and the error pages."""

import logging
import sys

from csp.decorators import csp
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection
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


def _database_busy():
    """Whether the error being handled is SQLite waiting too long for its write lock."""
    error = sys.exc_info()[1]
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def server_error(request):
    # No context processors that could touch the database: this page must always render.
    if _database_busy():
        # Another write held the database for longer than the busy timeout: nothing was
        # written, and trying again in a moment works. A 503 says so, to people and to
        # clients (Retry-After), where a 500 would say the site is broken.
        response = HttpResponse(
            loader.get_template("503.html").render({"request": request}), status=503
        )
        response["Retry-After"] = "5"
        response["Cache-Control"] = "no-store"
        return response
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request": request}))
