"""Content files: the demo loader is idempotent and bad files are refused clearly."""

import pytest
from django.core.management import CommandError, call_command

from articles.interchange import ContentError, read_directory
from articles.models import Article, Category, Platform, Step, Variant

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "articles": list(Article.objects.values().order_by("number")),
        "variants": list(Variant.objects.values().order_by("pk")),
        "steps": list(Step.objects.values().order_by("pk")),
        "categories": list(Category.objects.values().order_by("pk")),
        "platforms": list(Platform.objects.values().order_by("pk")),
    }


def test_demo_loads_eight_published_articles_in_both_languages(demo):
    assert sorted(demo) == list(range(1001, 1009))
    for article in demo.values():
        assert article.status == Article.Status.PUBLISHED
        assert article.title_en and article.title_ja


def test_loading_demo_twice_changes_nothing(demo, capsys):
    before = snapshot()
    call_command("load_demo")
    assert "0 created, 0 updated, 8 unchanged" in capsys.readouterr().out
    assert snapshot() == before


def test_loading_demo_restores_an_edited_article(demo):
    step = Step.objects.filter(variant__article__number=1008).first()
    original = step.body_ja
    step.body_ja = "書き換えました"
    step.save()
    call_command("load_demo", verbosity=0)
    assert Step.objects.filter(variant__article__number=1008).first().body_ja == original


def test_demo_figures_are_stored_once(demo, settings):
    call_command("load_demo", verbosity=0)
    stored = list((settings.MEDIA_ROOT / "figures").iterdir())
    referenced = {s.figure_en.name for s in Step.objects.exclude(figure_en="")}
    assert referenced, "the HAR article ships figures"
    assert len(stored) == len(referenced)


def write(directory, name, text):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_yaml_is_refused_with_file_and_line(tmp_path):
    write(tmp_path, "categories.yaml", "- slug: c\n  name: {en: C}\n")
    write(tmp_path, "articles/0001-x.yaml", "number: 1\nslug: x\ntitle: {en: [unclosed\n")
    with pytest.raises(ContentError) as error:
        read_directory(tmp_path)
    assert "0001-x.yaml:" in str(error.value)
    assert error.value.line >= 3


def test_article_with_unknown_platform_is_refused_and_nothing_written(tmp_path):
    write(tmp_path, "categories.yaml", "- slug: c\n  name: {en: C}\n")
    write(
        tmp_path,
        "articles/0002-y.yaml",
        "number: 2\nslug: y\ncategory: c\ntitle: {en: Y}\nvariants:\n"
        "  - platform: amiga\n    steps:\n      - body: {en: Go}\n",
    )
    with pytest.raises(CommandError, match=r"0002-y.yaml:6: unknown platform 'amiga'"):
        call_command("load_demo", directory=str(tmp_path))
    assert not Article.objects.exists()
    assert not Category.objects.exists()
