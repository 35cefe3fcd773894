"""Security headers on every response: public pages, admin, static and media files.

Placed first in MIDDLEWARE so that responses made by whitenoise, error pages and redirects
carry the headers too. No nonces are needed: no page of ours has an inline script, so the
policies stay identical for every reader and cached pages stay valid.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponseRedirect

PUBLIC_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)

# The admin's own templates use style="" attributes, hence 'unsafe-inline' for styles
# only; scripts stay restricted to our own files.
ADMIN_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
    )
)

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


def policies(media):
    """Return the public and the admin Content-Security-Policy; ``media``: see above."""
    extra = f" {media}" if media else ""
    return PUBLIC_POLICY.replace("img-src 'self'", f"img-src 'self'{extra}"), ADMIN_POLICY.replace(
        "img-src 'self' data:", f"img-src 'self' data:{extra}"
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.public_policy, self.admin_policy = policies(media_origin())

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith(("/admin/", "/_nested_admin/"))
        # A view may set a stricter policy of its own (uploaded media: sandbox).
        response.headers.setdefault(
            "Content-Security-Policy", self.admin_policy if admin else self.public_policy
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
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
