"""The search index on PostgreSQL: the same terms, the same ranking as SQLite's FTS5.

``analysis.py`` analyses texts and queries; this module stores and ranks them when the
database is PostgreSQL (migrations 0006 and 0010 make the tables; ``backends/__init__.py``
lists what every backend provides). Per language, a row per article holds its length in
terms and the plain texts snippets are cut from; beside it, a **postings** table holds one
row per (term, index row): the term's weighted frequency there (a title occurrence counts
10, a summary one 4, a body one 1) and the row's length. Nothing of PostgreSQL's parsers
or dictionaries touches the terms, so both databases see identical tokens.

Ranking is FTS5's bm25, computed the way SQLite computes it, so that a query gives the
same results on both databases: for every query term, its inverse document frequency
times a saturated, length-normalised weighted term frequency. With postings that is a
grouped sum: one index range scan per query term (the primary key (term, row) carries
every column ranking reads), the document frequency counted from the same scan, the rows
that have the query's words kept, summed and sorted. The number of rows and their total
length, which FTS5 keeps in its own structure, are kept in ``articles_search_stats``,
updated with every index write in the same transaction. We first computed bm25 with one
``ts_rank_cd`` per query term per matching row of a tsvector: 50–84 ms at p95 for 10,000
articles, against 20 ms wanted (docs/search.md has the figures).
"""

from collections import Counter

from django.db import connection

# bm25's constants, as FTS5's (fts5_aux.c).
K1 = 1.2
B = 0.75
# Column weights, as the FTS5 table's rank (migrations 0002, 0008): title 10, search
# keywords 7, summary 4, body 1.
TITLE_WEIGHT, KEYWORDS_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10, 7, 4, 1

ROW_ID = "id"


def postings(table):
    return f"{table}_postings"


def write_row(cursor, table, language, article_id, title, summary, body, texts, keywords=()):
    """Index one article for a reader language (``title``, ``summary``, ``body``,
    ``keywords``: terms)."""
    columns = [
        (title, TITLE_WEIGHT),
        (summary, SUMMARY_WEIGHT),
        (body, BODY_WEIGHT),
        (keywords, KEYWORDS_WEIGHT),
    ]
    frequencies = Counter()
    for terms, weight in columns:
        for term in terms:
            frequencies[term] += weight
    token_count = sum(len(terms) for terms, _weight in columns)
    # The row and its postings in one statement (a data-modifying WITH always runs, even
    # when there are no postings): one round trip per article and language, not two.
    cursor.execute(
        f"WITH new_row AS (INSERT INTO {table} (article_id, token_count, texts) "  # noqa: S608
        "VALUES (%s, %s, %s) RETURNING id) "
        f"INSERT INTO {postings(table)} (term, row_id, article_id, frequency, row_length) "
        "SELECT p.term, new_row.id, %s, p.frequency, %s "
        "FROM new_row, unnest(%s::text[], %s::integer[]) AS p(term, frequency)",
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
    cursor.execute(
        "UPDATE articles_search_stats SET row_count = row_count + 1, "
        "token_count = token_count + %s, version = nextval('articles_search_version') "
        "WHERE language = %s",
        [token_count, language],
    )


def delete_rows(cursor, table, language, article_ids):
    """Delete the articles' rows (their postings follow: ON DELETE CASCADE)."""
    placeholders = ", ".join(["%s"] * len(article_ids))
    cursor.execute(
        f"WITH gone AS (DELETE FROM {table} WHERE article_id IN ({placeholders}) "  # noqa: S608
        "RETURNING token_count) "
        "UPDATE articles_search_stats SET "
        "row_count = row_count - (SELECT count(*) FROM gone), "
        "token_count = token_count - (SELECT coalesce(sum(token_count), 0) FROM gone), "
        "version = nextval('articles_search_version') WHERE language = %s",
        [*article_ids, language],
    )


def clear(cursor, table, language):
    cursor.execute(f"TRUNCATE {postings(table)}, {table}")  # noqa: S608
    cursor.execute(
        "UPDATE articles_search_stats SET row_count = 0, token_count = 0, "
        "version = nextval('articles_search_version') WHERE language = %s",
        [language],
    )


def after_rebuild(cursor, table):
    """Freshly filled postings: their statistics, and outside a transaction the visibility
    map too (VACUUM), so that ranking reads them with index-only scans at once rather
    than after autovacuum's next round (which keeps them so as articles change)."""
    if connection.in_atomic_block:
        cursor.execute(f"ANALYZE {postings(table)}")
    else:
        cursor.execute(f"VACUUM (ANALYZE) {postings(table)}")


def _prefix_end(term):
    """Return the smallest string after every string that starts with ``term`` (byte order,
    the postings' "C" collation)."""
    return term[:-1] + chr(ord(term[-1]) + 1)


def ranked_rows(table, language, words, operator, prefix_last, exclude_article, limit):
    """Return ``(article_id, row id)`` of the rows matching, best first by bm25.

    Two statements, whatever the query: the index totals, then the ranking.
    """
    # Each distinct term once (the reader's own last term of a prefix word as a prefix);
    # a word matches when all the terms of one of its alternatives (synonyms) are there.
    scans, scan_params, found, found_params, index_of = [], [], [], [], {}
    word_alternatives = []
    for alternatives, prefix in zip(words, prefix_last, strict=True):
        masks = []
        for number, alternative in enumerate(alternatives):
            mask = 0
            for position, term in enumerate(alternative):
                is_prefix = prefix and number == 0 and position == len(alternative) - 1
                key = (term, is_prefix)
                if key not in index_of:
                    i = index_of[key] = len(scans)
                    if is_prefix:
                        # Every term the prefix starts: their frequencies add up in a row,
                        # as FTS5 counts a prefix phrase; one index range.
                        where, params = "term >= %s AND term < %s", [term, _prefix_end(term)]
                        scans.append(
                            f"SELECT {i} AS i, row_id, article_id, row_length, "  # noqa: S608
                            f"sum(frequency) AS frequency FROM {postings(table)} "
                            f"WHERE {where} GROUP BY row_id, article_id, row_length"
                        )
                    else:
                        where, params = "term = %s", [term]
                        scans.append(
                            f"SELECT {i} AS i, row_id, article_id, row_length, "  # noqa: S608
                            f"frequency FROM {postings(table)} WHERE {where}"
                        )
                    scan_params += params
                    found.append(f"EXISTS (SELECT 1 FROM {postings(table)} WHERE {where})")  # noqa: S608
                    found_params += params
                mask |= 1 << index_of[key]
            masks.append(mask)
        word_alternatives.append(masks)
    word_tests = [
        "(" + " OR ".join(f"bit_or(1 << m.i) & {mask} = {mask}" for mask in masks) + ")"
        for masks in word_alternatives
    ]
    matches = {"AND": " AND ", "OR": " OR "}[operator].join(word_tests)
    with connection.cursor() as cursor:
        # With the totals, whether each term is in the index at all (one index probe each):
        # a query that cannot match (a word nobody wrote) scans no postings.
        cursor.execute(
            f"SELECT row_count, token_count, ARRAY[{', '.join(found)}] "  # noqa: S608
            "FROM articles_search_stats WHERE language = %s",
            [*found_params, language],
        )
        row_count, token_count, present = cursor.fetchone()
        present_mask = sum(1 << i for i, here in enumerate(present) if here)
        possible = [
            any(mask & present_mask == mask for mask in masks) for masks in word_alternatives
        ]
        if not row_count or not (all(possible) if operator == "AND" else any(possible)):
            return []
        excluding, excluded = "", []
        if exclude_article is not None:
            excluding, excluded = "WHERE m.article_id != %s", [exclude_article]
        # bm25 as FTS5's bm25(): idf floored at 1e-6 for terms in over half the rows; term
        # frequencies saturate (K1) and are normalised by the row's length (B). Document
        # frequencies over the whole index, as FTS5 counts, whatever this query excludes.
        score = (
            "sum(greatest(ln((%s::float8 - df.n + 0.5) / (df.n + 0.5)), 1e-6) "
            f"* (m.frequency * {K1 + 1}) / (m.frequency + {K1} * "
            f"(1 - {B} + {B} * m.row_length / %s::float8)))"
        )
        cursor.execute(
            f"WITH m AS MATERIALIZED ({' UNION ALL '.join(scans)}), "  # noqa: S608
            "df AS (SELECT i, count(*) AS n FROM m GROUP BY i) "
            "SELECT m.article_id, m.row_id FROM m JOIN df ON df.i = m.i "
            f"{excluding} GROUP BY m.row_id, m.article_id HAVING {matches} "
            f"ORDER BY {score} DESC, m.row_id LIMIT %s",
            [*scan_params, *excluded, row_count, token_count / row_count, limit],
        )
        return cursor.fetchall()
