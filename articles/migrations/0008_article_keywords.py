"""Search keywords per article (translated), and the search index gains their column.

On SQLite an FTS5 table cannot gain a column, so each index table is made anew with a
``keywords`` column between body and texts and its rows copied over (no article had
keywords before); the default rank weighs keywords 7, between the title (10) and the
summary (4). On PostgreSQL keywords take the tsvector's unused weight C: nothing changes
in the tables (articles/search/backends/postgresql.py).
"""

from django.db import migrations, models

LANGUAGES = ("en", "ja")
RANK = "bm25(0, 10.0, 4.0, 1.0, 7.0, 0)"
OLD_RANK = "bm25(0, 10.0, 4.0, 1.0, 0)"
COLUMNS = "article_id, title, summary, body"


def _remake(schema_editor, with_keywords):
    for language in LANGUAGES:
        table = f"articles_search_{language}"
        columns = "article_id UNINDEXED, title, summary, body, "
        columns += "keywords, texts UNINDEXED" if with_keywords else "texts UNINDEXED"
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}_new")
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {table}_new USING fts5({columns}, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
        keywords = ("keywords, ", "'', ") if with_keywords else ("", "")
        schema_editor.execute(
            f"INSERT INTO {table}_new (rowid, {COLUMNS}, {keywords[0]}texts) "
            f"SELECT rowid, {COLUMNS}, {keywords[1]}texts FROM {table}"
        )
        schema_editor.execute(f"DROP TABLE {table}")
        schema_editor.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
        rank = RANK if with_keywords else OLD_RANK
        schema_editor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('rank', '{rank}')")


def add_keywords_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _remake(schema_editor, with_keywords=True)


def drop_keywords_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _remake(schema_editor, with_keywords=False)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_text_length_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text="Words readers search for that the article does not use, separated by commas. Only search reads them; they are never shown on the page.",
                max_length=300,
                verbose_name="search keywords",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="keywords_en",
            field=models.CharField(
                blank=True,
                help_text="Words readers search for that the article does not use, separated by commas. Only search reads them; they are never shown on the page.",
                max_length=300,
                null=True,
                verbose_name="search keywords",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="keywords_ja",
            field=models.CharField(
                blank=True,
                help_text="Words readers search for that the article does not use, separated by commas. Only search reads them; they are never shown on the page.",
                max_length=300,
                null=True,
                verbose_name="search keywords",
            ),
        ),
        migrations.RunPython(add_keywords_column, drop_keywords_column, elidable=False),
    ]
