"""Content files: the demo loader is idempotent and bad files are refused clearly."""

import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.interchange import InvalidContent, from_yaml, read_directory, to_yaml
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


def test_demo_loads_nine_published_articles_in_both_languages(demo):
    assert sorted(demo) == list(range(1001, 1010))
    for article in demo.values():
        assert article.status == Article.Status.PUBLISHED
        assert article.title_en and article.title_ja


def test_loading_demo_twice_changes_nothing(demo, capsys):
    before = snapshot()
    call_command("load_demo")
    assert "0 created, 0 updated, 9 unchanged" in capsys.readouterr().out
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
    referenced = {
        name for row in Step.objects.values_list("figure_en", "figure_ja") for name in row if name
    }
    # 14 figures (KB 1003, 1004, 1008, 1009), each in both languages; KB 1003 and 1009
    # share one.
    assert len(referenced) == 28
    assert len(stored) == len(referenced)


def write(directory, name, text):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_article(directory, name, text, platforms=None):
    """Write a content folder with category ``c``, ``platforms`` and one article file."""
    write(directory, "categories.yaml", "- slug: c\n  name: {en: C}\n")
    if platforms:
        write(directory, "platforms.yaml", platforms)
    return write(directory, f"articles/{name}", text)


def test_malformed_yaml_is_refused_with_file_and_line(tmp_path):
    one_article(tmp_path, "0001-x.yaml", "number: 1\nslug: x\ntitle: {en: [unclosed\n")
    with pytest.raises(InvalidContent) as error:
        read_directory(tmp_path)
    [problem] = error.value.errors
    assert problem.path.name == "0001-x.yaml"
    assert problem.line >= 3


def test_article_with_unknown_platform_is_refused_and_nothing_written(tmp_path):
    one_article(
        tmp_path,
        "0002-y.yaml",
        "number: 2\nslug: y\ncategory: c\ntitle: {en: Y}\nvariants:\n"
        "  - platform: amiga\n    steps:\n      - body: {en: Go}\n",
    )
    with pytest.raises(CommandError, match=r"0002-y.yaml:6: unknown platform 'amiga'"):
        call_command("load_demo", directory=str(tmp_path))
    assert not Article.objects.exists()
    assert not Category.objects.exists()


def test_problems_point_at_the_line_of_the_key(tmp_path):
    one_article(
        tmp_path,
        "0003-z.yaml",
        "number: 3\nslug: z\ncategory: c\ntitle: {en: Z}\nstatus: finished\nvariants: []\n",
    )
    with pytest.raises(InvalidContent, match=r"0003-z.yaml:5: status must be one of"):
        read_directory(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: {en: 1.10}", "title.en must be text (put it in quotes)"),
        ("title: {en: Z, fr: Z}", "title: unknown language 'fr'"),
        ("title: {en: '   '}", "title is required"),
        ("title: {en: Z}\nslug: not a slug", "slug must be letters, digits and hyphens"),
        ("title: {en: Z}\nrelated: 1005", "related must be a list of article numbers"),
        ("title: {en: Z}\nupdated: yesterday", "updated must be a date: 2026-11-24"),
        ("title: {en: Z}\nupdated: 2026-11-24 10:30:00", "updated must be a date: 2026-11-24"),
        ("title: {en: Z}\nupdated: 2026-13-01", "'2026-13-01' is not a valid date"),
    ],
)
def test_invalid_values_are_refused_with_a_reason(tmp_path, text, message):
    one_article(tmp_path, "0004-w.yaml", f"number: 4\nslug: w\ncategory: c\n{text}\nvariants: []\n")
    with pytest.raises(InvalidContent, match=re.escape(message)):
        read_directory(tmp_path)


def test_figure_outside_the_content_folder_is_refused(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the media folder")
    content = tmp_path / "content"
    one_article(
        content,
        "0005-v.yaml",
        "number: 5\nslug: v\ncategory: c\ntitle: {en: V}\nvariants:\n"
        "  - steps:\n      - body: {en: Look}\n        figure: {en: ../secret.png}\n"
        "        alt: {en: A secret}\n",
    )
    with pytest.raises(InvalidContent, match=r"0005-v.yaml:8: figure outside the folder"):
        read_directory(content)


def test_two_variants_for_one_platform_are_refused_before_writing(tmp_path):
    one_article(
        tmp_path,
        "0006-u.yaml",
        "number: 6\nslug: u\ncategory: c\ntitle: {en: U}\nvariants:\n"
        "  - platform: ios\n  - platform: ios\n",
        platforms="- {slug: ios, family: os, name: {en: iOS}}\n",
    )
    with pytest.raises(CommandError, match=r"0006-u.yaml:7: platform 'ios' appears twice"):
        call_command("load_demo", directory=str(tmp_path))
    assert not Category.objects.exists()


def test_a_hand_written_block_ends_without_its_closing_line_break():
    data = from_yaml("body:\n  en: |\n    Line one.\n\n    Line two.\n  ja: 一行\n")
    assert data["body"] == {"en": "Line one.\n\nLine two.", "ja": "一行"}


PIECES = [
    "\n", " ", "\t", ": ", "#", " #", "---", "...", "'", '"', "- ", "|", ">", "{", "}", "[",
    "]", ",", "&", "*", "!", "%", "@", "`", "?", "~", "null", "yes", "1.10", "日本語", "：",
    "「", "」", "\r", "\x85", "\u2028", "\ufeff", "\x00", "😀", "\\", "  \n",
]  # fmt: skip
editor_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=20).map(
    "".join
)


@settings(max_examples=3000, deadline=None)
@given(editor_text)
def test_any_text_an_editor_writes_comes_back_from_its_file_exactly(text):
    document = {"body": {"en": text, "ja": text}, "steps": [{"caption": {"ja": text}}]}
    assert from_yaml(to_yaml(document)) == document


HAR_FILE = Path(django_settings.BASE_DIR) / "demo/articles/1008-generate-a-har-file.yaml"
odd_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["en", "ja", "fr", "x"]), st.text(max_size=3), max_size=2),
)


def places(data, path=()):
    """Yield the path of every value in a nested structure of dicts and lists."""
    yield path
    if isinstance(data, dict | list):
        for key, value in data.items() if isinstance(data, dict) else enumerate(data):
            yield from places(value, (*path, key))


def replaced(data, path, value):
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(data[path[0]], path[1:], value)
    return copy


@pytest.fixture(scope="module")
def har_data():
    return yaml.safe_load(HAR_FILE.read_text(encoding="utf-8"))


# Reading never writes, so one database for every example is right.
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_damaged_file_is_refused_with_its_name_never_a_traceback(data, har_data):
    where = data.draw(st.sampled_from(list(places(har_data))))
    value = data.draw(odd_value)
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder)
        shutil.copytree(HAR_FILE.parent.parent / "figures", content / "figures")
        for name in ("categories.yaml", "platforms.yaml"):
            shutil.copy(HAR_FILE.parent.parent / name, content / name)
        damaged = yaml.safe_dump(replaced(har_data, where, value), allow_unicode=True)
        write(content, "articles/1008-generate-a-har-file.yaml", damaged)
        try:
            read_directory(content)
        except InvalidContent as error:
            assert "1008-generate-a-har-file.yaml" in str(error)
