"""Search in English and Japanese on the demo content (issue: finding answers)."""

import re
from html import escape

import pytest
from django.core.management import call_command

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


def test_rebuild_command_reports_progress(demo, capsys):
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert "Indexed 8/8 articles" in out
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
    assert Article.objects.count() == 8


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
