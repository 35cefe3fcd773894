"""Search that learns from readers (issue 16): synonyms, keywords, counting, the report."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles import search, translation_status
from articles.models import Article, Feedback, FeedbackComment
from insights import recording
from insights.models import ClickEvent, DailyQuery, SearchEvent, SynonymGroup

pytestmark = pytest.mark.django_db(transaction=True)


def numbers(query, language):
    return [hit.article.number for hit in search.search(query, language)[:10]]


@pytest.fixture
def phone(make_article):
    return make_article(
        number=3001,
        slug="restart-phone",
        title=("Turn the phone off and on", "携帯電話の電源を入れ直す"),
        summary_en="When codes stop arriving, power-cycle the handset.",
        summary_ja="コードが届かないときは、携帯電話の電源を入れ直します。",
        steps={None: [("Hold the power button.", "電源ボタンを長押しします。")]},
    )


@pytest.fixture
def two_factor(make_article):
    return make_article(
        number=3002,
        slug="two-factor",
        title=("Turn on two-factor sign-in", "二段階認証を有効にする"),
        summary_en="A second step after your password.",
        summary_ja="パスワードの後にもう一段階の確認をします。",
    )


def add_group_in_admin(client, language, terms):
    response = client.post(
        "/admin/insights/synonymgroup/add/", {"language": language, "terms": terms}
    )
    assert response.status_code == 302, response.content.decode()[:2000]


# Acceptance 1: synonyms, English and Japanese (katakana/kanji), no re-index.


def test_english_synonym_added_in_admin_finds_article_without_reindex(staff_client, two_factor):
    assert numbers("2FA", "en") == []
    add_group_in_admin(staff_client, "en", "2FA, two-factor, two-step")
    assert numbers("2FA", "en") == [3002]
    assert numbers("reset 2fa", "en") == [3002]  # any word will do, as before
    # Only in its language.
    assert numbers("2FA", "ja") == []


def test_japanese_katakana_synonym_finds_kanji_article(staff_client, phone):
    assert numbers("スマホ", "ja") == []
    assert numbers("スマホの電源", "ja") == []
    add_group_in_admin(staff_client, "ja", "スマホ、スマートフォン、携帯電話")
    assert numbers("スマホ", "ja") == [3001]
    # Inside a run of Japanese without spaces, too.
    assert numbers("スマホの電源", "ja") == [3001]
    assert numbers("ｽﾏﾎ", "ja") == [3001]  # half-width kana fold as indexed text does
    # The snippet highlights what the article was found by.
    (hit,) = search.search("スマホ", "ja")[:1]
    assert "<mark>携帯電話</mark>" in hit.snippet, hit.snippet  # the whole synonym


def test_japanese_phrase_synonym_restart(staff_client, phone):
    assert numbers("再起動", "ja") == []
    add_group_in_admin(staff_client, "ja", "再起動、電源を入れ直す")
    assert numbers("再起動", "ja") == [3001]


def test_english_synonym_by_stem(staff_client, phone):
    assert numbers("rebooting", "en") == []
    add_group_in_admin(staff_client, "en", "reboot, power-cycle")
    assert numbers("rebooting", "en") == [3001]


def test_a_cached_no_results_page_is_not_served_after_a_group_is_saved(two_factor):
    # Through the page cache, as readers are served (kb/wsgi.py).
    from tests.test_page_cache import get

    assert "search-results__item" not in get("/en/search/?q=2fa", HTTP_ACCEPT_ENCODING="").text
    assert get("/en/search/?q=2fa")["X-Page-Cache"] == "hit"
    SynonymGroup.objects.create(language="en", terms="2FA, two-factor")
    assert "search-results__item" in get("/en/search/?q=2fa", HTTP_ACCEPT_ENCODING="").text


def test_deleting_a_group_takes_effect_on_next_search(two_factor):
    group = SynonymGroup.objects.create(language="en", terms="2FA, two-factor")
    assert numbers("2FA", "en") == [3002]
    group.delete()
    assert numbers("2FA", "en") == []


def test_synonym_group_needs_two_terms(staff_client):
    response = staff_client.post(
        "/admin/insights/synonymgroup/add/", {"language": "en", "terms": "alone, , alone"}
    )
    assert response.status_code == 200
    assert "at least two different terms" in response.content.decode()
    assert not SynonymGroup.objects.exists()


def test_huge_query_with_synonyms_stays_bounded(two_factor):
    SynonymGroup.objects.create(language="en", terms=", ".join(f"w{n}" for n in range(20)))
    assert numbers(" ".join(["w1"] * 100), "en") == []
    assert search.search("w1 " * 100, "en").rows == []


# Acceptance 2: keywords.


def test_keyword_makes_article_first_in_its_language_only(make_article, phone, client):
    make_article(
        number=3003,
        slug="wombat-body",
        title=("Animals", "動物"),
        steps={None: [("A wombat digs.", "ウォンバットが掘ります。")]},
    )
    Article.objects.filter(number=3001).update()
    phone = Article.objects.get(number=3001)
    phone.keywords_en = "wombat, marsupial"
    phone.save()
    search.index_articles([phone.pk])
    assert numbers("wombat", "en")[0] == 3001
    assert 3001 not in numbers("wombat", "ja")
    # Never on the page.
    page = client.get(phone.get_absolute_url()).content.decode()
    assert "marsupial" not in page and "wombat" not in page


def test_keyword_translation_is_flagged_out_of_date(phone):
    phone = Article.objects.get(pk=phone.pk)
    phone.keywords_en = "reboot"
    phone.keywords_ja = "再起動"
    phone.save()
    loaded = Article.objects.for_detail().get(pk=phone.pk)
    assert translation_status.field_status(loaded, "keywords", "ja", "en") == "complete"
    loaded.keywords_en = "reboot, restart"
    loaded.save()
    loaded = Article.objects.for_detail().get(pk=phone.pk)
    assert translation_status.field_status(loaded, "keywords", "ja", "en") == "outdated"


def test_missing_keyword_translation_does_not_make_the_page_fall_back(phone, client):
    phone = Article.objects.get(pk=phone.pk)
    phone.keywords_en = "reboot"
    phone.save()
    page = client.get(f"/ja/articles/{phone.number}/{phone.slug}/").content.decode()
    assert "携帯電話の電源を入れ直す" in page


def test_keywords_in_admin_form_side_by_side(staff_client, phone):
    html = staff_client.get(f"/admin/articles/article/{phone.pk}/change/").content.decode()
    assert 'name="keywords_en"' in html and 'name="keywords_ja"' in html


# Counting: masking, signatures, bad input.


def test_queries_are_masked_before_stored():
    assert (
        recording.normalise("Mail ME at a.b+c@example.co.jp 0312345678 code 12345")
        == "mail me at [email] [number] code 12345"
    )
    assert recording.normalise("ＡＢＣ\x00 ０１２３４５６") == "abc [number]"


def search_log(html):
    found = re.search(r'<div id="search-log"[^>]*>', html).group(0)
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', found))


def result_links(html):
    return [
        dict(re.findall(r'data-([a-z]+)="([^"]*)"', link))
        for link in re.findall(r"<a [^>]*data-position[^>]*>", html)
    ]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_search_page_is_counted_by_its_beacon_and_sets_no_cookie(client, phone, language):
    query = "phone" if language == "en" else "電源"
    response = client.get(f"/{language}/search/", {"q": query})
    assert not response.cookies
    log = search_log(response.content.decode())
    posted = client.post(
        log["seen"],
        {"q": log["query"], "n": log["results"], "d": log["day"], "s": log["signature"]},
    )
    assert posted.status_code == 204 and not posted.cookies
    link = result_links(response.content.decode())[0]
    opened = client.post(
        log["opened"],
        {
            "q": log["query"],
            "a": link["article"],
            "p": link["position"],
            "d": log["day"],
            "s": link["signature"],
        },
    )
    assert opened.status_code == 204 and not opened.cookies
    row = DailyQuery.objects.get(language=language, query=query)
    assert (row.searches, row.clicks, row.position_total) == (1, 1, 1)
    assert SearchEvent.objects.count() == 1 and ClickEvent.objects.count() == 1


def test_forged_or_malformed_posts_are_refused_and_store_nothing(client, phone):
    html = client.get("/en/search/", {"q": "phone"}).content.decode()
    log = search_log(html)
    good = {"q": log["query"], "n": log["results"], "d": log["day"], "s": log["signature"]}
    bad = [
        {**good, "q": "buy cheap pills"},  # words of one's choosing
        {**good, "n": "999"},
        {**good, "d": str(int(good["d"]) - 5)},  # an old page
        {**good, "s": "0" * 32},
        {**good, "q": good["q"] + "\x00"},
        {**good, "n": "١"},
        {key: value for key, value in good.items() if key != "s"},
        {**good, "q": "x" * 5000},
    ]
    for fields in bad:
        assert client.post(log["seen"], fields).status_code == 400, fields
    link = result_links(html)[0]
    click = {
        "q": log["query"],
        "a": link["article"],
        "p": link["position"],
        "d": log["day"],
        "s": link["signature"],
    }
    for fields in [{**click, "p": "2"}, {**click, "a": "1"}, {**click, "p": "0"}]:
        assert client.post(log["opened"], fields).status_code == 400, fields
    assert client.get(log["seen"]).status_code == 405
    assert (
        client.post(
            log["seen"], "%%%", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 400
    )
    assert not DailyQuery.objects.exists() and not SearchEvent.objects.exists()


def test_counting_is_rate_limited(client, phone, settings):
    settings.KB_SEARCH_EVENTS_PER_HOUR = 2
    log = search_log(client.get("/en/search/", {"q": "phone"}).content.decode())
    good = {"q": log["query"], "n": log["results"], "d": log["day"], "s": log["signature"]}
    statuses = [client.post(log["seen"], good).status_code for _ in range(3)]
    assert statuses == [204, 204, 429]
    assert DailyQuery.objects.get().searches == 2


# The report.


def reader_with(permission):
    user = User.objects.create_user(f"agent-{permission}", password="x", is_staff=True)
    if permission:
        app, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    client = Client()
    client.force_login(user)
    return client


REPORT = "/admin/insights/searchreport/"


def test_report_only_for_staff_with_article_access(client, editor_groups):
    # editor_groups: after a transactional test's flush, the permissions exist again.
    assert client.get(REPORT).status_code == 302  # to the login page
    assert reader_with(None).get(REPORT).status_code == 403
    assert reader_with("articles.view_article").get(REPORT).status_code == 200


@pytest.mark.parametrize("language", ["en", "ja"])
def test_report_tables_and_csv(staff_client, phone, language):
    recording.record_search(language, "phone", 1)
    recording.record_search(language, "phone", 1)
    recording.record_click(language, "phone", 3001, 2)
    recording.record_search(language, "wombat", 0)
    recording.record_search(language, "settings", 4)
    Feedback.objects.create(article=phone, language=language, helpful=1, not_helpful=3)
    FeedbackComment.objects.create(
        article=phone, language=language, helpful=False, text="Step 2 is missing"
    )
    staff_client.get(f"/{language}/")  # the admin speaks the staff member's language
    html = staff_client.get(REPORT, {"language": language, "days": "7"}).content.decode()
    top = html[html.index('id="report-top"') : html.index('id="no-results"')]
    assert re.search(r"<td>phone</td><td>2</td><td>50%</td><td>2.0</td>", top)
    no_results = html[html.index('id="report-no-results"') : html.index('id="no-click"')]
    assert "wombat" in no_results and "phone" not in no_results
    no_click = html[html.index('id="report-no-click"') : html.index('id="unhelpful"')]
    assert "settings" in no_click and "phone" not in no_click
    assert "Step 2 is missing" in html
    csv = staff_client.get(REPORT, {"language": language, "days": "7", "export": "top"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "phone,2,0,1,50,2.0" in csv.content.decode()
    unhelpful = staff_client.get(REPORT, {"language": language, "export": "unhelpful"})
    assert "Step 2 is missing" in unhelpful.content.decode()


def test_report_in_japanese(staff_client, db):
    staff_client.cookies["django_language"] = "ja"
    html = staff_client.get(REPORT, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "読者が探しているもの" in html


def test_report_periods(staff_client, db):
    old = timezone.now() - datetime.timedelta(days=20)
    recording.record_search("en", "ancient", 0, now=old)
    assert "ancient" not in staff_client.get(REPORT, {"days": "7"}).content.decode()
    assert "ancient" in staff_client.get(REPORT, {"days": "30"}).content.decode()
    assert staff_client.get(REPORT, {"days": "9999", "language": "xx"}).status_code == 200


# Acceptance 4: from a zero-result query, one click adds it to a group.


def test_zero_result_query_added_to_group_from_report_then_found(staff_client, phone):
    assert numbers("スマホ", "ja") == []
    recording.record_search("ja", "スマホ", 0)
    group = SynonymGroup.objects.create(language="ja", terms="携帯電話、ケータイ")
    html = staff_client.get(REPORT, {"language": "ja"}).content.decode()
    assert f'<option value="{group.pk}">' in html
    assert "title_ja=%E3%82%B9%E3%83%9E%E3%83%9B" in html  # start a draft titled with it
    response = staff_client.post(
        REPORT + "?language=ja&days=30", {"query": "スマホ", "group": str(group.pk)}
    )
    assert response.status_code == 302
    assert "スマホ" in SynonymGroup.objects.get(pk=group.pk).term_list()
    assert numbers("スマホ", "ja") == [3001]
    # A group of the other language, or none, is refused without a 500.
    english = SynonymGroup.objects.create(language="en", terms="a1, b1")
    for posted in [{"query": "x", "group": str(english.pk)}, {"query": "x", "group": "1e9"}]:
        assert staff_client.post(REPORT + "?language=ja", posted).status_code == 302
    assert "x" not in SynonymGroup.objects.get(pk=english.pk).term_list()


# Acceptance 6: purge.


def test_purge_removes_old_events_and_keeps_daily_totals(settings):
    settings.KB_SEARCH_LOG_DAYS = 180
    old = timezone.now() - datetime.timedelta(days=181)
    recording.record_search("en", "old query", 0, now=old)
    recording.record_click("en", "old query", 1001, 1, now=old)
    recording.record_search("en", "new query", 3)
    call_command("purge_search_log", verbosity=0)
    assert list(SearchEvent.objects.values_list("query", flat=True)) == ["new query"]
    assert not ClickEvent.objects.exists()
    assert set(DailyQuery.objects.values_list("query", flat=True)) == {"old query", "new query"}


def test_translators_see_but_do_not_change_synonyms(login_as, db):
    translator = login_as("Translator")
    group = SynonymGroup.objects.create(language="ja", terms="携帯電話、ケータイ")
    assert translator.get(REPORT).status_code == 200
    assert translator.get("/admin/insights/synonymgroup/").status_code == 200
    assert (
        translator.post(
            "/admin/insights/synonymgroup/add/", {"language": "ja", "terms": "a, b"}
        ).status_code
        == 403
    )
    translator.post(REPORT + "?language=ja", {"query": "スマホ", "group": str(group.pk)})
    assert SynonymGroup.objects.get(pk=group.pk).term_list() == ["携帯電話", "ケータイ"]
    editor = login_as("Editor")
    editor.post(REPORT + "?language=ja", {"query": "スマホ", "group": str(group.pk)})
    assert SynonymGroup.objects.get(pk=group.pk).term_list() == ["携帯電話", "ケータイ", "スマホ"]
