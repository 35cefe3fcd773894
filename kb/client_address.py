"""The address of the client a request came from, for login throttling (django-axes).

Embedded, gunicorn faces the reader and ``REMOTE_ADDR`` is theirs. With ``KB_HTTPS=1`` the
site runs behind one TLS-terminating proxy (deploy/nginx-kb.conf), so ``REMOTE_ADDR`` is
the proxy's, the same for everybody: throttling on it would let one attacker lock every
editor out. The proxy appends the address it saw to ``X-Forwarded-For``; that last entry
is the one a client cannot choose (anything earlier came from the client itself).
"""

from django.conf import settings


def client_address(request):
    if settings.KB_HTTPS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
