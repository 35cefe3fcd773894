"""Anonymous pages are cached whole, yet an editor's change shows at once."""

import pytest

from articles.models import Article, Step

# Real commits: pages are invalidated when an edit commits, as behind the admin.
pytestmark = pytest.mark.django_db(transaction=True)

HAR = "/articles/1008/generate-a-har-file/"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_second_anonymous_request_is_served_from_cache(client, demo, language):
    assert client.get(f"/{language}{HAR}")["X-Page-Cache"] == "miss"
    assert client.get(f"/{language}{HAR}")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_saved_edit_is_visible_to_the_next_anonymous_request(client, demo, language):
    client.get(f"/{language}{HAR}?platform=safari")  # cached now
    step = Step.objects.filter(
        variant__article__number=1008, variant__platform__slug="safari"
    ).first()
    setattr(step, f"body_{language}", "Freshly edited step text")
    step.save()
    response = client.get(f"/{language}{HAR}?platform=safari")
    assert "Freshly edited step text" in response.content.decode()


def test_unpublishing_removes_the_page_at_once(client, demo):
    assert client.get(f"/en{HAR}").status_code == 200
    Article.objects.filter(number=1008).update(status="draft")  # no signal: queryset update
    article = Article.objects.get(number=1008)
    article.save()  # an editor's save in the admin sends the signal
    assert client.get(f"/en{HAR}").status_code == 404


@pytest.mark.parametrize(
    "url", ["/en/", "/ja/", f"/ja{HAR}", "/en/search/?q=har", "/en/categories/technical-support/"]
)
def test_anonymous_pages_set_no_cookie_and_do_not_vary_on_cookie(client, demo, url):
    for _ in range(2):  # miss, then hit
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies
        assert "cookie" not in response.get("Vary", "").lower()


def test_revalidation_answers_304(client, demo):
    first = client.get(f"/en{HAR}")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(f"/en{HAR}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = client.get(f"/en{HAR}", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_staff_are_never_served_a_cached_page(staff_client, demo):
    staff_client.get(f"/en{HAR}")
    assert "X-Page-Cache" not in staff_client.get(f"/en{HAR}")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_article_page_weighs_under_30_kb_compressed(client, demo, language):
    import re
    from pathlib import Path

    import brotli
    from django.conf import settings

    html = client.get(f"/{language}{HAR}").content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert {Path(a.decode()).suffix for a in assets} == {".css", ".js"}
    total = len(brotli.compress(html))
    for asset in assets:
        total += len(
            brotli.compress((Path(settings.BASE_DIR) / "static" / asset.decode()).read_bytes())
        )
    assert total < 30 * 1024, f"{total} bytes"
    # Absolute URLs (canonical, hreflang) all point to this site: nothing from another host.
    hosts = set(re.findall(rb'(?:src|href)="(?:https?:)?//([^/"]+)', html))
    assert hosts == {b"testserver"}
