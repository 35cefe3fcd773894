"""Writing the PostgreSQL index: rows, postings and term counts, in the index write's
transaction.

The number of rows and their total length, which FTS5 keeps in its own structure, are
kept in ``articles_search_stats``; each term's number of rows in the terms table
(bm25's document frequency, read by ``ranking.py``). Every index write updates the stats
row first: its lock orders concurrent writers, so that their term-count updates never
deadlock.
"""

from collections import Counter

from django.db import connection

# Column weights, as the FTS5 table's rank (migrations 0002, 0008): title 10, search
# keywords 7, summary 4, body 1.
TITLE_WEIGHT, KEYWORDS_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10, 7, 4, 1

ROW_ID = "id"


def postings(table):
    return f"{table}_postings"


def terms(table):
    return f"{table}_terms"


def _counting_terms(table, sign, source):
    """SQL that adds ``sign`` to the document count of each term in ``source`` (a WITH
    query's name: one row per term and index row), in term order."""
    return (
        f"INSERT INTO {terms(table)} (term, document_count) "  # noqa: S608
        f"SELECT term, {sign} * count(*) FROM {source} GROUP BY term ORDER BY term "
        "ON CONFLICT (term) DO UPDATE "
        f"SET document_count = {terms(table)}.document_count + excluded.document_count"
    )


def write_row(
    cursor, table, language, article_id, title, summary, body, texts, keywords=(), bulk=False
):
    """Index one article for a reader language (``title``, ``summary``, ``body``,
    ``keywords``: terms). ``bulk``: part of a rebuild, whose ``after_batch`` counts the
    terms of many rows at once."""
    columns = [
        (title, TITLE_WEIGHT),
        (summary, SUMMARY_WEIGHT),
        (body, BODY_WEIGHT),
        (keywords, KEYWORDS_WEIGHT),
    ]
    frequencies = Counter()
    for words, weight in columns:
        for term in words:
            frequencies[term] += weight
    token_count = sum(len(words) for words, _weight in columns)
    # The totals first: their row's lock orders concurrent index writers (module docstring).
    cursor.execute(
        "UPDATE articles_search_stats SET row_count = row_count + 1, "
        "token_count = token_count + %s, version = nextval('articles_search_version') "
        "WHERE language = %s",
        [token_count, language],
    )
    # The row, its postings and their terms' counts in one statement (a data-modifying
    # WITH always runs, even when there are no postings): one round trip, not three.
    cursor.execute(
        f"WITH new_row AS (INSERT INTO {table} (article_id, token_count, texts) "  # noqa: S608
        "VALUES (%s, %s, %s) RETURNING id), "
        f"new_postings AS (INSERT INTO {postings(table)} "
        "(term, row_id, article_id, frequency, row_length) "
        "SELECT p.term, new_row.id, %s, p.frequency, %s "
        "FROM new_row, unnest(%s::text[], %s::integer[]) AS p(term, frequency) "
        "RETURNING term) " + ("SELECT 1" if bulk else _counting_terms(table, 1, "new_postings")),
        [
            article_id,
            token_count,
            texts,
            article_id,
            token_count,
            list(frequencies),
            list(frequencies.values()),
        ],
    )


def delete_rows(cursor, table, language, article_ids):
    """Delete the articles' rows, their postings and their share of the totals and term
    counts."""
    # The totals' row locked first (module docstring). The deletion is a statement of its
    # own, after the lock: it sees, and subtracts, the rows as they are once a concurrent
    # writer has committed, not as they were when it started to wait.
    cursor.execute(
        "UPDATE articles_search_stats SET version = nextval('articles_search_version') "
        "WHERE language = %s",
        [language],
    )
    placeholders = ", ".join(["%s"] * len(article_ids))
    cursor.execute(
        f"WITH gone_rows AS (DELETE FROM {table} WHERE article_id IN ({placeholders}) "  # noqa: S608
        "RETURNING id, token_count), "
        # By row (the postings' second index).
        f"gone_postings AS (DELETE FROM {postings(table)} WHERE row_id IN "
        "(SELECT id FROM gone_rows) RETURNING term), "
        "totals AS (UPDATE articles_search_stats SET "
        "row_count = row_count - (SELECT count(*) FROM gone_rows), "
        "token_count = token_count - (SELECT coalesce(sum(token_count), 0) FROM gone_rows) "
        f"WHERE language = %s) {_counting_terms(table, -1, 'gone_postings')}",
        [*article_ids, language],
    )


def clear(cursor, table, language):
    cursor.execute(f"TRUNCATE {postings(table)}, {table}, {terms(table)}")  # noqa: S608
    cursor.execute(
        "UPDATE articles_search_stats SET row_count = 0, token_count = 0, "
        "version = nextval('articles_search_version') WHERE language = %s",
        [language],
    )


def after_batch(cursor, table, language, article_ids):
    """Count the terms of a rebuild's batch of articles, once each, in the batch's
    transaction (``write_row`` with ``bulk`` leaves it to this: a term in every article
    is then one update, not one per article, which within one transaction would pile up
    row versions and slow every next update)."""
    placeholders = ", ".join(["%s"] * len(article_ids))
    cursor.execute(
        f"WITH batch AS (SELECT term FROM {postings(table)} WHERE row_id IN "  # noqa: S608
        f"(SELECT id FROM {table} WHERE article_id IN ({placeholders}))) "
        f"{_counting_terms(table, 1, 'batch')}",
        article_ids,
    )


def after_rebuild(cursor, table, language):
    """Freshly filled postings: their statistics, and outside a transaction the visibility
    map too (VACUUM), so that ranking reads them with index-only scans at once rather
    than after autovacuum's next round (which keeps them so as articles change)."""
    for name in (postings(table), terms(table)):
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {name}")
        else:
            cursor.execute(f"VACUUM (ANALYZE) {name}")
