"""Counting what readers search for, in a real browser (issue 16, acceptance 3).

The site is served as in production, through the WSGI page cache (kb/wsgi.py), so a
search page can come from the cache, where no view runs: the page's own script counts it.
"""

import re
import threading
import time
from urllib.parse import quote

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from playwright.sync_api import expect

from insights.models import ClickEvent, DailyQuery, SearchEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def cached_site(transactional_db, settings):
    """The demo, served by kb.wsgi.application (page cache included) on loopback."""
    from kb.wsgi import application

    call_command("load_demo", verbosity=0)
    server = ThreadedWSGIServer(("127.0.0.1", 0), _Quiet, allow_reuse_address=False)
    server.daemon_threads = True
    server.set_app(StaticFilesHandler(application))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def wait_for(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("not counted in time")


def test_searches_and_a_click_reach_the_report_masked_and_cookie_free(
    cached_site, new_context, django_user_model
):
    # A reader in English: the first page is rendered, the second reader's is the cache's.
    first = new_context()
    reader = first.new_page()
    response = reader.goto(f"{cached_site}/en/search/?q=har")
    assert response.headers["x-page-cache"] == "miss"
    wait_for(lambda: SearchEvent.objects.filter(language="en").count() == 1)
    second = new_context()
    response = second.new_page().goto(f"{cached_site}/en/search/?q=har")
    assert response.headers["x-page-cache"] == "hit"
    wait_for(lambda: SearchEvent.objects.filter(language="en").count() == 2)

    # A reader in Japanese opens the second result; its link is the article's own URL.
    third = new_context()
    japanese = third.new_page()
    japanese.goto(f"{cached_site}/ja/search/?q={quote('認証')}")
    links = japanese.locator(".search-results a[data-position]")
    assert links.count() >= 2
    second_href = links.nth(1).get_attribute("href")
    assert re.fullmatch(r"/ja/articles/\d+/[\w-]+/(\?platform=[\w-]+)?", second_href)
    with japanese.expect_navigation():
        links.nth(1).click()
    assert japanese.url == cached_site + second_href
    wait_for(lambda: ClickEvent.objects.count() == 1)
    number = int(second_href.split("/")[3])
    assert ClickEvent.objects.get().article_number == number

    # An e-mail address and a 10-digit number never reach the database.
    reader.goto(f"{cached_site}/en/search/?q={quote('help jane.doe@example.com 0312345678')}")
    wait_for(lambda: SearchEvent.objects.filter(language="en").count() == 3)
    stored = set(SearchEvent.objects.values_list("query", flat=True))
    assert "help [email] [number]" in stored
    assert not any("example" in q or "0312345678" in q for q in stored)

    # Searching and clicking set no cookie.
    for context in (first, second, third):
        assert context.cookies() == []

    # The report, as staff see it.
    django_user_model.objects.create_superuser("agent", "", "a-long-test-password")
    staff = new_context().new_page()
    staff.goto(f"{cached_site}/admin/login/?next=/admin/insights/searchreport/%3Flanguage%3Dja")
    staff.fill("#id_username", "agent")
    staff.fill("#id_password", "a-long-test-password")
    with staff.expect_navigation():
        staff.click("input[type=submit]")
    top = staff.locator("#report-top tbody tr", has_text="認証")
    expect(top).to_have_count(1)
    assert top.locator("td").all_inner_texts() == ["認証", "1", "100%", "2.0"]
    staff.goto(f"{cached_site}/admin/insights/searchreport/?language=en&days=7")
    har = staff.locator("#report-top tbody tr", has_text="har")
    assert har.locator("td").all_inner_texts() == ["har", "2", "0%", "—"]
    expect(staff.locator("#report-no-click")).to_contain_text("har")
    assert DailyQuery.objects.get(language="ja", query="認証").clicks == 1
