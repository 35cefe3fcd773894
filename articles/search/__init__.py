"""Full-text search over published articles, English and Japanese.

The parts, each with its own module:

``analysis``
    text → index terms, the same for every database: folding, words, English stems,
    Japanese characters and pairs (CJK bigrams), plain text for snippets;
``index``
    writing and deleting index rows as articles change; ``rebuild``;
``results``
    ranked queries, ``Results`` for the paginator, describing hits, related articles;
``snippets``
    the excerpt under a hit, as written, with the words the query matched marked whole;
``backends``
    what differs per database, chosen in one place (``backends.current()``): SQLite's
    FTS5 tables ranked by FTS5's bm25 (``backends/sqlite.py``, migration 0002), or
    PostgreSQL postings of the very same terms ranked by the same bm25 computed in SQL
    (``backends/postgresql/``, migrations 0006, 0010 and 0011), so both give the same results.

Other modules use only the names below.
"""

from articles.fields import LANGUAGE_CODES

from .analysis import analyze, fold, plain_text
from .backends import table
from .index import clear, index_articles, rebuild
from .results import (
    MAX_QUERY_LENGTH,
    MAX_RESULTS,
    MAX_TERMS,
    Hit,
    Results,
    clean_query,
    describe_hits,
    related_to,
    search,
    snippet,
)

__all__ = [
    "LANGUAGE_CODES",
    "MAX_QUERY_LENGTH",
    "MAX_RESULTS",
    "MAX_TERMS",
    "Hit",
    "Results",
    "analyze",
    "clean_query",
    "clear",
    "describe_hits",
    "fold",
    "index_articles",
    "plain_text",
    "rebuild",
    "related_to",
    "search",
    "snippet",
    "table",
]
