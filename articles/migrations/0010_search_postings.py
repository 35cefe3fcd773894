"""PostgreSQL search: a postings table per language replaces the weighted tsvector.

bm25 computed with one ``ts_rank_cd`` call per query term per matching row cost 50–84 ms
at p95 for 10,000 articles. A posting is one (term, index row) pair with the term's
weighted frequency in that row (title 10, keywords 7, summary 4, body 1) and the row's length, so
bm25 is a grouped sum over one index range scan per query term
(articles/search/backends/postgresql.py). The term is stored with the "C" collation:
byte order, which makes a prefix (the last English word of a query) one index range on
every database whatever its locale.

The tsvector column and its GIN index go: nothing reads them any more. Does nothing on
SQLite (FTS5 keeps its own postings). The postings of the rows already indexed are made
from their tsvectors, in SQL, before the column goes: no rebuild needed.
"""

from django.db import migrations

LANGUAGES = ("en", "ja")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        table = f"articles_search_{language}"
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {table}_postings ("
            'term text COLLATE "C" NOT NULL, '
            f"row_id bigint NOT NULL REFERENCES {table} (id) ON DELETE CASCADE, "
            "article_id bigint NOT NULL, "
            # Weighted occurrences in the row; the row's length in terms (unweighted).
            "frequency integer NOT NULL, "
            "row_length integer NOT NULL, "
            # Everything ranking reads is in the index: one range scan per query term.
            "PRIMARY KEY (term, row_id) INCLUDE (article_id, frequency, row_length))"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_postings_row ON {table}_postings (row_id)"
        )
        # A lexeme's weights: one letter per position (A title, C keywords, B summary, D body).
        schema_editor.execute(
            f"INSERT INTO {table}_postings (term, row_id, article_id, frequency, row_length) "
            "SELECT u.lexeme, t.id, t.article_id, "
            "sum(CASE w.weight WHEN 'A' THEN 10 WHEN 'C' THEN 7 WHEN 'B' THEN 4 ELSE 1 END), t.token_count "
            f"FROM {table} t CROSS JOIN LATERAL unnest(t.document) AS u "
            "CROSS JOIN LATERAL unnest(u.weights) AS w(weight) "
            "GROUP BY u.lexeme, t.id, t.article_id, t.token_count"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_document")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS document")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        table = f"articles_search_{language}"
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}_postings")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS document tsvector NOT NULL "
            "DEFAULT ''::tsvector"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_document ON {table} USING gin (document)"
        )
        # The old rows have no terms now: run rebuild_search_index with the old code.
        schema_editor.execute(f"DELETE FROM {table}")
        schema_editor.execute(
            "UPDATE articles_search_stats SET row_count = 0, token_count = 0 "
            "WHERE language = %s",
            [language],
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_help_texts")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
