"""Backup → empty data folder → restore brings back every article, revision and figure."""

import os
import subprocess
import sys

import pytest
import reversion
from django.conf import settings
from django.core.management import CommandError, call_command
from reversion.models import Version

from articles.models import Article, Step

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="make backup is the embedded SQLite mode's; PostgreSQL is backed up with pg_dump",
    ),
]


def manage(data_dir, *args):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(KB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="kb.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_backup_then_restore_into_empty_data_folder_brings_everything_back(
    demo, tmp_path, make_article
):
    # Some history: an article saved twice, so there are revisions to bring back.
    article = make_article(slug="with-history", title=("First title", "最初の題名"))
    with reversion.create_revision():
        article.title_en = "Second title"
        article.save()
    revisions = Version.objects.get_for_model(Article).count()
    assert revisions >= 2
    figures = {
        step.figure_en.name: step.figure_en.read() for step in Step.objects.exclude(figure_en="")
    }
    assert figures
    call_command("backup", str(tmp_path / "backup"), verbosity=0)

    fresh = tmp_path / "fresh-data"
    restored = manage(fresh, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr

    check = manage(
        fresh,
        "shell",
        "-c",
        "from articles.models import Article; from articles import search; "
        "print(sorted(Article.objects.values_list('number', 'title_ja')));"
        "print([h.article.number for h in search.search('HAR', 'en')[:1]]);"
        "from reversion.models import Version; "
        "print('revisions', Version.objects.get_for_model(Article).count())",
    )
    assert check.returncode == 0, check.stderr
    expected = sorted(Article.objects.values_list("number", "title_ja"))
    assert str(expected) in check.stdout
    assert "[1008]" in check.stdout  # the search index came back too
    assert f"revisions {revisions}" in check.stdout  # and the history
    for name, content in figures.items():
        assert (fresh / "media" / name).read_bytes() == content


def test_restore_refuses_to_overwrite_existing_data(demo, tmp_path):
    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    with pytest.raises(CommandError, match="empty data folder"):
        call_command("restore", str(tmp_path / "backup"))


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore", str(tmp_path))
