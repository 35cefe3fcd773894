"""No lost edits: a form loaded before someone else's save is refused, nothing is lost."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from reversion.models import Version

from articles.models import Article, Step
from tests.formfields import admin_form, form_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(make_article):
    article = make_article(
        slug="shared", steps={None: [("Open the menu.", "メニューを開きます。")]}
    )
    clients = []
    for name in ("aiko", "ben"):
        client = Client()
        client.force_login(User.objects.create_superuser(name, "", "x"))
        clients.append(client)
    return article, *clients


def test_the_later_save_of_a_stale_form_is_refused_and_keeps_its_text(two_editors):
    article, aiko, ben = two_editors
    url = f"/admin/articles/article/{article.pk}/change/"
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)

    aiko_form["variants-0-steps-0-body_en"] = ["Open the main menu."]
    assert aiko.post(url, aiko_form).status_code == 302

    ben_form["title_ja"] = ["ベンの題名"]
    ben_form["variants-0-steps-0-body_ja"] = ["ベンが書いた手順。"]
    response = ben.post(url, ben_form)
    assert response.status_code == 200
    html = response.content.decode()
    # Refused, with who changed what...
    assert "Someone else saved this article" in html and "aiko" in html
    assert re.search(r"<ins>\s?main\s?</ins>", html)
    # ...and Ben's own text is still in the form.
    assert "ベンが書いた手順。" in html and 'value="ベンの題名"' in html
    step = Step.objects.get(variant__article=article)
    assert step.body_en == "Open the main menu." and step.body_ja == "メニューを開きます。"

    # Ben saves again from the refused form (now merged): accepted; both edits kept.
    merged = admin_form_from(html)
    merged["variants-0-steps-0-body_en"] = ["Open the main menu."]
    response = ben.post(url, merged)
    assert response.status_code == 302, form_errors(response)
    step.refresh_from_db()
    assert (step.body_en, step.body_ja) == ("Open the main menu.", "ベンが書いた手順。")
    users = [v.revision.user for v in Version.objects.get_for_object(article)]
    assert [user.username for user in users[:2]] == ["ben", "aiko"]  # then the creation


def test_a_change_only_to_steps_also_counts(two_editors):
    article, aiko, ben = two_editors
    url = f"/admin/articles/article/{article.pk}/change/"
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["variants-0-steps-0-body_ja"] = ["アイコの手順。"]
    assert aiko.post(url, aiko_form).status_code == 302
    version = Article.objects.get(pk=article.pk).version
    assert ben.post(url, ben_form).status_code == 200  # refused
    assert Article.objects.get(pk=article.pk).version == version


def admin_form_from(html):
    from tests.formfields import FormFields

    parser = FormFields()
    parser.feed(html)
    return {k: v for k, v in parser.data.items() if "__prefix__" not in k}
