"""export_articles / import_articles: the content set leaves and comes back without loss."""

import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from modeltranslation.translator import translator
from PIL import Image

from articles.interchange import LANGUAGE_CODES, read_directory
from articles.management.commands import _progress
from articles.models import Article, Category, Platform, Step, Variant

pytestmark = pytest.mark.django_db


# --- helpers ------------------------------------------------------------------------------


def tree(directory):
    """Return every file below ``directory`` as {relative path: bytes}."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def translated(instance):
    """Return every translated field of ``instance``; a figure stands for its content."""
    values = {}
    for name in translator.get_options_for_model(type(instance)).fields:
        for code in LANGUAGE_CODES:
            value = getattr(instance, f"{name}_{code}")
            if hasattr(value, "open"):  # a figure: what readers see is its content
                value = hashlib.sha256(value.read()).hexdigest() if value else ""
            values[f"{name}_{code}"] = value or ""  # NULL and "" read the same
    return values


def fingerprint():
    """Return the whole content as readers and editors see it, without row ids or dates."""
    articles = {}
    for article in Article.objects.order_by("number"):
        variants = []
        for variant in article.variants.order_by("order", "pk"):
            steps = [translated(step) for step in variant.steps.order_by("order", "pk")]
            platform = variant.platform.slug if variant.platform else None
            variants.append((platform, translated(variant), steps))
        articles[article.number] = {
            "slug": article.slug,
            "category": article.category.slug,
            "status": article.status,
            "prerequisites": sorted(a.number for a in article.prerequisites.all()),
            "related": sorted(a.number for a in article.related.all()),
            "texts": translated(article),
            "variants": variants,
        }
    return {
        "categories": {c.slug: (c.order, translated(c)) for c in Category.objects.all()},
        "platforms": {p.slug: (p.family, p.order, translated(p)) for p in Platform.objects.all()},
        "articles": articles,
    }


def empty_the_database(settings, tmp_path):
    """Start again from nothing: no content rows, a new empty media folder."""
    Article.objects.all().delete()
    Category.objects.all().delete()
    Platform.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "other-media"


def round_trip(tmp_path, settings):
    """Export, import into an empty database, export again; return both folders."""
    first, second = tmp_path / "a", tmp_path / "b"
    call_command("export_articles", str(first), verbosity=0)
    before = fingerprint()
    empty_the_database(settings, tmp_path)
    call_command("import_articles", str(first), verbosity=0)
    assert fingerprint() == before
    call_command("export_articles", str(second), verbosity=0)
    return first, second


def png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(buffer, "PNG")
    return buffer.getvalue()


def store(name, content):
    return default_storage.save(name, ContentFile(content))


def unordered_links(data):
    return {
        **data,
        "prerequisites": sorted(data["prerequisites"]),
        "related": sorted(data["related"]),
    }


def fill_every_text(instance, label):
    """Give every translated text of ``instance`` a distinct value in each language."""
    for name in translator.get_options_for_model(type(instance)).fields:
        if name != "figure":
            setattr(instance, f"{name}_en", f"{label} {name}")
            setattr(instance, f"{name}_ja", f"{label}の{name}")


# --- the demo content, there and back ----------------------------------------------------


def test_demo_exports_and_imports_back_byte_for_byte(demo, tmp_path, settings):
    first, second = round_trip(tmp_path, settings)
    files = tree(first)
    assert len([name for name in files if name.startswith("articles/")]) == 9
    # 14 figures × en, ja (KB 1003 and 1009 share one, stored once)
    assert len([name for name in files if name.startswith("figures/")]) == 28
    assert tree(second) == files


def test_export_says_what_the_demo_files_say(demo, tmp_path):
    call_command("export_articles", str(tmp_path / "out"), verbosity=0)
    shipped, exported = (
        read_directory(Path(django_settings.BASE_DIR) / "demo"),
        read_directory(tmp_path / "out"),
    )
    assert exported.categories == shipped.categories
    assert exported.platforms == shipped.platforms
    # The database keeps links as a set: the file's order of related articles is not kept.
    assert [unordered_links(a.data) for a in exported.articles] == [
        unordered_links(a.data) for a in shipped.articles
    ]
    assert [a.path.name for a in exported.articles] == [a.path.name for a in shipped.articles]


def test_export_of_the_same_database_is_identical(demo, tmp_path):
    call_command("export_articles", str(tmp_path / "one"), verbosity=0)
    call_command("export_articles", str(tmp_path / "two"), verbosity=0)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_importing_an_export_back_changes_nothing(demo, tmp_path, capsys):
    call_command("export_articles", str(tmp_path / "out"), verbosity=0)
    dates = dict(Article.objects.values_list("number", "updated_at"))
    before = fingerprint()
    call_command("import_articles", str(tmp_path / "out"))
    assert "0 created, 0 updated, 9 unchanged" in capsys.readouterr().out
    assert dict(Article.objects.values_list("number", "updated_at")) == dates
    assert fingerprint() == before


def test_exported_files_are_readable_yaml(demo, tmp_path):
    call_command("export_articles", str(tmp_path / "out"), verbosity=0)
    har = (tmp_path / "out/articles/1008-generate-a-har-file.yaml").read_text(encoding="utf-8")
    assert har.startswith("number: 1008\nslug: generate-a-har-file\n")
    assert "\nbody:\n  en: |\n    When a page misbehaves" in har  # Markdown as a block
    assert "ja: サポート窓口に送るHARファイルの作成方法\n" in har  # Japanese as written
    both = "{en: figures/har-chrome-network-tab.png, ja: figures/har-chrome-network-tab-ja.png}"
    assert f"figure: {both}" in har
    assert "related: []" in har
    assert "  - platform: null\n" in har


# --- the last-updated date travels with the files -----------------------------------------


def demo_dates():
    from articles.interchange.yaml_io import load_file

    folder = Path(django_settings.BASE_DIR) / "demo" / "articles"
    return {load_file(p)["number"]: load_file(p)["updated"] for p in folder.glob("*.yaml")}


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Last updated Nov. 19, 2026"), ("ja", "最終更新日 2026年11月19日")],
)
def test_each_demo_article_shows_the_date_its_file_gives(demo, client, language, shown):
    dates = demo_dates()
    assert {n: timezone.localdate(a.updated_at) for n, a in demo.items()} == dates
    assert len(set(dates.values())) >= len(dates) - 2, "a real date per article, not one for all"
    html = client.get(f"/{language}/articles/1008/generate-a-har-file/").content.decode()
    meta = re.search(r'<p class="article__meta">(.*?)</p>', html, re.DOTALL).group(1)
    assert re.sub(r"<[^>]+>", "", " ".join(meta.split())) == shown
    assert '<time datetime="2026-11-19T' in meta


def test_a_file_whose_only_change_is_its_date_gives_the_article_that_date(demo, tmp_path, capsys):
    call_command("export_articles", str(tmp_path / "out"), verbosity=0)
    har = tmp_path / "out" / HAR
    har.write_text(
        har.read_text(encoding="utf-8").replace("updated: 2026-11-19", "updated: 2026-11-30")
    )
    others = dict(Article.objects.exclude(number=1008).values_list("number", "updated_at"))
    call_command("import_articles", str(tmp_path / "out"))
    assert f"0 created, 1 updated, {len(demo) - 1} unchanged" in capsys.readouterr().out
    assert (
        timezone.localdate(Article.objects.get(number=1008).updated_at).isoformat() == "2026-11-30"
    )
    assert dict(Article.objects.exclude(number=1008).values_list("number", "updated_at")) == others
    call_command("export_articles", str(tmp_path / "again"), verbosity=0)
    assert "\nupdated: 2026-11-30\n" in (tmp_path / "again" / HAR).read_text(encoding="utf-8")


def test_a_file_without_a_date_is_dated_by_the_import(demo, tmp_path, capsys):
    call_command("export_articles", str(tmp_path / "out"), verbosity=0)
    har = tmp_path / "out" / HAR
    text = har.read_text(encoding="utf-8")
    har.write_text(text.replace("updated: 2026-11-19\n", "").replace("HARファイル", "HAR ファイル"))
    call_command("import_articles", str(tmp_path / "out"))
    assert f"0 created, 1 updated, {len(demo) - 1} unchanged" in capsys.readouterr().out
    assert timezone.localdate(Article.objects.get(number=1008).updated_at) == timezone.localdate()
    # Without a date, a file says nothing about it: the same file again changes nothing.
    call_command("import_articles", str(tmp_path / "out"))
    assert f"0 created, 0 updated, {len(demo)} unchanged" in capsys.readouterr().out


# --- a demanding article ------------------------------------------------------------------


@pytest.fixture
def rich_article(category, platforms, make_article):
    """An article using everything the format holds, figures and links included."""
    before = make_article(number=3001, slug="before", title=("Before", "前に"))
    after = make_article(number=3002, slug="after", status=Article.Status.DRAFT)
    article = Article.objects.create(
        number=3000, slug="everything", category=category, status=Article.Status.ARCHIVED
    )
    fill_every_text(article, "Article")
    article.save()
    article.prerequisites.set([before])
    article.related.set([before, after])
    red, blue, green = png("red"), png("blue"), png("green")
    layout = [(None, 1), (platforms["chrome"], 3), (platforms["safari"], 1), (None, 2)]
    for order, (platform, steps) in enumerate(layout):
        variant = Variant(article=article, platform=platform, order=order)
        fill_every_text(variant, f"Variant {order}")
        variant.save()
        for step_order in range(steps):
            step = Step(variant=variant, order=step_order)
            fill_every_text(step, f"Step {order}.{step_order}")
            step.save()
    chrome = list(Step.objects.filter(variant__platform__slug="chrome").order_by("order"))
    # Both languages, each its own figure; then Japanese only (English shows none).
    chrome[0].figure_en, chrome[0].figure_ja = (
        store("figures/en.png", red),
        store("figures/ja.png", blue),
    )
    chrome[1].figure_ja = store("figures/ja-only.png", green)
    # The same file name for two different images, stored in different folders.
    chrome[2].figure_en = store("figures/shot.png", red)
    safari = Step.objects.get(variant__platform__slug="safari")
    safari.figure_en = store("figures/2024/shot.png", blue)
    for step in (*chrome, safari):
        step.save()
    return article


def test_article_with_figures_tabs_shared_steps_and_links_round_trips(
    rich_article, tmp_path, settings
):
    first, second = round_trip(tmp_path, settings)
    assert tree(second) == tree(first)
    files = tree(first)
    figures = sorted(name for name in files if name.startswith("figures/"))
    shots = [name for name in figures if name.startswith("figures/shot-")]
    assert len(figures) == 5 and len(shots) == 2, figures
    assert files[shots[0]] != files[shots[1]]
    text = files["articles/3000-everything.yaml"].decode()
    today = timezone.localdate().isoformat()  # dated by its last save, in the admin's zone
    assert f"status: archived\nupdated: {today}\nprerequisites: [3001]\n" in text
    assert "related: [3001, 3002]\n" in text
    assert "figure: {ja: figures/ja-only.png}" in text
    imported = Step.objects.get(body_en="Step 1.1 body")
    assert not imported.figure_en and imported.figure_ja.read() == png("green")


TRICKY = {
    "title_en": "Key: value # not a comment",
    "title_ja": "「鍵」: 値 #タグ",
    "summary_en": "  two leading spaces, 'single' and \"double\" quotes",
    "summary_ja": "---",
    "body_en": "---\nlooks like: front matter\n---\n\n\tindented with a tab\n    code\n- item\n",
    "body_ja": "日本語の本文です。\n\n> 引用：テスト # ではない\n\n\n",
    "notes_en": "a Markdown hard break  \nnext line",
    "notes_ja": "  先頭の空白\nと末尾の改行\n",
    "troubleshooting_en": "yes",
    "troubleshooting_ja": "1.10",
}
TRICKY_STEPS = ["- not a list", "|", "@at `code` *not* &anchor", "null", "tab\tinside", "~"]


def test_japanese_and_yaml_significant_text_round_trips_exactly(make_article, tmp_path, settings):
    make_article(
        number=4000,
        slug="tricky",
        title=(TRICKY["title_en"], TRICKY["title_ja"]),
        steps={None: [(text, f"{text}（日本語）") for text in TRICKY_STEPS]},
        **{key: value for key, value in TRICKY.items() if not key.startswith("title")},
    )
    first, second = round_trip(tmp_path, settings)
    assert tree(second) == tree(first)
    article = Article.objects.get(number=4000)
    assert {key: getattr(article, key) for key in TRICKY} == TRICKY
    steps = Step.objects.filter(variant__article=article).order_by("order")
    assert [step.body_en for step in steps] == TRICKY_STEPS
    text = tree(first)["articles/4000-tricky.yaml"].decode()
    assert "  ja: |+\n    日本語の本文です。\n" in text  # readable, not escaped


def test_line_breaks_typed_in_the_admin_export_as_plain_lines(make_article, tmp_path, capsys):
    # Browsers send a textarea's line breaks as CRLF.
    make_article(number=4100, slug="crlf", body_en="First line\r\nSecond line")
    call_command("export_articles", str(tmp_path / "out"), verbosity=0)
    text = (tmp_path / "out/articles/4100-crlf.yaml").read_text(encoding="utf-8")
    assert "  en: |\n    First line\n    Second line\n" in text
    call_command("import_articles", str(tmp_path / "out"))
    assert "0 created, 0 updated, 1 unchanged" in capsys.readouterr().out


# --- refusing bad input -------------------------------------------------------------------

HAR = "articles/1008-generate-a-har-file.yaml"


def break_unknown_platform(text):
    return text.replace("  - platform: safari\n", "  - platform: amiga\n")


def break_missing_title(text):
    start = text.index("title:\n")
    return text[:start] + text[text.index("summary:\n") :]


def break_yaml(text):
    return text.replace("related: []\n", "related: [\n")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (break_unknown_platform, r":(\d+): unknown platform 'amiga'"),
        (break_missing_title, r":(1): missing key 'title'"),
        (break_yaml, r":(\d+): "),
    ],
    ids=["unknown platform", "missing title", "bad YAML"],
)
def test_malformed_file_is_refused_with_file_and_line_and_nothing_written(
    demo, tmp_path, damage, message
):
    out = tmp_path / "out"
    call_command("export_articles", str(out), verbosity=0)
    # A valid change in another file: it must not be written either.
    first = out / "articles/1001-rsa-key-pair-for-sftp.yaml"
    first.write_text(first.read_text().replace("status: published", "status: draft"))
    broken = out / HAR
    broken.write_text(damage(broken.read_text(encoding="utf-8")), encoding="utf-8")
    before, rows = fingerprint(), (Article.objects.count(), Step.objects.count())

    with pytest.raises(CommandError) as error:
        call_command("import_articles", str(out))
    assert str(broken) in str(error.value)
    line = int(re.search(message, str(error.value)).group(1))
    if damage is break_unknown_platform:
        lines = broken.read_text(encoding="utf-8").splitlines()
        assert lines[line - 1] == "  - platform: amiga"
    assert "Nothing was imported" in str(error.value)
    assert fingerprint() == before
    assert (Article.objects.count(), Step.objects.count()) == rows


def test_every_malformed_file_is_listed(demo, tmp_path):
    out = tmp_path / "out"
    call_command("export_articles", str(out), verbosity=0)
    for name in ("articles/1001-rsa-key-pair-for-sftp.yaml", HAR):
        (out / name).write_text((out / name).read_text().replace("status: published", "status: x"))
    with pytest.raises(CommandError) as error:
        call_command("import_articles", str(out))
    assert str(error.value).count("status must be one of") == 2
    assert "(2 problems to fix first)" in str(error.value)


def test_import_refuses_a_missing_directory(tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        call_command("import_articles", str(tmp_path / "missing"))


def test_import_refuses_a_folder_without_content_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match="no content files"):
        call_command("import_articles", str(tmp_path))


def test_command_line_reports_a_missing_directory_without_a_traceback(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env["KB_DATA_DIR"] = str(tmp_path / "data")
    finished = subprocess.run(
        [sys.executable, "manage.py", "import_articles", str(tmp_path / "missing")],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 1
    assert f"{tmp_path / 'missing'}: no such directory" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert finished.stdout == ""


def test_export_refuses_a_folder_in_use_and_replace_keeps_other_files(demo, tmp_path):
    out = tmp_path / "out"
    call_command("export_articles", str(out), verbosity=0)
    exported = tree(out)
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_articles", str(out), verbosity=0)
    (out / "README.txt").write_text("our notes")
    (out / "articles/9999-deleted-since.yaml").write_text("number: 9999\n")
    (out / "figures/old.png").write_bytes(png("red"))

    call_command("export_articles", str(out), replace=True, verbosity=0)
    assert tree(out) == {**exported, "README.txt": b"our notes"}


def test_export_with_a_figure_missing_from_media_writes_nothing(rich_article, tmp_path):
    stored = Step.objects.exclude(figure_en="").first().figure_en.name
    default_storage.delete(stored)
    with pytest.raises(CommandError, match=f"figure missing from the media folder: {stored}"):
        call_command("export_articles", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


# --- what the commands print --------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_commands_print_progress_lines_and_a_summary(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(_progress, "LINE_EVERY", 3)
    output = io.StringIO()
    call_command("export_articles", str(tmp_path / "out"), stdout=output)
    assert output.getvalue().splitlines() == [
        "Exporting 3/9 articles",
        "Exporting 6/9 articles",
        "Exporting 9/9 articles",
        f"Exported 9 articles, 3 categories, 13 platforms and 28 figures to {tmp_path / 'out'}.",
    ]
    output = io.StringIO()
    call_command("import_articles", str(tmp_path / "out"), stdout=output)
    assert output.getvalue().splitlines()[-2:] == [
        "Importing 9/9 articles",
        f"Imported {tmp_path / 'out'}: 0 created, 0 updated, 9 unchanged.",
    ]


def test_small_sets_print_only_the_summary(demo, tmp_path):
    output = io.StringIO()
    call_command("export_articles", str(tmp_path / "out"), stdout=output)
    assert output.getvalue().count("\n") == 1


def test_a_terminal_sees_a_counter_redrawn_in_place(demo, tmp_path):
    terminal = Terminal()
    call_command("export_articles", str(tmp_path / "out"), stdout=terminal)
    assert "\rExporting 1/9 articles" in terminal.getvalue()
    assert terminal.getvalue().endswith(
        f"\rExporting 9/9 articles\nExported 9 articles, 3 categories, 13 platforms "
        f"and 28 figures to {tmp_path / 'out'}.\n"
    )


def test_verbose_import_names_every_file_and_what_happened(demo, tmp_path):
    call_command("export_articles", str(tmp_path / "out"), verbosity=0)
    har = tmp_path / "out" / HAR
    har.write_text(har.read_text(encoding="utf-8").replace("HARファイル", "HAR ファイル"))
    output = io.StringIO()
    call_command("import_articles", str(tmp_path / "out"), stdout=output, verbosity=2)
    assert "[1/9] 1001-rsa-key-pair-for-sftp.yaml: unchanged" in output.getvalue()
    assert "[8/9] 1008-generate-a-har-file.yaml: updated" in output.getvalue()
    assert "0 created, 1 updated, 8 unchanged." in output.getvalue()


# --- translation status, source language and history travel with the files -------------


def test_out_of_date_translations_and_the_source_language_round_trip(
    make_article, platforms, tmp_path, settings
):
    english_first = make_article(
        slug="english-first",
        steps={
            platforms["chrome"]: [
                ("Click Save.", "保存をクリックします。"),
                ("Close.", "閉じます。"),
            ]
        },
    )
    step = Step.objects.get(body_en="Click Save.")
    step.body_en = "Click Save changes."
    step.save()  # its Japanese is now out of date
    japanese_first = make_article(
        slug="japanese-first", source_language="ja", title=("Old English", "日本語の題名")
    )
    japanese_first.title_ja = "新しい日本語の題名"
    japanese_first.save()  # its English title is now out of date

    def states():
        return {
            a.number: (a.source_language, a.translation_state)
            for a in Article.objects.order_by("number")
        }

    from articles import translation_status

    translation_status.refresh_loaded(
        Article.objects.for_detail().filter(pk__in=[english_first.pk, japanese_first.pk])
    )
    before = states()
    assert before[english_first.number][1]["ja"]["outdated"] == 1
    assert before[japanese_first.number] == (
        "ja",
        {"en": {"missing": 0, "outdated": 1}, "ja": {"missing": 0, "outdated": 0}},
    )

    first, second = round_trip(tmp_path, settings)
    translation_status.refresh_loaded(
        Article.objects.for_detail().filter(pk__in=Article.objects.values_list("pk", flat=True))
    )
    assert states() == before
    assert tree(first) == tree(second)
    text = (first / "articles" / f"{english_first.number:04d}-english-first.yaml").read_text()
    assert "translated_from:" in text and "Click Save." in text
    other = (first / "articles" / f"{japanese_first.number:04d}-japanese-first.yaml").read_text()
    assert "written_in: ja" in other


def test_an_out_of_date_japanese_figure_round_trips(make_article, tmp_path, settings):
    from articles import translation_status

    article = make_article(slug="figures", steps={None: [("Open the menu.", "メニュー。")]})
    step = Step.objects.get(variant__article=article)
    step.figure_en = store("figures/menu.png", png("red"))
    step.figure_ja = store("figures/menu-ja.png", png("blue"))
    step.figure_alt_en, step.figure_alt_ja = "The menu", "メニュー"
    step.save()
    step.figure_en = store("figures/menu-new.png", png("green"))
    step.save()  # the English figure is replaced: the Japanese one is out of date
    translation_status.refresh_loaded(Article.objects.for_detail().filter(pk__in=[article.pk]))
    article.refresh_from_db()
    assert article.translation_state["ja"]["outdated"] == 1

    first, second = round_trip(tmp_path, settings)
    assert tree(first) == tree(second)
    assert "figure: figures/menu.png" in next((first / "articles").iterdir()).read_text()
    imported = Article.objects.get(number=article.number)
    translation_status.refresh_loaded(Article.objects.for_detail().filter(pk__in=[imported.pk]))
    imported.refresh_from_db()
    assert imported.translation_state["ja"] == {"missing": 0, "outdated": 1}


def test_an_imported_figure_follows_the_upload_rules(demo, tmp_path):
    call_command("export_articles", str(tmp_path / "set"), verbosity=0)
    figure = next((tmp_path / "set" / "figures").glob("*.png"))
    figure.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path / "set"), verbosity=0)


def test_an_import_is_recorded_in_the_history(demo, tmp_path):
    from reversion.models import Version

    article = Article.objects.get(number=1008)
    versions = Version.objects.get_for_object(article)
    comments = [version.revision.get_comment() for version in versions]
    assert comments[-1] == "Imported from 1008-generate-a-har-file.yaml"
