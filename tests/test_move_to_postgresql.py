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

    sqlite_site = tmp_path / "sqlite-site"
    manage_on_sqlite(sqlite_site, "migrate", "--noinput")
    manage_on_sqlite(sqlite_site, "load_demo")
    call_command("load_demo", verbosity=0)
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
