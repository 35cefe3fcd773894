"""History: every admin save is a revision; compare, restore and recover deleted articles."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from reversion.models import Version

from articles import revisions
from articles.models import Article, Step, Variant
from tests.formfields import admin_form, form_errors

pytestmark = pytest.mark.django_db


def png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), colour).save(buffer, "PNG")
    return SimpleUploadedFile(f"{colour}.png", buffer.getvalue(), "image/png")


def save(client, article, change):
    url = f"/admin/articles/article/{article.pk}/change/"
    data = admin_form(client, url)
    change(data)
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)


def diff_of(html, label):
    """Return what the compare page shows as the change of the field labelled ``label``."""
    found = re.findall(
        rf'<dt>{re.escape(label)}</dt><dd><span class="kb-diff">(.*?)</span></dd>', html
    )
    assert len(found) == 1, (label, found)
    return found[0]


def snapshot(article):
    """Everything restoring must bring back: texts of both languages and figures."""
    return revisions.flatten(revisions.current_state(Article.objects.get(pk=article.pk)))


@pytest.fixture
def edited(staff_client, make_article, platforms):
    article = make_article(
        slug="history",
        steps={platforms["chrome"]: [("First.", "一つ目。"), ("Second.", "二つ目。")]},
    )

    def first(data):
        data["variants-0-steps-0-figure_en"] = png("red")
        data["variants-0-steps-0-figure_alt_en"] = ["A red square"]
        data["variants-0-steps-0-figure_alt_ja"] = ["赤い四角"]

    save(staff_client, article, first)
    original = snapshot(article)

    def second(data):
        data["title_en"], data["title_ja"] = ["Changed title"], ["変更した題名"]
        data["variants-0-steps-0-body_ja"] = ["変更した一つ目。"]
        data["variants-0-steps-0-figure_en"] = png("blue")
        data["variants-0-steps-1-DELETE"] = ["on"]

    save(staff_client, article, second)
    return article, original


def test_every_save_is_a_revision_with_who_made_it(staff_client, edited):
    article, _original = edited
    versions = list(Version.objects.get_for_object(article))
    # Created (by the builder, as an import would), then two admin saves.
    assert len(versions) == 3
    assert [v.revision.user.username for v in versions[:2]] == ["editor", "editor"]
    history = staff_client.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    assert history.count('name="from"') == 3


def test_compare_shows_what_changed_between_two_revisions(staff_client, edited):
    article, _original = edited
    newer, older, _created = Version.objects.get_for_object(article)
    html = staff_client.get(
        f"/admin/articles/article/{article.pk}/history/compare/"
        f"?from={older.revision_id}&to={newer.revision_id}"
    ).content.decode()
    assert "Title (English)" in html and "<ins>Changed title</ins>" in html
    assert "Chrome, step 2" in html and "<del>Second.</del>" in html
    # The Japanese of step 1 gained words in front: only they are marked as inserted.
    assert diff_of(html, "Chrome, step 1 · Text (Japanese)") == "<ins>変更した</ins>一つ目。"
    # Japanese staff read the same page in Japanese.
    staff_client.cookies["django_language"] = "ja"
    ja = staff_client.get(
        f"/admin/articles/article/{article.pk}/history/compare/?from={older.revision_id}"
    ).content.decode()
    assert "比較" in ja


def test_restoring_a_revision_brings_back_texts_steps_and_figures_exactly(staff_client, edited):
    article, original = edited
    assert snapshot(article) != original
    first = list(Version.objects.get_for_object(article))[1]  # the first admin save
    url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
    data = admin_form(staff_client, url)
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    restored = snapshot(article)
    assert restored == original
    assert Step.objects.filter(variant__article=article).count() == 2
    assert Step.objects.get(body_en="First.").figure_en.name.startswith("figures/red")
    # The restore is itself a revision: four now, the newest says what it did.
    versions = list(Version.objects.get_for_object(article))
    assert len(versions) == 4
    assert "Reverted" in versions[0].revision.get_comment()


def test_a_deleted_article_is_recovered_with_its_variants_and_steps(staff_client, edited):
    article, _original = edited
    before = snapshot(article)
    response = staff_client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()

    listing = staff_client.get("/admin/articles/article/recover/").content.decode()
    assert "Changed title" in listing
    deleted = Version.objects.get_deleted(Article).get()
    url = f"/admin/articles/article/recover/{deleted.pk}/"
    response = staff_client.post(url, admin_form(staff_client, url))
    assert response.status_code == 302, form_errors(response)

    recovered = Article.objects.get(number=article.number)
    assert snapshot(recovered) == before
    assert Variant.objects.filter(article=recovered).count() == 1
    assert Step.objects.filter(variant__article=recovered).count() == 1


def test_saving_unchanged_text_typed_with_crlf_line_breaks_records_no_change(
    staff_client, make_article
):
    article = make_article(slug="multi-line", body_en="First line.\nSecond line.")
    url = f"/admin/articles/article/{article.pk}/change/"
    data = admin_form(staff_client, url)
    data["body_en"] = ["First line.\r\nSecond line."]  # what a browser submits
    data["title_en"] = ["A new title"]
    assert staff_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.body_en == "First line.\nSecond line."
    comment = Version.objects.get_for_object(article).first().revision.get_comment()
    assert "Title (English)" in comment and "Introduction" not in comment


def test_history_compares_the_previous_version_with_the_current_one_by_default(
    staff_client, edited
):
    article, _original = edited
    history = staff_client.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    newest, previous, _first = Version.objects.get_for_object(article)
    assert f'name="from" value="{previous.revision_id}" checked' in history
