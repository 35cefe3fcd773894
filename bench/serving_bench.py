"""Serving benchmark: render times, cached page vs static file throughput, queries per page.

Run with `make bench`. Uses a throwaway data folder (bench/server.py) and one gunicorn
process (one sync worker) on loopback, with kb.wsgi and the full middleware stack, as
`make run` configures it, access log included.

The comparison is meant to be fair: the same server process and client, a static file of
about the page's size, both asked for with `Accept-Encoding: br, gzip` (whitenoise sends
its precompressed .br file; the page cache its stored brotli body), measured in
alternating rounds so that other load on the machine hits both alike. Then the same page
behind nginx (deploy/nginx-kb.conf) from nginx's own copy, against nginx serving the same
bytes as a static file, with wrk (bench/nginx_site.py).
"""

import functools
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nginx_site  # noqa: E402  (bench/nginx_site.py)
import server  # noqa: E402  (bench/server.py)

HAR = "/ja/articles/1008/generate-a-har-file/"
SECONDS = float(os.environ.get("BENCH_RPS_SECONDS", "9"))
ROUNDS = 3
CLIENT_THREADS = 4
QUERY_PAGES = ["/en/", "/en/categories/technical-support/", HAR, "/ja/search/?q=認証"]


def fetch(port, path, encoding="br, gzip"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": encoding})
    response = connection.getresponse()
    return response, response.read()


def requests_per_second(port, path, seconds, expect_hit=False):
    """GET ``path`` from a few client threads for ``seconds``; return (requests, seconds)."""
    count = [0]
    errors = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        # gunicorn's sync worker closes every connection; http.client reconnects.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        done = 0
        while time.monotonic() < deadline:
            connection.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
            response = connection.getresponse()
            response.read()
            if response.status != 200 or (
                expect_hit and response.getheader("X-Page-Cache") != "hit"
            ):
                errors.append(f"{path}: {response.status} {response.getheader('X-Page-Cache')}")
                break
            done += 1
        with lock:
            count[0] += done

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return count[0], time.monotonic() - started


def wsgi_environ(path, accept_encoding="br, gzip"):
    """Return the WSGI environ gunicorn would pass for an anonymous GET of ``path``."""
    import io
    import wsgiref.util

    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.encode().decode("latin-1"),
        "QUERY_STRING": query,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_ENCODING": accept_encoding,
        "wsgi.input": io.BytesIO(),
    }
    wsgiref.util.setup_testing_defaults(environ)
    return environ


def in_process():
    """Render times and query counts, measured in this process (run in the bench's env)."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles import markdown
    from kb.wsgi import application, django_application
    from serving import page_cache

    cold_markdown = markdown._render_cached.cache_clear
    new_token = page_cache.invalidate
    client = Client()

    def request(app):
        statuses = []
        body = app(wsgi_environ(HAR), lambda status, headers, *_: statuses.append(status))
        b"".join(body)
        if hasattr(body, "close"):
            body.close()  # request_finished, as gunicorn calls it
        assert statuses == ["200 OK"], statuses

    def timed(n, action, before=lambda: None):
        times = []
        for _ in range(n):
            before()
            started = time.perf_counter()
            action()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), sorted(times)[int(0.95 * (n - 1))]

    # Uncached: Django's WSGI handler as gunicorn calls it, without the page cache layer.
    render = functools.partial(request, django_application)
    through_cache = functools.partial(request, application)

    def report(label, p50, p95):
        print(f"  {label:<43} p50 {p50:7.3f} ms   p95 {p95:7.3f} ms")

    caches["default"].clear()
    print(f"HAR article {HAR}, in this process:")
    report("uncached, cold Markdown cache", *timed(50, render, cold_markdown))
    report("uncached (as gunicorn calls Django)", *timed(100, render))
    # Both keep their database connection (CONN_MAX_AGE 60, as `make run` serves): the
    # test client adds only its own request and response handling.
    report("uncached (Django's test client)", *timed(100, lambda: client.get(HAR)))
    # A new content token before each: the request renders, compresses and stores.
    report("page cache miss: render, compress, store", *timed(100, through_cache, new_token))
    report("page cache hit (WSGI layer, before Django)", *timed(2000, through_cache))
    print("queries per page (uncached):")
    for url in QUERY_PAGES:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        print(f"  {len(captured.captured_queries):3d}  {url}")
    admin_save()
    write_lock_at_the_limits()


class _LockHolds:
    """Collect the lock hold times the write path logs (``kb.writes``, milliseconds)."""

    def __enter__(self):
        import logging

        self.held = []
        self.logger = logging.getLogger("kb.writes")
        self.handler = logging.Handler()
        self.handler.emit = lambda record: self.held.append(record.args[1])
        self.level = self.logger.level
        self.logger.setLevel(logging.DEBUG)
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)


def write_lock_at_the_limits(saves=5):
    """Time the write lock for an article at every bound at once: 30 variants of 12
    steps (390 rows, the most is 400), 250,000 characters in each language, every text
    changed by each save. The lock is what a reader's vote waits for (target < 250 ms)."""
    from articles import writes
    from articles.models import Category, Platform
    from articles.writes import graph

    for n in range(30 - Platform.objects.count()):
        Platform.objects.create(
            slug=f"bench-{n}", family="app", name_en=f"App {n}", name_ja=f"アプリ{n}", order=99
        )
    platforms = list(Platform.objects.values_list("pk", flat=True)[:30])
    # The texts of 390 rows (and the title) fill a language's 250,000 characters.
    filler = "press the button " * ((writes.MAX_TEXT_PER_LANGUAGE - 1_000) // 390 // 17)

    def change(article_id, mark):
        stored = graph.stored(article_id) if article_id else None
        variants = sorted(stored.variants.values(), key=lambda v: v["order"]) if stored else []
        steps = (
            sorted(stored.steps.values(), key=lambda s: (s["variant_id"], s["order"]))
            if stored
            else []
        )
        values = {"title_en": f"At the limits {mark}", "title_ja": f"上限の記事 {mark}"}
        if stored is None:
            values.update(
                number=9990, slug="at-the-limits", category_id=Category.objects.first().pk
            )
        result = writes.ArticleChange(article_id=article_id, values=values)
        for index, platform in enumerate(platforms):
            pk = variants[index]["id"] if variants else None
            text = f"{mark} {index} {filler}"
            result.rows.append(
                writes.RowChange(
                    "variant",
                    pk,
                    ref=None if pk else writes.NewRow(index),
                    values={
                        "platform_id": platform,
                        "order": index,
                        "intro_en": text,
                        "intro_ja": text,
                    },
                )
            )
            for position in range(12):
                step_pk = steps[index * 12 + position]["id"] if steps else None
                result.rows.append(
                    writes.RowChange(
                        "step",
                        step_pk,
                        parent=pk or writes.NewRow(index),
                        values={"order": position, "body_en": text, "body_ja": text},
                    )
                )
        return result

    with _LockHolds() as holds:
        article = writes.save_article(None, change(None, "first")).article
        started = time.perf_counter()
        for index in range(saves):
            writes.save_article(None, change(article.pk, f"save {index}"))
        whole = (time.perf_counter() - started) * 1000 / saves
    changed = holds.held[1:]
    print("write lock, an article at every bound (390 rows, 250,000 characters a language):")
    print(
        f"  created {holds.held[0]:6.1f} ms; every text changed, {saves} saves: p50 "
        f"{statistics.median(changed):6.1f} ms, longest {max(changed):6.1f} ms "
        f"(the whole save {whole:.0f} ms; target: the lock < 250 ms)"
    )


def admin_save(saves=20):
    """Time an editor's save of KB 1008 (30 steps) through the admin: the write path, the
    revision and the after-commit work (translation state, search index, page cache)."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article
    from tests.formfields import admin_form  # reads the form as a browser submits it

    editor = Client()
    editor.force_login(User.objects.create_superuser("bench-editor", "", "bench-only"))
    url = f"/admin/articles/article/{Article.objects.get(number=1008).pk}/change/"
    times, queries, held = [], [], []
    for index in range(saves):
        data = admin_form(editor, url)
        data["variants-0-steps-1-body_en"] = [f"{data['variants-0-steps-1-body_en'][0]} {index}"]
        with CaptureQueriesContext(connection) as captured, _LockHolds() as holds:
            started = time.perf_counter()
            response = editor.post(url, data)
            times.append((time.perf_counter() - started) * 1000)
        held.extend(holds.held)
        assert response.status_code == 302, response.status_code
        queries.append(len(captured.captured_queries))
    print(f"admin save of KB 1008 (one step changed, {saves} saves):")
    print(
        f"  p50 {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms   "
        f"queries {min(queries)}–{max(queries)} (tests/test_write_path.py pins the first save)"
    )
    print(f"  write lock held: p50 {statistics.median(held):5.1f} ms   max {max(held):5.1f} ms")


def pick_static_file(static_root, size):
    """Return the collected .js/.css file with a .br twin closest to ``size`` bytes."""
    candidates = [
        path for path in static_root.rglob("*")
        if path.suffix in {".js", ".css"} and path.with_name(path.name + ".br").exists()
    ]  # fmt: skip
    return min(candidates, key=lambda p: abs(p.stat().st_size - size))


def over_http(env):
    access_log = Path(tempfile.mkdtemp(prefix="kb-bench-log-")) / "access.log"
    with server.gunicorn(env, workers=1, access_log=access_log) as base:
        port = urlsplit(base).port
        html = fetch(port, HAR, encoding="identity")[1]
        page, page_body = fetch(port, HAR)
        static_root = Path(env["KB_DATA_DIR"]) / "static"
        static_file = pick_static_file(static_root, len(html))
        static_path = "/static/" + static_file.relative_to(static_root).as_posix()
        static, static_body = fetch(port, static_path)
        warm_up = requests_per_second(port, HAR, 1, expect_hit=True)[0]
        warm_up += requests_per_second(port, static_path, 1)[0]
        totals = {HAR: [0, 0.0], static_path: [0, 0.0]}
        for _ in range(ROUNDS):
            for path in (HAR, static_path):
                done, seconds = requests_per_second(
                    port, path, SECONDS / ROUNDS, expect_hit=path == HAR
                )
                totals[path][0] += done
                totals[path][1] += seconds
    time.sleep(0.2)  # the worker's last log lines
    logged = len(access_log.read_text().splitlines())
    # 4: /healthz when the server came up, the page twice and the static file once.
    requested = 4 + warm_up + sum(done for done, _seconds in totals.values())
    page_rps = totals[HAR][0] / totals[HAR][1]
    static_rps = totals[static_path][0] / totals[static_path][1]

    def size(response, body):
        return f"{len(body):,} B {response.getheader('Content-Encoding') or 'identity'}"

    print(
        f"over HTTP: one gunicorn worker, {CLIENT_THREADS} client threads, "
        f"{ROUNDS} alternating rounds of {SECONDS / ROUNDS:.0f} s each:"
    )
    print(
        f"  cached HAR page          {len(html):7,} B html -> {size(page, page_body):>14}"
        f"  {page_rps:6,.0f} req/s  (X-Page-Cache: hit on every one)"
    )
    print(
        f"  static file, same size   {static_file.stat().st_size:7,} B file -> "
        f"{size(static, static_body):>14}  {static_rps:6,.0f} req/s  ({static_path})"
    )
    print(f"  ratio cached page / static file: {page_rps / static_rps:.2f} (target >= 1.0)")
    print(f"  gunicorn access log: {logged:,} lines for {requested:,} requests")


def behind_nginx(env):
    """nginx (deploy/nginx-kb.conf, HTTPS) in front of gunicorn: the HAR article from nginx's
    copy against nginx serving the very same bytes as a static file, measured with wrk."""
    if not (nginx_site.NGINX and nginx_site.WRK):
        print("behind nginx: skipped (needs Debian's nginx and wrk: make servers)")
        return
    work = Path(tempfile.mkdtemp(prefix="kb-bench-nginx-"))
    static_root = Path(env["KB_DATA_DIR"]) / "static"
    media_root = Path(env["KB_DATA_DIR"]) / "media"
    media_root.mkdir(exist_ok=True)
    with (
        server.gunicorn({**env, "KB_NGINX_CACHE": "1"}, workers=2) as app,
        nginx_site.running(work, [app.removeprefix("http://")], static_root, media_root) as (
            base,
            _http,
            tls,
        ),
    ):
        port = urlsplit(base).port
        bodies = []
        for _ in range(2):
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=tls)
            connection.request("GET", HAR, headers={"Accept-Encoding": "br, gzip"})
            response = connection.getresponse()
            bodies.append(response.read())
            cache_status = response.getheader("X-Proxy-Cache")
        assert cache_status in {"HIT", "REVALIDATED"}, cache_status
        same_bytes = static_root / "same-bytes" / "har-article.html"
        same_bytes.parent.mkdir(exist_ok=True)
        same_bytes.write_bytes(bodies[-1])
        static_path = "/static/same-bytes/har-article.html"
        page_rps, static_rps = nginx_site.compare(
            base + HAR, base + static_path, rounds=ROUNDS, seconds=max(1, int(SECONDS / ROUNDS)),
            headers=("Accept-Encoding: br, gzip",),
        )  # fmt: skip
    print(
        f"behind nginx (HTTPS, one nginx worker, wrk: 1 thread, 16 keep-alive connections, "
        f"{ROUNDS} alternating rounds):"
    )
    print(
        f"  HAR page from nginx's copy  {len(bodies[-1]):6,} B br  {page_rps:8,.0f} req/s"
        "  (KB_NGINX_CACHE=1: kept until the second ends)"
    )
    print(f"  the same bytes, static file {len(bodies[-1]):6,} B     {static_rps:8,.0f} req/s")
    print(f"  ratio nginx's copy / nginx static file: {page_rps / static_rps:.2f} (target >= 0.5)")
    # Before: without KB_NGINX_CACHE nginx keeps nothing and asks the page cache each time.
    with (
        server.gunicorn(env, workers=2) as app,
        nginx_site.running(work / "before", [app.removeprefix("http://")], static_root,
                           media_root) as (base, _http, _tls),
    ):  # fmt: skip
        before_rps = nginx_site.wrk(base + HAR, 3, headers=("Accept-Encoding: br, gzip",))
    print(
        f"  without KB_NGINX_CACHE (nginx -> 2 gunicorn workers -> page cache) "
        f"{before_rps:8,.0f} req/s: {before_rps / static_rps:.2f} of the static file"
    )


def main():
    if sys.argv[1:] == ["--in-process"]:
        sys.path.insert(0, str(server.ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
        import django

        django.setup()
        in_process()
        return
    env = server.prepare("kb-bench-serving-")
    subprocess.run([server.PYTHON, __file__, "--in-process"], cwd=server.ROOT, env=env, check=True)
    over_http(env)
    behind_nginx(env)


if __name__ == "__main__":
    main()
