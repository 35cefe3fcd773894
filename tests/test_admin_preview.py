"""Preview before saving: the form's unsaved content as readers will see it; nothing written.

Real commits (transactional tests): a preview that wrote anything, or asked the page cache
to forget its pages, would show here.
"""

import re
import wsgiref.util

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from reversion.models import Version

from articles.models import Article, Step
from kb.wsgi import application
from serving import page_cache
from tests.formfields import admin_form
from tests.test_uploads import image_bytes, stored_files

pytestmark = pytest.mark.django_db(transaction=True)

HAR = "/articles/1008/generate-a-har-file/"


def anonymous_get(path):
    """A reader's request through the WSGI application gunicorn serves (page cache first)."""
    environ = {"PATH_INFO": path, "REMOTE_ADDR": "127.0.0.1"}
    wsgiref.util.setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = dict(headers)

    body = b"".join(application(environ, start_response))
    return answer["headers"].get("X-Page-Cache"), body.decode()


def stored():
    """Everything a preview must leave alone: rows, versions, revisions, files."""
    return (
        list(Article.objects.order_by("pk").values()),
        list(Step.objects.order_by("pk").values()),
        Version.objects.count(),
    )


def article_html(html):
    """The article itself, as the reader's template writes it, without its "last updated"
    date: a save dates the article by the clock, while the preview shows the stored date
    (since the demo articles carry their files' dates, not the day they were loaded, the
    two differ by days, not only by the time of day)."""
    article = re.search(r'<article class="article".*?</article>', html, re.S).group(0)
    return re.sub(r"<time [^>]*>[^<]*</time>", "<time></time>", article)


@pytest.fixture
def staff(demo):
    user = User.objects.create_superuser("agent", "", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


def change_url(number=1008):
    return f"/admin/articles/article/{Article.objects.get(number=number).pk}/change/"


def preview(client, url, data, language="en", **files):
    target = url.replace("/change/", "/preview/").replace("/add/", "/add/preview/")
    return client.post(target, {**data, **files, "_preview_language": language})


def field_named(data, suffix, value):
    return next(k for k, v in data.items() if k.endswith(suffix) and v == [value])


def test_preview_shows_unsaved_markdown_and_a_changed_tab_and_writes_nothing(staff):
    status, cached_before = anonymous_get(f"/en{HAR}")
    assert status == "miss"
    version_before = page_cache.content_version()
    before = stored()
    url = change_url()
    data = admin_form(staff, url)
    data["body_en"] = ["A **bold new** introduction, not saved yet."]
    safari = Step.objects.filter(variant__article__number=1008, variant__platform__slug="safari")
    first_safari = safari.order_by("order").first()
    data[field_named(data, "-body_en", first_safari.body_en)] = [
        "Open *Safari* settings (unsaved)."
    ]

    response = preview(staff, url, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "<strong>bold new</strong>" in html
    assert 'id="feedback"' not in html  # a vote from a preview would count for real
    safari_panel = re.search(r'id="steps-safari".*?</section>', html, re.S).group(0)
    assert "Open <em>Safari</em> settings (unsaved)." in safari_panel
    assert "Nothing has been saved" in html
    # Nothing written, and the reader's cached page is the same stored page.
    assert stored() == before
    assert page_cache.content_version() == version_before
    status, cached_after = anonymous_get(f"/en{HAR}")
    assert status == "hit" and cached_after == cached_before
    assert "bold new" not in cached_after


def test_preview_in_japanese_shows_the_japanese_text_as_the_public_page_will(staff):
    url = change_url()
    data = admin_form(staff, url)
    data["notes_ja"] = ["保存前の**注意事項**です。"]
    response = preview(staff, url, data, language="ja")
    html = response.content.decode()
    assert '<article class="article" lang="ja">' in html
    assert "保存前の<strong>注意事項</strong>です。" in html
    assert "何も保存されていません。保存すると" in html

    # Saved as previewed, the public page shows exactly the previewed article.
    staff.post(url, data)
    public = Client().get(f"/ja{HAR}").content.decode()
    assert "保存前の<strong>注意事項</strong>です。" in public
    assert article_html(public) == article_html(html)


def test_a_new_draft_is_previewed_without_being_created(staff, demo):
    before = stored()
    data = admin_form(staff, "/admin/articles/article/add/")
    data.update(
        {
            "title_en": ["Reset a forgotten password"],
            "slug": ["reset-a-forgotten-password"],
            "category": [str(demo[1008].category_id)],
            "variants-0-steps-0-body_en": ["Choose **Forgot password?** on the sign-in page."],
        }
    )
    response = preview(staff, "/admin/articles/article/add/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Reset a forgotten password" in html
    assert "Choose <strong>Forgot password?</strong> on the sign-in page." in html
    assert "This article is a draft." in html
    assert stored() == before


def test_a_figure_uploaded_with_the_form_is_shown_from_memory_and_not_stored(staff, settings):
    url = change_url()
    data = admin_form(staff, url)
    step = Step.objects.filter(variant__article__number=1008).order_by("pk").first()
    body_field = field_named(data, "-body_ja", step.body_ja)
    figure_field = body_field.replace("-body_ja", "-figure_ja")
    upload = SimpleUploadedFile("shot.png", image_bytes(), content_type="image/png")
    media_before = stored_files(settings)
    response = preview(staff, url, data, language="ja", **{figure_field: upload})
    html = response.content.decode()
    assert 'src="data:image/png;base64,' in html
    assert stored_files(settings) == media_before


def test_a_form_with_errors_says_what_to_correct_and_writes_nothing(staff):
    before = stored()
    url = change_url()
    data = admin_form(staff, url)
    data["slug"] = [""]
    response = preview(staff, url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The preview cannot be shown" in html
    assert "Slug: This field is required." in html
    assert stored() == before


def test_only_staff_who_may_change_the_article_preview_it(demo, editor_groups):
    url = change_url()
    target = url.replace("/change/", "/preview/")
    assert Client().post(target, {}).status_code == 302  # to the login page
    stranger = User.objects.create_user("stranger", password="x", is_staff=True)
    client = Client()
    client.force_login(stranger)
    assert client.post(target, {}).status_code == 403
    translator = User.objects.create_user("yuki", password="x", is_staff=True)
    translator.groups.add(Group.objects.get(name="Translator"))
    client.force_login(translator)
    data = admin_form(client, url)
    data["notes_ja"] = ["翻訳者のプレビュー。"]
    response = preview(client, url, data, language="ja")
    assert "翻訳者のプレビュー。" in response.content.decode()


def test_a_page_declaring_too_many_rows_is_refused_before_any_form_is_built(staff):
    before = stored()
    url = change_url()
    data = admin_form(staff, url)
    data["variants-TOTAL_FORMS"] = ["100000"]
    response = preview(staff, url, data)
    assert response.status_code == 200
    assert "The preview cannot be shown" in response.content.decode()
    assert stored() == before
