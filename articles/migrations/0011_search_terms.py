"""PostgreSQL search: a table of the index's terms, each with the number of rows it is in.

bm25 needs each query term's document frequency. Counted from the postings at query time,
it made every query read all of every term's postings twice and rank them with a hash
aggregate: 24–39 ms at p95 for 10,000 articles, against 20 ms wanted. Kept beside the
postings (articles/search/backends/postgresql/storage.py updates it with every index write),
it is one index probe per term: the query can start from its rarest term and merge the
others' postings in row order (docs/search.md has the figures). The last English word of
a query, a prefix, is looked up here too: the terms it starts, in byte order ("C").

Filled from the postings already there: no rebuild needed. Does nothing on SQLite
(FTS5 keeps its own counts).
"""

from django.db import migrations

LANGUAGES = ("en", "ja")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        table = f"articles_search_{language}"
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {table}_terms ("
            'term text COLLATE "C" PRIMARY KEY, '
            # The number of index rows that have the term (0 once the last one goes).
            "document_count integer NOT NULL)"
        )
        schema_editor.execute(
            f"INSERT INTO {table}_terms (term, document_count) "  # noqa: S608
            f"SELECT term, count(*) FROM {table}_postings GROUP BY term "
            "ON CONFLICT (term) DO NOTHING"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        schema_editor.execute(f"DROP TABLE IF EXISTS articles_search_{language}_terms")


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_search_postings")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
