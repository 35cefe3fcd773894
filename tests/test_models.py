"""The content model: integrity in the database, and honest language choice."""

import pytest
from django.db import IntegrityError, transaction

from articles.models import Article, Variant


def test_article_number_is_unique(make_article):
    make_article(number=1042)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(number=1042)


def test_article_number_must_be_positive(make_article):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(number=0)


def test_one_variant_per_platform_but_many_shared(make_article, platforms):
    article = make_article(steps={platforms["chrome"]: [("a", "あ")]})
    Variant.objects.create(article=article, platform=None, order=5)
    Variant.objects.create(article=article, platform=None, order=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(article=article, platform=platforms["chrome"], order=7)


def test_published_excludes_drafts_and_archived(make_article):
    shown = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.ARCHIVED)
    assert list(Article.objects.published()) == [shown]


def _detail(article):
    return Article.objects.for_detail().get(pk=article.pk)


def test_complete_translation_is_shown_in_requested_language(make_article):
    article = _detail(make_article())
    assert article.display_language("ja") == "ja"
    assert article.display_language("en") == "en"


def test_one_missing_japanese_step_shows_whole_article_in_english(make_article):
    article = _detail(make_article(steps={None: [("One", "一"), ("Two", "")]}))
    assert not article.is_complete_in("ja")
    assert article.display_language("ja") == "en"


def test_article_written_only_in_japanese_is_shown_in_japanese_under_english(make_article):
    article = _detail(make_article(title=("", "日本語だけ"), steps={None: [("", "手順")]}))
    assert article.display_language("en") == "ja"


def test_str_does_not_follow_foreign_keys(make_article, django_assert_num_queries):
    article = Article.objects.get(pk=make_article(number=77).pk)
    with django_assert_num_queries(0):
        assert str(article) == "KB 77: An article"
