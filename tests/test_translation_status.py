"""Translation status: tracked per field by content, shown to editors and to readers."""

import re

import pytest

from articles.models import Step
from tests.formfields import admin_form, form_errors

pytestmark = pytest.mark.django_db(transaction=True)  # the state is refreshed on commit

LIST = "/admin/articles/article/"


@pytest.fixture
def article(make_article, platforms):
    return make_article(
        slug="two-tabs",
        steps={
            platforms["chrome"]: [
                ("Open the menu.", "メニューを開きます。"),
                ("Click Save.", "保存をクリックします。"),
            ],
            platforms["safari"]: [("Open Safari.", "Safari を開きます。")],
        },
    )


def step_field(data, text, language="en"):
    return next(k for k, v in data.items() if k.endswith(f"-body_{language}") and v == [text])


def edit_english_of_one_step(staff_client, article):
    url = f"/admin/articles/article/{article.pk}/change/"
    data = admin_form(staff_client, url)
    data[step_field(data, "Click Save.")] = ["Click Save changes."]
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    return url


def test_new_articles_are_complete_in_both_languages(staff_client, article):
    html = staff_client.get(LIST).content.decode()
    assert html.count("kb-status--complete") == 2
    assert (
        staff_client.get(f"{LIST}?translation=outdated-ja")
        .content.decode()
        .count(f"/admin/articles/article/{article.pk}/change/")
        == 0
    )


def test_changed_english_flags_exactly_that_steps_japanese(staff_client, client, article):
    url = edit_english_of_one_step(staff_client, article)
    article.refresh_from_db()
    assert article.translation_state["ja"] == {"missing": 0, "outdated": 1}
    assert article.translation_state["en"] == {"missing": 0, "outdated": 0}

    # The list: the Japanese column says out of date; the filter finds the article.
    listing = staff_client.get(f"{LIST}?translation=outdated-ja").content.decode()
    assert f"/admin/articles/article/{article.pk}/change/" in listing
    assert "Out of date (1)" in listing
    other = staff_client.get(f"{LIST}?translation=outdated-en").content.decode()
    assert f"/admin/articles/article/{article.pk}/change/" not in other

    # The article: the one step is badged, and the diff of its English is shown.
    page = staff_client.get(url).content.decode()
    assert page.count("kb-status--outdated") == 1
    reviews = re.findall(
        r'kb-review__where">(.*?)</span>.*?<span class="kb-diff">(.*?)</span></label>', page, re.S
    )
    assert reviews == [("Chrome, step 2 · Text (Japanese)", "Click Save<ins> changes</ins>.")]

    # The reader of the Japanese page is told; the English page says nothing.
    ja = client.get(f"/ja/articles/{article.number}/two-tabs/").content.decode()
    en = client.get(f"/en/articles/{article.number}/two-tabs/").content.decode()
    assert "notice--outdated" in ja
    assert "notice--outdated" not in en


def test_marking_the_translation_checked_clears_the_flag(staff_client, client, article):
    url = edit_english_of_one_step(staff_client, article)
    data = admin_form(staff_client, url)
    step = Step.objects.get(body_en="Click Save changes.")
    data["mark_translated"] = [f"step:{step.pk}:body:ja"]
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    article.refresh_from_db()
    assert article.translation_state["ja"]["outdated"] == 0
    assert "kb-status--outdated" not in staff_client.get(LIST).content.decode()
    ja = client.get(f"/ja/articles/{article.number}/two-tabs/").content.decode()
    assert "notice--outdated" not in ja


def test_rewriting_the_japanese_clears_the_flag(staff_client, article):
    url = edit_english_of_one_step(staff_client, article)
    data = admin_form(staff_client, url)
    data[step_field(data, "保存をクリックします。", "ja")] = ["「変更を保存」をクリックします。"]
    assert staff_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.translation_state["ja"]["outdated"] == 0


def test_changing_both_languages_in_one_save_is_up_to_date(article):
    step = Step.objects.get(body_en="Click Save.")
    step.body_en, step.body_ja = "Click Apply.", "適用をクリックします。"
    step.save()
    article.refresh_from_db()
    assert article.translation_state["ja"]["outdated"] == 0


def test_missing_japanese_is_listed_and_filtered(staff_client, make_article):
    article = make_article(slug="english-only", steps={None: [("Do it.", "")]})
    listing = staff_client.get(f"{LIST}?translation=missing-ja").content.decode()
    assert f"/admin/articles/article/{article.pk}/change/" in listing
    assert "Missing (1)" in listing
    assert (
        f"/admin/articles/article/{article.pk}/change/"
        not in staff_client.get(f"{LIST}?translation=missing-en").content.decode()
    )


def test_japanese_interface_of_the_status(staff_client, article):
    edit_english_of_one_step(staff_client, article)
    staff_client.cookies["django_language"] = "ja"
    html = staff_client.get(LIST, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "要更新（1）" in html


def give_figures(step, english, japanese=None):
    from django.core.files.base import ContentFile

    step.figure_en.save(english, ContentFile(b"png"), save=False)
    if japanese:
        step.figure_ja.save(japanese, ContentFile(b"png"), save=False)
    step.figure_alt_en, step.figure_alt_ja = "The menu", "メニュー"
    step.save()


def test_a_replaced_english_figure_flags_the_japanese_figure_made_beside_it(
    staff_client, client, article
):
    own = Step.objects.get(body_en="Open the menu.")
    shared = Step.objects.get(body_en="Click Save.")
    give_figures(own, "menu-en.png", "menu-ja.png")
    give_figures(shared, "save.png")  # no Japanese figure: readers get the English one
    article.refresh_from_db()
    assert article.translation_state["ja"] == {"missing": 0, "outdated": 0}

    for step, name in ((own, "menu-en-2.png"), (shared, "save-2.png")):
        give_figures(step, name)  # the English figure only is replaced
    article.refresh_from_db()
    assert article.translation_state["ja"] == {"missing": 0, "outdated": 1}

    url = f"/admin/articles/article/{article.pk}/change/"
    page = staff_client.get(url).content.decode()
    assert page.count("kb-status--outdated") == 1
    assert "Source figure replaced:" in page and "menu-en" in page and "<ins>" in page
    ja = client.get(f"/ja/articles/{article.number}/two-tabs/").content.decode()
    assert "notice--outdated" in ja

    data = admin_form(staff_client, url)
    data["mark_translated"] = [f"step:{own.pk}:figure:ja"]
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.translation_state["ja"] == {"missing": 0, "outdated": 0}
