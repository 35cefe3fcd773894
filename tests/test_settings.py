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
