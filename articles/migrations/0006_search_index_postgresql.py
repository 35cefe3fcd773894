"""The full-text search index on PostgreSQL (see articles/search.py).

Migration 0002 creates SQLite's FTS5 tables and does nothing elsewhere; this one creates
their PostgreSQL counterparts and does nothing on SQLite: per language, the analysed terms
as a weighted tsvector with a GIN index, and the plain texts that snippets are cut from.
"""

from django.db import migrations

LANGUAGES = ("en", "ja")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        table = f"articles_search_{language}"
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "article_id bigint NOT NULL, "
            "document tsvector NOT NULL, "
            "texts text NOT NULL)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_document ON {table} USING gin (document)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_article ON {table} (article_id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        schema_editor.execute(f"DROP TABLE IF EXISTS articles_search_{language}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_editor_groups")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
