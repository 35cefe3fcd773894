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


def test_a_stale_form_that_changed_the_same_text_is_refused_and_keeps_its_text(two_editors):
    article, aiko, ben = two_editors
    url = f"/admin/articles/article/{article.pk}/change/"
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)

    aiko_form["variants-0-steps-0-body_en"] = ["Open the main menu."]
    assert aiko.post(url, aiko_form).status_code == 302

    ben_form["title_ja"] = ["ベンの題名"]
    ben_form["variants-0-steps-0-body_en"] = ["Open the side menu."]
    response = ben.post(url, ben_form)
    assert response.status_code == 200
    html = response.content.decode()
    # Refused, with who saved and both texts side by side...
    assert "Someone else saved this article" in html and "aiko" in html
    assert "Open the main menu." in html and "Open the side menu." in html
    # ...and Ben's own text is still in the form; nothing of it was written.
    assert 'value="ベンの題名"' in html
    step = Step.objects.get(variant__article=article)
    assert step.body_en == "Open the main menu."
    assert Article.objects.get(pk=article.pk).title_ja == "記事"

    # Ben keeps Aiko's text: saved, with his title.
    merged = admin_form_from(html)
    (key,) = set(re.findall(r'name="(kb_resolve_[^"]+)" value="theirs"', html))
    merged[key] = ["theirs"]
    response = ben.post(url, merged)
    assert response.status_code == 302, form_errors(response)
    step.refresh_from_db()
    assert step.body_en == "Open the main menu."
    assert Article.objects.get(pk=article.pk).title_ja == "ベンの題名"
    users = [v.revision.user for v in Version.objects.get_for_object(article)]
    assert [user.username for user in users[:2]] == ["ben", "aiko"]  # then the creation


def test_a_stale_form_sent_unchanged_keeps_the_other_save(two_editors):
    article, aiko, ben = two_editors
    url = f"/admin/articles/article/{article.pk}/change/"
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["variants-0-steps-0-body_ja"] = ["アイコの手順。"]
    aiko_form["summary_en"] = ["Aiko's summary."]
    assert aiko.post(url, aiko_form).status_code == 302

    assert ben.post(url, ben_form).status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert article.summary_en == "Aiko's summary."
    assert Step.objects.get(variant__article=article).body_ja == "アイコの手順。"


def admin_form_from(html):
    from tests.formfields import FormFields

    parser = FormFields()
    parser.feed(html)
    return {k: v for k, v in parser.data.items() if "__prefix__" not in k}
