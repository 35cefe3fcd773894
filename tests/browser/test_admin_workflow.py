"""Editors in real browsers: two people save the same article; a translator sees a diff."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect
from reversion.models import Version

from articles.models import Article, Step

pytestmark = pytest.mark.browser

HAR = "Generating a HAR file for our support team"


def log_in(context, site, username):
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    return page, errors


def open_har(page, site):
    article = Article.objects.get(number=1008)
    page.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    return article


def test_two_editors_save_the_same_article_and_nothing_is_lost(site, new_context):
    for name in ("aiko", "ben"):
        User.objects.create_superuser(name, "", "a-long-test-password")
    aiko, aiko_errors = log_in(new_context(), site, "aiko")
    ben, ben_errors = log_in(new_context(), site, "ben")
    article = open_har(aiko, site)
    open_har(ben, site)

    aiko.fill("input[name=title_en]", "Generating a HAR file (updated by Aiko)")
    with aiko.expect_navigation():
        aiko.locator("input[name=_save]").first.click()
    expect(aiko.locator(".messagelist .success")).to_be_visible()

    ben_text = "ベンが追加した説明です。"
    ben.fill("textarea[name=summary_ja]", ben_text)
    with ben.expect_navigation():
        ben.locator("input[name=_save]").first.click()

    # Refused: Ben sees who saved and what they changed, and his text is still there.
    error = ben.locator(".errorlist.nonfield")
    expect(error).to_contain_text("Someone else saved this article")
    expect(error).to_contain_text("aiko")
    expect(error.locator("dd ins").first).to_have_text("(updated by Aiko)")
    expect(ben.locator("textarea[name=summary_ja]")).to_have_value(ben_text)
    assert Article.objects.get(pk=article.pk).summary_ja != ben_text

    # Ben merges Aiko's title into his form and saves again: both edits are kept.
    ben.fill("input[name=title_en]", "Generating a HAR file (updated by Aiko)")
    with ben.expect_navigation():
        ben.locator("input[name=_save]").first.click()
    expect(ben.locator(".messagelist .success")).to_be_visible()
    article.refresh_from_db()
    assert article.title_en == "Generating a HAR file (updated by Aiko)"
    assert article.summary_ja == ben_text
    users = [v.revision.user.username for v in Version.objects.get_for_object(article)[:2]]
    assert users == ["ben", "aiko"]
    assert aiko_errors == [] and ben_errors == []


def test_translator_sees_what_changed_in_the_english_and_marks_it_done(
    site, new_context, editor_groups
):
    User.objects.create_superuser("writer", "", "a-long-test-password")
    translator = User.objects.create_user("yuki", password="a-long-test-password", is_staff=True)
    translator.groups.add(Group.objects.get(name="Translator"))
    host = urlsplit(site).netloc

    writer, _errors = log_in(new_context(), site, "writer")
    open_har(writer, site)
    step = writer.locator("textarea[name$='-body_en']", has_text="Network tab").first
    old = step.input_value()
    step.fill(old.replace("Network", "Network panel"))
    with writer.expect_navigation():
        writer.locator("input[name=_save]").first.click()

    page, errors = log_in(new_context(locale="ja-JP"), site, "yuki")
    elsewhere = []
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if urlsplit(r.url).netloc not in {host, ""} else None,
    )
    page.goto(f"{site}/admin/articles/article/?translation=outdated-ja")
    expect(page.get_by_text("要更新 (1)")).to_be_visible()
    page.get_by_role("link", name="HAR").first.click()
    review = page.locator(".kb-review")
    expect(review.locator("ins")).to_contain_text("panel")
    review.locator("input[type=checkbox]").first.check()
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.goto(f"{site}/admin/articles/article/?translation=outdated-ja")
    expect(page.get_by_text("要更新 (1)")).to_have_count(0)
    assert Step.objects.filter(variant__article__number=1008).count() > 0
    assert elsewhere == [] and errors == []
