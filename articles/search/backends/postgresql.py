"""The search index on PostgreSQL: the same terms, the same ranking as SQLite's FTS5.

``analysis.py`` analyses texts and queries; this module stores and ranks them when the
database is PostgreSQL (migration 0006 makes the tables; ``backends/__init__.py`` lists
what every backend provides). A row holds the analysed terms of title, summary and body
as one ``tsvector``, weighted A, B and D (search keywords C), which a GIN index matches; nothing of
PostgreSQL's parsers or dictionaries touches the terms, so both databases see identical
tokens.

Ranking is FTS5's bm25, computed the way SQLite computes it, so that a query gives the
same results on both databases: for every query term, its inverse document frequency
times a saturated, length-normalised term frequency, where a title occurrence counts 10,
a keyword 7, a summary one 4 and a body one 1. ``ts_rank_cd`` of a one-term query is exactly the sum
of the weights of the term's positions, which gives the weighted term frequency; the
document frequencies are counted through the GIN index (and remembered per index
version); the number of rows and their total length, which FTS5 keeps in its own
structure, are kept in ``articles_search_stats``, updated with every index write in the
same transaction.
"""

from django.db import connection

# bm25's constants, as FTS5's (fts5_aux.c).
K1 = 1.2
B = 0.75
# Column weights {D, C, B, A} for ts_rank_cd: body 1, keywords 7, summary 4, title 10,
# over 16 so they are exact in binary and stay at most 1.0 as ts_rank_cd requires; ×16 below.
WEIGHTS = "{0.0625, 0.4375, 0.25, 0.625}"
WEIGHT_SCALE = 16
# tsvector limits: positions above 16383 are clamped; at most 256 positions per lexeme.
MAX_POSITION = 16383
MAX_POSITIONS = 256

ROW_ID = "id"


def lexeme(term):
    """Return ``term`` as a quoted tsvector/tsquery lexeme: literal, never parsed further."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _alternatives(words, prefix_last):
    """Yield per word its alternatives (synonyms) as lists of quoted terms; the reader's
    own last term of a ``prefix_last`` word matches as a prefix."""
    for alternatives, prefix in zip(words, prefix_last, strict=True):
        quoted = [[lexeme(term) for term in terms] for terms in alternatives]
        if prefix:
            quoted[0][-1] += ":*"
        yield quoted


def tsquery(words, operator, prefix_last):
    """Return the tsquery matching ``words`` (each a list of alternatives, each a list of
    terms, all required), joined by ``operator`` ("AND" or "OR")."""
    groups = [
        "(" + " | ".join("(" + " & ".join(terms) + ")" for terms in alternatives) + ")"
        for alternatives in _alternatives(words, prefix_last)
    ]
    return {"AND": " & ", "OR": " | "}[operator].join(groups)


def tsvector(weighted_terms):
    """Return the tsvector literal of ``[(terms, weight), …]``, every term at its position.

    Cast with ``::tsvector``, which takes lexemes as given, instead of ``to_tsvector``,
    whose parser would split our CJK bigrams and stem its own way.
    """
    positions, position = {}, 0
    for terms, weight in weighted_terms:
        for term in terms:
            position += 1
            found = positions.setdefault(term, [])
            if len(found) < MAX_POSITIONS:
                found.append(f"{min(position, MAX_POSITION)}{weight}")
    return " ".join(f"{lexeme(term)}:{','.join(found)}" for term, found in positions.items())


def write_row(cursor, table, language, article_id, title, summary, body, texts, keywords=()):
    """Index one article for a reader language (``title``, ``summary``, ``body``,
    ``keywords``: terms), weighted A, B, D and C."""
    columns = [(title, "A"), (summary, "B"), (body, "D"), (keywords, "C")]
    token_count = sum(len(terms) for terms, _weight in columns)
    cursor.execute(
        f"INSERT INTO {table} (article_id, document, token_count, texts) "  # noqa: S608
        "VALUES (%s, %s::tsvector, %s, %s)",
        [article_id, tsvector(columns), token_count, texts],
    )
    cursor.execute(
        "UPDATE articles_search_stats SET row_count = row_count + 1, "
        "token_count = token_count + %s, version = nextval('articles_search_version') "
        "WHERE language = %s",
        [token_count, language],
    )


def delete_rows(cursor, table, language, article_ids):
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
    cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    cursor.execute(
        "UPDATE articles_search_stats SET row_count = 0, token_count = 0, "
        "version = nextval('articles_search_version') WHERE language = %s",
        [language],
    )


# Document frequencies by (database, language, index version, term). Every index write
# takes a new version from a sequence, which a rolled-back transaction never gives back,
# so a version names one state of the index and an entry is never stale, only unused; the
# memo is per process and bounded. Counting a common term means visiting every row that
# has it, which a search box would otherwise repeat for every reader typing the same words.
_frequencies = {}
_MAX_REMEMBERED = 20_000


def ranked_rows(table, language, words, operator, prefix_last, exclude_article, limit):
    """Return ``(article_id, row id)`` of the rows matching, best first by bm25.

    Two statements, whatever the query: the index totals, then the ranking, which also
    counts the document frequencies not remembered yet (once, in a materialised CTE) and
    returns them with every row.
    """
    terms = list(
        dict.fromkeys(
            term
            for alternatives in _alternatives(words, prefix_last)
            for alternative in alternatives
            for term in alternative
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_count, token_count, version FROM articles_search_stats WHERE language = %s",
            [language],
        )
        row_count, token_count, version = cursor.fetchone()
        if not row_count:
            return []
        memo_key = (connection.settings_dict["NAME"], language, version)
        known = {t: _frequencies.get((*memo_key, t)) for t in terms}
        missing = sorted({t for t, n in known.items() if n is None})

        # Per term: its document frequency, a number remembered or a column counted now.
        frequency = [
            "%s::float8" if known[term] is not None else f"df.n{missing.index(term)}::float8"
            for term in terms
        ]
        # bm25 as FTS5's bm25(): idf floored at 1e-6 for terms in over half the rows; term
        # frequencies saturate (K1) and are normalised by the row's length (B).
        length = f"{K1} * (1 - {B} + {B} * token_count / %s::float8)"
        score = " + ".join(
            f"greatest(ln((%s::float8 - {n} + 0.5) / ({n} + 0.5)), 1e-6) "
            f"* (tf{i} * {K1 + 1}) / (tf{i} + {length})"
            for i, n in enumerate(frequency)
        )
        score_params = []
        for i, n in enumerate(frequency):
            known_n = [] if n.startswith("df.") else [known[terms[i]]]
            score_params += [row_count, *known_n, *known_n, token_count / row_count]
        columns = ", ".join(
            f"ts_rank_cd('{WEIGHTS}', document, CAST(%s AS tsquery), 0)::float8 "
            f"* {WEIGHT_SCALE} AS tf{i}"
            for i in range(len(terms))
        )
        excluding, excluded = "", []
        if exclude_article is not None:
            excluding, excluded = "AND article_id != %s", [exclude_article]
        counted, counted_params, df_columns = "(SELECT 1) AS df", [], ""
        if missing:
            counts = ", ".join(
                f"count(*) FILTER (WHERE document @@ CAST(%s AS tsquery)) AS n{j}"
                for j in range(len(missing))
            )
            # Over the whole table, as FTS5 counts, whatever this query excludes.
            counted = (
                f"(SELECT {counts} FROM {table} "  # noqa: S608
                "WHERE document @@ CAST(%s AS tsquery)) AS df"
            )
            counted_params = [*missing, " | ".join(missing)]
            df_columns = ", " + ", ".join(f"df.n{j}" for j in range(len(missing)))
        cursor.execute(
            f"WITH df AS MATERIALIZED (SELECT * FROM {counted}) "  # noqa: S608
            f"SELECT article_id, id{df_columns} FROM "
            f"(SELECT id, article_id, token_count, {columns} FROM {table} "
            f"WHERE document @@ CAST(%s AS tsquery) {excluding}) AS matched, df "
            f"ORDER BY {score} DESC, id LIMIT %s",
            [
                *counted_params,
                *terms,
                tsquery(words, operator, prefix_last),
                *excluded,
                *score_params,
                limit,
            ],
        )
        rows = cursor.fetchall()
    if missing and rows:
        if len(_frequencies) > _MAX_REMEMBERED:
            _frequencies.clear()
        for j, term in enumerate(missing):
            _frequencies[(*memo_key, term)] = rows[0][2 + j]
    return [row[:2] for row in rows]
