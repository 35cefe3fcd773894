"""Search in English and Japanese on the demo content (issue: finding answers)."""

import html
import json
import re
from html import escape

import pytest
from django.core.management import call_command
from django.db import connection

from articles import search
from articles.models import Article, Step

# Real commits: the index follows content on commit, as it does behind the admin.
pytestmark = pytest.mark.django_db(transaction=True)

EXPECTED = [
    ("en", "HAR", 1008),
    ("en", "har file firefox", 1008),
    ("en", "decrypting statement", 1004),
    ("en", "voice callback", 1006),
    ("en", "SMS", 1005),
    ("ja", "認証", 1002),
    ("ja", "音声", 1006),
    ("ja", "鍵", 1003),
    ("ja", "暗号化", 1004),
    ("ja", "HARファイル", 1008),
    ("ja", "Chrome 設定", 1008),
]


def top_numbers(query, language, n=3):
    return [hit.article.number for hit in search.search(query, language)[:n]]


def found(query, language):
    return [hit.article.pk for hit in search.search(query, language)[:50]]


@pytest.mark.parametrize(("language", "query", "number"), EXPECTED)
def test_acceptance_query_finds_expected_article_in_top_three(demo, language, query, number):
    assert number in top_numbers(query, language), top_numbers(query, language, 8)


@pytest.mark.parametrize(("language", "query", "number"), EXPECTED)
def test_search_page_lists_expected_article_under_language_prefix(
    client, demo, language, query, number
):
    html = client.get(f"/{language}/search/", {"q": query}).content.decode()
    links = re.findall(r'<li class="search-results__item">\s*<a href="([^"]+)"', html)[:3]
    assert any(link.startswith(f"/{language}/articles/{number}/") for link in links), links


def test_analyzer_splits_japanese_into_characters_and_bigrams():
    assert search.analyze("暗号化") == ["暗", "号", "化", "暗号", "号化"]
    assert search.analyze("暗号化", for_query=True) == ["暗号", "号化"]
    assert search.analyze("Decrypting ＨＡＲファイル") == [
        "decrypt",
        "har",
        "フ",
        "ァ",
        "イ",
        "ル",
        "ファ",
        "ァイ",
        "イル",
    ]


def test_word_only_in_a_draft_is_not_found_until_published_then_gone_when_deleted(make_article):
    draft = make_article(status=Article.Status.DRAFT, title=("Zyxwvut setup", "ズィクス設定"))
    assert found("zyxwvut", "en") == []
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert found("zyxwvut", "en") == [draft.pk]
    assert found("ズィクス", "ja") == [draft.pk]
    draft.delete()
    assert found("zyxwvut", "en") == []


def test_editing_a_step_updates_the_index(make_article):
    article = make_article()
    step = Step.objects.get(variant__article=article)
    step.body_en = "Open the quuxinator panel."
    step.save()
    assert found("quuxinator", "en") == [article.pk]


def test_hit_only_in_safari_steps_links_to_safari_tab(demo):
    hits = search.search("Web Inspector", "en")[:3]
    assert hits[0].article.number == 1008
    assert hits[0].url.endswith("?platform=safari")


def test_title_match_ranks_above_body_match(make_article):
    body = make_article(
        title=("Something else", "別件"), steps={None: [("Mention plughole here.", "x")]}, slug="b"
    )
    title = make_article(title=("Plughole guide", "プラグ"), slug="t")
    assert found("plughole", "en")[:2] == [title.pk, body.pk]


def test_snippet_highlights_the_match_and_escapes_html(make_article):
    make_article(summary_en="Use <b>the</b> frobnicator to fix it.", summary_ja="要約")
    hits = search.search("frobnicator", "en")[:10]
    snippet = str(hits[0].snippet)
    assert "<mark>frobnicator</mark>" in snippet
    assert "<b" not in snippet and "&lt;b" in snippet


def snippets(client, language, query):
    html = client.get(f"/{language}/search/", {"q": query}).content.decode()
    return re.findall(r'<p class="search-results__snippet">(.*?)</p>', html, re.DOTALL)


def test_japanese_snippet_keeps_full_width_text_and_highlights_whole_words(client, make_article):
    make_article(
        summary_en="Enter the login code (6 digits).",
        summary_ja="ログインコード（6桁）を入力します。カードのコードではありません。",
    )
    (snippet,) = snippets(client, "ja", "コード")
    # As written: full-width parentheses, and カード is no match for コード.
    assert snippet == (
        "ログイン<mark>コード</mark>（6桁）を入力します。カードの<mark>コード</mark>ではありません。"
    )
    (snippet,) = snippets(client, "ja", "ログインコード")
    assert snippet.startswith("<mark>ログインコード</mark>（6桁）")
    assert "<mark>コー</mark>" not in snippet and "<mark>ード</mark>" not in snippet


def test_latin_word_in_japanese_text_is_highlighted_alone(client, make_article):
    make_article(summary_en="SMS codes.", summary_ja="認証コードがSMSで届かない場合の対処法です。")
    (snippet,) = snippets(client, "ja", "SMS")
    assert snippet == "認証コードが<mark>SMS</mark>で届かない場合の対処法です。"


def test_full_width_query_highlights_the_text_as_written(client, make_article):
    make_article(summary_en="Save a HAR file.", summary_ja="ＨＡＲファイルを保存します。")
    assert snippets(client, "ja", "har") == ["<mark>ＨＡＲ</mark>ファイルを保存します。"]
    assert snippets(client, "en", "ＨＡＲ") == ["Save a <mark>HAR</mark> file."]


def test_japanese_word_found_only_in_pieces_highlights_its_pieces(client, make_article):
    # The title (never the snippet) has 認証コード; the summary only pieces of it.
    make_article(
        title=("Code", "認証コードの入力"),
        summary_en="x",
        summary_ja="認証に使うコードを入力します。",
    )
    assert snippets(client, "ja", "認証コード") == [
        "<mark>認証</mark>に使う<mark>コード</mark>を入力します。"
    ]


def test_a_piece_of_a_word_is_never_marked_as_the_tail_of_another_word(client, make_article):
    # 復号化 is not in the text: its pieces are. 復号 is one (it starts the reader's word);
    # 号化 in 暗号化 is the end of another word, and marking it showed 暗【号化】.
    make_article(
        title=("Decrypting", "復号化の手順"),
        summary_en="x",
        summary_ja="暗号化されたファイルを復号します。",
    )
    assert snippets(client, "ja", "復号化") == ["暗号化されたファイルを<mark>復号</mark>します。"]


def test_a_katakana_pair_is_never_marked_inside_another_word(client, make_article):
    make_article(
        title=("Device", "セキュリティデバイス"),
        summary_en="x",
        summary_ja="カードのセキュリティは、モバイルデバイスの設定です。",
    )
    # セキュリティ begins the reader's word, デバイス is a whole word of the compound
    # モバイルデバイス; バイ (a pair of デバイス) inside モバイル is a chance overlap.
    assert snippets(client, "ja", "セキュリティデバイス") == [
        "カードの<mark>セキュリティ</mark>は、モバイル<mark>デバイス</mark>の設定です。"
    ]


def test_demo_snippets_mark_no_piece_inside_another_word(client, demo):
    found = " ".join(snippets(client, "ja", "復号化"))
    assert "<mark>復号</mark>" in found
    assert "暗<mark>" not in found


def test_english_snippet_highlights_every_form_of_the_word_whole(client, make_article):
    make_article(
        summary_en="It tries to decrypt; if the decrypted file (a PDF) is empty, try again.",
        summary_ja="x",
    )
    (snippet,) = snippets(client, "en", "trying decryption")
    assert snippet == (
        "It <mark>tries</mark> to <mark>decrypt</mark>; if the <mark>decrypted</mark> file "
        "(a PDF) is empty, <mark>try</mark> again."
    )
    # The last word, perhaps still being typed, matches as a prefix, as the search does.
    (snippet,) = snippets(client, "en", "decryp")
    assert snippet.count("<mark>") == 2 and "<mark>decrypted</mark>" in snippet


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("サポート窓口から**HARファイル**の提出", "サポート窓口からHARファイルの提出"),
        (
            "「その他のツール」>「ウェブ開発ツール」を選びます。",
            "「その他のツール」>「ウェブ開発ツール」を選びます。",
        ),
        ("`Cmd`+`Option`+`I` を押します。", "Cmd+Option+I を押します。"),
        ("Open the **Network** tab ([how](https://x.test/a)).", "Open the Network tab (how)."),
        ("See [[KB 1002]] and ![Figure](/media/a.png) now", "See KB 1002 and now"),
        ("- one\n- two\n\n1. three\n> four", "one two three four"),
        ("| a | b |\n|---|:---:|\n| c | d |", "a b c d"),
        ("Press <kbd>Ctrl</kbd>+<kbd>S</kbd> &amp; save", "Press Ctrl+S & save"),
        ("snake_case, __bold__ and \\*star\\*", "snake_case, bold and *star*"),
    ],
)
def test_plain_text_for_snippets_is_what_the_reader_reads(markdown, plain):
    # No space where markup stood inside a sentence: Japanese has no spaces around words.
    assert search.plain_text(markdown) == plain


@pytest.mark.parametrize(
    ("language", "query", "whole", "never"),
    [
        ("ja", "コード", "<mark>コード</mark>", ["<mark>ード</mark>", "<mark>コー</mark>"]),
        ("ja", "認証コード", "<mark>認証コード</mark>", ["<mark>コー</mark>"]),
        ("ja", "SMS", "<mark>SMS</mark>", ["<mark>SMSで"]),
        ("en", "code", "<mark>code</mark>", ["<mark>cod</mark>"]),
    ],
)
def test_demo_snippets_highlight_whole_words(client, demo, language, query, whole, never):
    found = snippets(client, language, query)
    assert found and whole in " ".join(found)
    for fragment in never:
        assert fragment not in " ".join(found)


@pytest.mark.parametrize(
    ("language", "queries"),
    [("ja", ["コード", "ファイル", "鍵", "設定", "HAR"]), ("en", ["code", "file", "key", "HAR"])],
)
def test_demo_snippets_show_the_text_as_written(client, demo, language, queries):
    # No width folding of what is shown: each snippet, marks taken out, is a piece of an
    # article's own text (KB 1007's （） stay full-width).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT texts FROM {search.table(language)}")  # noqa: S608
        rows = [json.loads(texts) for (texts,) in cursor.fetchall()]
    written = "\n".join(
        text
        for row in rows
        for text in row["own"] + [t for texts in row["platforms"].values() for t in texts]
    )
    shown = [s for query in queries for s in snippets(client, language, query)]
    assert len(shown) > len(queries)
    for snippet in shown:
        plain = html.unescape(re.sub(r"</?mark>", "", snippet)).strip("…")
        assert plain in written, snippet


def test_rebuild_command_reports_progress(demo, capsys):
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert f"Indexed {len(demo)}/{len(demo)} articles" in out
    assert 1008 in top_numbers("HAR", "en")


HOSTILE = [
    "",
    " ",
    '"',
    '""',
    '"unbalanced',
    "*",
    "**",
    "HAR*",
    "NEAR(",
    "NEAR(a b)",
    "AND",
    "OR",
    "NOT",
    "a AND",
    "OR b",
    "(",
    ")",
    "^",
    "title:har",
    "-har",
    "+har",
    "har OR",
    "'",
    "\\",
    "%",
    "_",
    "x" * 10000,
    "認証" * 3000,
    "😀😀",
    "\x00\x01\x02",
    "\u202e",
    "<script>alert(1)</script>",
    "'; DROP TABLE articles_article; --",
    "{}[]",
    "NEAR/3",
    "har\x00file",
]


# FTS syntax around a word is just text: each of these finds what the word alone finds.
SYNTAX_AROUND_HAR = ["HAR*", "title:har", "-har", "+har", "har OR", "(har)", '"har']


@pytest.mark.parametrize("language", ["en", "ja"])
def test_hostile_queries_answer_a_normal_page(client, demo, language):
    for query in HOSTILE:
        response = client.get(f"/{language}/search/", {"q": query})
        assert response.status_code == 200, repr(query)
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        # The reader sees their query back, bounded, without control characters and
        # inert, in the search box; and, when anything is left of it, an answer.
        shown = search.clean_query(query)
        assert len(shown) <= 200 and not re.search(r"[\x00-\x1f\u202e]", shown), repr(query)
        assert f'name="q" value="{escape(shown)}"' in html, repr(query)
        assert ('role="status"' in html) == bool(shown), repr(query)
    assert Article.objects.count() == len(demo)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("query", SYNTAX_AROUND_HAR)
def test_fts_syntax_in_a_query_is_plain_text(demo, language, query):
    assert top_numbers("har", language)[0] == 1008
    assert 1008 in top_numbers(query, language), top_numbers(query, language, 8)


def test_no_results_page_suggests_categories_and_articles(client, demo):
    html = client.get("/ja/search/", {"q": "存在しないことば"}).content.decode()
    assert "カテゴリー" in html
    assert "/ja/categories/" in html and "/ja/articles/" in html


def test_bad_page_number_falls_back(client, demo):
    assert client.get("/en/search/", {"q": "the", "page": "abc"}).status_code == 200
    assert client.get("/en/search/", {"q": "the", "page": "99999"}).status_code == 200


def test_related_articles_are_computed_when_editors_chose_none(client, demo):
    # The editor removes KB 1007's chosen related articles: content brings up others.
    article = demo[1007]
    article.related.clear()
    html = client.get(f"/en/articles/1007/{article.slug}/").content.decode()
    related = html.split('id="related-heading"')[1].split("</section>")[0]
    numbers = [int(n) for n in re.findall(r"/en/articles/(\d+)/", related)]
    assert numbers and 1007 not in numbers
    assert set(numbers) & {1002, 1005, 1006}


def test_editors_choice_of_related_articles_wins(client, demo):
    html = client.get(f"/en/articles/1004/{demo[1004].slug}/").content.decode()
    related = html.split('id="related-heading"')[1].split("</section>")[0]
    chosen = sorted(a.number for a in demo[1004].related.all())
    assert sorted(int(n) for n in re.findall(r"/en/articles/(\d+)/", related)) == chosen


def test_snippet_marks_the_synonym_a_hit_was_found_by_as_whole_words(staff_client, make_article):
    for language, terms in (("en", "2FA, two-factor"), ("ja", "スマホ、携帯電話")):
        response = staff_client.post(
            "/admin/insights/synonymgroup/add/", {"language": language, "terms": terms}
        )
        assert response.status_code == 302
    make_article(
        summary_en="Turn on two-factor sign-in to protect your account.",
        summary_ja="コードが届かないときは、携帯電話の電源を入れ直します。",
    )
    (english,) = snippets(staff_client, "en", "2fa")
    assert "<mark>two</mark>-<mark>factor</mark> sign-in" in english
    (japanese,) = snippets(staff_client, "ja", "スマホ")
    assert japanese == "コードが届かないときは、<mark>携帯電話</mark>の電源を入れ直します。"


@pytest.mark.parametrize(
    ("language", "group", "query", "half", "other"),
    [
        ("en", "2FA, two-factor", "2fa", "Reset 2fa two", "Reset 2fa zzz"),
        ("ja", "スマホ、携帯電話", "スマホ", "スマホと携帯の設定", "スマホと時計の設定"),
    ],
)
def test_half_of_a_synonym_does_not_lift_an_article(
    make_article, language, group, query, half, other
):
    """As FTS5 ranks on SQLite: a synonym's words count only where all of them are
    ("two" without "factor", 「携帯」 without 「電話」), on PostgreSQL too. Two articles
    alike but for that half-word tie, and keep the order they were indexed in."""
    from insights.models import SynonymGroup

    SynonymGroup.objects.create(language=language, terms=group)
    first = make_article(slug="first", title=(other, other))
    second = make_article(slug="second", title=(half, half))
    assert found(query, language) == [first.pk, second.pk]


def test_related_articles_are_chosen_by_the_same_words_in_every_process():
    """Related articles are found by an article's most distinctive words; which words
    must not depend on the process (Python orders a set of strings differently in each),
    or two app servers, or one after a restart, would show different related articles."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "from articles.search.results import distinctive_words; "
        "print(distinctive_words('Your statement pair over SFTP: generate, receive, "
        "deliver it before noon, save, open, read'))"
    )
    chosen = {
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=settings.BASE_DIR,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1]
        for seed in range(1, 6)
    }
    # The longest words, then the four-letter ones in alphabetical order.
    assert chosen == {
        "[('statement',), ('generat',), ('receiv',), ('befor',), ('deliv',), ('noon',), "
        "('open',), ('over',)]"
    }
