"""The admin: staff edit an article, its variants and steps on one page, in both languages."""

import re

import pytest

from articles.models import Step
from tests.formfields import admin_form as change_form

pytestmark = pytest.mark.django_db


def test_staff_changes_japanese_step_text_and_readers_see_it(staff_client, client, demo):
    step = Step.objects.filter(
        variant__article__number=1008, variant__platform__slug="safari"
    ).first()
    url = f"/admin/articles/article/{demo[1008].pk}/change/"
    data = change_form(staff_client, url)
    field = next(k for k, v in data.items() if k.endswith("body_ja") and v == [step.body_ja])
    data[field] = ["サファリで「開発」メニューを開きます(テスト)。"]

    response = staff_client.post(url, data)
    assert response.status_code == 302, re.findall(
        r'class="errorlist[^"]*">(.*?)</ul>', response.content.decode()
    )

    page = client.get(f"/ja/articles/1008/{demo[1008].slug}/?platform=safari").content.decode()
    assert "サファリで「開発」メニューを開きます(テスト)。" in page


def test_admin_change_page_shows_every_language_and_nested_steps(staff_client, demo):
    html = staff_client.get(f"/admin/articles/article/{demo[1008].pk}/change/").content.decode()
    assert 'name="title_en"' in html and 'name="title_ja"' in html
    assert re.search(r'name="variants-\d+-steps-\d+-body_ja"', html)
    assert re.search(r'name="variants-\d+-steps-\d+-figure_alt_en"', html)


def test_admin_pages_load_nothing_from_another_host(staff_client, demo):
    for url in (
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{demo[1008].pk}/change/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{demo[1008].pk}/history/",
        f"/admin/articles/article/{demo[1008].pk}/history/compare/",
        "/admin/articles/article/recover/",
    ):
        html = staff_client.get(url).content.decode()
        external = re.findall(r'(?:src|href)=["\']?(?:https?:)?//[^"\'> ]+', html)
        assert external == [], (url, external)


def test_admin_requires_login(client):
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_warns_when_article_links_to_a_draft(staff_client, make_article):
    draft = make_article(status="draft", slug="draft")
    article = make_article(slug="linking", notes_en=f"See [[KB {draft.number}]].", notes_ja="参照")
    url = f"/admin/articles/article/{article.pk}/change/"
    response = staff_client.post(url, change_form(staff_client, url), follow=True)
    assert f"KB {draft.number}" in "".join(str(m) for m in response.context["messages"])


ADMIN_TITLES = {
    # language: (header and <title> suffix, dashboard heading, login heading)
    "en": ("Help Center administration", "Manage articles and staff", "Log in"),
    "ja": ("ヘルプセンター管理画面", "記事とスタッフの管理", "ログイン"),
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_admin_is_the_help_centers_with_a_heading_on_its_login_page(client, language):
    header, index_title, login = ADMIN_TITLES[language]
    html = client.get("/admin/login/", headers={"accept-language": language}).content.decode()
    assert f'<html lang="{language}"' in html
    assert "Django" not in html
    assert f"<title>{login} | {header}</title>" in html
    assert f'<div id="site-name"><a href="/admin/">{header}</a></div>' in html
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == [login]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_admin_dashboard_names_the_help_center(staff_client, language):
    header, index_title, _login = ADMIN_TITLES[language]
    html = staff_client.get("/admin/", headers={"accept-language": language}).content.decode()
    assert "Django" not in html
    assert f"<title>{index_title} | {header}</title>" in html
    assert f'<div id="site-name"><a href="/admin/">{header}</a></div>' in html
    assert f"<h1>{index_title}</h1>" in html


def test_admin_header_follows_the_configured_site_name(client, settings):
    settings.KB_SITE_NAME = "Acme Support"
    html = client.get("/admin/login/", headers={"accept-language": "ja"}).content.decode()
    assert '<a href="/admin/">Acme Support管理画面</a>' in html
