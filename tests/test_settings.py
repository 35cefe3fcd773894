"""The secret key is created once per installation and kept."""

import stat

import pytest

from kb.settings import read_or_create_secret_key


def test_secret_key_is_created_once_and_reused(tmp_path):
    path = tmp_path / "secret_key"
    first = read_or_create_secret_key(path)
    second = read_or_create_secret_key(path)
    assert first == second
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secret_key_differs_between_installations(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert read_or_create_secret_key(tmp_path / "a" / "k") != read_or_create_secret_key(
        tmp_path / "b" / "k"
    )


def _python(code, without=(), **variables):
    """Run ``code`` in a new Python process with the production settings and ``variables``
    added to (and ``without`` taken from) this environment."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kb.settings", **variables}
    for name in without:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _settings_in_subprocess(data_dir_value):
    return _python(
        "from django.conf import settings; print(settings.DATA_DIR)", KB_DATA_DIR=data_dir_value
    )


def test_empty_data_dir_variable_means_the_default_data_folder():
    from django.conf import settings

    result = _settings_in_subprocess("")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(settings.BASE_DIR / "data")


def test_source_tree_is_refused_as_data_folder():
    from django.conf import settings

    result = _settings_in_subprocess(str(settings.BASE_DIR))
    assert result.returncode != 0
    assert "source tree" in result.stderr


def test_database_url_password_with_special_characters_reaches_postgresql():
    from kb.settings import database_from_url

    db = database_from_url("postgres://kb:p%40ss%3Aword@db.internal:5433/help?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], str(db["PORT"]), db["NAME"]) == (
        "kb",
        "p@ss:word",
        "db.internal",
        "5433",
        "help",
    )
    assert db["OPTIONS"] == {"sslmode": "require", "server_side_binding": False}


def test_database_url_cannot_turn_on_server_side_binding():
    """Search ranks with its planner settings in the same query string, which
    server-side binding refuses: every search would fail."""
    from kb.settings import database_from_url

    db = database_from_url("postgres://kb@db.internal/help?server_side_binding=true")
    assert db["OPTIONS"]["server_side_binding"] is False


def test_database_url_socket_folder_keeps_its_case():
    from kb.settings import database_from_url

    db = database_from_url("postgresql://kb@%2Fsrv%2FPgSock/kb")
    assert (db["HOST"], db["PORT"] or "") == ("/srv/PgSock", "")


def test_several_servers_refuse_to_start_without_a_shared_secret_key(tmp_path):
    result = _python(
        "import kb.settings",
        without=("DJANGO_SECRET_KEY",),
        KB_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://kb@db/kb",
    )
    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY" in result.stderr
    # ...and made no key of its own to fall back on next time.
    assert not (tmp_path / "secret_key").exists()


def test_example_environment_file_ships_no_usable_secret_key():
    from django.conf import settings

    lines = (settings.BASE_DIR / "deploy" / "kb.env.example").read_text().splitlines()
    assert "DJANGO_SECRET_KEY=" in lines


def test_database_url_of_another_server_is_refused_at_start():
    from django.core.exceptions import ImproperlyConfigured

    from kb.settings import database_from_url

    with pytest.raises(ImproperlyConfigured, match="postgres://"):
        database_from_url("mysql://kb@db/kb")


def test_s3_media_without_django_storages_stops_with_the_install_command(tmp_path):
    # The tests install django-storages (for the S3 test): this process runs as an
    # installation without it (a None entry in sys.modules makes find_spec say None).
    result = _python(
        "import sys; sys.modules['storages'] = None\n"
        "from django.conf import settings; settings.STORAGES",
        KB_DATA_DIR=str(tmp_path),
        KB_MEDIA_S3_BUCKET="kb-media",
    )
    assert result.returncode != 0
    assert "requirements-s3.txt" in result.stderr
