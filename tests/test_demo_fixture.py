"""The `demo` fixture (tests/demo_snapshot.py) writes back exactly what load_demo writes.

Most tests see the demo through that fixture, so it must not differ from the real command
in anything a test could notice: the content (as exported), the derived state an import
leaves after its commit (translation state, search index), the revisions and the figures.
"""

import pytest
from django.core.management import call_command
from reversion.models import Version

from articles import search
from articles.models import Article, Category, Platform

# Real commits: what load_demo leaves after its commit is what is compared.
pytestmark = pytest.mark.django_db(transaction=True)

QUERIES = [("en", "HAR"), ("en", "voice callback"), ("ja", "認証"), ("ja", "暗号化")]


def state(tmp_path, media_root):
    call_command("export_articles", str(tmp_path), verbosity=0)
    return {
        "files": {
            str(path.relative_to(tmp_path)): path.read_bytes()
            for path in sorted(tmp_path.rglob("*"))
            if path.is_file()
        },
        "translation_state": dict(Article.objects.values_list("number", "translation_state")),
        "status": dict(Article.objects.values_list("number", "status")),
        "search": {
            (language, query): [
                (hit.article.number, hit.url) for hit in search.search(query, language)
            ]
            for language, query in QUERIES
        },
        "revisions": sorted(
            (version.content_type.model, version.object_repr)
            for version in Version.objects.select_related("content_type")
        ),
        "figures": sorted(
            (str(path.relative_to(media_root)), path.read_bytes())
            for path in media_root.rglob("*")
            if path.is_file()
        ),
    }


def test_the_demo_fixture_is_what_load_demo_writes(demo, tmp_path, settings):
    written_back = state(tmp_path / "fixture", settings.MEDIA_ROOT)
    assert len(written_back["files"]) > 8 and written_back["search"][("en", "HAR")]

    # Everything the fixture wrote goes; the real command loads the demo again.
    Article.objects.all().delete()
    Category.objects.all().delete()
    Platform.objects.all().delete()
    Version.objects.all().delete()
    search.clear()
    settings.MEDIA_ROOT = tmp_path / "media-of-the-command"
    call_command("load_demo", verbosity=0)

    assert state(tmp_path / "command", settings.MEDIA_ROOT) == written_back
