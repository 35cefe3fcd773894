"""Staff preview drafts on the public site; readers never see them, caches never keep them."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_article, editor_groups):
    return make_article(status="draft", slug="coming-soon", title=("Coming soon", "近日公開"))


def editor_client():
    user = User.objects.create_user("writer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "title", "banner"),
    [
        ("en", "Coming soon", "This article is a draft."),
        ("ja", "近日公開", "この記事は下書きです。"),
    ],
)
def test_an_editor_previews_a_draft_in_both_languages(draft, language, title, banner):
    response = editor_client().get(f"/{language}/articles/{draft.number}/coming-soon/")
    html = response.content.decode()
    assert response.status_code == 200
    assert title in html and banner in html
    assert 'name="robots" content="noindex"' in html
    assert response["Cache-Control"] == "private, no-store"
    # No "Was this helpful?" form: staff previewing are not readers voting.
    assert 'id="feedback"' not in html


def test_readers_get_404_before_and_after_a_preview(draft, client):
    url = f"/en/articles/{draft.number}/coming-soon/"
    assert client.get(url).status_code == 404
    assert editor_client().get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 404
    assert "Coming soon" not in response.content.decode()


def test_staff_without_article_permissions_cannot_preview(draft):
    user = User.objects.create_user("stranger", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(f"/en/articles/{draft.number}/coming-soon/").status_code == 404


def test_drafts_stay_out_of_lists_search_and_sitemap(draft, client):
    editor = editor_client()
    for url in ("/en/", f"/en/categories/{draft.category.slug}/", "/en/search/?q=Coming"):
        assert "Coming soon" not in editor.get(url).content.decode()
    assert "coming-soon" not in client.get("/sitemap.xml").content.decode()
