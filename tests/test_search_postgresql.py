"""PostgreSQL's search index stays exact as articles change (articles/search/backends/postgresql).

bm25 reads each term's document count from the terms table and the totals from
articles_search_stats, both kept with every index write instead of counted at query
time. If they drifted, PostgreSQL would rank differently from SQLite and from itself
after a rebuild. SQLite's FTS5 keeps its own counts: nothing to check there.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from articles import search
from articles.models import Article, Step
from articles.search import backends
from insights.models import SynonymGroup

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="FTS5 keeps its own counts",
    ),
]

# Every way the ranking is planned (ranking.py): a prefix of several terms, a word's
# pairs merged from the rarest, a word no article has, synonyms, any of several words.
QUERIES = [
    ("en", "pass"),
    ("en", "export key"),
    ("en", "har zzzz"),
    ("en", "2fa"),
    ("ja", "ファイル"),
    ("ja", "コード 鍵"),
    ("ja", "スマホ"),
]


def rankings():
    return {
        (language, query): [hit.article.number for hit in search.search(query, language)[:200]]
        for language, query in QUERIES
    }


def stored_counts():
    """Return, per language, (the terms table's counts, the counts of the postings, and
    the stats row against the index rows)."""
    counts = {}
    with connection.cursor() as cursor:
        for language in ("en", "ja"):
            table = backends.table(language)
            cursor.execute(
                f"SELECT term, document_count FROM {table}_terms "  # noqa: S608
                "WHERE document_count <> 0 ORDER BY term"
            )
            kept = cursor.fetchall()
            cursor.execute(
                f"SELECT term, count(*) FROM {table}_postings GROUP BY term ORDER BY term"  # noqa: S608
            )
            counted = cursor.fetchall()
            cursor.execute(
                "SELECT row_count, token_count FROM articles_search_stats WHERE language = %s",
                [language],
            )
            stats = cursor.fetchone()
            cursor.execute(f"SELECT count(*), coalesce(sum(token_count), 0) FROM {table}")  # noqa: S608
            counts[language] = (kept, counted, stats, cursor.fetchone())
    return counts


def assert_counts_exact():
    for language, (kept, counted, stats, rows) in stored_counts().items():
        assert kept == counted, language
        assert tuple(stats) == tuple(rows), language


def test_an_index_kept_by_edits_ranks_as_a_rebuilt_one(demo):
    SynonymGroup.objects.create(language="en", terms="2FA, two-factor, verification code")
    SynonymGroup.objects.create(language="ja", terms="スマホ, スマートフォン, 携帯電話")
    # A new article sharing many words, an edited step, one unpublished, one deleted.
    new = Article.objects.get(number=1003)
    new.pk, new.number, new.slug = None, 1099, "copy-of-1003"
    new.title_en, new.title_ja = "Export a key pair file", "鍵ペアのファイルを書き出す"
    new.save()
    step = Step.objects.filter(variant__article__number=1004).first()
    step.body_en, step.body_ja = (
        "Type the passphrase and export the file.",
        "パスフレーズを入力します。",
    )
    step.save()
    Article.objects.filter(number=1005).update(status=Article.Status.DRAFT)
    search.index_articles([Article.objects.get(number=1005).pk])
    Article.objects.get(number=1006).delete()
    assert_counts_exact()
    kept = rankings()

    search.rebuild()

    assert rankings() == kept
    assert_counts_exact()
    assert 1099 in kept["en", "export key"]
    assert 1006 not in kept["ja", "コード 鍵"] and 1005 not in kept["ja", "スマホ"]


def test_editors_saving_at_the_same_moment_are_both_indexed(make_article):
    """Two saves indexed at once update the same terms' counts: neither waits forever nor
    fails, and the counts add up."""
    articles = [
        make_article(
            slug=f"shared-{n}",
            title=(f"Shared words {n}", f"共通の言葉{n}"),
            steps={None: [("Export the key file.", "鍵ファイルを書き出します。")]},
        )
        for n in range(2)
    ]
    errors = []
    start = threading.Barrier(2)

    def save_again(article):
        try:
            for round_ in range(15):
                start.wait(timeout=30)
                Step.objects.filter(variant__article=article).update(
                    body_en=f"Export the key file, round {round_}."
                )
                search.index_articles([article.pk])
        except Exception as error:  # noqa: BLE001 - any failure is a lost save
            errors.append(repr(error))
            start.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_again, args=(article,)) for article in articles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(hit.article.pk for hit in search.search("round 14", "en")[:10]) == sorted(
        a.pk for a in articles
    )
    assert_counts_exact()


def test_an_article_unindexed_twice_at_once_leaves_exact_totals(make_article):
    """Two index updates of an article taken off the site, the second waiting on the
    first: it removes nothing more, and subtracts nothing more from the totals (which
    bm25 reads, and whose drift once made every search for "KB" fail)."""
    article = make_article(slug="going", title=("Going away", "なくなる記事"))
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    first_holds, release = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                search.index_articles([article.pk])
                first_holds.set()
                release.wait(30)
        except Exception as error:  # noqa: BLE001 - any failure fails the test
            errors.append(repr(error))
        finally:
            first_holds.set()
            connections.close_all()

    def second():
        try:
            search.index_articles([article.pk])
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connections.close_all()

    holder = threading.Thread(target=first)
    holder.start()
    first_holds.wait(30)
    waiter = threading.Thread(target=second)
    waiter.start()
    waiter.join(1)  # it waits for the first's lock on the totals
    release.set()
    holder.join(30)
    waiter.join(30)
    assert errors == []
    assert_counts_exact()
    assert search.search("kb", "en")[:10] == []
