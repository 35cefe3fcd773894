"""The secret key is created once per installation and kept."""

import stat

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


def _settings_in_subprocess(data_dir_value):
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "KB_DATA_DIR": data_dir_value, "DJANGO_SETTINGS_MODULE": "kb.settings"}
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATA_DIR)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
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
