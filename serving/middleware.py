"""Security headers on every response, and the admin's guard against NUL bytes in queries.

``SecurityHeadersMiddleware`` is first in MIDDLEWARE, so responses made by whitenoise,
error pages and redirects carry the headers too. The Content-Security-Policy comes from
django-csp: the public policy is ``CONTENT_SECURITY_POLICY`` in the settings, the admin's
``KB_ADMIN_CONTENT_SECURITY_POLICY``; a view may set its own with django-csp's decorators
(uploaded media: sandbox). No nonces: no page of ours has an inline script, so the policy
is the same for every reader and cached pages stay valid.

X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy and X-Frame-Options
come from Django's own SecurityMiddleware and XFrameOptionsMiddleware (settings).
"""

from urllib.parse import urlsplit

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponseRedirect

ADMIN_PREFIXES = ("/admin/", "/_nested_admin/")

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def media_origin():
    """Return the origin figures are served from when it is not this site (an S3 bucket
    or its custom domain), else "". Asked of the storage itself, so it is the origin of
    the very URLs the pages embed."""
    if settings.KB_SERVE_MEDIA:
        return ""
    url = urlsplit(default_storage.url("figures/figure.png"))
    return f"{url.scheme}://{url.netloc}" if url.scheme and url.netloc else ""


def _in_order(policy, directives):
    """Return ``policy`` with its directives in the order the settings list them.

    django-csp joins directives in set order, which differs between processes; one
    order keeps a page's headers byte-identical whichever worker rendered it.
    """
    parts = {part.split(" ", 1)[0]: part for part in policy.split("; ")}
    order = [name for name in directives if name in parts]
    return "; ".join([parts[name] for name in order] + sorted(parts.keys() - set(order)))


class SecurityHeadersMiddleware(CSPMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        origin = media_origin()
        # Figures from a bucket: its origin joins img-src in both policies.
        self.media_update = {"img-src": [origin]} if origin else None
        self.public = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        self.admin = settings.KB_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if parts.config is None and request.path.startswith(ADMIN_PREFIXES):
            parts.config = self.admin
        if parts.config is None or parts.config is self.admin:
            parts.update = {**(self.media_update or {}), **(parts.update or {})} or None
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if HEADER in response:
            admin = request.path.startswith(ADMIN_PREFIXES)
            response[HEADER] = _in_order(response[HEADER], self.admin if admin else self.public)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class AdminQueryGuardMiddleware:
    """Answer an admin URL whose query holds a NUL byte with the same page without it.

    The admin turns list filters into database lookups as given; PostgreSQL refuses a NUL
    in any text (`?status__exact=%00` answered 500). No admin link ever carries one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") and any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseRedirect(request.path)
        return self.get_response(request)
