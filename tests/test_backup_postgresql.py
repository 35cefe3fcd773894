"""On PostgreSQL, backup and restore say what to use instead, with no traceback."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the SQLite leg backs up for real (test_backup.py)",
    ),
]


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_and_restore_on_postgresql_point_to_pg_dump(command, tmp_path):
    with pytest.raises(CommandError, match="pg_dump") as refused:
        call_command(command, str(tmp_path / "copy"))
    assert f"manage.py {command}" in str(refused.value)
    assert not (tmp_path / "copy").exists()
