"""The search index on SQLite: one FTS5 table per reader language (migration 0002).

The analysed terms are stored space-separated in the columns title, summary, body and
keywords; FTS5's ``unicode61`` tokenizer splits them on those spaces only, so it sees
exactly our terms. Ranking is FTS5's own bm25 with the column weights the migration
stores as the table's default ``rank`` (title 10, keywords 7, summary 4, body 1;
migration 0008), so that ``ORDER BY rank LIMIT n`` takes FTS5's fast top-n path.
"""

from django.db import connection

ROW_ID = "rowid"


def write_row(
    cursor, table, language, article_id, title, summary, body, texts, keywords=(), bulk=False
):
    """Index one article for a reader language (``title``, ``summary``, ``body``,
    ``keywords``: terms)."""
    cursor.execute(
        f"INSERT INTO {table} (article_id, title, summary, body, keywords, texts) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s)",
        [article_id, *(" ".join(terms) for terms in (title, summary, body, keywords)), texts],
    )


def delete_rows(cursor, table, language, article_ids):
    placeholders = ", ".join(["%s"] * len(article_ids))
    cursor.execute(
        f"DELETE FROM {table} WHERE article_id IN ({placeholders})",  # noqa: S608
        article_ids,
    )


def clear(cursor, table, language):
    cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def after_batch(cursor, table, language, article_ids):
    """Nothing to do: FTS5 counts its terms itself."""


def after_rebuild(cursor, table, language):
    """Nothing to do: FTS5 keeps its own structure current."""


def match_expression(words, operator, prefix_last):
    """Return the FTS5 expression of ``words``: each word's alternatives ORed (its
    synonyms), an alternative's terms ANDed, words joined by ``operator`` ("AND" or
    "OR"). Every term is quoted, so nothing a reader types acts as FTS syntax."""
    groups = []
    for alternatives, prefix in zip(words, prefix_last, strict=True):
        ored = []
        for index, terms in enumerate(alternatives):
            quoted = [f'"{term}"' for term in terms]
            if prefix and index == 0:
                quoted[-1] += "*"
            ored.append("(" + " AND ".join(quoted) + ")")
        groups.append("(" + " OR ".join(ored) + ")")
    return f" {operator} ".join(groups)


def ranked_rows(table, language, words, operators, prefix_last, exclude_article, limit):
    """Return ``(article_id, rowid)`` of the rows matching ``words``, best first (bm25),
    with the first of ``operators`` ("AND", "OR") that finds any."""
    excluding, excluded = "", []
    if exclude_article is not None:
        excluding, excluded = "AND article_id != %s", [exclude_article]
    sql = (
        f"SELECT article_id, rowid FROM {table} WHERE {table} MATCH %s {excluding} "  # noqa: S608
        "ORDER BY rank LIMIT %s"
    )
    with connection.cursor() as cursor:
        for operator in operators:
            cursor.execute(sql, [match_expression(words, operator, prefix_last), *excluded, limit])
            if rows := cursor.fetchall():
                return rows
    return []
