"""Where the index is stored: one module per database, chosen in one place (``current()``).

Each backend stores the same analysed terms and ranks them by the same bm25, so a query
gives the same results on both; what differs is only the SQL. A backend module provides:

``ROW_ID``
    the column that names an index row (FTS5's implicit ``rowid``, or PostgreSQL's ``id``);
``write_row(cursor, table, language, article_id, title, summary, body, texts, keywords, bulk)``
    index one article for a reader language (``title``, ``summary``, ``body``,
    ``keywords``: term lists); ``bulk``: part of a rebuild's batch, which ``after_batch``
    completes;
``delete_rows(cursor, table, language, article_ids)`` and ``clear(cursor, table, language)``;
``after_batch(cursor, table, language, article_ids)`` and ``after_rebuild(cursor, table, language)``
    whatever a freshly filled index needs before its first query;
``ranked_rows(table, language, words, operators, prefix_last, exclude_article, limit)``
    ``(article_id, row id)`` of the rows matching, best first, with the first of
    ``operators`` ("AND", "OR") that finds any.
"""

from django.db import connection

from articles.fields import LANGUAGE_CODES

from . import postgresql, sqlite

_BY_VENDOR = {"sqlite": sqlite, "postgresql": postgresql}


def current():
    """Return the backend module of the database in use."""
    return _BY_VENDOR[connection.vendor]


def table(language):
    """Return the index table of ``language`` (migration 0002 on SQLite, 0006 on PostgreSQL,
    where migrations 0010 and 0011 add its postings and term counts)."""
    if language not in LANGUAGE_CODES:
        raise ValueError(language)
    return f"articles_search_{language}"
