"""Security headers on every response: public pages, admin, static and media files.

Placed first in MIDDLEWARE so that responses made by whitenoise, error pages and redirects
carry the headers too. No nonces are needed: no page of ours has an inline script, so the
policies stay identical for every reader and cached pages stay valid.
"""

from django.conf import settings

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


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith(("/admin/", "/_nested_admin/"))
        # A view may set a stricter policy of its own (uploaded media: sandbox).
        response.headers.setdefault(
            "Content-Security-Policy", ADMIN_POLICY if admin else PUBLIC_POLICY
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        return response
