"""Recording searches and opened results: masked, signed, rolled up per day.

Counting happens in the reader's browser, after the results page has loaded: a small
same-origin script (static/js/search-log.js) posts what the page says was searched, and,
when a result is opened, which one, with ``navigator.sendBeacon``. That is the one place
that sees every search, whichever layer served the page (Django, the WSGI page cache, or a
proxy's cache in front of it), and a result's link stays the article's own URL.

What the script posts was signed by the server when it rendered the page: an HMAC of the
language, the masked query, the number of results and the day (``search_signature``), and
per result of its article number and position (``click_signature``). Both are the same for
every reader of that page that day, so a cached page stays valid; a post that does not
carry a signature made today or yesterday is refused, so nobody can write words of their
choosing into the report, nor open a result that was never shown.

Before it is stored or signed, a query is cleaned as search cleans it, folded (NFKC, lower
case) and masked: runs of six or more digits and anything shaped like an e-mail address.
"""

import datetime
import hashlib
import re

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from articles.search import clean_query, fold

from .models import QUERY_LENGTH, ClickEvent, DailyQuery, SearchEvent

SALT = "insights.recording"
MASKED_EMAIL = "[email]"
MASKED_NUMBER = "[number]"
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_DIGITS = re.compile(r"\d{6,}")
MAX_POSITION = 200  # search.MAX_RESULTS


def normalise(raw):
    """Return a query as stored: cleaned, folded, e-mail addresses and long numbers masked."""
    text = fold(clean_query(raw))
    text = _EMAIL.sub(MASKED_EMAIL, text)
    text = _DIGITS.sub(MASKED_NUMBER, text)
    return text[:QUERY_LENGTH]


def today():
    return timezone.localdate()


def _day_number(day):
    return day.toordinal()


def _sign(*parts):
    message = "\x1f".join(str(part) for part in parts)
    return salted_hmac(SALT, message, algorithm="sha256").hexdigest()[:32]


def search_signature(language, query, results, day=None):
    """Sign a search as rendered: ``query`` normalised, for ``day`` (default today)."""
    day = _day_number(day or today())
    return _sign("search", language, query, results, day)


def click_signature(language, query, number, position, day=None):
    """Sign one result as rendered: article ``number`` at ``position`` for ``query``."""
    day = _day_number(day or today())
    return _sign("click", language, query, number, position, day)


def _valid(signature, make, day_number):
    """Whether ``signature`` is ``make(day)`` for today or yesterday, and that day."""
    current = _day_number(today())
    if day_number not in {current, current - 1}:
        return False
    return constant_time_compare(signature, make(datetime.date.fromordinal(day_number)))


def check_search(language, query, results, day_number, signature):
    return _valid(
        signature, lambda day: search_signature(language, query, results, day), day_number
    )


def check_click(language, query, number, position, day_number, signature):
    return _valid(
        signature,
        lambda day: click_signature(language, query, number, position, day),
        day_number,
    )


UPSERT = """
INSERT INTO {table} (day, language, query, searches, empty_searches, results, clicks,
    position_total)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (day, language, query) DO UPDATE SET
    searches = {table}.searches + EXCLUDED.searches,
    empty_searches = {table}.empty_searches + EXCLUDED.empty_searches,
    results = CASE WHEN EXCLUDED.searches > 0 THEN EXCLUDED.results ELSE {table}.results END,
    clicks = {table}.clicks + EXCLUDED.clicks,
    position_total = {table}.position_total + EXCLUDED.position_total
"""


def _add_to_day(connection, day, language, query, searches, results, clicks, position):
    table = connection.ops.quote_name(DailyQuery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT.format(table=table),
            [
                connection.ops.adapt_datefield_value(day),
                language,
                query,
                searches,
                1 if searches and not results else 0,
                results,
                clicks,
                position,
            ],
        )


def record_search(language, query, results, now=None):
    """Store one search (``query`` already normalised) and add it to its day's totals."""
    now = now or timezone.now()
    connection = connections[router.db_for_write(SearchEvent)]
    with transaction.atomic(using=connection.alias):
        SearchEvent.objects.create(created_at=now, language=language, query=query, results=results)
        day = timezone.localdate(now)
        _add_to_day(connection, day, language, query, 1, results, 0, 0)


def record_click(language, query, number, position, now=None):
    """Store one opened result and add it to its day's totals."""
    now = now or timezone.now()
    connection = connections[router.db_for_write(ClickEvent)]
    with transaction.atomic(using=connection.alias):
        ClickEvent.objects.create(
            created_at=now,
            language=language,
            query=query,
            article_number=number,
            position=position,
        )
        day = timezone.localdate(now)
        _add_to_day(connection, day, language, query, 0, 0, 1, position)


def client_key(address):
    """The rate limit's name for a client: a keyed hash, so not even the limit's own
    short-lived rows hold a reader's address."""
    return hashlib.sha256(f"{settings.SECRET_KEY}\x1f{address or ''}".encode()).hexdigest()[:40]
