"""Search analytics benchmark (issue 16): the cost of recording one search, and the
"What readers look for" report's render time with 1,000,000 searches recorded.

Run with `make bench`. Uses a throwaway data folder. The million searches are stored as
the daily totals the report reads (90 days, 20,000 distinct queries drawn by Zipf's law),
inserted in bulk; raw events are never read by the report, so their number does not
change its time.
"""

import collections
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("KB_DATA_DIR", tempfile.mkdtemp(prefix="kb-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
# With DATABASE_URL (make bench-postgres) the settings insist on a shared secret key; the
# bench's database is a throwaway one.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from insights import recording  # noqa: E402
from insights.models import DailyQuery, SearchEvent  # noqa: E402

SEARCHES = int(os.environ.get("BENCH_RECORDED_SEARCHES", "1000000"))
DISTINCT = 20_000
DAYS = 90


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def recording_cost(rng):
    queries = [f"query {n}" for n in range(500)]
    times = []
    for _ in range(2000):
        query = rng.choice(queries)
        started = time.perf_counter()
        recording.record_search("en", recording.normalise(query), rng.randrange(0, 20))
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"recording one search (event + daily total, one transaction): "
        f"p50 {statistics.median(times):.3f} ms, p95 {percentile(times, 0.95):.3f} ms "
        "(aim < 0.5 ms p50)"
    )
    client = Client()
    page = client.get("/en/search/", {"q": "query 1"}).content.decode()
    fields = {
        name: page.split(f'data-{key}="', 1)[1].split('"', 1)[0]
        for name, key in (("q", "query"), ("n", "results"), ("d", "day"), ("s", "signature"))
    }
    times = []
    for _ in range(1000):
        started = time.perf_counter()
        client.post("/en/search/seen/", fields, REMOTE_ADDR=f"10.0.{rng.randrange(256)}.1")
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"the endpoint, whole request (check, rate limit, record): "
        f"p50 {statistics.median(times):.3f} ms, p95 {percentile(times, 0.95):.3f} ms"
    )


def fill(rng):
    weights = [1 / (rank + 1) for rank in range(DISTINCT)]
    per_day = SEARCHES // DAYS
    today = timezone.localdate()
    rows = 0
    started = time.perf_counter()
    for language in ("en", "ja"):
        share = per_day // 2
        for back in range(DAYS):
            day = today - datetime.timedelta(days=back)
            counts = collections.Counter(rng.choices(range(DISTINCT), weights=weights, k=share))
            batch = []
            for query, searches in counts.items():
                empty = searches if query % 17 == 0 else 0
                clicks = 0 if query % 11 == 0 else searches // 2
                batch.append(
                    DailyQuery(
                        day=day,
                        language=language,
                        query=f"{'query' if language == 'en' else '検索'} {query}",
                        searches=searches,
                        empty_searches=empty,
                        results=0 if empty else 5,
                        clicks=clicks,
                        position_total=clicks * 2,
                    )
                )
            with transaction.atomic():
                DailyQuery.objects.bulk_create(batch, batch_size=2000)
            rows += len(batch)
    print(
        f"{SEARCHES:,} searches as {rows:,} daily totals, inserted in "
        f"{time.perf_counter() - started:.1f} s"
    )


def report_time():
    user = User.objects.create_superuser("bench", "", None)
    client = Client()
    client.force_login(user)
    worst = 0.0
    for language in ("en", "ja"):
        for days in (7, 30, 90):
            url = f"/admin/insights/searchreport/?language={language}&days={days}"
            client.get(url)
            times = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            worst = max(worst, statistics.median(times))
            print(f"report {language} {days:2d} days: {statistics.median(times):7.1f} ms")
    print(f"report render, worst: {worst:.1f} ms (aim < 500 ms)")


def main():
    rng = random.Random(16)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"database: {connection.vendor}")
    recording_cost(rng)
    DailyQuery.objects.all().delete()
    SearchEvent.objects.all().delete()
    fill(rng)
    report_time()


if __name__ == "__main__":
    main()
