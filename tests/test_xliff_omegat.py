"""Acceptance 1: KB 1008 through a real CAT tool, Debian's OmegaT 3.6, headless.

The Japanese of some of KB 1008's texts is missing (and one step gains a cross-reference
and a link in English). They are exported as XLIFF, translated by OmegaT from a
translation memory in ``tm/auto/`` (console mode applies it), and OmegaT's output is
imported by a Translator. The Japanese page then shows exactly those translations, with
every Markdown construct and cross-reference working; everything else is as it was.
"""

import re

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from lxml import etree

from articles.models import Article, Step
from tests.xliff_tools import OmegaT, schema, tags, words

pytestmark = pytest.mark.django_db(transaction=True)

# What the translation memory knows: an English sentence as a person reads it (OmegaT's
# tags left out), and its Japanese with {0}, {1}… where that sentence's tags go, in order.
MEMORY = {
    "When a page misbehaves in a way we cannot reproduce, our support team may ask you for "
    "a HAR file.": "こちらで再現できない不具合について、サポート窓口から{0}HARファイル{1}の"
    "提出をお願いすることがあります。",
    "It is a record of every request your browser made and every answer it received while "
    "the problem happened, with timings and status codes.": "HARファイルには、問題が起きて"
    "いる間のブラウザーの通信がすべて、時刻やステータスコードとともに記録されます。",
    "The steps below are for a browser on a computer: the browsers of phones and tablets "
    "cannot save a HAR file.": "以下は、パソコンのブラウザーでの手順です。スマートフォンや"
    "タブレットのブラウザーでは、HARファイルを保存できません。",
    "A HAR file can contain sensitive data such as cookies and the content of the pages you "
    "opened.": "HARファイルには、Cookieや閲覧したページの内容などの機密情報が含まれる場合が"
    "あります。",
    "Send it to us only through a support ticket, never by email or chat.": "メールやチャット"
    "ではなく、必ずサポートチケットからお送りください。",
    "Press ++ (++ on a Mac), or open the ⋮ menu and choose More tools > Developer tools.": (
        "{0}+{1}+{2}（Macでは{3}+{4}+{5}）を押すか、{6}⋮{7}メニューから{8}その他のツール{9}>"
        "{10}デベロッパー ツール{11}を選びます。"
    ),
    "Submit the ticket.": "チケットを送信します。",
    "We will reply in the same ticket.": "回答は同じチケットでお送りします。",
    "If nothing comes within two days, see  or our status page.": "2日以内に回答がない場合は"
    "、{0}または{1}ステータスページ{2}をご覧ください。",
    "The Network tab of Chrome's developer tools.": "Chromeのデベロッパー ツールの"
    "「ネットワーク」タブ",
}


@pytest.fixture
def translator(editor_groups):
    user = User.objects.create_user("aiko", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Translator"))
    return user


def _japanese_texts(article):
    """Every Japanese text of the article, by row and field."""
    texts = {("article", f): getattr(article, f"{f}_ja") for f in Article.TRACKED_TEXTS}
    for step in Step.objects.filter(variant__article=article):
        for field in ("body", "figure_caption", "figure_alt"):
            texts[(step.pk, field)] = getattr(step, f"{field}_ja")
    return texts


def test_kb_1008_round_trip_through_omegat(demo, translator, tmp_path, client):
    article = demo[1008]
    steps = list(Step.objects.filter(variant__article=article).order_by("variant__order", "order"))
    press, network, submit = steps[1], steps[2], steps[-1]
    with reversion.create_revision():  # an editor's work before the translation round
        article.body_ja = ""
        article.save()
        press.body_ja = ""
        press.save()
        network.figure_caption_ja = ""
        network.save()
        submit.body_en += (
            " If nothing comes within two days, see [[KB 1005]] or our "
            "[status page](https://status.example.com/)."
        )
        submit.body_ja = ""
        submit.save()
    before = _japanese_texts(Article.objects.get(pk=article.pk))

    exported = tmp_path / "kb-1008.xlf"
    call_command("export_xliff", "--lang", "ja", "--only", "all", "1008", str(exported))
    assert schema().validate(etree.parse(str(exported)))

    project = OmegaT(tmp_path / "omegat")
    (project.folder / "source" / "kb-1008.xlf").write_bytes(exported.read_bytes())
    segments = project.segments()
    pairs = []
    for english, japanese in MEMORY.items():
        found = [s for s in segments if words(s) == english]
        assert found, f"OmegaT did not make a segment of: {english}"
        pairs.append((found[0], japanese.format(*tags(found[0]))))
    project.memory(pairs)
    project.translate()
    translated = project.folder / "target" / "kb-1008.xlf"
    assert translated.exists()

    call_command("import_xliff", "--user", "aiko", str(translated))

    article = Article.objects.get(pk=article.pk)
    after = _japanese_texts(article)
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {
        ("article", "body"),
        (press.pk, "body"),
        (network.pk, "figure_caption"),
        (submit.pk, "body"),
    }
    assert article.translation_state["ja"] == {"missing": 0, "outdated": 0}
    assert article.status == "published"

    page = client.get("/ja/articles/1008/generate-a-har-file/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'lang="ja"' in html and "英語で表示" not in html
    # Every Markdown construct and cross-reference, rendered from the imported Japanese.
    assert "<strong>HARファイル</strong>の提出をお願いすることがあります。" in html
    assert re.search(r"<blockquote>\s*<p>HARファイルには、Cookie", html)
    assert "<code>Ctrl</code>+<code>Shift</code>+<code>I</code>（Macでは<code>Cmd</code>" in html
    assert "<strong>その他のツール</strong>&gt;<strong>デベロッパー ツール</strong>" in html
    assert "Chromeのデベロッパー ツールの「ネットワーク」タブ" in html
    kb_1005 = Article.objects.get(number=1005)
    # OmegaT joins Japanese sentences without a space; the shared step is in every tab.
    assert (
        html.count(
            "チケットを送信します。回答は同じチケットでお送りします。2日以内に回答がない場合は、"
            f'<a href="/ja/articles/1005/{kb_1005.slug}/" class="kb-ref" rel="noopener noreferrer">'
            f"{kb_1005.title_ja}</a>または"
            '<a href="https://status.example.com/" rel="noopener noreferrer">ステータスページ</a>'
            "をご覧ください。</p>"
        )
        == 4
    )
    # Untouched units came back unchanged (and were not written: the same texts as before).
    for key in set(before) - changed:
        assert after[key] == before[key]
