"""Backups of an embedded installation: the SQLite database and the media folder.

The database is copied with SQLite's online backup API, which takes a consistent snapshot
while readers and editors keep working (a plain file copy of a WAL database can be torn).
"""

import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.db import connection

DATABASE_FILE = "db.sqlite3"
MEDIA_FOLDER = "media"


class NotSQLite(Exception):
    """The installation's database is not the embedded SQLite file."""


def database_path():
    return Path(connection.settings_dict["NAME"])


def _require_sqlite(command):
    if connection.vendor != "sqlite":
        raise NotSQLite(
            f"manage.py {command} is for the embedded SQLite database. This installation uses "
            f"{connection.vendor}: use its own tools (PostgreSQL: pg_dump and pg_restore), "
            "and yours for the media folder or bucket."
        )


def backup(destination):
    """Write a consistent copy of the database and the media folder into ``destination``."""
    _require_sqlite("backup")
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=False)
    connection.ensure_connection()
    target = sqlite3.connect(destination / DATABASE_FILE)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.copytree(media, destination / MEDIA_FOLDER)
    else:
        (destination / MEDIA_FOLDER).mkdir()
    return destination


def restore(source):
    """Put a backup made by ``backup`` in place; refuse to overwrite existing data."""
    _require_sqlite("restore")
    source = Path(source)
    if not (source / DATABASE_FILE).is_file():
        raise FileNotFoundError(f"{source} holds no {DATABASE_FILE}: not a backup folder")
    target_db = database_path()
    media = Path(settings.MEDIA_ROOT)
    if target_db.exists() and target_db.stat().st_size > 0:
        raise FileExistsError(f"{target_db} exists: restore only into an empty data folder")
    if media.exists() and any(media.iterdir()):
        raise FileExistsError(f"{media} is not empty: restore only into an empty data folder")
    connection.close()
    target_db.parent.mkdir(parents=True, exist_ok=True)
    backup_db = sqlite3.connect(source / DATABASE_FILE)
    target = sqlite3.connect(target_db)
    try:
        backup_db.backup(target)
    finally:
        target.close()
        backup_db.close()
    if media.exists():
        media.rmdir()
    shutil.copytree(source / MEDIA_FOLDER, media)
