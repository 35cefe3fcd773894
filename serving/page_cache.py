"""Whole-page cache for anonymous readers, invalidated the moment content changes.

Public pages are the same for every anonymous reader in a language (tab choice and
platform detection happen in the browser), so a page is stored whole under its URL
(scheme, host, language prefix and query string included). Every cache key also carries a
content version token; any save or delete of content replaces the token (signals.py calls
``invalidate()``), which makes every stored page unreachable at once: a page never shows
what an editor has already changed.

Two parts:

- ``PageCacheMiddleware``, inside Django, marks a response that may be stored
  (``X-Page-Cache: miss``): an anonymous GET/HEAD under ``/en/`` or ``/ja/``, a 200 that
  sets no cookie and does not forbid shared caching.
- ``PageCache``, a WSGI layer around the whole Django application (``kb/wsgi.py``), as
  whitenoise is for static files. It stores a marked response as the exact bytes sent,
  after every middleware has run (security headers, CSP, ETag, Content-Language), with
  brotli and gzip bodies made once, and answers the next reader before Django's request
  handling starts: no request object, no middleware, no URL resolving. That is what makes
  a cached page as cheap to serve as a static file (``make bench``). It answers 304 to
  If-None-Match/If-Modified-Since as ConditionalGetMiddleware would.

Never stored: a request carrying the session cookie (staff; their pages may show drafts)
and anything it gets back, a response that sets a cookie, says ``Cache-Control: private``
or ``no-store`` (staff previews), varies on anything but Accept-Encoding, or is not a
plain 200. A request with the session cookie is never answered from the cache either.

Behind nginx (``KB_NGINX_CACHE=1``, deploy/nginx-kb.conf), every answer from the store, 200
or 304, also tells nginx's proxy cache it may keep the page until the end of the current
second (``X-Accel-Expires: @<this second>``; nginx strips the header). nginx then answers
anonymous readers itself, at close to its static-file speed, and asks again (a
conditional request, answered 304 from here when nothing changed) once the second is
over: an edit reaches every reader within one second. Nothing else is ever marked, so
nginx keeps exactly what this cache keeps. docs/speed.md says why this design.

The store is the cache named by ``KB_PAGE_CACHE`` (files in the data folder by default),
shared by every worker process. Each worker also keeps the pages it served recently in
memory, keyed by the content version, which it reads from the shared cache on every
request: the memory copy saves unpickling a page, never delays an invalidation.
"""

import functools
import gzip
import hashlib
import threading
import time
import uuid
from collections import OrderedDict

import brotli
from django.conf import settings
from django.core.cache import caches
from django.http.cookie import parse_cookie
from django.utils.http import parse_etags, parse_http_date_safe

VERSION_KEY = "kb:content-version"
CACHED_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
MARK = "X-Page-Cache"
NGINX_EXPIRES = "X-Accel-Expires"
STARTED = "kb.page_cache.started"
# Compressed once per page and content version, on the reader's time: brotli at quality 5
# takes ~1 ms for the HAR article and is within 10 % of quality 11, which takes ~20 ms.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/xml", "image/svg+xml")
MIN_COMPRESS_BYTES = 200  # smaller bodies do not get smaller
MEMORY_PAGES = 256  # per worker process; ~30 kB each with its compressed bodies
# Representation headers that a 304 does not repeat (RFC 9110 section 15.4.5).
BODY_HEADERS = {"content-type", "content-length", "content-encoding"}


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


def request_is_cacheable(environ):
    """Return whether a request (a WSGI environ or ``request.META``) may share pages."""
    return (
        settings.KB_PAGE_CACHE_SECONDS > 0
        and environ.get("REQUEST_METHOD") in {"GET", "HEAD"}
        and environ.get("PATH_INFO", "").startswith(CACHED_PREFIXES)
        # Any session cookie, valid or not: whoever carries one is not served shared pages.
        and settings.SESSION_COOKIE_NAME not in parse_cookie(environ.get("HTTP_COOKIE", ""))
    )


def _directives(value):
    return {part.split("=", 1)[0].strip().lower() for part in value.split(",")}


def response_is_storable(status_code, headers):
    """Return whether a response may be shown to every anonymous reader.

    ``headers`` is a case-insensitive mapping: ``HttpResponse.headers`` in the middleware,
    the final headers in the WSGI layer (where a cookie shows as Set-Cookie).
    """
    return (
        status_code == 200
        and "Set-Cookie" not in headers
        and "Content-Encoding" not in headers
        and not {"private", "no-store"} & _directives(headers.get("Cache-Control", ""))
        # The key holds the URL only: a page that depends on another request header
        # (Cookie, Accept-Language, ...) is not the same for every reader of that URL.
        and _directives(headers.get("Vary", "")) <= {"", "accept-encoding"}
    )


class PageCacheMiddleware:
    """Mark the responses that the page cache (``PageCache``, below) may store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request_is_cacheable(request.META)
            and not response.streaming
            and not response.cookies
            and response_is_storable(response.status_code, response.headers)
        ):
            response[MARK] = "miss"
        return response


class _Headers(dict):
    """Final WSGI response headers by lower-cased name; repeated ones joined by commas."""

    def __init__(self, header_list):
        super().__init__()
        for name, value in header_list:
            name = name.lower()
            self[name] = f"{self[name]}, {value}" if name in self else value

    def __contains__(self, name):
        return super().__contains__(name.lower())

    def get(self, name, default=None):
        return super().get(name.lower(), default)


@functools.lru_cache(maxsize=64)
def _coding_for(accept_encoding):
    """Return the stored body to send for an Accept-Encoding value: br, gzip or identity."""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding and quality > 0:
            accepted.add(coding)
    for coding in ("br", "gzip"):
        if coding in accepted or "*" in accepted:
            return coding
    return "identity"


def _page_key(environ):
    scheme = environ.get("wsgi.url_scheme", "")
    if settings.SECURE_PROXY_SSL_HEADER:  # the scheme Django will see (KB_HTTPS)
        scheme += "+" + environ.get(settings.SECURE_PROXY_SSL_HEADER[0], "")
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    url = f"{scheme} {host} {environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')}"
    # Hashed: any URL a reader types becomes a short key every cache backend accepts.
    return hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()


def _build_entry(status, header_list, body):
    """Return what is stored for a page: ready-made header lists and bodies per coding."""
    headers = [(n, v) for n, v in _without_mark(header_list) if n.lower() != "content-length"]
    final = _Headers(headers)
    content_type = final.get("Content-Type", "")
    bodies = {"identity": body}
    if len(body) >= MIN_COMPRESS_BYTES and content_type.startswith(COMPRESSIBLE_TYPES):
        bodies["br"] = brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
        bodies["gzip"] = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        bodies = {coding: data for coding, data in bodies.items() if len(data) < len(body)}
        bodies["identity"] = body
        vary = final.get("Vary")
        headers = [(n, v) for n, v in headers if n.lower() != "vary"]
        headers.append(("Vary", f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"))
        etag = final.get("ETag")
        if etag and not etag.startswith("W/"):
            # One validator for the three bodies: weak, as Django's GZipMiddleware makes it.
            headers = [(n, f"W/{v}" if n.lower() == "etag" else v) for n, v in headers]
    final = _Headers(headers)
    variants = {}
    for coding, data in bodies.items():
        variant = list(headers)
        if coding != "identity":
            variant.append(("Content-Encoding", coding))
        variant.append(("Content-Length", str(len(data))))
        variants[coding] = (variant, data)
    return {
        "status": status,
        "expires": time.time() + settings.KB_PAGE_CACHE_SECONDS,
        "etag": final.get("ETag"),
        "last_modified": parse_http_date_safe(final.get("Last-Modified", "")),
        "variants": variants,
        "not_modified": [(n, v) for n, v in headers if n.lower() not in BODY_HEADERS],
    }


def _not_modified(entry, environ):
    """Return whether the reader's copy is current (ConditionalGetMiddleware's rules)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        etags = parse_etags(if_none_match)
        etag = entry["etag"]
        if not etag:
            return False
        return etags == ["*"] or etag.removeprefix("W/") in {e.removeprefix("W/") for e in etags}
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since and entry["last_modified"] is not None:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and entry["last_modified"] <= since
    return False


class PageCache:
    """WSGI layer that answers anonymous readers from the page cache before Django runs."""

    def __init__(self, application):
        self.application = application
        self.memory = OrderedDict()  # (version, key) -> entry, most recently used last
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not request_is_cacheable(environ):
            return self.application(environ, start_response)
        # Preconditions that could answer 412 are rare; Django evaluates those itself.
        conditional_writes = "HTTP_IF_MATCH" in environ or "HTTP_IF_UNMODIFIED_SINCE" in environ
        key = _page_key(environ)
        # Taken before the version: whatever this answer holds was current at this second.
        environ[STARTED] = int(time.time())
        # Read before rendering: an edit that commits while this page renders replaces the
        # token, so a page stored under this one can never be served after the edit.
        version = content_version()
        entry = None if conditional_writes else self._lookup(version, key)
        if entry is not None:
            return self._answer(entry, environ, start_response)
        return self._render(environ, start_response, version, key)

    def _lookup(self, version, key):
        memory_key = (version, key)
        with self.lock:
            entry = self.memory.get(memory_key)
            if entry is not None:
                self.memory.move_to_end(memory_key)
        if entry is None:
            entry = _cache().get(f"kb:page:{version}:{key}")
            if entry is None:
                return None
            self._remember(memory_key, entry)
        # Pages still expire (KB_PAGE_CACHE_SECONDS): what changes without a content save,
        # such as the most helpful articles suggested by search, is never older than that.
        return entry if entry["expires"] > time.time() else None

    def _remember(self, memory_key, entry):
        with self.lock:  # gthread workers serve requests from several threads
            self.memory[memory_key] = entry
            if len(self.memory) > MEMORY_PAGES:
                self.memory.popitem(last=False)

    def _answer(self, entry, environ, start_response, mark="hit"):
        extra = [(MARK, mark)]
        if settings.KB_NGINX_CACHE:
            # Absolute, in whole seconds: nginx keeps the page while its clock reads the
            # second this request came in (before the content version was read), so what it
            # serves is never more than a second older than a save.
            extra.append((NGINX_EXPIRES, f"@{environ[STARTED]}"))
        if _not_modified(entry, environ):
            start_response("304 Not Modified", [*entry["not_modified"], *extra])
            return []
        variants = entry["variants"]
        coding = _coding_for(environ.get("HTTP_ACCEPT_ENCODING", ""))
        headers, body = variants.get(coding) or variants["identity"]
        start_response(entry["status"], [*headers, *extra])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _render(self, environ, start_response, version, key):
        """Let Django answer; store its response if it may be shared."""
        captured = []

        def capture(status, header_list, exc_info=None):
            captured[:] = [status, header_list, exc_info]
            return _write_unsupported

        body = self.application(environ, capture)
        status, header_list, exc_info = captured
        headers = _Headers(header_list)
        if not (
            # HEAD: Django drops the body of a HEAD response in some code paths; never store.
            environ["REQUEST_METHOD"] == "GET"
            and headers.get(MARK) == "miss"
            and response_is_storable(int(status.split(" ", 1)[0]), headers)
        ):
            start_response(status, _without_mark(header_list), exc_info)
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()  # Django's request_finished: database connections, etc.
        entry = _build_entry(status, header_list, content)
        _cache().set(f"kb:page:{version}:{key}", entry, settings.KB_PAGE_CACHE_SECONDS)
        self._remember((version, key), entry)
        return self._answer(entry, environ, start_response, mark="miss")


def _write_unsupported(data):
    # Django answers through the returned iterable only, never through write().
    raise NotImplementedError("PageCache wraps applications that do not call write()")


def _without_mark(header_list):
    return [(n, v) for n, v in header_list if n.lower() != "x-page-cache"]
