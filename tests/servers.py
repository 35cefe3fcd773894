"""Real app servers for the multi-server and deploy tests: gunicorn with the production
settings, on loopback, sharing the test database (PostgreSQL) and Redis with this process.

Only `make test-postgres` provides what several servers share; elsewhere these tests are
skipped, and pytest's summary lists them with this reason.
"""

import contextlib
import functools
import http.client
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECRET_KEY = "one-key-for-every-test-app-server"

needs_shared_services = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
    reason="several app servers need PostgreSQL and Redis: run `make test-postgres`",
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(data_dir, static_root, **extra):
    """Return the environment of an app server: production settings, shared services."""
    db = connection.settings_dict  # the test database, once pytest-django created it
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kb.settings",
        "DATABASE_URL": f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "KB_CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        # A data folder per server, as on separate machines: nothing is shared through it.
        "KB_DATA_DIR": str(data_dir),
        "KB_STATIC_ROOT": str(static_root),
        "DJANGO_SECRET_KEY": SECRET_KEY,
        **extra,
    }


def embedded_site_environment(data_dir, **extra):
    """Return the environment of an embedded installation (SQLite, file cache) in
    ``data_dir``, with production settings and none of the services this process uses."""
    shared = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **{key: value for key, value in os.environ.items() if key not in shared},
        "DJANGO_SETTINGS_MODULE": "kb.settings",
        "KB_DATA_DIR": str(data_dir),
        **extra,
    }


def manage(environment, *args):
    """Run manage.py in its own process with ``environment``; return what it printed."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def collect_static(static_root, data_dir):
    """Run collectstatic with the production storage (hashed names + manifest)."""
    env = server_environment(data_dir, static_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def _wait_until_up(url, process, log):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app server exited:\n{log.read_text()}")
        with (
            contextlib.suppress(OSError),
            # As from the TLS proxy: with KB_HTTPS=1 a plain request is redirected to https.
            urllib.request.urlopen(
                urllib.request.Request(url + "/healthz", headers={"X-Forwarded-Proto": "https"}),
                timeout=2,
            ) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"app server did not answer:\n{log.read_text()}")


def own_database_environment(tmp_path, **extra):
    """Return the environment of an app server on this test's own database (the test
    settings: SQLite's file or PostgreSQL's test database, the test's media folder)."""
    db = connection.settings_dict
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "KB_DATA_DIR": str(tmp_path / "server-data"),
        "KB_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }
    if db["ENGINE"] == "django.db.backends.sqlite3":
        environment.pop("DATABASE_URL", None)
        environment.pop("REDIS_URL", None)
        environment["KB_DATABASE_PATH"] = str(db["NAME"])
    else:
        user = quote(db["USER"] or "", safe="")
        password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        environment["DATABASE_URL"] = (
            f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    return environment


@contextlib.contextmanager
def serve_own_database(tmp_path, workers=2, **extra_env):
    """Serve this test's database with gunicorn as `make run` does (sync workers, the
    default 30 s worker timeout); yield its base URL; stop it."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(  # noqa: S603
        [GUNICORN, "kb.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=own_database_environment(tmp_path, **extra_env),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def app_servers(count, static_root, tmp_path, **extra_env):
    """Start ``count`` gunicorn servers; yield their base URLs; stop them."""
    started = []
    try:
        for index in range(count):
            port = free_port()
            data_dir = tmp_path / f"server-{index}"
            data_dir.mkdir()
            log = data_dir / "gunicorn.log"
            process = subprocess.Popen(  # noqa: S603
                [GUNICORN, "kb.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=ROOT,
                env=server_environment(data_dir, static_root, **extra_env),
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
            )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in started:
            _wait_until_up(url, process, log)
        yield [url for _process, url, _log in started]
    finally:
        for process, _url, _log in started:
            process.terminate()
        for process, _url, _log in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, opener=None, data=None, headers=None):
    """Return ``(status, headers, body text)``; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    opener = opener or urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read().decode()


class _HTTPSFrom(urllib.request.HTTPSHandler):
    """HTTPS from a chosen local address: loopback has a whole /8, so 127.0.0.2 is a second
    client as far as the server can tell."""

    def __init__(self, address, context):
        super().__init__(context=context)
        self.address = address

    def https_open(self, req):
        connection = functools.partial(
            http.client.HTTPSConnection, source_address=(self.address, 0)
        )
        return self.do_open(connection, req, context=self._context)


def browser_session(tls=None, address=None):
    """Return an opener that keeps cookies and does not follow redirects; with ``tls`` (an
    SSL context), HTTPS from ``address`` (default 127.0.0.1)."""
    jar = http.cookiejar.CookieJar()
    handlers = [urllib.request.HTTPCookieProcessor(jar), NoRedirect]
    if tls is not None:
        handlers.append(_HTTPSFrom(address or "127.0.0.1", tls))
    return urllib.request.build_opener(*handlers)


def create_editor(user_model, password):
    """Create a superuser the app servers can log in (they hash as production does)."""
    user = user_model.objects.create_superuser("editor", "", None)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save()
    return user


def log_in(base, username, password, opener=None, headers=None):
    """Post the admin login form as a browser would; return ``(status, opener)``."""
    opener = opener or browser_session()
    _status, _headers, page = fetch(base + "/admin/login/", opener, headers=headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    body = urllib.parse.urlencode({**form, "next": "/admin/"}).encode()
    status, _headers, _page = fetch(
        base + "/admin/login/", opener, body, {**(headers or {}), "Referer": base + "/admin/login/"}
    )
    return status, opener
