"""deploy/: the nginx site is valid, serves the site through two app servers (issue 7), and
answers anonymous reader pages itself, at close to its static-file speed (issue 18).

nginx runs the real deploy/nginx-kb.conf, with only addresses and paths swapped for
loopback ports and temporary folders, and a throwaway self-signed certificate
(bench/nginx_site.py, shared with `make bench`).
"""

import contextlib
import http.client
import re
import subprocess
import time
import urllib.parse
import urllib.request

import brotli
import pytest

from bench.nginx_site import NGINX, WRK, compare, nginx_prefix, running, site_config
from tests.formfields import FormFields
from tests.servers import (
    app_servers,
    browser_session,
    collect_static,
    create_editor,
    fetch,
    free_port,
    log_in,
    needs_shared_services,
)

needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="needs Debian's nginx (make test-postgres installs it)"
)
needs_wrk = pytest.mark.skipif(WRK is None, reason="needs Debian's wrk (make servers installs it)")
HAR_TITLE = "Generating a HAR file for our support team"
# What nginx and gunicorn each add about the connection; everything else is the app's.
CONNECTION_HEADERS = {"date", "server", "connection", "keep-alive", "transfer-encoding"}
# Diagnostics: nginx's (HIT/MISS/...) and the app's page cache's, stored with the page.
CACHE_HEADERS = {"x-proxy-cache", "x-page-cache"}
# Answered from nginx's copy: as it is, or once a second has ended, after the app said 304.
NGINX_COPY = {"HIT", "REVALIDATED"}


@needs_nginx
def test_nginx_accepts_the_deploy_site_config(tmp_path):
    site = site_config(
        tmp_path, ["127.0.0.1:9", "127.0.0.1:10"], free_port(), free_port(), tmp_path, tmp_path
    )
    conf = nginx_prefix(tmp_path, site)
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@contextlib.contextmanager
def site_behind_nginx(tmp_path, **extra_env):
    """Two app servers (production settings, KB_HTTPS=1) and nginx in front of both; yield
    ``(app server URLs, nginx's https base, its http base, TLS context)``."""
    static_root, media_root = tmp_path / "static", tmp_path / "media"
    media_root.mkdir(exist_ok=True)
    collect_static(static_root, tmp_path / "collect")
    with app_servers(
        2, static_root, tmp_path, KB_HTTPS="1", KB_SERVE_MEDIA="0", **extra_env
    ) as urls:
        upstreams = [url.removeprefix("http://") for url in urls]
        with running(tmp_path, upstreams, static_root, media_root) as (base, http_base, tls):
            yield urls, base, http_base, tls


@needs_nginx
@needs_shared_services
@pytest.mark.django_db(transaction=True)
def test_nginx_serves_site_static_files_and_admin_through_two_app_servers(
    demo, tmp_path, django_user_model
):
    with site_behind_nginx(tmp_path) as (_urls, base, http_base, tls):
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls))
        status, _headers, home = fetch(base + "/en/", opener)
        assert status == 200
        assert HAR_TITLE in home
        # The app saw HTTPS through X-Forwarded-Proto: no redirect loop, HSTS sent.

        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home).group(1)
        status, headers, _css = fetch(base + stylesheet, opener)
        assert status == 200
        assert "max-age=31536000" in headers["Cache-Control"]
        assert "immutable" in headers["Cache-Control"]
        assert headers["Content-Type"].startswith("text/css")

        status, headers, login = fetch(base + "/admin/login/", opener)
        assert status == 200
        assert 'name="csrfmiddlewaretoken"' in login
        assert "max-age=31536000" in headers["Strict-Transport-Security"]

        # Login throttling counts the reader's address, not nginx's: six failures from
        # one client lock it out, though each claimed another address in its own
        # X-Forwarded-For (nginx appends the real one, the app trusts only that)...
        create_editor(django_user_model, "the-right-password")
        statuses = [
            log_in(
                base,
                "editor",
                f"wrong-{n}",
                browser_session(tls),
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )[0]
            for n in range(6)
        ]
        assert statuses == [200] * 5 + [429]
        # ...while another reader behind the same nginx still logs in.
        other_client = browser_session(tls, address="127.0.0.2")
        assert log_in(base, "editor", "the-right-password", other_client)[0] == 302

        # Plain HTTP is sent to HTTPS by nginx itself.
        status, headers, _body = fetch(f"{http_base}/en/")
        assert status == 301
        assert headers["Location"].startswith("https://")


def request(base, path, tls=None, headers=None, method="GET", data=None):
    """Return ``(status, headers, body bytes)`` of one request (no decoding, no redirects)."""
    scheme, _, address = base.partition("://")
    host, port = address.split(":")
    if scheme == "https":
        connection = http.client.HTTPSConnection(host, int(port), context=tls, timeout=30)
    else:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def app_headers(headers):
    return {
        name.lower(): value
        for name, value in headers.items()
        if name.lower() not in CONNECTION_HEADERS | CACHE_HEADERS
    }


def cookies_of(opener):
    """Return the Cookie header a browser session (``browser_session``) would send."""
    jar = next(h.cookiejar for h in opener.handlers if hasattr(h, "cookiejar"))
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


@needs_nginx
@needs_shared_services
@pytest.mark.django_db(transaction=True)
def test_nginx_answers_anonymous_pages_itself_and_never_what_is_not_theirs(
    demo, tmp_path, django_user_model
):
    from articles.models import Article

    Article.objects.filter(number=1006).update(status=Article.Status.DRAFT)
    draft_url = demo[1006].get_absolute_url()
    page = demo[1008].get_absolute_url()
    reader = {"Accept-Encoding": "br, gzip"}
    with site_behind_nginx(tmp_path, KB_NGINX_CACHE="1") as (urls, base, _http, tls):
        server_a = urls[0]
        host = base.removeprefix("https://")
        as_from_nginx = {**reader, "Host": host, "X-Forwarded-Proto": "https"}

        # Filled once, then nginx answers itself, with the app's headers byte for byte.
        statuses = [request(base, page, tls, reader) for _ in range(3)]
        assert [s for s, _h, _b in statuses] == [200, 200, 200]
        assert statuses[0][1]["X-Proxy-Cache"] in {"MISS", "EXPIRED", "REVALIDATED"}
        _status, from_nginx, body = request(base, page, tls, reader)
        assert from_nginx["X-Proxy-Cache"] in NGINX_COPY
        _status, from_app, app_body = request(server_a, page, headers=as_from_nginx)
        assert app_headers(from_nginx) == {
            name: value
            for name, value in app_headers(from_app).items()
            if name != "x-accel-expires"
        }
        for name in ("Content-Security-Policy", "Strict-Transport-Security",
                     "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
                     "Permissions-Policy", "Cross-Origin-Opener-Policy"):  # fmt: skip
            assert from_nginx[name], name
        assert from_nginx["Vary"] == "Accept-Encoding"
        assert from_nginx["Content-Encoding"] == "br"
        assert body == app_body
        # The app's instruction to nginx stays between them.
        assert "X-Accel-Expires" not in from_nginx
        # A reader's copy is revalidated by nginx itself: 304.
        status, headers, _body = request(
            base, page, tls, {**reader, "If-None-Match": from_nginx["ETag"]}
        )
        assert status == 304 and headers["X-Proxy-Cache"] in NGINX_COPY

        # An editor saves through app server A; anonymous readers through nginx see the
        # change within a second (nginx keeps a page only until the end of the second).
        create_editor(django_user_model, "pw-for-tests-only")
        status, editor = log_in(base, "editor", "pw-for-tests-only", browser_session(tls))
        assert status == 302
        staff = {"Cookie": cookies_of(editor)}
        change = f"/admin/articles/article/{demo[1008].pk}/change/"
        parser = FormFields()
        parser.feed(request(server_a, change, headers={**as_from_nginx, **staff})[2].decode())
        form = {k: v for k, v in parser.data.items() if "__prefix__" not in k}
        form["title_en"] = ["Record a HAR file (saved on server A)"]
        form["title_ja"] = ["HAR ファイルを記録する（サーバー A で保存）"]
        assert request(base, page, tls, reader)[1]["X-Proxy-Cache"] in NGINX_COPY
        status, headers, _body = request(
            server_a,
            change,
            headers={
                **as_from_nginx,
                **staff,
                "Referer": base + change,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
            data=urllib.parse.urlencode(form, doseq=True).encode(),
        )
        assert status == 302 and "/change/" not in headers["Location"]
        saved = time.monotonic()
        seen = []
        while time.monotonic() - saved < 3:
            # As the reader whose copy nginx holds (brotli).
            _status, headers, html = request(base, page, tls, reader)
            html = brotli.decompress(html)
            seen.append(headers["X-Proxy-Cache"])
            if b"saved on server A" in html:
                break
            time.sleep(0.02)
        waited = time.monotonic() - saved
        assert b"saved on server A" in html, seen
        assert HAR_TITLE.encode() not in html
        print(f"\nedit visible through nginx after {waited:.2f} s ({', '.join(seen)})")
        assert waited < 1.0, (waited, seen)

        # Staff (the session cookie) bypass nginx's copy and never fill it: a draft they
        # preview is never shown to the next anonymous reader.
        status, headers, html = request(base, draft_url, tls, {**reader, **staff})
        assert status == 200 and headers["X-Proxy-Cache"] == "BYPASS"
        assert headers["Cache-Control"] == "private, no-store"
        for _ in range(2):
            status, headers, _html = request(base, draft_url, tls, reader)
            assert status == 404
        # A staff request for a public page is not answered from nginx's copy either.
        assert request(base, page, tls, staff)[1]["X-Proxy-Cache"] == "BYPASS"

        # A response that sets a cookie is never handed to another client: each reader of
        # the login page gets a CSRF cookie of their own.
        tokens = set()
        for _ in range(3):
            status, headers, _html = request(base, "/admin/login/", tls, reader)
            assert status == 200 and headers["X-Proxy-Cache"] == "MISS"
            tokens.add(re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1))
        assert len(tokens) == 3


@needs_nginx
@needs_wrk
@needs_shared_services
@pytest.mark.django_db(transaction=True)
def test_a_cached_article_through_nginx_at_half_nginx_static_file_speed_or_better(demo, tmp_path):
    page = demo[1008].get_absolute_url()
    reader = ("Accept-Encoding: br, gzip",)
    with site_behind_nginx(tmp_path, KB_NGINX_CACHE="1") as (_urls, base, _http, tls):
        request(base, page, tls, {"Accept-Encoding": "br, gzip"})
        status, headers, body = request(base, page, tls, {"Accept-Encoding": "br, gzip"})
        assert status == 200 and headers["X-Proxy-Cache"] in NGINX_COPY
        # The very bytes readers get (brotli), as a file nginx serves from /static/.
        same_bytes = tmp_path / "static" / "same-bytes" / "har-article.html"
        same_bytes.parent.mkdir()
        same_bytes.write_bytes(body)
        static_path = "/static/same-bytes/har-article.html"
        status, _headers, static_body = request(
            base, static_path, tls, {"Accept-Encoding": "br, gzip"}
        )
        assert status == 200 and static_body == body
        page_rps, static_rps = compare(base + page, base + static_path, headers=reader)
    ratio = page_rps / static_rps
    print(
        f"\nnginx, HAR article ({len(body):,} B brotli): cached page {page_rps:,.0f} req/s, "
        f"same bytes as a static file {static_rps:,.0f} req/s, ratio {ratio:.2f}"
    )
    assert ratio >= 0.5
