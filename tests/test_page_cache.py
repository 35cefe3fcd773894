"""Anonymous pages are cached whole, yet an editor's change shows at once.

The page cache answers in front of Django (kb/wsgi.py), so these tests call the WSGI
application gunicorn serves, as a reader's browser reaches it, rather than Django's test
client (which calls Django's handler directly and never sees the cache).
"""

import gzip
import io
import itertools
import time
import wsgiref.util
from dataclasses import dataclass
from wsgiref.headers import Headers

import brotli
import pytest
from django.conf import settings as django_settings
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

from articles.models import Article, Step
from kb.wsgi import application, django_application
from serving import page_cache

# Real commits: pages are invalidated when an edit commits, as behind the admin.
pytestmark = pytest.mark.django_db(transaction=True)

HAR = "/articles/1008/generate-a-har-file/"
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "Cross-Origin-Resource-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
)


@dataclass
class Response:
    status_code: int
    headers: Headers
    content: bytes

    def __getitem__(self, name):
        return self.headers[name]

    def __contains__(self, name):
        return name in self.headers

    @property
    def text(self):
        """The body as the browser shows it, whatever the content coding."""
        decode = {"br": brotli.decompress, "gzip": gzip.decompress}
        raw = decode.get(self.headers.get("Content-Encoding"), bytes)(self.content)
        return raw.decode()


def get(url, method="GET", app=application, **headers):
    """Send ``url`` through ``app`` as gunicorn would; ``headers``: HTTP_* environ keys."""
    path_info, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path_info.encode().decode("latin-1"),
        "QUERY_STRING": query,
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd",  # what Chromium sends
        "wsgi.input": io.BytesIO(),
        **headers,
    }
    wsgiref.util.setup_testing_defaults(environ)
    started = []
    body = app(environ, lambda status, header_list, exc_info=None: started.append(
        (status, header_list)
    ))  # fmt: skip
    try:
        content = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    ((status, header_list),) = started
    return Response(int(status.split()[0]), Headers(header_list), content)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_second_anonymous_request_is_served_from_cache(demo, language):
    first = get(f"/{language}{HAR}")
    second = get(f"/{language}{HAR}")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.text == first.text
    assert f'lang="{language}"' in second.text


@pytest.mark.parametrize(
    "url", ["/en/", f"/ja{HAR}", f"/en{HAR}?platform=safari", "/ja/categories/technical-support/"]
)
def test_cached_page_has_the_headers_of_a_freshly_rendered_one(client, demo, url):
    rendered = client.get(url)  # Django alone, no page cache
    miss, hit = get(url), get(url)
    assert hit["X-Page-Cache"] == "hit"
    for name in (*SECURITY_HEADERS, "Content-Type", "Content-Language", "Last-Modified"):
        assert hit.headers.get(name) == miss.headers.get(name) == rendered.get(name), name
    # Same page, same validator (weak: one for the br, gzip and plain bodies).
    assert hit["ETag"] == miss["ETag"] == f"W/{rendered['ETag']}"
    assert hit.text == rendered.content.decode()


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("*", "br"),
        ("", None),
        ("identity", None),
    ],
)
def test_cached_page_is_sent_compressed_as_the_reader_accepts(demo, accept_encoding, coding):
    get(f"/en{HAR}")
    hit = get(f"/en{HAR}", HTTP_ACCEPT_ENCODING=accept_encoding)
    assert hit["X-Page-Cache"] == "hit"
    assert hit.headers.get("Content-Encoding") == coding
    assert hit["Vary"] == "Accept-Encoding"
    assert int(hit["Content-Length"]) == len(hit.content)
    assert "Generating a HAR file" in hit.text


def test_head_answers_headers_only(demo):
    full = get(f"/en{HAR}")
    head = get(f"/en{HAR}", method="HEAD")
    assert head.status_code == 200 and head["X-Page-Cache"] == "hit"
    assert head.content == b""
    assert head["Content-Length"] == full["Content-Length"]
    assert head["Content-Security-Policy"] == full["Content-Security-Policy"]


def test_head_alone_never_stores_an_empty_page(demo):
    assert get(f"/en{HAR}", method="HEAD").status_code == 200
    page = get(f"/en{HAR}")
    assert page["X-Page-Cache"] == "miss"
    assert "Generating a HAR file" in page.text


@pytest.mark.parametrize("language", ["en", "ja"])
def test_saved_edit_is_visible_to_the_next_anonymous_request(demo, language):
    get(f"/{language}{HAR}?platform=safari")
    assert get(f"/{language}{HAR}?platform=safari")["X-Page-Cache"] == "hit"
    step = Step.objects.filter(
        variant__article__number=1008, variant__platform__slug="safari"
    ).first()
    setattr(step, f"body_{language}", "Freshly edited step text")
    step.save()
    assert "Freshly edited step text" in get(f"/{language}{HAR}?platform=safari").text


def test_unpublishing_removes_the_page_at_once(demo):
    assert get(f"/en{HAR}").status_code == 200
    Article.objects.filter(number=1008).update(status="draft")  # no signal: queryset update
    assert get(f"/en{HAR}")["X-Page-Cache"] == "hit"
    article = Article.objects.get(number=1008)
    article.save()  # an editor's save in the admin sends the signal
    assert get(f"/en{HAR}").status_code == 404


@pytest.fixture
def second_worker():
    """Another gunicorn worker: a PageCache of its own in front of the same shared store."""
    return page_cache.PageCache(django_application)


def test_another_worker_serves_the_stored_page_and_sees_the_edit(demo, second_worker):
    get(f"/en{HAR}")
    assert get(f"/en{HAR}", app=second_worker)["X-Page-Cache"] == "hit"
    Article.objects.get(number=1008).save()  # commits: invalidates for every worker
    after_edit = get(f"/en{HAR}", app=second_worker)
    assert after_edit["X-Page-Cache"] == "miss"
    assert get(f"/en{HAR}")["X-Page-Cache"] == "hit"  # the first worker finds the new copy


@pytest.mark.parametrize(
    "url", ["/en/", "/ja/", f"/ja{HAR}", "/en/search/?q=har", "/en/categories/technical-support/"]
)
def test_anonymous_pages_set_no_cookie_and_do_not_vary_on_cookie(demo, url):
    for expected in ("miss", "hit"):
        response = get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == expected
        assert "Set-Cookie" not in response
        assert "cookie" not in response.headers.get("Vary", "").lower()


def test_revalidation_answers_304_with_the_security_headers(demo):
    first = get(f"/en{HAR}")
    assert first["ETag"] and first["Last-Modified"]
    for condition in (
        {"HTTP_IF_NONE_MATCH": first["ETag"]},
        {"HTTP_IF_NONE_MATCH": first["ETag"].removeprefix("W/")},
        {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
    ):
        again = get(f"/en{HAR}", **condition)
        assert again.status_code == 304, condition
        assert again.content == b""
        assert again["ETag"] == first["ETag"]
        assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    stale = get(f"/en{HAR}", HTTP_IF_NONE_MATCH='W/"an-older-version"')
    assert stale.status_code == 200 and "Generating a HAR file" in stale.text


def test_revalidation_after_an_edit_gets_the_new_page(demo):
    first = get(f"/en{HAR}")
    article = Article.objects.get(number=1008)
    article.title_en = "Record a HAR file"
    article.save()
    again = get(f"/en{HAR}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Record a HAR file" in again.text


def test_a_session_cookie_never_gets_a_cached_page(demo, settings):
    get(f"/en{HAR}")
    for value in ("not-a-real-session", ""):
        response = get(
            f"/en{HAR}", HTTP_COOKIE=f"theme=dark; {settings.SESSION_COOKIE_NAME}={value}"
        )
        assert "X-Page-Cache" not in response
        assert response.status_code == 200
    # Other cookies (the vote cookie, say) do not make a reader staff.
    assert get(f"/en{HAR}", HTTP_COOKIE="theme=dark")["X-Page-Cache"] == "hit"


def test_staff_pages_are_never_stored_or_served_from_cache(staff_client, demo, settings):
    session = (
        f"{settings.SESSION_COOKIE_NAME}={staff_client.cookies[settings.SESSION_COOKIE_NAME].value}"
    )
    get(f"/en{HAR}")  # an anonymous copy exists
    staff = get(f"/en{HAR}", HTTP_COOKIE=session)
    assert staff.status_code == 200 and "X-Page-Cache" not in staff
    page_cache.invalidate()
    get(f"/en{HAR}", HTTP_COOKIE=session)
    assert get(f"/en{HAR}")["X-Page-Cache"] == "miss"  # staff's visit stored nothing


def test_a_staff_preview_of_a_draft_never_reaches_a_reader(staff_client, make_article, settings):
    draft = make_article(status=Article.Status.DRAFT, slug="coming-soon", title=("Soon", "近日"))
    url = f"/en/articles/{draft.number}/coming-soon/"
    name = settings.SESSION_COOKIE_NAME
    session = f"{name}={staff_client.cookies[name].value}"
    for _ in range(2):
        preview = get(url, HTTP_COOKIE=session)
        assert preview.status_code == 200 and "Soon" in preview.text
        assert "X-Page-Cache" not in preview
    reader = get(url)
    assert reader.status_code == 404
    assert "Soon" not in reader.text


def test_language_redirect_from_root_follows_accept_language(demo):
    for accept_language, target in (("ja,en;q=0.5", "/ja/"), ("en-US,en", "/en/")):
        response = get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
        assert response.status_code == 302
        assert response["Location"] == target
        assert "X-Page-Cache" not in response


def test_each_host_gets_its_own_absolute_links(demo):
    get(f"/en{HAR}", HTTP_HOST="localhost")
    other = get(f"/en{HAR}", HTTP_HOST="127.0.0.1")
    assert "http://127.0.0.1/en/articles/1008/" in other.text
    assert "http://localhost/" not in other.text


def test_pages_expire_after_the_configured_time(demo, monkeypatch, settings):
    settings.KB_PAGE_CACHE_SECONDS = 600
    get(f"/en{HAR}")
    assert get(f"/en{HAR}")["X-Page-Cache"] == "hit"
    later = time.time() + 601
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    assert get(f"/en{HAR}")["X-Page-Cache"] == "miss"


def test_zero_seconds_turns_the_cache_off(demo, settings):
    settings.KB_PAGE_CACHE_SECONDS = 0
    get(f"/en{HAR}")
    assert "X-Page-Cache" not in get(f"/en{HAR}")


# A page whose response headers a test chooses, as a staff preview or a view setting a
# cookie would send them; each render says how many renders there have been.
_renders = itertools.count(1)


def _page_with_headers(request):
    response = HttpResponse(f"<!doctype html><title>Page</title><p>render {next(_renders)}</p>")
    for name in ("Cache-Control", "Vary"):
        if name in request.GET:
            response[name] = request.GET[name]
    if "cookie" in request.GET:
        response.set_cookie("seen", "1")
    return response


urlpatterns = i18n_patterns(path("page/", _page_with_headers))


@pytest.mark.parametrize(
    "query",
    [
        "Cache-Control=private",
        "Cache-Control=no-store",
        "Cache-Control=private,%20no-store",
        "Cache-Control=max-age=0,%20no-cache,%20no-store,%20must-revalidate",
        "Vary=Cookie",
        "cookie=1",
    ],
)
def test_private_responses_are_never_stored(settings, query):
    settings.ROOT_URLCONF = __name__
    first = get(f"/en/page/?{query}")
    second = get(f"/en/page/?{query}")
    assert first.status_code == second.status_code == 200
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert first.text != second.text  # rendered anew each time


def test_a_public_response_of_the_same_view_is_stored(settings):
    settings.ROOT_URLCONF = __name__
    first = get("/en/page/?Cache-Control=public,%20max-age=60")
    second = get("/en/page/?Cache-Control=public,%20max-age=60")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.text == first.text


@pytest.mark.parametrize("language", ["en", "ja"])
def test_article_page_weighs_under_30_kb_compressed(client, demo, language):
    import re
    from pathlib import Path

    from django.conf import settings

    html = client.get(f"/{language}{HAR}").content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert {Path(a.decode()).suffix for a in assets} == {".css", ".js"}
    total = len(brotli.compress(html))
    for asset in assets:
        total += len(
            brotli.compress((Path(settings.BASE_DIR) / "static" / asset.decode()).read_bytes())
        )
    assert total < 30 * 1024, f"{total} bytes"
    # Absolute URLs (canonical, hreflang) all point to this site: nothing from another host.
    hosts = set(re.findall(rb'(?:src|href)="(?:https?:)?//([^/"]+)', html))
    assert hosts == {b"testserver"}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_behind_nginx_only_stored_pages_tell_nginx_to_keep_them_until_the_second_ends(
    demo, settings, language
):
    settings.KB_NGINX_CACHE = True
    before = int(time.time())
    miss, hit = get(f"/{language}{HAR}"), get(f"/{language}{HAR}")
    not_modified = get(f"/{language}{HAR}", HTTP_IF_NONE_MATCH=hit["ETag"])
    after = int(time.time())
    for response in (miss, hit, not_modified):
        assert response["X-Accel-Expires"].startswith("@")
        assert before <= int(response["X-Accel-Expires"][1:]) <= after
    assert not_modified.status_code == 304
    # Never for what the page cache does not store: staff, or a page that sets a cookie.
    staff = get(f"/{language}{HAR}", HTTP_COOKIE=f"{django_settings.SESSION_COOKIE_NAME}=x")
    assert staff.status_code == 200 and "X-Accel-Expires" not in staff
    assert "X-Accel-Expires" not in get("/admin/login/")
    settings.KB_NGINX_CACHE = False
    assert "X-Accel-Expires" not in get(f"/{language}{HAR}")
