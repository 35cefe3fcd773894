"""The demo content, loaded for real once per test session and written back for each test.

``manage.py load_demo`` takes about a second: it reads and checks every file, renders,
analyses and indexes each article, records revisions and stores the figures. The first
test that asks for the demo loads it that way, committed, as ``make run`` does (so what
happens on commit happens: translation state, search index). Every row the load wrote or
changed, in every table (the search index's included), and its figures are kept; then the
database is put back as it was. Each test that asks for the demo gets exactly those rows
written back (same ids, one transaction, no model code, no signals) and the figures copied
into its own media folder: milliseconds instead of a second, in plain tests (rolled back
after the test) and transactional ones (flushed after the test) alike.

Rows are copied as the database returns them, with plain SQL, so nothing is recomputed.
One thing is remade: content type ids, which a transactional test's flush renumbers; rows
pointing at a content type are matched by app and model name. The tables copied are found
in the database, not listed here: a new table an import writes to is copied too.
tests/test_interchange.py checks that what this writes back is what ``load_demo`` writes.
"""

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

# Rows every database has from its migrations and that an import never writes.
NOT_CONTENT = {"contenttypes.ContentType", "auth.Permission", "sessions.Session"}


@dataclass
class Table:
    name: str
    columns: list[str]
    key: tuple  # the primary key's columns (SQLite's rowid for a virtual table)
    virtual: bool  # an SQLite virtual table (FTS5): plain inserts, no upsert
    rows: list[tuple] = field(default_factory=list)
    # Positions of columns that point at a content type; their values are kept as
    # (app_label, model) and turned back into the current ids when written.
    content_type_columns: list[int] = field(default_factory=list)


@dataclass
class Snapshot:
    tables: list[Table]
    media: Path


def _quote(name):
    return connection.ops.quote_name(name)


def _skipped_tables():
    skipped = {"django_migrations"}
    skipped |= {apps.get_model(label)._meta.db_table for label in NOT_CONTENT}
    return skipped


def _virtual_and_shadow_tables(cursor):
    """SQLite: the virtual tables (FTS5) and their shadow tables (their private storage)."""
    if connection.vendor != "sqlite":
        return set(), set()
    cursor.execute("PRAGMA table_list")
    kinds = {row[1]: row[2] for row in cursor.fetchall() if row[0] == "main"}
    return (
        {name for name, kind in kinds.items() if kind == "virtual"},
        {name for name, kind in kinds.items() if kind == "shadow"},
    )


def _content_type_columns(table_name, columns):
    models = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    model = models.get(table_name)
    if model is None:
        return []
    pointing = {
        each.column
        for each in model._meta.concrete_fields
        if each.is_relation and each.related_model is ContentType
    }
    return [index for index, column in enumerate(columns) if column in pointing]


def _read_tables():
    """Every table of the database with all its rows (SQLite shadow tables excepted)."""
    tables = []
    with connection.cursor() as cursor:
        virtual, shadow = _virtual_and_shadow_tables(cursor)
        skipped = _skipped_tables() | shadow
        for name in sorted(connection.introspection.table_names(cursor)):
            if name in skipped:
                continue
            if name in virtual:
                key, select = ("rowid",), f"SELECT rowid, * FROM {_quote(name)}"  # noqa: S608
            else:
                keys = connection.introspection.get_primary_key_columns(cursor, name)
                if not keys:
                    raise AssertionError(f"{name}: the demo snapshot needs a primary key")
                key, select = tuple(keys), f"SELECT * FROM {_quote(name)}"  # noqa: S608
            cursor.execute(select)
            columns = [column[0] for column in cursor.description]
            table = Table(name, columns, key, name in virtual, rows=cursor.fetchall())
            table.content_type_columns = _content_type_columns(name, columns)
            tables.append(table)
    return tables


def take(media_root):
    """Load the demo for real (committed), keep what it wrote, then put the database back."""
    # A transactional test's flush may have emptied django_content_type since the ids were
    # cached (a session fixture is set up before the test's own fixtures clear the cache).
    ContentType.objects.clear_cache()
    before = {table.name: table for table in _read_tables()}
    with override_settings(MEDIA_ROOT=media_root):
        call_command("load_demo", verbosity=0)
    after = _read_tables()
    names = {each.pk: each.natural_key() for each in ContentType.objects.all()}
    kept = []
    # One transaction: foreign keys are checked at commit (Django creates them deferrable),
    # so the order of the tables does not matter.
    with transaction.atomic():
        for table in after:
            old = set(before[table.name].rows) if table.name in before else set()
            rows = [row for row in table.rows if row not in old]
            if not rows:
                continue
            _put_back(table, rows, before.get(table.name))
            table.rows = [tuple(_named(table, names, row)) for row in rows]
            kept.append(table)
    return Snapshot(kept, Path(media_root))


def _named(table, names, row):
    for index, value in enumerate(row):
        named = index in table.content_type_columns and value is not None
        yield names[value] if named else value


def _put_back(table, rows, before):
    """Delete ``rows`` (what the load wrote to ``table``) and write back what they replaced."""
    positions = [table.columns.index(column) for column in table.key]
    keys = [tuple(row[p] for p in positions) for row in rows]
    wanted = set(keys)
    replaced = [
        row for row in (before.rows if before else []) if tuple(row[p] for p in positions) in wanted
    ]
    with connection.cursor() as cursor:
        if len(table.key) == 1:
            for start in range(0, len(keys), 500):
                batch = [key[0] for key in keys[start : start + 500]]
                cursor.execute(
                    f"DELETE FROM {_quote(table.name)} "  # noqa: S608
                    f"WHERE {_quote(table.key[0])} IN ({', '.join(['%s'] * len(batch))})",
                    batch,
                )
        else:  # a key of several columns (the PostgreSQL search postings)
            where = " AND ".join(f"{_quote(column)} = %s" for column in table.key)
            cursor.executemany(f"DELETE FROM {_quote(table.name)} WHERE {where}", keys)  # noqa: S608
        if replaced:
            cursor.executemany(_insert_sql(table), replaced)


def restore(snapshot, media_root):
    """Write the demo back into the current database and ``media_root``."""
    from articles.models import Article

    if Article.objects.exists():
        raise AssertionError(
            "the demo is written back with its own ids: ask for the `demo` fixture before "
            "any fixture that writes articles"
        )
    ContentType.objects.clear_cache()  # a transactional test's flush renumbers them
    content_type_ids = {}
    with transaction.atomic(), connection.cursor() as cursor:  # one commit, as in take()
        for table in snapshot.tables:
            rows = table.rows
            if table.content_type_columns:
                rows = [
                    tuple(
                        _content_type_id(value, content_type_ids)
                        if index in table.content_type_columns and value is not None
                        else value
                        for index, value in enumerate(row)
                    )
                    for row in rows
                ]
            cursor.executemany(_insert_sql(table), rows)
        _move_sequences_past(cursor, snapshot)
    shutil.copytree(snapshot.media, media_root, dirs_exist_ok=True)


def _content_type_id(natural_key, known):
    if natural_key not in known:
        model = apps.get_model(*natural_key)
        known[natural_key] = ContentType.objects.get_for_model(model).pk
    return known[natural_key]


def _insert_sql(table):
    columns = ", ".join(map(_quote, table.columns))
    values = ", ".join(["%s"] * len(table.columns))
    if table.virtual:
        return f"INSERT INTO {_quote(table.name)} ({columns}) VALUES ({values})"  # noqa: S608
    # A row the load changed rather than added (a counter, say) is written over.
    updates = ", ".join(
        f"{_quote(column)} = EXCLUDED.{_quote(column)}"
        for column in table.columns
        if column not in table.key
    )
    overriding = " OVERRIDING SYSTEM VALUE" if connection.vendor == "postgresql" else ""
    return (
        f"INSERT INTO {_quote(table.name)} ({columns}){overriding} VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(map(_quote, table.key))}) DO "
        + (f"UPDATE SET {updates}" if updates else "NOTHING")
    )


def _move_sequences_past(cursor, snapshot):
    """PostgreSQL: move each id sequence past the ids written (SQLite does it itself)."""
    if connection.vendor != "postgresql":
        return
    for table in snapshot.tables:
        if len(table.key) != 1:
            continue
        (key,) = table.key
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table.name, key])
        (sequence,) = cursor.fetchone()
        if sequence:
            cursor.execute(
                f"SELECT setval(%s, (SELECT max({_quote(key)}) FROM {_quote(table.name)}))",  # noqa: S608
                [sequence],
            )
