"""Moving a site from SQLite to PostgreSQL through export/import loses nothing (issue 7)."""

import filecmp
import json

import pytest
from django.core.management import call_command

from tests.servers import embedded_site_environment, manage, needs_shared_services

pytestmark = [needs_shared_services, pytest.mark.django_db(transaction=True)]


def manage_on_sqlite(data_dir, *args):
    """Run manage.py against an embedded (SQLite) installation in ``data_dir``."""
    return manage(embedded_site_environment(data_dir), *args)


def demo_on_both_databases(tmp_path):
    """Load the demo into an embedded (SQLite) site and into this PostgreSQL; return the
    SQLite site's data folder."""
    sqlite_site = tmp_path / "sqlite-site"
    manage_on_sqlite(sqlite_site, "migrate", "--noinput")
    manage_on_sqlite(sqlite_site, "load_demo")
    call_command("load_demo", verbosity=0)
    return sqlite_site


def same_tree(left, right):
    comparison = filecmp.dircmp(left, right)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _match, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(left / name, right / name) for name in comparison.common_dirs)


def test_sqlite_site_exported_and_imported_into_postgresql_exports_identically(tmp_path):
    from articles import search

    sqlite_site = tmp_path / "sqlite-site"
    manage_on_sqlite(sqlite_site, "migrate", "--noinput")
    manage_on_sqlite(sqlite_site, "load_demo")
    manage_on_sqlite(sqlite_site, "export_articles", str(tmp_path / "from-sqlite"))

    call_command("import_articles", str(tmp_path / "from-sqlite"), verbosity=0)
    call_command("export_articles", str(tmp_path / "from-postgresql"), verbosity=0)

    assert (tmp_path / "from-sqlite" / "articles").is_dir()
    assert same_tree(tmp_path / "from-sqlite", tmp_path / "from-postgresql")
    # And the moved site is searchable on PostgreSQL at once.
    assert 1004 in [hit.article.number for hit in search.search("暗号化", "ja")[:3]]


def test_search_acceptance_queries_rank_the_same_on_both_databases(tmp_path):
    """The same content gives the same top three for every search acceptance query."""
    from articles import search
    from tests.test_search import EXPECTED

    sqlite_site = demo_on_both_databases(tmp_path)
    script = (
        "import json\n"
        "from articles import search\n"
        f"queries = {[(language, query) for language, query, _number in EXPECTED]!r}\n"
        "print(json.dumps([[h.article.number for h in search.search(q, l)[:3]]"
        " for l, q in queries]))\n"
    )
    on_sqlite = json.loads(manage_on_sqlite(sqlite_site, "shell", "-c", script).splitlines()[-1])
    on_postgresql = [
        [hit.article.number for hit in search.search(query, language)[:3]]
        for language, query, _number in EXPECTED
    ]
    assert on_postgresql == on_sqlite
    # Each list has the article the query is for (not three empty lists agreeing).
    assert all(number in top for (_l, _q, number), top in zip(EXPECTED, on_postgresql, strict=True))


# One query of every shape PostgreSQL ranks in its own way (articles/search/backends/
# postgresql/ranking.py): a prefix of several terms and of one, very common words, a
# word no article has (the fallback to any word), a Japanese word's pairs, a term twice,
# synonyms, words any of which will do (related articles).
SHAPES = [
    ("en", "pass"),
    ("en", "passphr"),
    ("en", "the"),
    ("en", "open the file"),
    ("en", "har zzzz"),
    ("en", "export zzzz key"),
    ("en", "2fa code"),
    ("ja", "ファイル"),
    ("ja", "ファイルファイル"),
    ("ja", "コード 鍵"),
    ("ja", "の"),
    ("ja", "スマホ"),
    ("ja", "スマホ 認証"),
]
SYNONYMS = [
    ("en", "2FA, two-factor, verification code"),
    ("ja", "スマホ, スマートフォン, 携帯電話"),
]


def test_every_query_shape_ranks_every_hit_the_same_on_both_databases(tmp_path):
    """Not only the top three: the whole list, in order, and the related articles of
    every article, for queries that take each of PostgreSQL's ways of ranking."""
    from articles import search
    from articles.models import Article
    from insights.models import SynonymGroup

    sqlite_site = demo_on_both_databases(tmp_path)
    script = (
        "import json\n"
        "from articles import search\n"
        "from articles.models import Article\n"
        "from insights.models import SynonymGroup\n"
        f"for language, terms in {SYNONYMS!r}:\n"
        "    SynonymGroup.objects.create(language=language, terms=terms)\n"
        f"hits = [[h.article.number for h in search.search(q, l)[:200]] for l, q in {SHAPES!r}]\n"
        "related = [[r.number for r in search.related_to(a, l)]"
        " for a in Article.objects.order_by('number') for l in ('en', 'ja')]\n"
        "print(json.dumps([hits, related]))\n"
    )
    on_sqlite = json.loads(manage_on_sqlite(sqlite_site, "shell", "-c", script).splitlines()[-1])
    for language, terms in SYNONYMS:
        SynonymGroup.objects.create(language=language, terms=terms)
    hits = [[h.article.number for h in search.search(q, lang)[:200]] for lang, q in SHAPES]
    related = [
        [r.number for r in search.related_to(article, language)]
        for article in Article.objects.order_by("number")
        for language in ("en", "ja")
    ]
    assert [hits, related] == on_sqlite
    # Lists worth comparing: most queries find several articles, the synonym finds its
    # article by the other word, and some articles have related ones.
    assert sum(len(found) > 2 for found in hits) >= 8
    assert 1005 in hits[SHAPES.index(("ja", "スマホ"))]
    assert sum(bool(r) for r in related) >= 6
