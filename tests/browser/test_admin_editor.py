"""A first-time support agent in the admin, in a real browser, in English and Japanese.

Clicks are counted as a person makes them: links, buttons and drop-downs (choosing from a
drop-down is one click); typing into a field is counted as a field, not a click.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.models import Article, Step

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"

ADMIN_LANGUAGES = {
    "en": {
        "locale": "en-US",
        "category": "Login and security",
        "saved": "was added successfully",
        "not_public": "Not public",
    },
    "ja": {
        "locale": "ja-JP",
        "category": "ログインとセキュリティ",
        "saved": "追加しました",
        "not_public": "非公開",
    },
}


def log_in(new_context, site, language, **options):
    User.objects.create_superuser("agent", "", PASSWORD)
    context = new_context(
        locale=ADMIN_LANGUAGES[language]["locale"],
        viewport={"width": 1440, "height": 900},
        **options,
    )
    page = context.new_page()
    problems = []
    host = urlsplit(site).netloc
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda r: problems.append(r.url) if urlsplit(r.url).netloc not in {host, ""} else None,
    )
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page, problems


class Counter:
    """Clicks a person makes: each one goes through here."""

    def __init__(self, page):
        self.page = page
        self.clicks = 0
        self.fields = set()

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def choose(self, selector, label):
        self.clicks += 1
        self.fields.add(selector)
        self.page.select_option(selector, label=label)

    def type(self, selector, value):
        self.fields.add(selector)
        self.page.locator(selector).press_sequentially(value)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_first_time_agent_writes_an_article_with_two_variants(site, new_context, language):
    strings = ADMIN_LANGUAGES[language]
    page, problems = log_in(new_context, site, language)
    expected_number = max(Article.objects.values_list("number", flat=True)) + 1
    agent = Counter(page)

    # From the admin's front page: "Add" beside Articles.
    agent.click(page.locator("a.addlink[href$='/admin/articles/article/add/']"))
    expect(page.locator("#id_number")).to_have_value(str(expected_number))
    expect(page.locator(".kb-publicness").first).to_contain_text(strings["not_public"])
    # No row that means nothing yet: order and translation state are out of the way.
    expect(page.locator("#variants-0 .field-order").first).to_be_hidden()
    expect(page.locator("#variants-0 .field-translation").first).to_be_hidden()
    # Platforms grouped by family.
    groups = page.locator("#id_variants-0-platform optgroup")
    expect(groups).to_have_count(3)

    agent.type("#id_title_en", "Reset a forgotten password")
    agent.choose("#id_category", strings["category"])
    agent.choose("#id_variants-0-platform", "Windows")
    agent.type("#id_variants-0-steps-0-body_en", "Press Ctrl+Alt+Delete, then Change a password.")
    agent.click(page.locator("a.djn-add-handler.djn-model-articles-variant"))
    agent.choose("#id_variants-1-platform", "macOS")
    agent.type("#id_variants-1-steps-0-body_en", "Open System Settings and choose Users & Groups.")
    with page.expect_navigation():
        agent.click(page.locator("input[name=_save]").first)

    expect(page.locator(".messagelist .success")).to_contain_text(strings["saved"])
    assert agent.clicks <= 8, agent.clicks
    assert len(agent.fields) == 6
    article = Article.objects.get(number=expected_number)
    assert article.status == Article.Status.DRAFT
    assert article.slug == "reset-a-forgotten-password"
    steps = Step.objects.filter(variant__article=article).order_by("variant__order")
    assert [(s.variant.platform.slug, s.body_en) for s in steps] == [
        ("windows", "Press Ctrl+Alt+Delete, then Change a password."),
        ("macos", "Open System Settings and choose Users & Groups."),
    ]
    assert problems == []
