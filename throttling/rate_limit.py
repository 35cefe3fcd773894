"""Rate limits that hold: a fixed window per client and action, counted in the database.

A client's first attempt at an action opens its window; every attempt in it counts
(refused ones too), and the window closes ``window`` after that first attempt, however
recent the last one was. The next attempt then opens a new window.

Counting is one SQL statement, an upsert that returns the new count, so attempts arriving
together each get a number of their own: none is lost, exactly ``limit`` are allowed, on
every worker process and app server sharing the database. The counts are rows in the
database, not cache entries: pages stored in the cache can never evict them, and they
expire at the end of the window, not at a cache's default timeout.
"""

from django.db import connections, router
from django.utils import timezone

from .models import RateLimitWindow

# Standard SQL upsert, the same on SQLite (3.35+) and PostgreSQL. SET expressions read
# the row as it was, so both CASEs see the old window start.
COUNT_ATTEMPT = """
INSERT INTO {table} ({action}, {client}, {started_at}, {attempts}) VALUES (%s, %s, %s, 1)
ON CONFLICT ({action}, {client}) DO UPDATE SET
    {attempts} = CASE WHEN {table}.{started_at} <= %s THEN 1
                      ELSE {table}.{attempts} + 1 END,
    {started_at} = CASE WHEN {table}.{started_at} <= %s THEN EXCLUDED.{started_at}
                        ELSE {table}.{started_at} END
RETURNING {attempts}
"""


def allowed(action, client, *, limit, window, now=None):
    """Count one attempt by ``client`` at ``action``; return whether it is within ``limit``.

    ``window`` is a timedelta; ``now`` (default: the current time) lets a caller or a test
    say when the attempt happens.
    """
    now = now or timezone.now()
    ended_before = now - window
    connection = connections[router.db_for_write(RateLimitWindow)]
    quote = connection.ops.quote_name
    sql = COUNT_ATTEMPT.format(
        table=quote(RateLimitWindow._meta.db_table),
        **{field: quote(field) for field in ("action", "client", "started_at", "attempts")},
    )
    # As the ORM stores datetimes, so that SQLite compares them as it compares its own.
    adapt = connection.ops.adapt_datetimefield_value
    # An address is at most 45 characters; anything longer is not one.
    client = (client or "")[:64]
    with connection.cursor() as cursor:
        cursor.execute(sql, [action, client, adapt(now), adapt(ended_before), adapt(ended_before)])
        ((attempts,),) = cursor.fetchall()
    if attempts == 1:
        # A window opened: forget the windows of this action that have ended, anyone's.
        RateLimitWindow.objects.filter(action=action, started_at__lte=ended_before).delete()
    return attempts <= limit
