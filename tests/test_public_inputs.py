"""What a reader (or a bot) can send never breaks a page: control characters are dropped.

Every value a public view reads (the vote's reason, the search query, the ``platform``,
``feedback`` and ``page`` parameters, the voted-articles cookie) may carry NUL and other
control characters. PostgreSQL refuses NUL in text outright, so on it one stray byte was
a server error; on SQLite it was stored. The same tests run on both databases
(``scripts/with-postgres-redis.sh``).
"""

import re

import pytest

from articles import feedback
from articles.models import Feedback, FeedbackComment

pytestmark = pytest.mark.django_db

HAR = 1008
# C0 controls but tab and line feed, DEL, C1 controls (NEL, CSI): none belongs in a text.
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9b"
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def har_url(demo, language):
    return f"/{language}/articles/{HAR}/{demo[HAR].slug}/"


def vote(client, language, answer, reason, **extra):
    return client.post(
        f"/{language}/articles/{HAR}/feedback/", {"helpful": answer, "reason": reason}, **extra
    )


@pytest.mark.parametrize(
    ("language", "reason", "stored"),
    [
        (
            "en",
            "Step 3\x00 is\x07 unclear\x1b\x7f\x85\r\nI used\tFirefox\x9b.",
            "Step 3 is unclear\nI used\tFirefox.",
        ),
        (
            "ja",
            "手順3が\x00分かりにくい\r\n\x0bFirefox\tで試しました\x1b",
            "手順3が分かりにくい\nFirefox\tで試しました",
        ),
    ],
    ids=["en", "ja"],
)
def test_vote_reason_is_stored_without_control_characters(client, demo, language, reason, stored):
    response = vote(client, language, "no", reason)
    assert response.status_code == 303
    assert response["Location"].endswith("?feedback=thanks#feedback")
    assert FeedbackComment.objects.get(language=language).text == stored
    assert Feedback.objects.get(article__number=HAR, language=language).not_helpful == 1


@pytest.mark.parametrize("language", ["en", "ja"])
def test_vote_reason_keeps_the_readers_line_breaks_not_trailing_blanks(client, demo, language):
    vote(client, language, "yes", "  First line  \r\n\r\n\r\n\r\nSecond\rline \n \t ")
    assert FeedbackComment.objects.get().text == "First line\n\nSecond\nline"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_vote_whose_reason_is_only_control_characters_counts_without_a_comment(
    client, demo, language
):
    response = vote(client, language, "yes", CONTROLS + "\r\n\t ")
    assert response["Location"].endswith("?feedback=thanks#feedback")
    assert Feedback.objects.get(article__number=HAR, language=language).helpful == 1
    assert not FeedbackComment.objects.exists()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_vote_reason_is_cut_to_its_limit_after_cleaning(client, demo, language):
    vote(client, language, "no", "\x00" * 600 + "x" * 600)
    assert FeedbackComment.objects.get().text == "x" * feedback.MAX_REASON_LENGTH


def test_write_path_drops_lone_surrogates(demo):
    # Django decodes form data with errors="replace", so a browser cannot send one; the
    # write path refuses to pass one to the database whoever calls it.
    feedback.record_vote(demo[HAR], "ja", False, "壊れた\ud800文字\udfff")
    assert FeedbackComment.objects.get().text == "壊れた文字"


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "cookie",
    ["1001.\u00b2", "1001.\u0663", "1001." + "9" * 5000],
    ids=["superscript-two", "arabic-indic-three", "5000-digits"],
)
def test_voted_cookie_with_non_ascii_or_huge_numbers_is_ignored(client, demo, language, cookie):
    # "²" and "٣" are digits to str.isdigit(); int("²") fails, and so does int() of 5000 digits.
    # The header as a WSGI server passes it on: the browser's UTF-8 bytes read as Latin-1.
    header = f"{feedback.VOTED_COOKIE}={cookie}".encode().decode("iso-8859-1")
    response = vote(client, language, "yes", "", HTTP_COOKIE=header)
    assert response.status_code == 303
    assert response["Location"].endswith("?feedback=thanks#feedback")
    assert response.cookies[feedback.VOTED_COOKIE].value == f"1001.{HAR}"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_search_query_with_control_characters_finds_and_shows_the_words(client, demo, language):
    response = client.get(f"/{language}/search/", {"q": "\x00HAR\x07\x1b" + CONTROLS})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/{language}/articles/{HAR}/" in html
    assert 'value="HAR"' in html
    assert not RAW_CONTROL.search(html)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_platform_parameter_with_control_characters_still_opens_that_tab(client, demo, language):
    response = client.get(har_url(demo, language), {"platform": "\x00edge\x1b" + CONTROLS})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'role="tab"[^>]*aria-selected="true" data-platform="edge"', html)
    assert not RAW_CONTROL.search(html)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("search/?q=har", "q"),
        ("search/?q=har", "page"),
        ("articles/1008/generate-a-har-file/", "platform"),
        ("articles/1008/generate-a-har-file/", "feedback"),
        ("articles/1008/generate-a-har-file/", "utm_source"),
        ("articles/1008/", "platform"),
        ("", "q"),
    ],
)
@pytest.mark.parametrize(
    "value",
    [CONTROLS, "2" + CONTROLS, "\u2028\ufeff\u202e"],
    ids=["controls", "digit-and-controls", "separators-and-format"],
)
def test_every_public_parameter_with_control_characters_answers_a_page(
    client, demo, language, path, name, value
):
    response = client.get(f"/{language}/{path}", {name: value})
    assert response.status_code in {200, 301}
    if response.status_code == 301:
        assert response["Location"].startswith(f"/{language}/articles/{HAR}/")
        response = client.get(response["Location"])
        assert response.status_code == 200
    assert not RAW_CONTROL.search(response.content.decode())


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "path",
    ["categories/%00/", "articles/1008/%00%1b/", "articles/99999999999999999999/x/", "%00/"],
)
def test_control_characters_in_the_path_answer_a_redirect_or_not_found(
    client, demo, language, path
):
    response = client.get(f"/{language}/{path}")
    assert response.status_code in {301, 404}
    assert not RAW_CONTROL.search(response.get("Location", ""))
    assert not RAW_CONTROL.search(response.content.decode())


def test_sitemap_page_parameter_with_control_characters_is_not_found(client, demo):
    assert client.get("/sitemap.xml", {"p": CONTROLS}).status_code == 404


@pytest.mark.parametrize("language", ["en", "ja"])
def test_session_cookie_of_control_characters_sees_a_draft_as_not_found(
    client, make_article, language
):
    # Quoted, a cookie may spell NUL as \000 in plain ASCII; Django's cookie parser turns it
    # back into NUL, and looking that session up failed on PostgreSQL.
    draft = make_article(status="draft", slug="draft")
    cookie = 'sessionid="' + "\\000" * 32 + '"'
    response = client.get(f"/{language}/articles/{draft.number}/draft/", HTTP_COOKIE=cookie)
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/articles/article/"])
def test_admin_with_a_session_cookie_of_control_characters_asks_to_log_in(client, db, path):
    cookie = 'sessionid="' + "\\000" * 32 + '"'
    response = client.get(path, HTTP_COOKIE=cookie, follow=True)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
