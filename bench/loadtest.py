"""Load test: 50 readers and editors saving articles at once, against the real server.

Run with `make loadtest`. Starts gunicorn (as `make run` does) on a free loopback port with
a throwaway data folder, then for LOADTEST_SECONDS (default 60):

- 50 reader threads fetch home, category, article (both languages, with tabs), search
  and static pages in a loop;
- 2 editor threads, logged in to the admin, save articles through the real admin form;
- 1 thread casts "helpful" votes.

Only 127.0.0.1 is ever contacted; every loop is bounded by the deadline. Exits non-zero
if any request failed or the server log mentions "database is locked".
"""

import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.formfields import FormFields  # noqa: E402

SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))
READERS = int(os.environ.get("LOADTEST_READERS", "50"))
EDITORS = 2
PYTHON = sys.executable
PAGES = [
    "/en/",
    "/ja/",
    "/en/categories/technical-support/",
    "/ja/categories/login-security/",
    "/en/articles/1008/generate-a-har-file/",
    "/ja/articles/1008/generate-a-har-file/?platform=safari",
    "/en/articles/1003/move-gpg-key-pair/?platform=macos",
    "/ja/articles/1005/sms-code-not-received/",
    "/en/search/?q=voice+callback",
    "/ja/search/?q=%E8%AA%8D%E8%A8%BC",
    "/sitemap.xml",
]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times, self.errors, self.saves, self.votes = [], [], 0, 0

    def record(self, seconds):
        with self.lock:
            self.times.append(seconds)

    def error(self, what):
        with self.lock:
            self.errors.append(what)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def reader(base, deadline, stats):
    opener = urllib.request.build_opener(NoRedirect)
    static = None
    while time.monotonic() < deadline:
        path = random.choice(PAGES + ([static] if static else []))
        started = time.monotonic()
        try:
            with opener.open(base + path, timeout=30) as response:
                body = response.read()
            stats.record(time.monotonic() - started)
            if static is None and path == "/en/":
                found = re.search(rb'href="(/static/css/[^"]+)"', body)
                static = found.group(1).decode() if found else None
        except Exception as error:  # noqa: BLE001 - every failure counts
            stats.error(f"GET {path}: {error!r}")


def logged_in_opener(base, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "loadtest", "password": password,
         "next": "/admin/"}
    ).encode()  # fmt: skip
    request = urllib.request.Request(base + "/admin/login/", data=data)
    request.add_header("Referer", base + "/admin/login/")
    opener.open(request).read()
    return opener


def editor(base, deadline, stats, password, article_ids, number):
    opener = logged_in_opener(base, password)
    while time.monotonic() < deadline:
        url = f"{base}/admin/articles/article/{random.choice(article_ids)}/change/"
        try:
            parser = FormFields()
            parser.feed(opener.open(url, timeout=30).read().decode())
            fields = {k: v for k, v in parser.data.items() if "__prefix__" not in k}
            summary = fields.get("summary_en", [""])[0]
            marker = f" (load test edit {number})"
            fields["summary_en"] = [
                summary[: -len(marker)] if summary.endswith(marker) else summary + marker
            ]
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            request = urllib.request.Request(url, data=body)
            request.add_header("Referer", url)
            started = time.monotonic()
            with opener.open(request, timeout=30) as response:
                page = response.read().decode()
            stats.record(time.monotonic() - started)
            if "errornote" in page or "/change/" in response.url:
                stats.error(f"save {url}: form refused")
            else:
                with stats.lock:
                    stats.saves += 1
        except Exception as error:  # noqa: BLE001
            stats.error(f"save {url}: {error!r}")
        time.sleep(0.5)


def voter(base, deadline, stats):
    opener = urllib.request.build_opener(NoRedirect)
    while time.monotonic() < deadline:
        number = random.randint(1001, 1008)
        data = urllib.parse.urlencode({"helpful": random.choice(["yes", "no"])}).encode()
        try:
            opener.open(f"{base}/en/articles/{number}/feedback/", data=data, timeout=30)
        except urllib.error.HTTPError as answer:
            if answer.code != 303:
                stats.error(f"vote: {answer.code}")
            else:
                with stats.lock:
                    stats.votes += 1
        except Exception as error:  # noqa: BLE001
            stats.error(f"vote: {error!r}")
        time.sleep(0.2)


def main():
    data_dir = tempfile.mkdtemp(prefix="kb-loadtest-")
    env = {**os.environ, "KB_DATA_DIR": data_dir, "KB_FEEDBACK_VOTES_PER_HOUR": "100000"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"]):
        manage(env, *command)
    password = "load-test-" + str(random.randint(10**8, 10**9))
    subprocess.run(
        [PYTHON, "manage.py", "shell", "-c",
         "from django.contrib.auth.models import User; "
         f"User.objects.create_superuser('loadtest', '', '{password}')"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    ids = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c",
         "from articles.models import Article; "
         "print(list(Article.objects.values_list('pk', flat=True)))"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    article_ids = [int(n) for n in re.findall(r"\d+", ids.strip().splitlines()[-1])]

    port = free_port()
    log_path = Path(data_dir) / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "kb.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", os.environ.get("WORKERS", "2"), "--error-logfile", "-"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        stats = Stats()
        deadline = time.monotonic() + SECONDS
        threads = [
            threading.Thread(target=reader, args=(base, deadline, stats)) for _ in range(READERS)
        ]
        threads += [
            # Each editor has articles of their own: two saving one article at once is
            # refused by design (optimistic concurrency, tests/test_concurrency.py), so
            # here any refused save is a failure.
            threading.Thread(
                target=editor,
                args=(base, deadline, stats, password, article_ids[n::EDITORS], n),
            )
            for n in range(EDITORS)
        ]
        threads.append(threading.Thread(target=voter, args=(base, deadline, stats)))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 60)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)

    log_text = log_path.read_text()
    locked = log_text.count("database is locked")
    server_errors = log_text.count("Internal Server Error")
    times = sorted(stats.times)
    print(f"load test: {READERS} readers + {EDITORS} editors + 1 voter for {elapsed:.0f} s")
    rate = len(times) / elapsed
    print(f"requests: {len(times)} ({rate:.0f}/s), saves: {stats.saves}, votes: {stats.votes}")
    if times:
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"latency: p50 {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"failed requests: {len(stats.errors)}; 'database is locked' in log: {locked}; "
          f"server errors in log: {server_errors}")  # fmt: skip
    for error in stats.errors[:10]:
        print("  ", error)
    return 1 if stats.errors or locked or server_errors or not stats.saves else 0


if __name__ == "__main__":
    sys.exit(main())
