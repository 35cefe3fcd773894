"""The language switcher, and every link built from the requested path, stays on this site.

A 404 page for ``//evil.example/phish`` used to offer "日本語" as ``href="//evil.example/phish"``:
a link to another host, with our page around it.
"""

import html
import re
from urllib.parse import unquote_to_bytes, urlsplit

import pytest

pytestmark = pytest.mark.django_db

HAR = 1008
OTHER = {"en": "ja", "ja": "en"}
NOT_FOUND = {"en": "Page not found", "ja": "ページが見つかりません"}

# Request targets a bot can send, as they appear on the HTTP request line.
OFF_SITE_TARGETS = [
    "//evil.example/phish",
    "/%2F%2Fevil.example/phish",
    "/%2f/evil.example/phish",
    "///evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/\\/evil.example",
    "/%09/evil.example",
    "//evil.example/en/",
    "//evil.example/ja/articles/1008/generate-a-har-file/",
    "/%2F%2Fevil.example/en/?platform=edge",
    "//evil.example/phish?next=//evil.example",
]


def get_target(client, target, language):
    """GET ``target`` as a WSGI server hands it to Django: the path percent-decoded with
    its leading slashes kept (the test client would read ``//host/…`` as a host)."""
    path, _, query = target.partition("?")
    return client.get(
        "/",
        PATH_INFO=unquote_to_bytes(path).decode("iso-8859-1"),
        QUERY_STRING=query,
        headers={"accept-language": language},
    )


def leaves_site(url):
    """Return whether a browser following ``url`` on one of our pages would leave the site.

    As browsers read it: tabs and newlines dropped, a backslash taken for a slash, so
    ``/\\host`` and ``///host`` are as protocol-relative as ``//host``.
    """
    url = re.sub(r"[\t\n\r]", "", html.unescape(url)).strip("\x00 ").replace("\\", "/")
    parts = urlsplit(url)
    if parts.scheme:
        return parts.netloc != "testserver"
    return url.startswith("//")


def links(response):
    """Return every URL the page links or points to, and the redirect, if any."""
    page = response.content.decode()
    urls = re.findall(r'(?:href|src|action)="([^"]*)"', page)
    return urls + [response["Location"]] if response.has_header("Location") else urls


def switcher(response, language):
    match = re.search(rf'<a href="([^"]*)" hreflang="{language}"', response.content.decode())
    return html.unescape(match[1]) if match else None


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_not_found_page_for_an_off_site_looking_path_links_only_to_this_site(
    client, language, target
):
    response = get_target(client, target, language)
    assert response.status_code == 404
    assert NOT_FOUND[language] in response.content.decode()
    assert not [url for url in links(response) if leaves_site(url)]
    # Nothing to translate: the switcher leads to the other language's home page.
    assert switcher(response, OTHER[language]) == f"/{OTHER[language]}/"


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "path", ["//evil.example/phish", "/%2F/evil.example", "/%5C/x", "/no/such"]
)
def test_not_found_page_under_a_language_switches_to_the_other_home_page(client, language, path):
    response = get_target(client, f"/{language}{path}", language)
    assert response.status_code == 404
    assert f'<html lang="{language}">' in response.content.decode()
    assert not [url for url in links(response) if leaves_site(url)]
    assert switcher(response, OTHER[language]) == f"/{OTHER[language]}/"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_not_found_article_switches_to_the_same_address_in_the_other_language(
    client, demo, language
):
    response = client.get(f"/{language}/articles/99999/missing/?platform=edge")
    assert response.status_code == 404
    other = OTHER[language]
    assert switcher(response, other) == f"/{other}/articles/99999/missing/?platform=edge"


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "query", ["platform=edge", "platform=edge&x=//evil.example", "platform=%5C%5Cevil.example"]
)
def test_article_switcher_keeps_the_tab_and_every_link_stays_on_site(client, demo, language, query):
    slug = demo[HAR].slug
    response = get_target(client, f"/{language}/articles/{HAR}/{slug}/?{query}", language)
    assert response.status_code == 200
    other = OTHER[language]
    assert switcher(response, other) == f"/{other}/articles/{HAR}/{slug}/?{query}"
    assert not [url for url in links(response) if leaves_site(url)]
    page = response.content.decode()
    alternates = re.findall(r'<link rel="(?:alternate|canonical)"[^>]* href="([^"]+)"', page)
    assert len(alternates) == 4
    assert all(url.startswith("http://testserver/") for url in alternates)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_home_and_search_switch_to_the_same_page(client, demo, language):
    other = OTHER[language]
    assert switcher(client.get(f"/{language}/"), other) == f"/{other}/"
    search = client.get(f"/{language}/search/?q=har")
    assert switcher(search, other) == f"/{other}/search/?q=har"
