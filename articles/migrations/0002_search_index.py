"""The full-text search index (see articles/search.py): an SQLite FTS5 table."""

from django.db import migrations

CREATE = """
CREATE VIRTUAL TABLE IF NOT EXISTS articles_search_index USING fts5(
    article_id UNINDEXED,
    language UNINDEXED,
    platform UNINDEXED,
    title,
    summary,
    body,
    snippet UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS articles_search_index")


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
