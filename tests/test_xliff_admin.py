"""The admin's XLIFF doors, used by a Translator in English and in Japanese: the list
action that exports, and the upload page that imports."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from lxml import etree

from articles.models import Article, Step
from tests.xliff_tools import replace_target, schema, units

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "/admin/articles/article/"
IMPORT = "/admin/articles/article/import-xliff/"

TEXTS = {
    "en": {
        "link": "Import translations (XLIFF)",
        "action": "Export for translation (XLIFF)…",
        "download": "Download XLIFF",
        "imported": "Translations imported: 1 texts in 1 article.",
        "refused": "Nothing was imported: fix this problem first.",
        "not_xml": "not well-formed XML",
    },
    "ja": {
        "link": "翻訳をインポート（XLIFF）",
        "action": "翻訳用にエクスポート（XLIFF）…",
        "download": "XLIFFをダウンロード",
        "imported": "翻訳をインポートしました：1件の記事の1件のテキスト。",
        "refused": "何もインポートされていません。次の問題（1件）を先に解決してください。",
        "not_xml": "XMLとして正しくありません",
    },
}


@pytest.fixture
def translator_client(editor_groups):
    def login(language):
        user = User.objects.create_user(f"translator-{language}", password="x", is_staff=True)
        user.groups.add(Group.objects.get(name="Translator"))
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.cookies["django_language"] = language
        client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_translator_exports_from_the_list_and_imports_the_translation(
    demo, translator_client, language
):
    client = translator_client(language)
    texts = TEXTS[language]
    article = demo[1008]
    step = Step.objects.get(variant__article=article, body_en__startswith="In Chrome")
    step.body_ja = ""
    step.save()

    changelist = client.get(CHANGELIST).content.decode()
    assert texts["link"] in changelist and texts["action"] in changelist

    selection = {"action": "export_for_translation", "_selected_action": [str(article.pk)]}
    page = client.post(CHANGELIST, selection)
    assert page.status_code == 200
    assert texts["download"] in page.content.decode()
    download = client.post(
        CHANGELIST, {**selection, "apply": "1", "language": "ja", "only": ["missing"]}
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="kb-ja-')
    data = download.content
    assert schema().validate(etree.fromstring(data).getroottree())
    assert list(units(data)) == [f"step-{step.pk}-body-1"]

    assert texts["link"] in client.get(IMPORT).content.decode()
    translated = replace_target(data, f"step-{step.pk}-body-1", "Chromeを起動します。")
    response = client.post(IMPORT, {"files": _upload("kb.xlf", translated)}, follow=True)
    assert texts["imported"] in response.content.decode()
    step.refresh_from_db()
    assert step.body_ja == "Chromeを起動します。"

    response = client.post(IMPORT, {"files": _upload("broken.xlf", b"<xliff>")})
    html = response.content.decode()
    assert response.status_code == 200
    assert texts["refused"] in html and "broken.xlf: " in html and texts["not_xml"] in html


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/x-xliff+xml")


def test_the_import_page_is_closed_to_staff_who_may_not_change_articles(db, client):
    user = User.objects.create_user("reader", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"files": _upload("a.xlf", b"<x/>")}).status_code == 403


def test_nothing_to_export_says_so_instead_of_an_empty_file(demo, translator_client):
    client = translator_client("en")
    article = Article.objects.get(number=1008)
    response = client.post(
        CHANGELIST,
        {
            "action": "export_for_translation",
            "_selected_action": [str(article.pk)],
            "apply": "1",
            "language": "ja",
            "only": ["missing", "outdated"],
        },
        follow=True,
    )
    assert "Nothing to translate into Japanese in the selected articles." in (
        response.content.decode()
    )
