"""Serving benchmark: render times, cached page vs static file throughput, queries per page.

Run with `make bench`. Uses a throwaway data folder and one gunicorn process (one sync
worker) on loopback, with the full middleware stack, as `make run` configures it.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HAR = "/ja/articles/1008/generate-a-har-file/"
SECONDS = float(os.environ.get("BENCH_RPS_SECONDS", "8"))
CLIENT_THREADS = 4


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def requests_per_second(port, path):
    """Keep-alive GETs of ``path`` from a few client threads for SECONDS; return req/s."""
    count = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        done = 0
        while time.monotonic() < deadline:
            connection.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            done += 1
        with lock:
            count[0] += done

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count[0] / (time.monotonic() - started)


def in_process_measurements(env):
    """Render times and query counts, measured in this process through Django's stack."""
    code = f"""
import statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
from django.conf import settings
client = Client()
from articles import markdown
def timed(n, clear, cold=False):
    times = []
    for _ in range(n):
        if clear:
            cache.clear()
        if cold:
            markdown._render_cached.cache_clear()
        started = time.perf_counter()
        response = client.get("{HAR}")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times), sorted(times)[int(0.95 * (n - 1))]
print("uncached HAR render, cold Markdown: p50 %.1f ms, p95 %.1f ms" % timed(50, True, True))
print("uncached HAR render (page cache miss): p50 %.1f ms, p95 %.1f ms" % timed(100, True))
print("cached HAR page:     p50 %.2f ms, p95 %.2f ms" % timed(300, False))
cache.clear()
for url in ["/en/", "/en/categories/technical-support/", "{HAR}", "/ja/search/?q=認証"]:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    print(f"queries {{url}}: {{len(captured.captured_queries)}}")
"""
    subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True)


def main():
    data_dir = tempfile.mkdtemp(prefix="kb-bench-serving-")
    env = {**os.environ, "KB_DATA_DIR": data_dir, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for command in (
        ["migrate", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["load_demo", "-v0"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    in_process_measurements(env)

    port = free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "kb.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}{HAR}", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        # The collected static file closest in size to the article page's HTML.
        static_root = Path(data_dir) / "static"
        candidates = [
            p for p in static_root.rglob("*")
            if p.is_file() and p.suffix in {".js", ".css"} and ".gz" not in p.suffixes
        ]  # fmt: skip
        static = min(candidates, key=lambda p: abs(p.stat().st_size - len(page)))
        static_path = "/static/" + static.relative_to(static_root).as_posix()
        requests_per_second(port, HAR)  # warm up
        page_rps = requests_per_second(port, HAR)
        static_rps = requests_per_second(port, static_path)
    finally:
        server.terminate()
        server.wait(10)
    print(f"cached HAR page over HTTP ({len(page)} bytes): {page_rps:.0f} req/s")
    print(f"static file {static_path} ({static.stat().st_size} bytes): {static_rps:.0f} req/s")
    print(f"ratio cached page / static file: {page_rps / static_rps:.2f} (target >= 1.0)")


if __name__ == "__main__":
    main()
