"""Public pages in both languages, on the real demo content."""

import re

import pytest
from django.db import connection
from django.utils import translation

from articles.models import Article, Step

pytestmark = pytest.mark.django_db

HAR, KEY_TRANSFER, DECRYPT, SMS, VOICE = 1008, 1003, 1004, 1005, 1006


def tabs(html):
    return re.findall(r'role="tab"[^>]*data-platform="([^"]+)"', html)


def text(response):
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_home_lists_categories_and_the_eight_most_recently_updated_articles(client, demo, language):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    html = text(response)
    assert f'<html lang="{language}">' in html
    # The demo's dates are its files' (``updated``): newest first, the number on a tie.
    listed = [int(n) for n in re.findall(rf'href="/{language}/articles/(\d+)/', html)]
    newest = sorted(demo.values(), key=lambda a: (-a.updated_at.timestamp(), a.number))
    assert listed == [article.number for article in newest[:8]]
    assert listed[:3] == [1003, 1004, 1009] and 1007 not in listed  # 1007 is the oldest
    for category in {article.category for article in demo.values()}:
        assert f"/{language}/categories/{category.slug}/" in html
    with translation.override(language):
        assert demo[HAR].title in html


@pytest.mark.parametrize("language", ["en", "ja"])
def test_category_page_lists_its_articles(client, demo, language):
    category = demo[HAR].category
    response = client.get(f"/{language}/categories/{category.slug}/")
    assert response.status_code == 200
    assert f"/articles/{HAR}/" in text(response)
    assert f"/articles/{SMS}/" not in text(response)


def test_har_article_in_japanese_has_four_browser_tabs_with_japanese_steps(client, demo):
    article = demo[HAR]
    response = client.get(f"/ja/articles/{HAR}/{article.slug}/")
    html = text(response)
    assert tabs(html) == ["chrome", "firefox", "edge", "safari"]
    assert html.count('role="tabpanel"') == 4
    first_step = Step.objects.filter(variant__article=article, variant__platform__slug="firefox")
    assert first_step.first().body_ja.split("\n")[0][:10] in html
    assert '<article class="article" lang="ja">' in html


def test_key_transfer_article_has_windows_and_macos_tabs(client, demo):
    html = text(client.get(f"/en/articles/{KEY_TRANSFER}/{demo[KEY_TRANSFER].slug}/"))
    assert tabs(html) == ["windows", "macos"]


def test_sms_article_has_no_tablist_and_numbered_steps(client, demo):
    html = text(client.get(f"/en/articles/{SMS}/{demo[SMS].slug}/"))
    assert 'role="tablist"' not in html
    assert '<ol class="steps" start="1">' in html


def test_shared_closing_steps_continue_the_numbering_of_each_tab(client, demo):
    article = Article.objects.for_detail().get(number=HAR)
    chrome = next(v for v in article.ordered_variants if v.platform and v.platform.slug == "chrome")
    html = text(client.get(article.get_absolute_url()))
    chrome_panel = html.split('id="steps-chrome"')[1].split('role="tabpanel"')[0]
    assert f'start="{len(chrome.ordered_steps) + 1}"' in chrome_panel


def test_platform_parameter_marks_that_tab_selected_without_javascript(client, demo):
    html = text(client.get(f"/en/articles/{HAR}/{demo[HAR].slug}/?platform=edge"))
    assert re.search(r'aria-selected="true" data-platform="edge"', html)
    assert len(re.findall(r'aria-selected="true"', html)) == 1


def figure_numbers(html):
    """Return the figure labels of a page part, as shown: ["Figure 1.", …] or ["図1", …]."""
    return re.findall(r'class="figure__number">([^<]+)</span>', html)


def panel(html, slug):
    return html.split(f'id="steps-{slug}"')[1].split('role="tabpanel"')[0]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_platform_parameter_puts_that_panel_first(client, demo, language):
    # Without JavaScript every panel is shown: the one asked for comes first, right under
    # the tabs, which keep their order.
    html = text(client.get(f"/{language}/articles/{HAR}/{demo[HAR].slug}/?platform=edge"))
    assert tabs(html) == ["chrome", "firefox", "edge", "safari"]
    panels = re.findall(r'role="tabpanel" id="steps-([a-z]+)"', html)
    assert panels == ["edge", "chrome", "firefox", "safari"]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", {"chrome": ["Figure 1.", "Figure 2.", "Figure 3."], "firefox": ["Figure 1."]}),
        ("ja", {"chrome": ["図1", "図2", "図3"], "firefox": ["図1"]}),
    ],
)
def test_each_tab_numbers_its_own_figures(client, demo, language, labels):
    # A reader sees one tab: the Firefox tab's first figure is Figure 1, not Figure 4
    # after Chrome's three, whichever panel the page puts first.
    for query in ("", "?platform=firefox"):
        html = text(client.get(f"/{language}/articles/{HAR}/{demo[HAR].slug}/{query}"))
        for slug, expected in labels.items():
            assert figure_numbers(panel(html, slug)) == expected, (query, slug)


def _figure(step, name):
    from django.core.files.base import ContentFile

    step.figure_en.save(name, ContentFile(b"png"), save=False)
    step.figure_alt_en, step.figure_alt_ja = "Figure", "図"
    step.save()


@pytest.mark.parametrize(("language", "label"), [("en", "Figure {}."), ("ja", "図{}")])
def test_tab_figures_go_on_from_the_figures_above_the_tabs(
    client, make_article, platforms, language, label
):
    chrome, safari = platforms["chrome"], platforms["safari"]
    article = make_article(
        steps={
            None: [("Open the page.", "ページを開きます。")],
            chrome: [("One.", "1つ目。"), ("Two.", "2つ目。")],
            safari: [("Only.", "これだけ。")],
        }
    )
    for step in Step.objects.filter(variant__article=article):
        _figure(step, f"figure-{step.pk}.png")
    html = text(client.get(f"/{language}/articles/{article.number}/{article.slug}/"))
    above = html.split('role="tablist"')[0]
    assert figure_numbers(above) == [label.format(1)]
    assert figure_numbers(panel(html, "chrome")) == [label.format(2), label.format(3)]
    assert figure_numbers(panel(html, "safari")) == [label.format(2)]


def test_unknown_platform_parameter_falls_back_to_first_tab(client, demo):
    response = client.get(f"/en/articles/{HAR}/{demo[HAR].slug}/?platform=%3Cscript%3E")
    assert response.status_code == 200
    assert re.search(r'aria-selected="true" data-platform="chrome"', text(response))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_wrong_slug_redirects_permanently_to_canonical_url(client, demo, language):
    response = client.get(f"/{language}/articles/{HAR}/wrong-slug/?platform=safari")
    assert response.status_code == 301
    assert response["Location"] == f"/{language}/articles/{HAR}/{demo[HAR].slug}/?platform=safari"


def test_number_without_slug_redirects_to_canonical_url(client, demo):
    response = client.get(f"/en/articles/{HAR}/")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/{HAR}/{demo[HAR].slug}/")


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Page not found"), ("ja", "ページが見つかりません")],
)
def test_unknown_article_is_404_with_our_page_in_that_language(client, demo, language, message):
    response = client.get(f"/{language}/articles/99999/nothing/")
    assert response.status_code == 404
    assert message in text(response)
    assert f'<html lang="{language}">' in text(response)


def test_draft_is_404_for_readers(client, make_article):
    draft = make_article(status=Article.Status.DRAFT, slug="secret")
    assert client.get(f"/en/articles/{draft.number}/secret/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/en/articles/1/%00/",
        "/en/articles/99999999999999999999/x/",
        "/ja/categories/no-such-category/",
        "/xx/articles/1008/",
        "/en/articles/1008/%E2%9C%93/",
        "/ja/articles/abc/",
    ],
)
def test_odd_urls_never_answer_500(client, demo, url):
    assert client.get(url).status_code in {200, 301, 302, 404}


def test_language_switcher_leads_to_same_article_and_tab(client, demo):
    html = text(client.get(f"/en/articles/{HAR}/{demo[HAR].slug}/?platform=edge"))
    assert f'href="/ja/articles/{HAR}/{demo[HAR].slug}/?platform=edge"' in html


def test_cross_reference_renders_as_link_titled_in_reader_language(client, demo):
    html = text(client.get(f"/ja/articles/{SMS}/{demo[SMS].slug}/"))
    with translation.override("ja"):
        title = demo[VOICE].title
    link = re.search(rf'<a ([^>]*class="kb-ref"[^>]*)>{re.escape(title)}</a>', html)
    assert link and f'href="/ja/articles/{VOICE}/{demo[VOICE].slug}/"' in link.group(1)


def test_untranslated_article_is_shown_whole_in_english_with_japanese_notice(client, make_article):
    article = make_article(title=("Only English", ""), steps={None: [("Click OK.", "")]})
    html = text(client.get(f"/ja/articles/{article.number}/{article.slug}/"))
    assert '<article class="article" lang="en">' in html
    assert "Click OK." in html and "Only English" in html
    assert "この記事はまだ日本語に翻訳されていません" in html


def test_each_language_shows_its_own_figure_and_a_missing_japanese_one_falls_back(
    client, make_article
):
    from django.core.files.base import ContentFile

    article = make_article(steps={None: [("Open the menu.", "メニューを開きます。")] * 2})
    own, shared = Step.objects.filter(variant__article=article).order_by("order")
    for step, names in ((own, ("menu-en.png", "menu-ja.png")), (shared, ("icon.png", None))):
        step.figure_en.save(names[0], ContentFile(b"png"), save=False)
        if names[1]:
            step.figure_ja.save(names[1], ContentFile(b"png"), save=False)
        step.figure_caption_en, step.figure_caption_ja = "The menu", "メニュー"
        step.figure_alt_en, step.figure_alt_ja = "Menu open", "開いたメニュー"
        step.save()

    def figures(language):
        html = text(client.get(f"/{language}/articles/{article.number}/{article.slug}/"))
        return re.findall(r'<img src="/media/figures/([a-z-]+)[^"]*\.png" alt="([^"]+)"', html)

    assert figures("en") == [("menu-en", "Menu open"), ("icon", "Menu open")]
    assert figures("ja") == [("menu-ja", "開いたメニュー"), ("icon", "開いたメニュー")]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_har_article_shows_the_figures_drawn_in_the_readers_language(client, demo, language):
    html = text(client.get(f"/{language}/articles/{HAR}/{demo[HAR].slug}/"))
    figures = re.findall(r'<img src="/media/figures/([\w-]+)\.png" alt="([^"]+)"', html)
    captions = re.findall(r"</span> ([^<]+)</figcaption>", html)
    assert len(figures) == len(captions) == 6
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for (name, alt), caption in zip(figures, captions, strict=True):
        assert name.endswith("-ja") == (language == "ja"), name
        assert bool(japanese.search(alt)) == (language == "ja"), alt
        assert bool(japanese.search(caption)) == (language == "ja"), caption


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    ("number", "related", "count"), [(1007, 1002, 5), (KEY_TRANSFER, DECRYPT, 6)]
)
def test_article_page_takes_five_queries_with_its_related_article(
    client, demo, language, number, related, count
):
    # Article, variants, steps, prerequisites, related: the linked articles' titles come
    # with them (a deferred field read later would be a sixth query). An article whose
    # text cites another ([[KB 1009]] in KB 1003) reads the cited titles: one more.
    with translation.override(language):
        queries = _article_queries(client, demo[number])
        html = text(client.get(demo[number].get_absolute_url()))
        title = Article.objects.get(number=related).title
    assert len(queries) == count, queries
    assert title in html.split('class="related"')[1]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_har_article_shows_no_unrelated_article(client, demo, language):
    # No demo article is about HAR files, so its editors chose none: the page looks for
    # similar articles with one search (a sixth query). In English, common words match
    # articles of other categories, which are read (a seventh) and dropped: no section.
    with translation.override(language):
        queries = _article_queries(client, demo[HAR])
        html = text(client.get(demo[HAR].get_absolute_url()))
    # PostgreSQL's search reads the index totals first: one more query when it searches.
    searches = 2 if connection.vendor == "postgresql" else 1
    assert len(queries) == 5 + searches + {"en": 1, "ja": 0}[language], queries
    assert 'class="related"' not in html


def _article_queries(client, article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_article_query_count_does_not_grow_with_steps(client, make_article, platforms, language):
    from django.utils import translation

    def steps(count):
        return [(f"Step {n} [[KB 1]]", f"手順 {n}") for n in range(count)]

    small = make_article(slug="small", steps={platforms["chrome"]: steps(1), None: steps(1)})
    large = make_article(
        slug="large",
        steps={platforms["chrome"]: steps(50), platforms["safari"]: steps(50), None: steps(50)},
    )
    with translation.override(language):
        small_queries = _article_queries(client, small)
        large_queries = _article_queries(client, large)
    assert len(large_queries) == len(small_queries) <= 8
    assert len(set(large_queries)) == len(large_queries), "a query ran twice"


@pytest.mark.parametrize(("language", "title"), [("en", "Note"), ("ja", "補足")])
def test_notes_callout_has_a_neutral_title(client, make_article, language, title):
    # Notes hold tips as often as warnings: 「注意」 (caution) read as an alarm over a tip.
    make_article(
        slug="tip",
        notes_en="Tip: close other tabs first; the file gets smaller.",
        notes_ja="ヒント：先にほかのタブを閉じておくと、ファイルが小さくなります。",
    )
    html = text(client.get(f"/{language}/articles/{Article.objects.get().number}/tip/"))
    assert f'<h2 id="notes-heading">{title}</h2>' in html
    assert "注意" not in html
