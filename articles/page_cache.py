"""Whole-page cache for anonymous readers, invalidated the moment content changes.

Public pages are the same for every anonymous reader in a language (tab choice and
platform detection happen in the browser), so a rendered page is stored under its full
URL, language prefix and query string included. Every cache key also carries a content
version token; any save or delete of content replaces the token (signals.py), which
invalidates every page at once: a page never shows what an editor has already changed.

Staff (anyone with a session cookie) always get a fresh page. Responses that set a
cookie, and anything but a 200, are not stored.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

VERSION_KEY = "kb:content-version"
CACHED_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Last-Modified",
    "Content-Security-Policy",
)


def _cache():
    return caches[settings.KB_PAGE_CACHE]


def content_version():
    version = _cache().get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add() so concurrent first requests agree on one token.
        if not _cache().add(VERSION_KEY, version, timeout=None):
            version = _cache().get(VERSION_KEY, version)
    return version


def invalidate():
    """Forget every cached page (a new token makes every old key unreachable)."""
    _cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _cacheable(request):
    return (
        settings.KB_PAGE_CACHE_SECONDS > 0
        and request.method in {"GET", "HEAD"}
        and request.path.startswith(CACHED_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable(request):
            return self.get_response(request)
        # Hashed: any URL a reader types becomes a short key every cache backend accepts.
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"kb:page:{content_version()}:{path}"
        stored = _cache().get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            headers = {name: response[name] for name in STORED_HEADERS if name in response}
            _cache().set(key, (response.content, headers), settings.KB_PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
