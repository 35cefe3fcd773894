"""The full-text search index on PostgreSQL (see articles/search/).

Migration 0002 creates SQLite's FTS5 tables and does nothing elsewhere; this one creates
their PostgreSQL counterparts and does nothing on SQLite: per language, the analysed terms
as a weighted tsvector with a GIN index, its number of terms, and the plain texts that
snippets are cut from; and the per-language totals bm25 needs (rows, terms), which FTS5
keeps inside its own tables (see articles/search/backends/postgresql.py).

Ranking reads every matching row's tsvector, so it is kept in the row itself: a tsvector
of a few kilobytes would otherwise be moved to the TOAST table, and fetching it back from
there cost more than ranking it (48 against 29 ms for 10,000 Japanese rows). The plain
texts, read for ten rows per page, go out of line first.
"""

from django.db import migrations

LANGUAGES = ("en", "ja")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS articles_search_version")
    schema_editor.execute(
        "CREATE TABLE IF NOT EXISTS articles_search_stats ("
        "language text PRIMARY KEY, row_count bigint NOT NULL, token_count bigint NOT NULL, "
        # A new number (from the sequence) at every index write: what document frequencies
        # are remembered against.
        "version bigint NOT NULL)"
    )
    for language in LANGUAGES:
        table = f"articles_search_{language}"
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "article_id bigint NOT NULL, "
            "document tsvector NOT NULL, "
            "token_count integer NOT NULL, "
            "texts text NOT NULL) "
            "WITH (toast_tuple_target = 8160)"
        )
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN document SET STORAGE MAIN")
        # No statistics for the planner: it then assumes a match is rare and always takes
        # the GIN index. With them it picks a sequential scan when most rows match, which
        # reads every tsvector twice (to match, then to rank): 72 against 48 ms measured.
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN document SET STATISTICS 0")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_document ON {table} USING gin (document)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_article ON {table} (article_id)"
        )
        schema_editor.execute(
            "INSERT INTO articles_search_stats (language, row_count, token_count, version) "
            f"VALUES ('{language}', 0, 0, 0) ON CONFLICT (language) DO NOTHING"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        schema_editor.execute(f"DROP TABLE IF EXISTS articles_search_{language}")
    schema_editor.execute("DROP TABLE IF EXISTS articles_search_stats")
    schema_editor.execute("DROP SEQUENCE IF EXISTS articles_search_version")


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_editor_groups")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
