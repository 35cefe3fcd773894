"""'Was this article helpful?': counted once per reader, never lost, shown to editors."""

import re
import threading
import urllib.parse
import urllib.request

import pytest
from django.test import Client

from articles.models import Feedback, FeedbackComment


def vote(client, language, number, answer, reason=""):
    return client.post(
        f"/{language}/articles/{number}/feedback/", {"helpful": answer, "reason": reason}
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_vote_is_counted_once_per_reader(client, demo, language):
    first = vote(client, language, 1008, "yes", "Clear steps")
    assert first.status_code == 303
    assert first["Location"].endswith("?feedback=thanks#feedback")
    again = vote(client, language, 1008, "no")
    assert again["Location"].endswith("?feedback=already#feedback")
    row = Feedback.objects.get(article__number=1008, language=language)
    assert (row.helpful, row.not_helpful) == (1, 0)
    assert FeedbackComment.objects.get().text == "Clear steps"


@pytest.mark.django_db
def test_thank_you_is_shown_in_readers_language(client, demo):
    response = vote(client, "ja", 1005, "no")
    page = client.get(response["Location"]).content.decode()
    assert "フィードバックをお寄せいただきありがとうございます" in page


@pytest.mark.django_db
def test_article_page_sets_no_cookie_and_works_without_javascript(client, demo):
    response = client.get(f"/en/articles/1008/{demo[1008].slug}/")
    assert response.cookies == {}
    html = response.content.decode()
    assert 'action="/en/articles/1008/feedback/"' in html
    assert 'name="helpful" value="yes"' in html and 'name="helpful" value="no"' in html


@pytest.mark.django_db
def test_bad_votes_are_ignored_not_errors(client, demo):
    assert vote(client, "en", 1008, "maybe").status_code == 302
    assert vote(client, "en", 99999, "yes").status_code == 404
    assert client.get("/en/articles/1008/feedback/").status_code == 405
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_rate_limit_stops_one_address_flooding(client, demo, settings):
    settings.KB_FEEDBACK_VOTES_PER_HOUR = 3
    states = []
    for number in range(1001, 1007):
        client.cookies.clear()
        states.append(vote(client, "en", number, "yes")["Location"].split("feedback=")[1])
    assert states.count("thanks#feedback") == 3
    assert states.count("limited#feedback") == 3
    assert sum(Feedback.objects.values_list("helpful", flat=True)) == 3


@pytest.mark.django_db
def test_admin_list_shows_totals_per_language_sortable(staff_client, demo):
    # Two readers, each with their own browser (and cookie), vote on the Japanese page.
    vote(Client(), "ja", 1008, "yes")
    vote(Client(), "ja", 1008, "no")
    # Column 6 (after the checkbox column) is "Helpful", one line per language.
    html = staff_client.get("/admin/articles/article/?o=6").content.decode()
    assert "Helpful" in html
    assert re.search(r'title="Japanese">JA</abbr> <span title="1 / 1">👍 1 · 👎 1</span>', html)
    # Sorted by "helpful" votes, most first: KB 1008 is the first row.
    rows = re.findall(r"/admin/articles/article/(\d+)/change/", html)
    assert rows[0] == str(demo[1008].pk)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_votes_all_land(live_server, demo, settings):
    settings.KB_FEEDBACK_VOTES_PER_HOUR = 1000
    url = f"{live_server.url}/en/articles/1008/feedback/"
    body = urllib.parse.urlencode({"helpful": "yes"}).encode()
    errors = []

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    start = threading.Barrier(50)

    def one_reader():
        start.wait()
        try:
            opener.open(urllib.request.Request(url, data=body), timeout=30)
        except urllib.error.HTTPError as error:
            if error.code != 303:
                errors.append(error.code)
        except Exception as error:  # noqa: BLE001 - every failure is a lost vote
            errors.append(repr(error))

    threads = [threading.Thread(target=one_reader) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Feedback.objects.get(article__number=1008, language="en").helpful == 50
