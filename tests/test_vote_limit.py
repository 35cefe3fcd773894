"""Votes per client address: the configured window, counted atomically, never evicted.

The limit is a fixed window that opens at a client's first vote (docs/deployment.md, "Throttling").
"""

import contextlib
import http.client
import io
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.test import Client

from articles.models import Feedback
from kb.wsgi import application
from tests.servers import GUNICORN, ROOT, embedded_site_environment, free_port, manage
from throttling.rate_limit import allowed

HAR = "/articles/1008/generate-a-har-file/"


def vote(client, language="en", number=1008, **headers):
    """Vote as a new reader (no cookie); return the state the reader is sent to."""
    client.cookies.clear()
    response = client.post(
        f"/{language}/articles/{number}/feedback/", {"helpful": "yes"}, **headers
    )
    assert response.status_code == 303
    return response["Location"].split("feedback=")[1].removesuffix("#feedback")


def helpful_votes(number=1008, language="en"):
    return Feedback.objects.get(article__number=number, language=language).helpful


@pytest.mark.django_db
def test_the_window_is_fixed_from_the_first_vote():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def vote_at(minutes):
        moment = start + timedelta(minutes=minutes)
        return allowed("vote", "203.0.113.5", limit=3, window=timedelta(hours=1), now=moment)

    assert [vote_at(0), vote_at(1), vote_at(2)] == [True, True, True]
    assert vote_at(10) is False
    # Six minutes after the last vote: the old limit had expired five minutes after it.
    assert vote_at(16) is False
    assert vote_at(59.9) is False
    # An hour after the first vote a new window opens, with three votes of its own.
    assert [vote_at(60), vote_at(61), vote_at(62), vote_at(63)] == [True, True, True, False]


@pytest.mark.django_db
def test_each_client_and_each_action_has_its_own_count():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert allowed("vote", "203.0.113.5", limit=1, window=hour, now=now)
    assert not allowed("vote", "203.0.113.5", limit=1, window=hour, now=now)
    assert allowed("vote", "2001:db8::5", limit=1, window=hour, now=now)
    assert allowed("another-action", "203.0.113.5", limit=1, window=hour, now=now)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Too many ratings from your network just now"),
        ("ja", "お使いのネットワークから短時間に多くの評価が送信されました"),
    ],
)
def test_a_reader_can_vote_again_once_the_configured_window_has_passed(
    client, demo, settings, language, message
):
    settings.KB_FEEDBACK_VOTES_PER_HOUR = 2
    settings.KB_FEEDBACK_VOTE_WINDOW = timedelta(seconds=0.5)
    assert [vote(client, language), vote(client, language)] == ["thanks", "thanks"]
    assert vote(client, language) == "limited"
    page = client.get(f"/{language}{HAR}?feedback=limited").content.decode()
    assert message in page
    time.sleep(0.6)
    assert vote(client, language) == "thanks"
    assert helpful_votes(language=language) == 3


@pytest.mark.django_db(transaction=True)
def test_page_cache_churn_does_not_lift_the_limit(demo, settings):
    """Readers asking for thousands of distinct URLs fill the page cache; it evicts pages,
    never the vote limit (the issue: 5,600 requests for /en/?f=<random> reset it)."""
    settings.KB_FEEDBACK_VOTES_PER_HOUR = 2
    client = Client()
    assert [vote(client), vote(client), vote(client)] == ["thanks", "thanks", "limited"]
    page_cache = caches[settings.KB_PAGE_CACHE]
    # More pages than the page cache holds (the file cache culls past MAX_ENTRIES, the
    # tests' in-memory cache past 300); Redis evicts nothing by count.
    for _ in range(getattr(page_cache, "_max_entries", 300) + 50):
        answered = wsgi_get(f"/en/?f={uuid.uuid4().hex}")
        assert answered == "200 OK"
    assert vote(client) == "limited"
    assert helpful_votes() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_behind_the_proxy_each_client_address_has_its_own_limit(client, demo, settings, language):
    """Every vote arrives from the TLS proxy's address; the one counted is the address the
    proxy appended to X-Forwarded-For, as for logins (kb/client_address.py)."""
    settings.KB_HTTPS = True
    settings.KB_FEEDBACK_VOTES_PER_HOUR = 2
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    # A client writing its own X-Forwarded-For: the proxy appends the real address.
    first_forging = {"HTTP_X_FORWARDED_FOR": "198.51.100.99, 203.0.113.5"}
    second = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    states = [vote(client, language, **first), vote(client, language, **first)]
    states += [vote(client, language, **first_forging), vote(client, language, **first)]
    assert states == ["thanks", "thanks", "limited", "limited"]
    # Another reader behind the same proxy is not locked out by the first one.
    assert vote(client, language, **second) == "thanks"
    assert helpful_votes(language=language) == 3


def wsgi_get(url):
    """Request ``url`` through the WSGI application gunicorn serves (page cache included)."""
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
    }
    started = []
    body = application(environ, lambda status, headers, exc_info=None: started.append(status))
    try:
        b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return started[0]


def post_votes_in_parallel(port, sources, number=1008, language="en"):
    """Post one "yes" vote per entry of ``sources`` (a loopback address to send from), all
    at once; return the state each reader is sent to."""
    start = threading.Barrier(len(sources))
    states = [None] * len(sources)

    def one_reader(index, source):
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=60, source_address=(source, 0)
        )
        start.wait()
        try:
            connection.request(
                "POST",
                f"/{language}/articles/{number}/feedback/",
                body="helpful=yes",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            location = response.getheader("Location") or ""
            states[index] = (response.status, location.partition("feedback=")[2])
        except OSError as error:  # every failure is a lost vote
            states[index] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=one_reader, args=(index, source))
        for index, source in enumerate(sources)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return states


THANKS = (303, "thanks#feedback")
LIMITED = (303, "limited#feedback")


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_from_one_client_are_limited_exactly(
    live_server, demo, settings, admin_client
):
    settings.KB_FEEDBACK_VOTES_PER_HOUR = 30
    port = int(live_server.url.rsplit(":", 1)[1])
    states = post_votes_in_parallel(port, ["127.0.0.1"] * 80)
    assert (states.count(THANKS), states.count(LIMITED)) == (30, 50), states
    # Editors see exactly the votes that were thanked.
    assert "👍 30 · 👎 0" in admin_client.get("/admin/articles/article/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_from_different_clients_are_all_counted(live_server, demo, settings):
    settings.KB_FEEDBACK_VOTES_PER_HOUR = 1
    port = int(live_server.url.rsplit(":", 1)[1])
    # Loopback is a whole /8: each reader sends from an address of its own.
    sources = [f"127.0.{index // 200}.{index % 200 + 2}" for index in range(80)]
    states = post_votes_in_parallel(port, sources)
    assert states == [THANKS] * 80
    assert helpful_votes() == 80


@contextlib.contextmanager
def embedded_site(tmp_path, **settings_env):
    """Serve an installation as `make run WORKERS=4` does (gunicorn, SQLite and the
    file cache in its data folder, production settings); yield its port."""
    environment = embedded_site_environment(tmp_path / "data", **settings_env)
    manage(environment, "migrate", "--noinput")
    manage(environment, "load_demo")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [GUNICORN, "kb.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield port, environment
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_parallel_votes_on_the_embedded_site_are_limited_exactly(tmp_path):
    """Two worker processes share the limit (the issue: 80 parallel votes counted as 34)."""
    with embedded_site(tmp_path, KB_FEEDBACK_VOTES_PER_HOUR="30") as (port, environment):
        states = post_votes_in_parallel(port, ["127.0.0.1"] * 80)
        assert (states.count(THANKS), states.count(LIMITED)) == (30, 50), states
        total = manage(
            environment,
            "shell",
            "-c",
            "from articles.models import Feedback; print(Feedback.objects.get().helpful)",
        )
        assert total.split()[-1] == "30"
