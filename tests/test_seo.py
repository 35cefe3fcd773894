"""Good citizen of the web: language negotiation, alternates, sitemap, robots.txt."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "target"), [("ja,en;q=0.5", "/ja/"), ("en-US,en", "/en/"), ("fr", "/en/")]
)
def test_first_visit_to_root_follows_accept_language(client, accept, target):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == target


def test_explicit_language_choice_wins_over_accept_language(client):
    client.cookies["django_language"] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response["Location"] == "/en/"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_pages_have_absolute_hreflang_alternates_and_canonical(client, demo, language):
    article = demo[1008]
    for path in (f"/{language}/", f"/{language}/articles/1008/{article.slug}/"):
        html = client.get(path).content.decode()
        alternates = dict(
            re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
        )
        assert set(alternates) == {"en", "ja", "x-default"}
        assert all(url.startswith("http://testserver/") for url in alternates.values())
        assert alternates["ja"] == "http://testserver" + path.replace(f"/{language}/", "/ja/", 1)
        assert re.search(r'<meta name="description" content="[^"]{10,}">', html)
    html = client.get(f"/{language}/articles/1008/{article.slug}/").content.decode()
    assert (
        f'<link rel="canonical" href="http://testserver/{language}/articles/1008/{article.slug}/">'
        in html
    )


def test_sitemap_lists_every_published_article_in_both_languages(client, demo, make_article):
    draft = make_article(status="draft", slug="hidden-draft")
    xml = client.get("/sitemap.xml").content.decode()
    for article in demo.values():
        for language in ("en", "ja"):
            url = f"http://testserver/{language}/articles/{article.number}/{article.slug}/"
            assert f"<loc>{url}</loc>" in xml
            assert f'hreflang="{language}" href="{url}"' in xml
    assert 'hreflang="x-default"' in xml
    assert draft.slug not in xml


def test_robots_txt_points_to_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_favicon_ico_redirects_to_our_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/img/favicon")
